package io.shopsync.delivery;

import io.shopsync.flow.EntityVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * The delivery store in one DynamoDB table with a string hash key {@code pk} and the TTL attribute
 * {@code expiresAt} (epoch seconds). Every read ignores expired items itself: DynamoDB deletes
 * them up to days late, and emulators never do.
 *
 * <pre>
 * delivery#{deliveryId}#{target}        state, token, leaseUntil, attempts, outcome, reason, topic, entity
 * watermark#{watermarkKey}#{target}     version (sortable text)
 * event#{shop}#{topic}#{eventId}#{target} deliveryId
 * alert#{flow}#{target}#{category}#{window} (see DynamoDbAlertGate)
 * </pre>
 */
public final class DynamoDbDeliveryStore implements DeliveryStore {

    static final String IN_PROGRESS = "IN_PROGRESS";
    static final String RELEASED = "RELEASED";
    static final String COMPLETED = "COMPLETED";
    static final String FAILED = "FAILED";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration lease;
    private final Duration recordRetention;
    private final Duration watermarkRetention;

    /** LEASE_SECONDS' default: longer than a function's timeout, so a live attempt's lease never runs out. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(90);
    /** RECORD_RETENTION_HOURS' default: Shopify retries a webhook for up to 48 hours. */
    public static final Duration DEFAULT_RECORD_RETENTION = Duration.ofHours(72);
    public static final Duration WATERMARK_RETENTION = Duration.ofDays(35);

    public DynamoDbDeliveryStore(DynamoDbClient dynamo, String table, Duration lease, Duration recordRetention,
                                 Duration watermarkRetention) {
        this.dynamo = dynamo;
        this.table = table;
        this.lease = lease;
        this.recordRetention = recordRetention;
        this.watermarkRetention = watermarkRetention;
    }

    /** The store as the flows write it by default: for a reader of watermarks (the reconciler, a backfill). */
    public static DynamoDbDeliveryStore withDefaults(DynamoDbClient dynamo, String table) {
        return new DynamoDbDeliveryStore(dynamo, table, DEFAULT_LEASE, DEFAULT_RECORD_RETENTION, WATERMARK_RETENTION);
    }

    @Override
    public Claim claim(DeliveryKey key, boolean retryFailed, Instant now) {
        String token = UUID.randomUUID().toString();
        // An update, not a put: the record's attempt count outlives each lease.
        StringBuilder update = new StringBuilder("SET #state = :inProgress, #token = :token, leaseUntil = :lease,"
                + " topic = :topic, claimedAt = :claimedAt, expiresAt = :expires");
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":inProgress", s(IN_PROGRESS));
        values.put(":token", s(token));
        values.put(":lease", n(now.plus(lease).toEpochMilli()));
        values.put(":topic", s(key.topic()));
        values.put(":claimedAt", s(now.toString()));
        values.put(":expires", n(now.plus(recordRetention).getEpochSecond()));
        if (key.entity() != null) {
            update.append(", entity = :entity");
            values.put(":entity", s(key.entity()));
        }
        String condition = "attribute_not_exists(pk) OR expiresAt < :nowSec OR #state = :released"
                + " OR (#state = :inProgress AND leaseUntil < :nowMs)"
                + (retryFailed ? " OR #state = :failed" : "");
        values.put(":nowSec", n(now.getEpochSecond()));
        values.put(":nowMs", n(now.toEpochMilli()));
        values.put(":released", s(RELEASED));
        if (retryFailed) {
            values.put(":failed", s(FAILED));
        }
        try {
            Map<String, AttributeValue> item = dynamo.updateItem(r -> r.tableName(table)
                    .key(Map.of("pk", s(deliveryPk(key))))
                    .updateExpression(update.toString())
                    .conditionExpression(condition)
                    .expressionAttributeNames(Map.of("#state", "state", "#token", "token"))
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_OLD)).attributes();
            AttributeValue attempts = item == null ? null : item.get("attempts");
            if (attempts == null) {
                return new Claim.Claimed(token, 0);
            }
            if (!live(item, now)) {
                // A record past its retention starts over: its old attempts are not this delivery's.
                dynamo.updateItem(r -> r.tableName(table).key(Map.of("pk", s(deliveryPk(key))))
                        .updateExpression("REMOVE attempts").conditionExpression("#token = :token")
                        .expressionAttributeNames(Map.of("#token", "token"))
                        .expressionAttributeValues(Map.of(":token", s(token))));
                return new Claim.Claimed(token, 0);
            }
            return new Claim.Claimed(token, Integer.parseInt(attempts.n()));
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> existing = dynamo.getItem(r -> r.tableName(table)
                    .key(Map.of("pk", s(deliveryPk(key)))).consistentRead(true)).item();
            String state = text(existing, "state");
            if (COMPLETED.equals(state)) {
                return new Claim.AlreadyCompleted(text(existing, "outcome"));
            }
            if (FAILED.equals(state)) {
                return new Claim.AlreadyFailed(text(existing, "reason"));
            }
            if (existing == null || existing.isEmpty()) {
                // Expired and deleted between our write and our read: claim again.
                return claim(key, retryFailed, now);
            }
            return new Claim.Busy(Instant.ofEpochMilli(Long.parseLong(existing.get("leaseUntil").n())));
        }
    }

    @Override
    public void complete(DeliveryKey key, Claim.Claimed claim, String outcome, Instant now) {
        finish(key, claim, COMPLETED, "outcome", outcome, now);
    }

    @Override
    public void fail(DeliveryKey key, Claim.Claimed claim, String reason, Instant now) {
        finish(key, claim, FAILED, "reason", reason, now);
    }

    @Override
    public void release(DeliveryKey key, Claim.Claimed claim, boolean attempted) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":released", s(RELEASED), ":token", s(claim.token())));
        if (attempted) {
            values.put(":one", n(1));
        }
        try {
            dynamo.updateItem(r -> r.tableName(table).key(Map.of("pk", s(deliveryPk(key))))
                    .updateExpression("SET #state = :released" + (attempted ? " ADD attempts :one" : ""))
                    .conditionExpression("#token = :token")
                    .expressionAttributeNames(Map.of("#state", "state", "#token", "token"))
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException e) {
            // Our lease expired and another attempt took over: its record is not ours to release.
        }
    }

    private void finish(DeliveryKey key, Claim.Claimed claim, String state, String field, String value, Instant now) {
        try {
            dynamo.updateItem(r -> r.tableName(table).key(Map.of("pk", s(deliveryPk(key))))
                    .updateExpression("SET #state = :state, #field = :value, finishedAt = :now, expiresAt = :expires")
                    .conditionExpression("#token = :token")
                    .expressionAttributeNames(Map.of("#state", "state", "#field", field, "#token", "token"))
                    .expressionAttributeValues(Map.of(":state", s(state), ":value", s(value),
                            ":now", s(now.toString()), ":token", s(claim.token()),
                            ":expires", n(now.plus(recordRetention).getEpochSecond()))));
        } catch (ConditionalCheckFailedException e) {
            throw new LeaseLostException("delivery record " + deliveryPk(key) + " was taken over by another attempt"
                    + " while this one held it (the lease is shorter than the delivery took): raise LEASE_SECONDS", e);
        }
    }

    @Override
    public Optional<EntityVersion> watermark(String watermarkKey, String target, Instant now) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table)
                .key(Map.of("pk", s(watermarkPk(watermarkKey, target)))).consistentRead(true)).item();
        if (!live(item, now)) {
            return Optional.empty();
        }
        return Optional.of(EntityVersion.parseSortable(item.get("version").s()));
    }

    @Override
    public boolean advanceWatermark(String watermarkKey, String target, EntityVersion version, Instant now) {
        try {
            dynamo.putItem(r -> r.tableName(table)
                    .item(Map.of("pk", s(watermarkPk(watermarkKey, target)), "version", s(version.sortable()),
                            "updatedAt", s(now.toString()),
                            "expiresAt", n(now.plus(watermarkRetention).getEpochSecond())))
                    .conditionExpression("attribute_not_exists(pk) OR version < :version OR expiresAt < :nowSec")
                    .expressionAttributeValues(Map.of(":version", s(version.sortable()),
                            ":nowSec", n(now.getEpochSecond()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Optional<String> deliveredEvent(EventKey key, Instant now) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table)
                .key(Map.of("pk", s(eventPk(key)))).consistentRead(true)).item();
        return live(item, now) ? Optional.of(item.get("deliveryId").s()) : Optional.empty();
    }

    @Override
    public void recordEvent(EventKey key, String deliveryId, Instant now) {
        dynamo.putItem(r -> r.tableName(table).item(Map.of("pk", s(eventPk(key)), "deliveryId", s(deliveryId),
                "expiresAt", n(now.plus(recordRetention).getEpochSecond()))));
    }

    private static boolean live(Map<String, AttributeValue> item, Instant now) {
        if (item == null || item.isEmpty()) {
            return false;
        }
        AttributeValue expires = item.get("expiresAt");
        return expires == null || Long.parseLong(expires.n()) >= now.getEpochSecond();
    }

    static String deliveryPk(DeliveryKey key) {
        return "delivery#" + key.deliveryId() + "#" + key.target();
    }

    static String watermarkPk(String watermarkKey, String target) {
        return "watermark#" + watermarkKey + "#" + target;
    }

    static String eventPk(EventKey key) {
        return "event#" + key.shop() + "#" + key.topic() + "#" + key.eventId() + "#" + key.target();
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item == null ? null : item.get(name);
        return value == null ? null : value.s();
    }

    static AttributeValue s(String value) {
        return AttributeValue.builder().s(value).build();
    }

    static AttributeValue n(long value) {
        return AttributeValue.builder().n(Long.toString(value)).build();
    }
}
