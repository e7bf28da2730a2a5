package io.shopsync.queue;

import java.util.Objects;

/**
 * Why an envelope was dead-lettered, carried as message attributes so an operator reading the DLQ
 * sees it without decoding the body.
 *
 * @param stage where it failed: {@code intake} or {@code delivery}
 * @param reason a sentence saying what is wrong and what to do
 */
public record DeadLetterReason(String stage, String reason) {

    public DeadLetterReason {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(reason, "reason");
    }

    public static DeadLetterReason atIntake(String reason) {
        return new DeadLetterReason("intake", reason);
    }
}
