package io.shopsync.delivery;

import io.shopsync.flow.EntityVersion;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Idempotency and ordering state: a delivery record per webhook and target, a watermark per entity
 * and target, and an event guard per merchant action. Records past their expiry are treated as
 * absent, whether or not the table has deleted them yet.
 *
 * <p>A delivery touches the store twice: {@link #claim(DeliveryKey, boolean, Checks, Instant)} takes the
 * lease and, in the same step, checks the event guard and the watermarks and records the versions it lets through
 * as sent to the target (so that, whatever order the queue hands messages back in, no older version is sent after it,
 * even when the newer one's completion failed); {@link #complete(DeliveryKey,
 * Claim.Claimed, String, Applied, Instant)} marks the delivery done and, in the same step, advances the
 * watermarks and records the event. Nothing is read that either step decides.
 */
public interface DeliveryStore {

    /**
     * Claims a webhook's delivery to a target for {@code lease}, unless its record, the event guard or the
     * entity's watermark says it must not go: then the answer says why, and nothing was written.
     *
     * @param retryFailed whether a record that says failed may be claimed again (a redriven dead letter)
     */
    Claim claim(DeliveryKey key, boolean retryFailed, Checks checks, Instant now);

    /** A claim with no event guard and no watermark to check. */
    default Claim claim(DeliveryKey key, boolean retryFailed, Instant now) {
        return claim(key, retryFailed, Checks.NONE, now);
    }

    /**
     * Marks a claimed delivery completed with its outcome label, and together with it (all or nothing)
     * advances the watermarks and records the event {@code applied} names: a later redelivery is a
     * duplicate, an older version stale. A watermark already past its version is left as it is.
     *
     * @throws LeaseLostException when another attempt took the record over (then nothing was written)
     */
    void complete(DeliveryKey key, Claim.Claimed claim, String outcome, Applied applied, Instant now);

    /** Marks a claimed delivery completed with nothing else to record. */
    default void complete(DeliveryKey key, Claim.Claimed claim, String outcome, Instant now) {
        complete(key, claim, outcome, Applied.NONE, now);
    }

    /**
     * How many earlier attempts called the target for this delivery: the claim's own count, or, when
     * the claim could not learn it in its single request, the record's (a retry's question, never a
     * delivered one's).
     */
    int attempts(DeliveryKey key, Claim.Claimed claim);

    /**
     * Gives a claimed delivery back (a transient failure, or work deferred): the next attempt may claim
     * it at once. Nothing happens when another attempt already took the record over.
     *
     * @param attempted whether the target was called: only then does the record's attempt count grow, so
     *     a message held back behind its entity's failing message, or deferred for lack of time, keeps
     *     its attempts
     */
    void release(DeliveryKey key, Claim.Claimed claim, boolean attempted, String reason);

    /** Gives a claimed delivery back with no reason to record (work deferred, or held back). */
    default void release(DeliveryKey key, Claim.Claimed claim, boolean attempted) {
        release(key, claim, attempted, null);
    }

    /**
     * Marks a claimed delivery failed with its reason. Call it only once the envelope is safely in the
     * dead-letter queue: a failed record makes every later copy of the webhook a duplicate.
     *
     * @throws LeaseLostException when another attempt took the record over
     */
    void fail(DeliveryKey key, Claim.Claimed claim, String reason, Instant now);

    /**
     * The newest version applied to the target for this watermark key, if any (for readers: the reconciler, a trace).
     * A version only sent, whose completion is not recorded, is not applied.
     */
    Optional<EntityVersion> watermark(String watermarkKey, String target, Instant now);

    /** Moves the watermark forward to {@code version}; never backwards. @return whether it moved */
    boolean advanceWatermark(String watermarkKey, String target, EntityVersion version, Instant now);

    /**
     * Every live delivery record of one entity (its key, as {@link DeliveryKey#entity()} names it), to any target,
     * newest first: what a trace of the entity shows. Written by the claims and completions that happen anyway;
     * reading them costs one query.
     */
    List<DeliveryRecord> records(String entity, Instant now);

    /**
     * The entities of the live delivery records of one webhook (X-Shopify-Webhook-Id) of one shop, each once: what a
     * trace by webhook id traces. Empty when no record of it is kept (never received, dead-lettered at intake, or past
     * the records' retention). Reading it costs one query.
     */
    List<String> webhookEntities(String shop, String webhookId, Instant now);

    /**
     * Identifies one webhook's delivery to one target.
     *
     * @param deliveryId shop and webhook id
     * @param origin where the webhook came from, kept on the record for a trace (null when unknown)
     */
    record DeliveryKey(String deliveryId, String target, String topic, String entity, Origin origin) {
        public DeliveryKey(String deliveryId, String target, String topic, String entity) {
            this(deliveryId, target, topic, entity, null);
        }
    }

    /**
     * The webhook behind a delivery, as a trace shows it.
     *
     * @param webhookId X-Shopify-Webhook-Id (null when Shopify sent none)
     * @param triggeredAt X-Shopify-Triggered-At (null when absent)
     * @param receivedAt when intake received it
     * @param watermarkKey the key the entity's version is kept under for its targets (an order, one fulfilment of
     *     it, a customer's consent), or null for a topic of events, which has no version
     */
    record Origin(String flow, String webhookId, Instant triggeredAt, Instant receivedAt, String watermarkKey) {}

    /**
     * The reason a record refused as stale keeps when the newer version was only sent ({@link Claim.Stale#sentOnly}):
     * written by the claim's own write of the stale outcome, so no request more.
     */
    String STALE_SENT_ONLY = "superseded by a version sent, not recorded as applied";

    /**
     * One delivery record as a trace reads it.
     *
     * @param state IN_PROGRESS, RELEASED (given back to be retried), COMPLETED or FAILED (dead-lettered)
     * @param outcome a completed record's outcome label (delivered, duplicate, stale)
     * @param reason a failed record's dead-letter reason; on a record completed as stale, {@link #STALE_SENT_ONLY} when
     *     {@code staleAgainst} was only sent to the target, not recorded as applied ({@link Claim.Stale#sentOnly})
     * @param lastError the reason of the last retry, if the delivery was retried
     * @param attempts how many attempts called the target and did not complete
     * @param staleAgainst the version the target already had when this one was refused as stale
     */
    record DeliveryRecord(String deliveryId, String target, String topic, Origin origin, String state, String outcome,
                          String reason, String lastError, int attempts, Optional<EntityVersion> staleAgainst,
                          Instant claimedAt, Instant finishedAt) {
        /** When the record last changed: its finish, else its claim. */
        public Instant lastChange() {
            return finishedAt != null ? finishedAt : claimedAt != null ? claimedAt : Instant.EPOCH;
        }

        /**
         * Refused as stale because {@code staleAgainst} was SENT to the target, its completion not recorded (being
         * retried, or dead-lettered): the target may not have it.
         */
        public boolean staleAgainstSentOnly() {
            return "stale".equals(outcome) && STALE_SENT_ONLY.equals(reason);
        }
    }

    /**
     * One merchant action on one topic, as X-Shopify-Event-Id names it, per target: a second
     * subscription's copy of one action carries another webhook id, and is a duplicate.
     */
    record EventKey(String shop, String topic, String eventId, String target) {}

    /** A version of what a watermark key names (an entity, or the person a payload embeds). */
    record Versioned(String watermarkKey, EntityVersion version) {}

    /**
     * What a claim checks besides the delivery record.
     *
     * @param event refuse when another delivery id already delivered this merchant action
     * @param entity refuse when the target has this version of the entity or a newer one, or was sent one with a
     *     later {@code updated_at}; a claim that passes records this version as sent, so no older one follows it ...
     * @param sendIfStale ... unless this is set (the topic carries events no newer version has): then claim,
     *     and say the state is stale
     * @param person never refuses: says whether the target has (or was sent) a newer version of the embedded person;
     *     when it has not, the claim records this version of the person as sent
     */
    record Checks(Optional<EventKey> event, Optional<Versioned> entity, boolean sendIfStale, Optional<Versioned> person) {
        public static final Checks NONE = new Checks(Optional.empty(), Optional.empty(), false, Optional.empty());
    }

    /** What a completed delivery applied: the watermarks to advance and the event to record. */
    record Applied(Optional<Versioned> entity, Optional<Versioned> person, Optional<EventKey> event) {
        public static final Applied NONE = new Applied(Optional.empty(), Optional.empty(), Optional.empty());

        public boolean isEmpty() {
            return entity.isEmpty() && person.isEmpty() && event.isEmpty();
        }
    }

    /** The answer to a claim. */
    sealed interface Claim {
        /**
         * The caller holds the lease; {@code token} proves it on completion.
         *
         * @param attempts how many earlier attempts actually called the target for this delivery, when the
         *     claim learnt it (else {@link DeliveryStore#attempts} reads it)
         * @param staleState the target has a newer state of the entity (claimed only with {@code sendIfStale})
         * @param stalePerson the target has a newer version of the embedded person
         */
        record Claimed(String token, OptionalInt attempts, boolean staleState, boolean stalePerson) implements Claim {
            public Claimed(String token, int attempts) {
                this(token, OptionalInt.of(attempts), false, false);
            }
        }

        /** Delivered before: a duplicate. */
        record AlreadyCompleted(String outcome) implements Claim {}

        /** Dead-lettered before; only a redrive of that dead letter retries it. */
        record AlreadyFailed(String reason) implements Claim {}

        /** Another attempt holds an unexpired lease. */
        record Busy(Instant leaseUntil) implements Claim {}

        /** Another webhook (another subscription's copy) delivered this merchant action: a duplicate. */
        record EventDelivered(String deliveryId) implements Claim {}

        /**
         * The target has {@code newer}, this version or a newer one, or (when {@code sentOnly}) was sent a version
         * with a later {@code updated_at} whose completion is not recorded (it is being retried, or was dead-lettered):
         * refused, and the record completed as stale against {@code newer} (a later copy is a duplicate).
         */
        record Stale(EntityVersion newer, boolean sentOnly) implements Claim {
            /** Refused by the version the target has applied. */
            public Stale(EntityVersion applied) {
                this(applied, false);
            }
        }
    }

    /** The lease ran out and another attempt claimed the record: its outcome is that attempt's to record. */
    final class LeaseLostException extends IllegalStateException {
        public LeaseLostException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
