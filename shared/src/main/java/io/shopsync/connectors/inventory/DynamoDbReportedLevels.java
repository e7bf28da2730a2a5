package io.shopsync.connectors.inventory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Reported levels in the flow's DynamoDB table (string hash key {@code pk}, TTL on {@code expiresAt}):
 *
 * <pre>
 * reported#{system}#{shop}#{sku}#{location}   available, version, sourceUpdatedAt, deliveryId, rememberedAt, expiresAt
 * </pre>
 *
 * {@code version} is {@code sourceUpdatedAt} as 19 digits of epoch nanoseconds, so the conditional
 * write compares it as text. Each write extends the retention; a level not reported for that long is
 * forgotten, and the next delta starts again from the system's own stock (reads ignore an expired item
 * even before DynamoDB deletes it).
 */
public final class DynamoDbReportedLevels implements ReportedLevels {

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;

    /** @param retention how long a level is remembered after it was last reported (a year is a good default) */
    public DynamoDbReportedLevels(DynamoDbClient dynamo, String table, Duration retention) {
        this.dynamo = dynamo;
        this.table = table;
        this.retention = retention;
    }

    @Override
    public Optional<Reported> last(Key key, Instant now) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table)
                .key(Map.of("pk", s(pk(key)))).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        AttributeValue expires = item.get("expiresAt");
        if (expires != null && Long.parseLong(expires.n()) < now.getEpochSecond()) {
            return Optional.empty();
        }
        return Optional.of(new Reported(Integer.parseInt(item.get("available").n()),
                Instant.parse(item.get("sourceUpdatedAt").s()), item.get("deliveryId").s()));
    }

    @Override
    public boolean remember(Key key, Reported level, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s(pk(key)));
        item.put("available", AttributeValue.builder().n(Integer.toString(level.available())).build());
        item.put("version", s(version(level.sourceUpdatedAt())));
        item.put("sourceUpdatedAt", s(level.sourceUpdatedAt().toString()));
        item.put("deliveryId", s(level.deliveryId()));
        item.put("rememberedAt", s(now.toString()));
        item.put("expiresAt", AttributeValue.builder().n(Long.toString(now.plus(retention).getEpochSecond())).build());
        try {
            dynamo.putItem(r -> r.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk) OR version <= :version OR expiresAt < :nowSec")
                    .expressionAttributeValues(Map.of(":version", s(version(level.sourceUpdatedAt())),
                            ":nowSec", AttributeValue.builder().n(Long.toString(now.getEpochSecond())).build())));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    static String pk(Key key) {
        return "reported#" + key.system() + "#" + key.shop() + "#" + key.sku() + "#" + key.location();
    }

    /** Fixed-width epoch nanoseconds: string order is time order. */
    static String version(Instant instant) {
        return String.format("%019d", Math.max(0, instant.getEpochSecond() * 1_000_000_000L + instant.getNano()));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.builder().s(value).build();
    }
}
