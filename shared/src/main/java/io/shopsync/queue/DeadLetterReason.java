package io.shopsync.queue;

import java.util.List;
import java.util.Objects;

/**
 * Why an envelope was dead-lettered, carried as message attributes so an operator reading the DLQ
 * sees it without decoding the body.
 *
 * @param stage where it failed: {@code intake} or {@code delivery}
 * @param reason a sentence saying what is wrong and what to do
 * @param category a short stable class of failure ({@code unprocessable}, {@code http-400}, {@code retries-exhausted})
 * @param targets the targets this dead letter is for; redriving it delivers to these targets only
 *     (empty: all of the flow's targets)
 */
public record DeadLetterReason(String stage, String reason, String category, List<String> targets) {

    public DeadLetterReason {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(category, "category");
        targets = List.copyOf(targets);
    }

    public static DeadLetterReason atIntake(String reason) {
        return new DeadLetterReason("intake", reason, "unprocessable", List.of());
    }

    public static DeadLetterReason atDelivery(String reason, String category, List<String> targets) {
        return new DeadLetterReason("delivery", reason, category, targets);
    }
}
