package io.shopsync.testing;

import io.shopsync.stock.SkuCache;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The SKU cache in memory, held to SkuCacheContract like the DynamoDB one. */
public final class InMemorySkuCache implements SkuCache {

    private record Entry(Item item, Instant version) {}

    private final Map<String, Entry> entries = new HashMap<>();

    @Override
    public synchronized Optional<Item> get(String shop, String inventoryItemId, Instant now) {
        return Optional.ofNullable(entries.get(shop + "#" + inventoryItemId)).map(Entry::item);
    }

    @Override
    public synchronized void put(String shop, String inventoryItemId, Item item, Instant version, Instant now) {
        entries.merge(shop + "#" + inventoryItemId, new Entry(item, version),
                (old, next) -> next.version().isAfter(old.version()) ? next : old);
    }
}
