package io.shopsync.alerts;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A dead-letter alert for the on-call person: what failed, where the message is, what to do.
 *
 * @param flow the flow
 * @param target the target that failed, or {@code -} when the envelope itself is unusable
 * @param category a short stable class of failure, for grouping ({@code http-401}, {@code retries-exhausted})
 * @param whatFailed one sentence
 * @param details ids that locate the item: shop, topic, webhook id, entity, DLQ name
 * @param whatToDo the next step
 */
public record Alert(String flow, String target, String category, String whatFailed, Map<String, String> details,
                    String whatToDo) {

    public Alert {
        details = new LinkedHashMap<>(details);
    }

    /** SNS subjects are at most 100 ASCII characters. */
    public String subject() {
        String subject = "Shopsync " + flow + ": dead-lettered (" + target + ", " + category + ")";
        String ascii = subject.replaceAll("[^\\x20-\\x7E]", "?");
        return ascii.length() <= 100 ? ascii : ascii.substring(0, 97) + "...";
    }

    /** The human-readable message body. */
    public String text(int suppressedWindowMinutes) {
        StringBuilder text = new StringBuilder();
        text.append("What failed: ").append(whatFailed).append("\n\n");
        text.append("Where it is:\n");
        details.forEach((name, value) -> text.append("  ").append(name).append(": ").append(value).append('\n'));
        text.append("\nWhat to do: ").append(whatToDo).append("\n\n");
        text.append("Further alerts for ").append(flow).append(" / ").append(target).append(" / ").append(category)
                .append(" are suppressed for ").append(suppressedWindowMinutes)
                .append(" minutes; the DLQ depth shows how many items are waiting.\n");
        return text.toString();
    }
}
