package io.shopsync.delivery;

import io.shopsync.flow.EntityVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The delivery store in one DynamoDB table with a string hash key {@code pk} and the TTL attribute
 * {@code expiresAt} (epoch seconds). Every read ignores expired items itself: DynamoDB deletes
 * them up to days late, and emulators never do.
 *
 * <pre>
 * delivery#{deliveryId}#{target}        state, token, leaseUntil, attempts, outcome, reason, lastError, staleAgainst,
 *                                       topic, entity, flow, webhookId, triggeredAt, receivedAt, watermarkKey, claimedAt,
 *                                       finishedAt
 * watermark#{watermarkKey}#{target}     version (applied: sortable text), claimed (the newest version claimed for
 *                                       sending, set by the claim, whether or not its completion was recorded), updatedAt
 * event#{shop}#{topic}#{eventId}#{target} deliveryId
 * alert#{flow}#{target}#{category}#{window} (see DynamoDbAlertGate)
 * </pre>
 *
 * <p>The sparse global secondary index {@value #ENTITY_INDEX} (hash key {@code entity}, only delivery records carry
 * it; {@link #ENTITY_INDEX_ATTRIBUTES} projected) makes "every record of this entity" one query for a trace. Its
 * attributes are written by the claim, release, stale refusal and completion that happen anyway: no request more.
 * The sparse index {@value #WEBHOOK_INDEX} (hash key {@code webhookId}, which only delivery records carry;
 * {@link #WEBHOOK_INDEX_ATTRIBUTES} projected) makes "the records of this webhook" one query: the record's key holds
 * the target, which a reader does not know. It projects only the entity and the expiry, so its item is written only
 * when the claim or the completion changes those: no request more.
 *
 * <p>Requests per webhook and target: a new delivery makes two, a duplicate or a second subscription's
 * copy one, a stale version two (the refusal, then its record, so a later copy is a duplicate). The claim is one {@code TransactWriteItems}: the record's conditional
 * update, a {@code ConditionCheck} on the event guard, and a conditional update of the entity's and the embedded
 * person's watermarks that records their versions as claimed for sending (refused when the target has this version
 * or a newer one, or was sent a later {@code updated_at}): a newer version whose completion failed after the target
 * took it still keeps every older one from being sent after it, whatever order the queue hands them back in. When
 * it is cancelled, the cancellation reasons (each with the failed item, by
 * {@code ReturnValuesOnConditionCheckFailure ALL_OLD}) say why, so nothing is read afterwards; only a
 * check that reports without refusing (the person is newer, or a stale state whose events must still go)
 * costs a second round without that check, and a watermark past its retention a second round that claims it afresh. The completion is one {@code TransactWriteItems} too: the
 * record, both watermarks and the event guard, all or nothing; a watermark another delivery moved
 * further is dropped and the rest written in a second round. With no check to make, a claim or a
 * completion is a plain {@code UpdateItem}.
 *
 * <p>The trade: every item in a transaction costs twice a plain write (2 WCU per KB, and this count
 * bills each {@code ConditionCheck} the same), so an order with its customer and an event id costs about
 * 16 WCU per target where the eight plain requests cost 5 WCU and 3 RCU: fewer round trips (latency,
 * Lambda time, throttling exposure) for more capacity. A transactional claim also cannot return the
 * record's old attempt count: {@link #attempts} reads it, only when a retry needs it.
 */
public final class DynamoDbDeliveryStore implements DeliveryStore {

    static final String IN_PROGRESS = "IN_PROGRESS";
    static final String RELEASED = "RELEASED";
    static final String COMPLETED = "COMPLETED";
    static final String FAILED = "FAILED";

    /** The global secondary index by entity, as template.yaml declares it. */
    public static final String ENTITY_INDEX = "entity-index";
    /** The attributes the entity index projects besides the keys: what {@link #records} reads. */
    public static final List<String> ENTITY_INDEX_ATTRIBUTES = List.of("state", "outcome", "reason", "lastError",
            "attempts", "staleAgainst", "topic", "flow", "webhookId", "triggeredAt", "receivedAt", "watermarkKey",
            "claimedAt", "finishedAt", "expiresAt");

    /** The global secondary index by webhook id, as template.yaml declares it. */
    public static final String WEBHOOK_INDEX = "webhook-index";
    /** The attributes the webhook index projects besides the keys: what {@link #webhookEntities} reads. */
    public static final List<String> WEBHOOK_INDEX_ATTRIBUTES = List.of("entity", "expiresAt");

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

    /**
     * Creates the store's table as template.yaml declares it (for a local stack; a deployment has the template's):
     * string hash key pk, the entity and webhook indexes, TTL on expiresAt.
     */
    public static void createTable(DynamoDbClient dynamo, String table) {
        dynamo.createTable(r -> r.tableName(table)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("entity").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("webhookId").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName(ENTITY_INDEX)
                        .keySchema(KeySchemaElement.builder().attributeName("entity").keyType(KeyType.HASH).build())
                        .projection(Projection.builder().projectionType(ProjectionType.INCLUDE)
                                .nonKeyAttributes(ENTITY_INDEX_ATTRIBUTES).build()).build(),
                        GlobalSecondaryIndex.builder().indexName(WEBHOOK_INDEX)
                        .keySchema(KeySchemaElement.builder().attributeName("webhookId").keyType(KeyType.HASH).build())
                        .projection(Projection.builder().projectionType(ProjectionType.INCLUDE)
                                .nonKeyAttributes(WEBHOOK_INDEX_ATTRIBUTES).build()).build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
        dynamo.waiter().waitUntilTableExists(r -> r.tableName(table));
        dynamo.updateTimeToLive(r -> r.tableName(table).timeToLiveSpecification(
                TimeToLiveSpecification.builder().attributeName("expiresAt").enabled(true).build()));
    }

    /** The store as the flows write it by default: for a reader of watermarks (the reconciler, a backfill). */
    public static DynamoDbDeliveryStore withDefaults(DynamoDbClient dynamo, String table) {
        return new DynamoDbDeliveryStore(dynamo, table, DEFAULT_LEASE, DEFAULT_RECORD_RETENTION, WATERMARK_RETENTION);
    }

    @Override
    public Claim claim(DeliveryKey key, boolean retryFailed, Checks checks, Instant now) {
        boolean staleState = false;
        boolean stalePerson = false;
        boolean expired = false;
        boolean expiredMark = false;
        boolean expiredPerson = false;
        // One request per round, and one round unless: a check that reports without refusing (the person, a stale
        // state that is still sent) is dropped for the next round; an expired record is claimed over its old
        // attempts, an expired watermark afresh; another transaction held an item. MAX_ROUNDS bounds them.
        for (int round = 0; ; round++) {
            String token = UUID.randomUUID().toString();
            Update claim = claimUpdate(key, retryFailed, expired, token, now);
            Optional<Versioned> entity = staleState ? Optional.empty() : checks.entity();
            Optional<Versioned> person = stalePerson ? Optional.empty() : checks.person();
            List<TransactWriteItem> items = new ArrayList<>();
            items.add(TransactWriteItem.builder().update(claim).build());
            checks.event().ifPresent(event -> items.add(check(eventPk(event),
                    "attribute_not_exists(pk) OR deliveryId = :deliveryId OR expiresAt < :nowSec",
                    Map.of(":deliveryId", s(key.deliveryId()), ":nowSec", n(now.getEpochSecond())))));
            boolean freshMark = expiredMark;
            entity.ifPresent(v -> items.add(TransactWriteItem.builder()
                    .update(markSent(v, v.version().sortable(), key.target(), freshMark, now)).build()));
            // Stale person: the applied or sent updated_at is later than this one's (the trigger time does not count).
            boolean freshPerson = expiredPerson;
            person.ifPresent(v -> items.add(TransactWriteItem.builder()
                    .update(markSent(v, laterUpdate(v.version()), key.target(), freshPerson, now)).build()));
            List<CancellationReason> reasons;
            if (items.size() == 1) {
                // Nothing to check beside the record: a plain conditional update, which also returns the attempts.
                try {
                    Map<String, AttributeValue> old = dynamo.updateItem(r -> r.tableName(table).key(claim.key())
                            .updateExpression(claim.updateExpression()).conditionExpression(claim.conditionExpression())
                            .expressionAttributeNames(claim.expressionAttributeNames())
                            .expressionAttributeValues(claim.expressionAttributeValues())
                            .returnValues(ReturnValue.ALL_OLD)
                            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes();
                    AttributeValue attempts = expired || old == null ? null : old.get("attempts");
                    return new Claim.Claimed(token, OptionalInt.of(attempts == null ? 0 : Integer.parseInt(attempts.n())),
                            staleState, stalePerson);
                } catch (ConditionalCheckFailedException e) {
                    reasons = List.of(CancellationReason.builder().code(CHECK_FAILED).item(e.item()).build());
                }
            } else {
                try {
                    transact(items);
                    // The transaction cannot return the record's attempts: a retry reads them (attempts()).
                    return new Claim.Claimed(token, expired ? OptionalInt.of(0) : OptionalInt.empty(), staleState, stalePerson);
                } catch (TransactionCanceledException e) {
                    reasons = e.cancellationReasons();
                    if (reasons.stream().noneMatch(r -> CHECK_FAILED.equals(r.code()))) {
                        if (conflicted(reasons) && round < MAX_ROUNDS) {
                            continue;
                        }
                        throw e;
                    }
                }
            }
            Map<String, AttributeValue> record = failedItem(reasons, 0);
            if (record == null && failed(reasons, 0)) {
                // Refused without the item (DynamoDB returns it; an emulator may not): read what refused it.
                record = dynamo.getItem(r -> r.tableName(table).key(claim.key()).consistentRead(true)).item();
                record = record == null || record.isEmpty() ? null : record;
            }
            if (record != null) {
                if (!expired && !live(record, now)) {
                    // Past its retention but not yet deleted: claimed afresh, its old attempts are not this delivery's.
                    expired = true;
                    continue;
                }
                String state = text(record, "state");
                if (COMPLETED.equals(state)) {
                    return new Claim.AlreadyCompleted(text(record, "outcome"));
                }
                if (FAILED.equals(state)) {
                    return new Claim.AlreadyFailed(text(record, "reason"));
                }
                if (record.get("leaseUntil") != null) {
                    return new Claim.Busy(Instant.ofEpochMilli(Long.parseLong(record.get("leaseUntil").n())));
                }
            } else if (expired && failed(reasons, 0)) {
                // Deleted by its TTL between our two rounds: claim it as new.
                expired = false;
                continue;
            }
            int next = 1;
            if (checks.event().isPresent()) {
                Map<String, AttributeValue> event = failedItem(reasons, next++);
                if (event != null) {
                    return new Claim.EventDelivered(text(event, "deliveryId"));
                }
            }
            boolean retry = false;
            if (entity.isPresent()) {
                Map<String, AttributeValue> watermark = failedItem(reasons, next++);
                if (watermark != null && !live(watermark, now) != expiredMark) {
                    // Past its retention (claimed afresh in the next round, as if absent), or renewed meanwhile.
                    expiredMark = !expiredMark;
                    retry = true;
                } else if (watermark != null) {
                    Claim.Stale stale = staleAgainst(watermark, entity.get().version());
                    if (stale != null && !checks.sendIfStale()) {
                        recordStale(key, retryFailed, stale, now);
                        return stale;
                    }
                    staleState = stale != null;
                    retry = true;
                }
            }
            Map<String, AttributeValue> personMark = person.isPresent() ? failedItem(reasons, next) : null;
            if (personMark != null && !live(personMark, now) != expiredPerson) {
                expiredPerson = !expiredPerson;
                retry = true;
            } else if (personMark != null) {
                stalePerson = true;
                retry = true;
            }
            if (!retry || round >= MAX_ROUNDS) {
                // An SdkException, so the loop retries the message as it does when the store is unavailable.
                throw SdkException.builder().message("claim of " + deliveryPk(key) + " was refused for no reason the store"
                        + " knows: " + reasons.stream().map(CancellationReason::code).toList() + "; the message is retried")
                        .build();
            }
        }
    }

    /**
     * Writes a refused stale copy down as completed, so a later copy of the same webhook is a duplicate (a second
     * request, on this path only). Not when another attempt holds the record: its outcome is that attempt's.
     */
    private void recordStale(DeliveryKey key, boolean retryFailed, Claim.Stale stale, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>();
        StringBuilder update = new StringBuilder("SET #state = :completed, outcome = :stale, topic = :topic, finishedAt = :now,"
                + " expiresAt = :expires, staleAgainst = :applied");
        values.put(":applied", s(stale.newer().sortable()));
        if (stale.sentOnly()) {
            // Which kind of stale it is: the trace must not say the target has a version it was only sent.
            update.append(", reason = :sentOnly");
            values.put(":sentOnly", s(STALE_SENT_ONLY));
        }
        traced(key, update, values);
        if (!stale.sentOnly()) {
            // A dead-lettered record's reason (retryFailed) is not this outcome's.
            update.append(" REMOVE reason");
        }
        values.put(":completed", s(COMPLETED));
        values.put(":stale", s("stale"));
        values.put(":topic", s(key.topic()));
        values.put(":now", s(now.toString()));
        values.put(":expires", n(now.plus(recordRetention).getEpochSecond()));
        values.put(":nowSec", n(now.getEpochSecond()));
        values.put(":nowMs", n(now.toEpochMilli()));
        values.put(":released", s(RELEASED));
        values.put(":inProgress", s(IN_PROGRESS));
        if (retryFailed) {
            values.put(":failed", s(FAILED));
        }
        try {
            dynamo.updateItem(r -> r.tableName(table).key(Map.of("pk", s(deliveryPk(key))))
                    .updateExpression(update.toString())
                    .conditionExpression("attribute_not_exists(pk) OR expiresAt < :nowSec OR #state = :released"
                            + " OR (#state = :inProgress AND leaseUntil < :nowMs)" + (retryFailed ? " OR #state = :failed" : ""))
                    .expressionAttributeNames(Map.of("#state", "state"))
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException e) {
            // Another attempt claimed the record meanwhile: it meets the same watermark and records its own outcome.
        }
    }

    /**
     * The claim's write on a watermark (the entity's, or the embedded person's): this version is claimed for sending.
     * Refused when the target has a version at or past {@code appliedBelow} ({@code version}: the entity's own version,
     * the person's next updated_at), or was sent one with a later {@code updated_at} ({@code claimed}: the same
     * {@code updated_at} is the same state, so a retry or a reconciler's copy of the sent version passes). An item
     * past its retention refuses nothing: it is claimed afresh ({@code expired}, a second round), its applied version
     * dropped as if it were absent. Each claim renews the item's retention.
     */
    private Update markSent(Versioned versioned, String appliedBelow, String target, boolean expired, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":version", s(versioned.version().sortable()),
                ":nowSec", n(now.getEpochSecond()), ":expires", n(now.plus(watermarkRetention).getEpochSecond())));
        String update = "SET claimed = :version, expiresAt = :expires";
        String condition;
        if (expired) {
            update += " REMOVE version, updatedAt";
            condition = "attribute_not_exists(pk) OR expiresAt < :nowSec";
        } else {
            condition = "attribute_not_exists(pk) OR (expiresAt >= :nowSec"
                    + " AND (attribute_not_exists(version) OR version < :appliedBelow)"
                    + " AND (attribute_not_exists(claimed) OR claimed < :laterUpdate))";
            values.put(":appliedBelow", s(appliedBelow));
            values.put(":laterUpdate", s(laterUpdate(versioned.version())));
        }
        return Update.builder().tableName(table).key(Map.of("pk", s(watermarkPk(versioned.watermarkKey(), target))))
                .updateExpression(update).conditionExpression(condition).expressionAttributeValues(values)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD).build();
    }

    /** Why a live watermark refused a version: applied at or past it, or sent with a later updated_at; else null. */
    private static Claim.Stale staleAgainst(Map<String, AttributeValue> watermark, EntityVersion version) {
        String applied = text(watermark, "version");
        if (applied != null && applied.compareTo(version.sortable()) >= 0) {
            return new Claim.Stale(EntityVersion.parseSortable(applied));
        }
        String sent = text(watermark, "claimed");
        if (sent != null && sent.compareTo(laterUpdate(version)) >= 0) {
            return new Claim.Stale(EntityVersion.parseSortable(sent), true);
        }
        return null;
    }

    /** The lowest sortable version with a later updated_at than {@code version}'s: whatever the trigger time. */
    private static String laterUpdate(EntityVersion version) {
        return new EntityVersion(version.updatedAt().plusNanos(1), Instant.EPOCH).sortable();
    }

    private static final int MAX_ROUNDS = 3;
    private static final String CHECK_FAILED = "ConditionalCheckFailed";

    private Update claimUpdate(DeliveryKey key, boolean retryFailed, boolean expired, String token, Instant now) {
        // An update, not a put: the record's attempt count outlives each lease (but not the record's retention).
        StringBuilder update = new StringBuilder("SET #state = :inProgress, #token = :token, leaseUntil = :lease,"
                + " topic = :topic, claimedAt = :claimedAt, expiresAt = :expires");
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":inProgress", s(IN_PROGRESS));
        values.put(":token", s(token));
        values.put(":lease", n(now.plus(lease).toEpochMilli()));
        values.put(":topic", s(key.topic()));
        values.put(":claimedAt", s(now.toString()));
        values.put(":expires", n(now.plus(recordRetention).getEpochSecond()));
        values.put(":nowSec", n(now.getEpochSecond()));
        traced(key, update, values);
        String condition;
        if (expired) {
            update.append(" REMOVE attempts, outcome, reason");
            condition = "expiresAt < :nowSec";
        } else {
            condition = "attribute_not_exists(pk) OR #state = :released"
                    + " OR (#state = :inProgress AND leaseUntil < :nowMs)" + (retryFailed ? " OR #state = :failed" : "");
            // A record past its retention is claimed only in the round that also clears its old attempts.
            condition = "(" + condition + ") AND (attribute_not_exists(pk) OR expiresAt >= :nowSec)";
            values.put(":nowMs", n(now.toEpochMilli()));
            values.put(":released", s(RELEASED));
            if (retryFailed) {
                values.put(":failed", s(FAILED));
            }
        }
        return Update.builder().tableName(table).key(Map.of("pk", s(deliveryPk(key))))
                .updateExpression(update.toString()).conditionExpression(condition)
                .expressionAttributeNames(Map.of("#state", "state", "#token", "token"))
                .expressionAttributeValues(values)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD).build();
    }

    /** Appends to a SET the attributes a trace reads: the entity (the index's key) and the webhook's origin. */
    private static void traced(DeliveryKey key, StringBuilder update, Map<String, AttributeValue> values) {
        if (key.entity() != null) {
            update.append(", entity = :entity");
            values.put(":entity", s(key.entity()));
        }
        Origin origin = key.origin();
        if (origin == null) {
            return;
        }
        if (origin.flow() != null) {
            update.append(", flow = :flow");
            values.put(":flow", s(origin.flow()));
        }
        if (origin.webhookId() != null) {
            update.append(", webhookId = :webhookId");
            values.put(":webhookId", s(origin.webhookId()));
        }
        if (origin.triggeredAt() != null) {
            update.append(", triggeredAt = :triggeredAt");
            values.put(":triggeredAt", s(origin.triggeredAt().toString()));
        }
        if (origin.receivedAt() != null) {
            update.append(", receivedAt = :receivedAt");
            values.put(":receivedAt", s(origin.receivedAt().toString()));
        }
        if (origin.watermarkKey() != null) {
            update.append(", watermarkKey = :watermarkKey");
            values.put(":watermarkKey", s(origin.watermarkKey()));
        }
    }

    /**
     * One TransactWriteItems, tried again a few times at once on a 5xx: DynamoDB documents an internal error as
     * retryable, and the SDK's retry budget runs dry when many fail together (a burst on a hot partition, or an
     * emulator that cannot run two transactions at once). Nothing of a transaction that failed was written.
     */
    private void transact(List<TransactWriteItem> items) {
        for (int attempt = 1; ; attempt++) {
            try {
                dynamo.transactWriteItems(r -> r.transactItems(items));
                return;
            } catch (DynamoDbException e) {
                if (e instanceof TransactionCanceledException || e.statusCode() < 500 || attempt >= TRANSACT_ATTEMPTS) {
                    throw e;
                }
                try {
                    Thread.sleep(Jitter.SHARED.between(10, 50L * attempt));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static final int TRANSACT_ATTEMPTS = 5;

    private TransactWriteItem check(String pk, String condition, Map<String, AttributeValue> values) {
        return TransactWriteItem.builder().conditionCheck(ConditionCheck.builder().tableName(table)
                .key(Map.of("pk", s(pk))).conditionExpression(condition).expressionAttributeValues(values)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD).build()).build();
    }

    private static boolean failed(List<CancellationReason> reasons, int index) {
        return index < reasons.size() && CHECK_FAILED.equals(reasons.get(index).code());
    }

    /** The item whose condition failed at {@code index}, or null when that one passed (or no item was there). */
    private static Map<String, AttributeValue> failedItem(List<CancellationReason> reasons, int index) {
        if (!failed(reasons, index)) {
            return null;
        }
        Map<String, AttributeValue> item = reasons.get(index).item();
        return item == null || item.isEmpty() ? null : item;
    }

    /** Another transaction held one of the items (a concurrent delivery of the same person, say): try again. */
    private static boolean conflicted(List<CancellationReason> reasons) {
        return reasons.stream().anyMatch(r -> "TransactionConflict".equals(r.code()));
    }

    @Override
    public int attempts(DeliveryKey key, Claim.Claimed claim) {
        if (claim.attempts().isPresent()) {
            return claim.attempts().getAsInt();
        }
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table)
                .key(Map.of("pk", s(deliveryPk(key)))).consistentRead(true).projectionExpression("attempts")).item();
        AttributeValue attempts = item == null ? null : item.get("attempts");
        return attempts == null ? 0 : Integer.parseInt(attempts.n());
    }

    @Override
    public void complete(DeliveryKey key, Claim.Claimed claim, String outcome, Applied applied, Instant now) {
        Applied rest = applied;
        for (int round = 0; ; round++) {
            Update completion = finishUpdate(key, claim, COMPLETED, "outcome", outcome, now);
            if (rest.isEmpty()) {
                try {
                    dynamo.updateItem(r -> r.tableName(table).key(completion.key())
                            .updateExpression(completion.updateExpression())
                            .conditionExpression(completion.conditionExpression())
                            .expressionAttributeNames(completion.expressionAttributeNames())
                            .expressionAttributeValues(completion.expressionAttributeValues()));
                    return;
                } catch (ConditionalCheckFailedException e) {
                    throw leaseLost(key, e);
                }
            }
            List<TransactWriteItem> items = new ArrayList<>();
            items.add(TransactWriteItem.builder().update(completion).build());
            rest.entity().ifPresent(v -> items.add(TransactWriteItem.builder().update(advance(v, key.target(), now)).build()));
            rest.person().ifPresent(v -> items.add(TransactWriteItem.builder().update(advance(v, key.target(), now)).build()));
            rest.event().ifPresent(event -> items.add(TransactWriteItem.builder().put(Put.builder().tableName(table)
                    .item(Map.of("pk", s(eventPk(event)), "deliveryId", s(key.deliveryId()),
                            "expiresAt", n(now.plus(recordRetention).getEpochSecond()))).build()).build()));
            try {
                transact(items);
                return;
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.cancellationReasons();
                if (failed(reasons, 0)) {
                    throw leaseLost(key, e);
                }
                if (round >= MAX_ROUNDS || reasons.stream().noneMatch(r -> CHECK_FAILED.equals(r.code()))) {
                    if (conflicted(reasons) && round < MAX_ROUNDS) {
                        continue;
                    }
                    throw e;
                }
                // A watermark another delivery moved past this version stays where it is; the rest is written.
                int next = 1;
                Optional<Versioned> entity = rest.entity().isPresent() && failed(reasons, next++) ? Optional.empty()
                        : rest.entity();
                Optional<Versioned> person = rest.person().isPresent() && failed(reasons, next) ? Optional.empty()
                        : rest.person();
                if (entity.equals(rest.entity()) && person.equals(rest.person())) {
                    throw e;
                }
                rest = new Applied(entity, person, rest.event());
            }
        }
    }

    /** Moves a watermark forward, never back; an update, so the version claimed for sending stays. */
    private Update advance(Versioned versioned, String target, Instant now) {
        return Update.builder().tableName(table).key(Map.of("pk", s(watermarkPk(versioned.watermarkKey(), target))))
                .updateExpression("SET version = :version, updatedAt = :now, expiresAt = :expires")
                .conditionExpression("attribute_not_exists(pk) OR attribute_not_exists(version) OR version < :version"
                        + " OR expiresAt < :nowSec")
                .expressionAttributeValues(Map.of(":version", s(versioned.version().sortable()), ":now", s(now.toString()),
                        ":expires", n(now.plus(watermarkRetention).getEpochSecond()), ":nowSec", n(now.getEpochSecond())))
                .build();
    }

    private LeaseLostException leaseLost(DeliveryKey key, RuntimeException cause) {
        return new LeaseLostException("delivery record " + deliveryPk(key) + " was taken over by another attempt"
                + " while this one held it (the lease is shorter than the delivery took): raise LEASE_SECONDS", cause);
    }

    @Override
    public void fail(DeliveryKey key, Claim.Claimed claim, String reason, Instant now) {
        Update failure = finishUpdate(key, claim, FAILED, "reason", reason, now);
        try {
            dynamo.updateItem(r -> r.tableName(table).key(failure.key())
                    .updateExpression(failure.updateExpression()).conditionExpression(failure.conditionExpression())
                    .expressionAttributeNames(failure.expressionAttributeNames())
                    .expressionAttributeValues(failure.expressionAttributeValues()));
        } catch (ConditionalCheckFailedException e) {
            throw leaseLost(key, e);
        }
    }

    @Override
    public void release(DeliveryKey key, Claim.Claimed claim, boolean attempted, String reason) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":released", s(RELEASED), ":token", s(claim.token())));
        if (attempted) {
            values.put(":one", n(1));
        }
        if (reason != null) {
            values.put(":lastError", s(reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) + "..." : reason));
        }
        try {
            dynamo.updateItem(r -> r.tableName(table).key(Map.of("pk", s(deliveryPk(key))))
                    .updateExpression("SET #state = :released" + (reason != null ? ", lastError = :lastError" : "")
                            + (attempted ? " ADD attempts :one" : ""))
                    .conditionExpression("#token = :token")
                    .expressionAttributeNames(Map.of("#state", "state", "#token", "token"))
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException e) {
            // Our lease expired and another attempt took over: its record is not ours to release.
        }
    }

    private Update finishUpdate(DeliveryKey key, Claim.Claimed claim, String state, String field, String value, Instant now) {
        return Update.builder().tableName(table).key(Map.of("pk", s(deliveryPk(key))))
                .updateExpression("SET #state = :state, #field = :value, finishedAt = :now, expiresAt = :expires")
                .conditionExpression("#token = :token")
                .expressionAttributeNames(Map.of("#state", "state", "#field", field, "#token", "token"))
                .expressionAttributeValues(Map.of(":state", s(state), ":value", s(value),
                        ":now", s(now.toString()), ":token", s(claim.token()),
                        ":expires", n(now.plus(recordRetention).getEpochSecond())))
                .build();
    }

    /** A reason kept on a record is cut here: the dead letter and the log keep it whole. */
    private static final int MAX_REASON = 1024;

    @Override
    public List<DeliveryRecord> records(String entity, Instant now) {
        List<DeliveryRecord> records = new ArrayList<>();
        queryIndex(ENTITY_INDEX, "entity", entity, item -> {
            String pk = text(item, "pk");
            if (pk == null || !pk.startsWith("delivery#") || !live(item, now)) {
                return;
            }
            int split = pk.lastIndexOf('#');
            String staleAgainst = text(item, "staleAgainst");
            AttributeValue attempts = item.get("attempts");
            records.add(new DeliveryRecord(pk.substring("delivery#".length(), split), pk.substring(split + 1),
                    text(item, "topic"),
                    new Origin(text(item, "flow"), text(item, "webhookId"), instant(item, "triggeredAt"),
                            instant(item, "receivedAt"), text(item, "watermarkKey")),
                    text(item, "state"), text(item, "outcome"), text(item, "reason"), text(item, "lastError"),
                    attempts == null ? 0 : Integer.parseInt(attempts.n()),
                    Optional.ofNullable(staleAgainst).map(EntityVersion::parseSortable),
                    instant(item, "claimedAt"), instant(item, "finishedAt")));
        });
        records.sort(Comparator.comparing(DeliveryRecord::lastChange).reversed());
        return records;
    }

    @Override
    public List<String> webhookEntities(String shop, String webhookId, Instant now) {
        List<String> entities = new ArrayList<>();
        queryIndex(WEBHOOK_INDEX, "webhookId", webhookId, item -> {
            String pk = text(item, "pk");
            String entity = text(item, "entity");
            // Webhook ids are Shopify's, per shop: an entity key starts with its shop.
            if (pk != null && pk.startsWith("delivery#") && entity != null && entity.startsWith(shop + "/")
                    && live(item, now) && !entities.contains(entity)) {
                entities.add(entity);
            }
        });
        return entities;
    }

    /** Every item of one key of a (hash-key only) index, page after page. */
    private void queryIndex(String index, String key, String value, Consumer<Map<String, AttributeValue>> each) {
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(r -> r.tableName(table).indexName(index)
                    .keyConditionExpression("#key = :value")
                    .expressionAttributeNames(Map.of("#key", key))
                    .expressionAttributeValues(Map.of(":value", s(value)))
                    .exclusiveStartKey(from));
            page.items().forEach(each);
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        String text = text(item, name);
        return text == null ? null : Instant.parse(text);
    }

    @Override
    public Optional<EntityVersion> watermark(String watermarkKey, String target, Instant now) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table)
                .key(Map.of("pk", s(watermarkPk(watermarkKey, target)))).consistentRead(true)).item();
        if (!live(item, now) || text(item, "version") == null) {
            // Absent, past its retention, or only claimed: a version sent whose completion is not recorded is not applied.
            return Optional.empty();
        }
        return Optional.of(EntityVersion.parseSortable(item.get("version").s()));
    }

    @Override
    public boolean advanceWatermark(String watermarkKey, String target, EntityVersion version, Instant now) {
        Update advance = advance(new Versioned(watermarkKey, version), target, now);
        try {
            dynamo.updateItem(r -> r.tableName(table).key(advance.key()).updateExpression(advance.updateExpression())
                    .conditionExpression(advance.conditionExpression())
                    .expressionAttributeValues(advance.expressionAttributeValues()));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
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
