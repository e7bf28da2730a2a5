package io.shopsync.delivery;

import io.shopsync.flow.EntityVersion;
import java.time.Instant;
import java.util.Optional;

/**
 * Idempotency and ordering state: a delivery record per webhook and target, a watermark per entity
 * and target, and an event guard per merchant action. Records past their expiry are treated as
 * absent, whether or not the table has deleted them yet.
 */
public interface DeliveryStore {

    /**
     * Claims a webhook's delivery to a target for {@code lease}.
     *
     * @param retryFailed whether a record that says failed may be claimed again (a redriven dead letter)
     */
    Claim claim(DeliveryKey key, boolean retryFailed, Instant now);

    /**
     * Marks a claimed delivery completed with its outcome label; a later redelivery is a duplicate.
     *
     * @throws LeaseLostException when another attempt took the record over
     */
    void complete(DeliveryKey key, Claim.Claimed claim, String outcome, Instant now);

    /**
     * Gives a claimed delivery back (a transient failure, or work deferred): the next attempt may claim
     * it at once. Nothing happens when another attempt already took the record over.
     *
     * @param attempted whether the target was called: only then does the record's attempt count grow, so
     *     a message held back behind its entity's failing message, or deferred for lack of time, keeps
     *     its attempts
     */
    void release(DeliveryKey key, Claim.Claimed claim, boolean attempted);

    /**
     * Marks a claimed delivery failed with its reason. Call it only once the envelope is safely in the
     * dead-letter queue: a failed record makes every later copy of the webhook a duplicate.
     *
     * @throws LeaseLostException when another attempt took the record over
     */
    void fail(DeliveryKey key, Claim.Claimed claim, String reason, Instant now);

    /** The newest version applied to the target for this watermark key, if any. */
    Optional<EntityVersion> watermark(String watermarkKey, String target, Instant now);

    /** Moves the watermark forward to {@code version}; never backwards. @return whether it moved */
    boolean advanceWatermark(String watermarkKey, String target, EntityVersion version, Instant now);

    /**
     * The delivery id that already delivered this merchant action (shop, topic, event id) to the
     * target, if any: a second subscription's copy of one action carries another webhook id.
     */
    Optional<String> deliveredEvent(EventKey key, Instant now);

    void recordEvent(EventKey key, String deliveryId, Instant now);

    /** Identifies one webhook's delivery to one target. @param deliveryId shop and webhook id */
    record DeliveryKey(String deliveryId, String target, String topic, String entity) {}

    /** One merchant action on one topic, as X-Shopify-Event-Id names it, per target. */
    record EventKey(String shop, String topic, String eventId, String target) {}

    /** The answer to a claim. */
    sealed interface Claim {
        /**
         * The caller holds the lease; {@code token} proves it on completion.
         *
         * @param attempts how many earlier attempts actually called the target for this delivery
         */
        record Claimed(String token, int attempts) implements Claim {}

        /** Delivered before: a duplicate. */
        record AlreadyCompleted(String outcome) implements Claim {}

        /** Dead-lettered before; only a redrive of that dead letter retries it. */
        record AlreadyFailed(String reason) implements Claim {}

        /** Another attempt holds an unexpired lease. */
        record Busy(Instant leaseUntil) implements Claim {}
    }

    /** The lease ran out and another attempt claimed the record: its outcome is that attempt's to record. */
    final class LeaseLostException extends IllegalStateException {
        public LeaseLostException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
