package io.shopsync.stock;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** The SKU cache in the delivery table: {@code sku#<shop>#<inventory item id>}, expiring after {@code retention}. */
public final class DynamoDbSkuCache implements SkuCache {

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;

    public DynamoDbSkuCache(DynamoDbClient dynamo, String table, Duration retention) {
        this.dynamo = dynamo;
        this.table = table;
        this.retention = retention;
    }

    @Override
    public Optional<Item> get(String shop, String inventoryItemId, Instant now) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).key(key(shop, inventoryItemId))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty() || Long.parseLong(item.get("expiresAt").n()) < now.getEpochSecond()) {
            return Optional.empty();
        }
        return Optional.of(new Item(text(item, "sku"), item.get("tracked").bool()));
    }

    @Override
    public void put(String shop, String inventoryItemId, Item value, Instant version, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(key(shop, inventoryItemId));
        if (value.sku() != null) {
            item.put("sku", AttributeValue.builder().s(value.sku()).build());
        }
        item.put("tracked", AttributeValue.builder().bool(value.tracked()).build());
        item.put("version", AttributeValue.builder().n(Long.toString(version.toEpochMilli())).build());
        item.put("expiresAt", AttributeValue.builder().n(Long.toString(now.plus(retention).getEpochSecond())).build());
        try {
            dynamo.putItem(r -> r.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk) OR version < :version OR expiresAt < :now")
                    .expressionAttributeValues(Map.of(
                            ":version", AttributeValue.builder().n(Long.toString(version.toEpochMilli())).build(),
                            ":now", AttributeValue.builder().n(Long.toString(now.getEpochSecond())).build())));
        } catch (ConditionalCheckFailedException e) {
            // A newer version of the item is cached already: keep it.
        }
    }

    private static Map<String, AttributeValue> key(String shop, String inventoryItemId) {
        return Map.of("pk", AttributeValue.builder().s("sku#" + shop + "#" + inventoryItemId).build());
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }
}
