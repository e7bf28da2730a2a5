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
 * reported#{system}#{shop}#{sku}#{location}   revision,
 *     available, version, sourceUpdatedAt, deliveryId                         (the level last given, if any)
 *     pendingAdjustment, pendingAvailable, pendingSourceUpdatedAt, pendingDeliveryId, pendingUntil  (if any)
 *     rememberedAt, expiresAt
 * </pre>
 *
 * Every write is a put conditional on {@code revision} being the one read (an item written before
 * revisions existed reads as revision 0). {@code version} is {@code sourceUpdatedAt} as 19 digits of
 * epoch nanoseconds, kept for operators reading the table. Each write extends the retention; a level not
 * reported for that long is forgotten, and the next delta starts again from the system's own stock
 * (reads ignore an expired item even before DynamoDB deletes it).
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
    public State read(Key key, Instant now) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table)
                .key(Map.of("pk", s(pk(key)))).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return new State(Optional.empty(), Optional.empty(), 0);
        }
        long revision = item.containsKey("revision") ? Long.parseLong(item.get("revision").n()) : 0;
        AttributeValue expires = item.get("expiresAt");
        if (expires != null && Long.parseLong(expires.n()) < now.getEpochSecond()) {
            return new State(Optional.empty(), Optional.empty(), revision);
        }
        Optional<Reported> level = item.containsKey("available")
                ? Optional.of(new Reported(Integer.parseInt(item.get("available").n()),
                        Instant.parse(item.get("sourceUpdatedAt").s()), item.get("deliveryId").s()))
                : Optional.empty();
        Optional<Pending> pending = item.containsKey("pendingAdjustment")
                ? Optional.of(new Pending(item.get("pendingAdjustment").s(),
                        new Reported(Integer.parseInt(item.get("pendingAvailable").n()),
                                Instant.parse(item.get("pendingSourceUpdatedAt").s()), item.get("pendingDeliveryId").s()),
                        Instant.parse(item.get("pendingUntil").s())))
                : Optional.empty();
        return new State(level, pending, revision);
    }

    @Override
    public Optional<State> replace(Key key, State expected, Optional<Reported> level, Optional<Pending> pending,
                                   Instant now) {
        long revision = expected.revision() + 1;
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s(pk(key)));
        item.put("revision", n(revision));
        level.ifPresent(l -> {
            item.put("available", n(l.available()));
            item.put("version", s(version(l.sourceUpdatedAt())));
            item.put("sourceUpdatedAt", s(l.sourceUpdatedAt().toString()));
            item.put("deliveryId", s(l.deliveryId()));
        });
        pending.ifPresent(p -> {
            item.put("pendingAdjustment", s(p.adjustment()));
            item.put("pendingAvailable", n(p.level().available()));
            item.put("pendingSourceUpdatedAt", s(p.level().sourceUpdatedAt().toString()));
            item.put("pendingDeliveryId", s(p.level().deliveryId()));
            item.put("pendingUntil", s(p.until().toString()));
        });
        item.put("rememberedAt", s(now.toString()));
        item.put("expiresAt", n(now.plus(retention).getEpochSecond()));
        try {
            if (expected.revision() == 0) {
                dynamo.putItem(r -> r.tableName(table).item(item).conditionExpression("attribute_not_exists(revision)"));
            } else {
                dynamo.putItem(r -> r.tableName(table).item(item).conditionExpression("revision = :expected")
                        .expressionAttributeValues(Map.of(":expected", n(expected.revision()))));
            }
            return Optional.of(new State(level, pending, revision));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    static String pk(Key key) {
        return "reported#" + key.system() + "#" + key.shop() + "#" + key.sku() + "#" + key.location();
    }

    /** Fixed-width epoch nanoseconds: string order is time order. */
    static String version(Instant instant) {
        return String.format("%019d", Math.max(0, instant.getEpochSecond() * 1_000_000_000L + instant.getNano()));
    }

    private static AttributeValue n(long value) {
        return AttributeValue.builder().n(Long.toString(value)).build();
    }

    private static AttributeValue s(String value) {
        return AttributeValue.builder().s(value).build();
    }
}
