package io.shopsync.stock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every SKU cache must do; run against DynamoDB (IT) and in memory (unit). */
abstract class SkuCacheContract {

    static final Instant NOW = Instant.parse("2026-11-27T16:30:00Z");
    private final String shop = "shop-" + UUID.randomUUID() + ".myshopify.com";

    abstract SkuCache cache();

    @Test
    void put_shouldKeepTheNewestVersion_ofAnItem() {
        cache().put(shop, "437290762312585471", new SkuCache.Item("SS-MCS-OAT-M", true),
                Instant.parse("2026-11-27T16:31:12Z"), NOW);
        cache().put(shop, "437290762312585471", new SkuCache.Item("OLD-SKU", true),
                Instant.parse("2026-11-20T10:00:00Z"), NOW);

        assertThat(cache().get(shop, "437290762312585471", NOW))
                .contains(new SkuCache.Item("SS-MCS-OAT-M", true));

        cache().put(shop, "437290762312585471", new SkuCache.Item("SS-MCS-OAT-M2", false),
                Instant.parse("2026-11-28T09:00:00Z"), NOW);
        assertThat(cache().get(shop, "437290762312585471", NOW)).contains(new SkuCache.Item("SS-MCS-OAT-M2", false));
    }

    @Test
    void get_shouldMiss_forAnItemNeverSeen_andRememberAnItemWithoutSku() {
        assertThat(cache().get(shop, "49148385", NOW)).isEmpty();

        cache().put(shop, "49148385", new SkuCache.Item(null, true), NOW, NOW);

        assertThat(cache().get(shop, "49148385", NOW)).contains(new SkuCache.Item(null, true));
    }
}
