package io.shopsync.delivery;

import java.time.Instant;
import java.util.Optional;

/** What happened to one item at one target. A small closed set, handled exhaustively. */
public sealed interface DeliveryOutcome {

    String label();

    /** The target accepted the change. */
    record Delivered() implements DeliveryOutcome {
        public String label() {
            return "delivered";
        }
    }

    /** Already applied: a redelivery, a second subscription's copy, or the target said so. */
    record Duplicate(String why) implements DeliveryOutcome {
        public String label() {
            return "duplicate";
        }
    }

    /** An older version than one already applied: skipped, never overwriting the newer one. */
    record Stale(String why) implements DeliveryOutcome {
        public String label() {
            return "stale";
        }
    }

    /** A transient failure (429, 5xx, timeout): try again, not before {@code notBefore} if given. */
    record RetryLater(String reason, Optional<Instant> notBefore) implements DeliveryOutcome {
        public RetryLater(String reason) {
            this(reason, Optional.empty());
        }

        public String label() {
            return "retry-later";
        }
    }

    /**
     * A failure retrying cannot fix (a 4xx other than 408/409/429, a mapping error, a poison payload).
     *
     * @param reason what is wrong and what to do, for the alert and the DLQ attributes
     * @param category a short stable class of failure ({@code http-400}, {@code mapping}), for alert grouping
     */
    record PermanentFailure(String reason, String category) implements DeliveryOutcome {
        public String label() {
            return "permanent-failure";
        }
    }
}
