package io.shopsync.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(AwsBackend.class)
class DynamoDbSkuCacheIT extends SkuCacheContract {

    private final DynamoDbSkuCache cache;

    DynamoDbSkuCacheIT(AwsClients aws) {
        this.cache = new DynamoDbSkuCache(aws.dynamo(), aws.createTable("shopsync-sku-it"), Duration.ofDays(30));
    }

    @Override
    SkuCache cache() {
        return cache;
    }

    @Test
    void get_shouldIgnoreAnExpiredEntry_evenBeforeTheTableDeletesIt() {
        cache.put("shopsync-demo.myshopify.com", "437290762312585471", new SkuCache.Item("SS-MCS-OAT-M", true),
                NOW, NOW);

        assertThat(cache.get("shopsync-demo.myshopify.com", "437290762312585471", NOW.plus(Duration.ofDays(31)))).isEmpty();
    }
}
