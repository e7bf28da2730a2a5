package io.shopsync.reconcile;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Checkpoints in the idempotency table: {@code reconcile#<shop>#<check>} with {@code checkpoint} (epoch
 * milliseconds, for the never-backwards condition) and {@code checkpointAt} (ISO-8601, for people). No expiry:
 * a checkpoint that vanished would make the next run start afresh and miss what happened meanwhile.
 */
public final class DynamoDbCheckpoints implements Checkpoints {

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbCheckpoints(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public static String key(String shop, String check) {
        return "reconcile#" + shop + "#" + check;
    }

    @Override
    public Optional<Instant> read(String shop, String check) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of("pk", AttributeValue.builder().s(key(shop, check)).build()))).item();
        if (item == null || !item.containsKey("checkpoint")) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochMilli(Long.parseLong(item.get("checkpoint").n())));
    }

    @Override
    public void advance(String shop, String check, Instant to) {
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(Map.of("pk", AttributeValue.builder().s(key(shop, check)).build()))
                    .updateExpression("SET #checkpoint = :to, checkpointAt = :at")
                    .conditionExpression("attribute_not_exists(#checkpoint) OR #checkpoint < :to")
                    .expressionAttributeNames(Map.of("#checkpoint", "checkpoint"))
                    .expressionAttributeValues(Map.of(
                            ":to", AttributeValue.builder().n(Long.toString(to.toEpochMilli())).build(),
                            ":at", AttributeValue.builder().s(to.toString()).build())));
        } catch (ConditionalCheckFailedException e) {
            // Already at or past `to`: nothing to do.
        }
    }
}
