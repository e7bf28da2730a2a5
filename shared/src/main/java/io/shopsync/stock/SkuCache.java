package io.shopsync.stock;

import java.time.Instant;
import java.util.Optional;

/**
 * Inventory item → SKU, kept fresh by inventory_items/* webhooks and filled from the Admin API on a
 * miss. An entry only changes for a newer version of the item.
 */
public interface SkuCache {

    /** @param sku null when the item has no SKU */
    record Item(String sku, boolean tracked) {}

    Optional<Item> get(String shop, String inventoryItemId, Instant now);

    /** Stores the item if {@code version} is newer than what is cached. */
    void put(String shop, String inventoryItemId, Item item, Instant version, Instant now);
}
