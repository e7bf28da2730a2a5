package io.shopsync.alerts;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** The alert window as a conditional write in the delivery table, so every container shares it. */
public final class DynamoDbAlertGate implements AlertGate {

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration window;

    public DynamoDbAlertGate(DynamoDbClient dynamo, String table, Duration window) {
        this.dynamo = dynamo;
        this.table = table;
        this.window = window;
    }

    @Override
    public boolean firstInWindow(String key, Instant now) {
        long windowStart = now.getEpochSecond() / window.toSeconds() * window.toSeconds();
        String pk = "alert#" + key + "#" + windowStart;
        try {
            dynamo.putItem(r -> r.tableName(table)
                    .item(Map.of("pk", AttributeValue.builder().s(pk).build(),
                            "expiresAt", AttributeValue.builder().n(Long.toString(windowStart + window.toSeconds() * 2)).build()))
                    .conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }
}
