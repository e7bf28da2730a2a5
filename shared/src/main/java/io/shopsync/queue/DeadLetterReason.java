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
 * @param entity for a webhook dead-lettered at intake, whose envelope names no entity: the entity its body names
 *     (an id, never a payload field, capped), carried as the dead letter's {@code entity} attribute so a trace by
 *     that entity finds it; null when the body names none, and at delivery (the envelope names it)
 */
public record DeadLetterReason(String stage, String reason, String category, List<String> targets, String entity) {

    public DeadLetterReason {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(category, "category");
        targets = List.copyOf(targets);
    }

    public static DeadLetterReason atIntake(String reason) {
        return atIntake(reason, null);
    }

    /** At intake, with the entity the webhook's body names ({@code null}: none). */
    public static DeadLetterReason atIntake(String reason, String entity) {
        return new DeadLetterReason("intake", reason, "unprocessable", List.of(), entity);
    }

    public static DeadLetterReason atDelivery(String reason, String category, List<String> targets) {
        return new DeadLetterReason("delivery", reason, category, targets, null);
    }
}
