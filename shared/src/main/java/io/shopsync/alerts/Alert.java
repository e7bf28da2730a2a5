package io.shopsync.alerts;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A dead-letter alert for the on-call person: what failed, where the message is, what to do.
 *
 * <p>An alert leaves AWS as plain e-mail, so it carries no failure reason and no other free text: only
 * the flow, the target, the category, ids and the next step. The reason (error codes and field names,
 * see {@link io.shopsync.http.ErrorCodes}) stays in the dead letter's {@code reason} attribute and the
 * function's log, inside the account.
 *
 * @param flow the flow
 * @param target the target that failed, or {@code -} when the envelope itself is unusable
 * @param category a short stable class of failure, for grouping ({@code http-401}, {@code retries-exhausted})
 * @param details ids that locate the item: shop, topic, webhook id, entity, DLQ name, attempts
 * @param whatToDo the next step (our own text, with the runbook's address)
 * @param headline what happened, when it is not a dead letter ({@code reconcile run failed}); null for a dead letter
 */
public record Alert(String flow, String target, String category, Map<String, String> details, String whatToDo,
                    String headline) {

    public Alert {
        details = new LinkedHashMap<>(details);
    }

    /** A dead-letter alert. */
    public Alert(String flow, String target, String category, Map<String, String> details, String whatToDo) {
        this(flow, target, category, details, whatToDo, null);
    }

    /** SNS subjects are at most 100 ASCII characters. */
    public String subject() {
        String subject = "Shopsync " + flow + ": " + (headline != null ? headline : "dead-lettered")
                + " (" + target + ", " + category + ")";
        String ascii = subject.replaceAll("[^\\x20-\\x7E]", "?");
        return ascii.length() <= 100 ? ascii : ascii.substring(0, 97) + "...";
    }

    /** One sentence made of the flow, the target and the category. */
    public String whatFailed() {
        if (headline != null) {
            return flow + ": " + headline + " (" + target + ", " + category + ")";
        }
        return "-".equals(target)
                ? "a message of flow " + flow + " could not be read or processed (" + category + ") and was dead-lettered"
                : "flow " + flow + " could not deliver to " + target + " (" + category + ") and dead-lettered the message";
    }

    /** The human-readable message body. */
    public String text(int suppressedWindowMinutes) {
        StringBuilder text = new StringBuilder();
        text.append("What failed: ").append(whatFailed()).append("\n\n");
        text.append("Where it is:\n");
        details.forEach((name, value) -> text.append("  ").append(name).append(": ").append(value).append('\n'));
        if (headline != null) {
            text.append("\nWhy: the function's log lines for these ids say; this e-mail carries ids only.\n");
        } else {
            text.append("\nWhy: the dead letter's reason attribute (scripts/shopsync dlq inspect ").append(flow)
                    .append(") and the function's log lines for this webhook id say; this e-mail carries ids only.\n");
        }
        text.append("\nWhat to do: ").append(whatToDo).append("\n\n");
        text.append("Further alerts for ").append(flow).append(" / ").append(target).append(" / ").append(category)
                .append(" are suppressed for ").append(suppressedWindowMinutes)
                .append(" minutes").append(headline != null ? ".\n" : "; the DLQ depth shows how many items are waiting.\n");
        return text.toString();
    }
}
