package io.shopsync.connectors.inventory;

import java.time.Instant;
import java.util.Objects;

/**
 * One absolute stock level to report to an inventory system, resolved from Shopify's
 * inventory_levels/update: the SKU (the payload has none) and the target's location are known.
 *
 * @param shop the shop domain
 * @param sku the SKU of the inventory item, never guessed
 * @param inventoryItemId Shopify's inventory item id (exact decimal text)
 * @param variantId Shopify's variant id, when known (may be null)
 * @param shopifyLocationId Shopify's location id
 * @param locationRef the inventory system's location reference, from the deployment's location mapping
 * @param available the Shopify quantity mirrored: {@code available} from the webhook, or {@code on_hand} when
 *                  the flow's STOCK_QUANTITY says so (Katana only); null when Shopify does not know it (not zero)
 * @param sourceUpdatedAt the payload's updated_at: receivers can drop stale levels by it
 * @param deliveryId shop and webhook id: stable across retries, the idempotency key
 */
public record StockLevel(String shop, String sku, String inventoryItemId, String variantId, String shopifyLocationId,
                         String locationRef, Integer available, Instant sourceUpdatedAt, String deliveryId) {

    public StockLevel {
        Objects.requireNonNull(shop, "shop");
        Objects.requireNonNull(sku, "sku");
        Objects.requireNonNull(inventoryItemId, "inventoryItemId");
        Objects.requireNonNull(shopifyLocationId, "shopifyLocationId");
        Objects.requireNonNull(locationRef, "locationRef");
        Objects.requireNonNull(sourceUpdatedAt, "sourceUpdatedAt");
        Objects.requireNonNull(deliveryId, "deliveryId");
    }
}
