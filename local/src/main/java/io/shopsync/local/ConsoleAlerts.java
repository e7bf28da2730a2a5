package io.shopsync.local;

import io.shopsync.alerts.Alert;
import io.shopsync.alerts.Alerts;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Dead-letter alerts locally: each one is printed to the console (subject and text, as the on-call
 * person would read it from the alerts topic) and kept for {@code GET /_local/alerts}. Unlike the
 * deployed alerts there is no suppression window: locally every alert is shown.
 */
final class ConsoleAlerts implements Alerts {

    /** The window the text mentions: deployed alerts are suppressed for this long per flow, target and kind. */
    private static final int DEPLOYED_WINDOW_MINUTES = 15;

    private final PrintStream console;
    private final boolean compact;
    private final List<Alert> raised = new ArrayList<>();

    /**
     * @param compact print one line per alert (its subject) instead of its whole text: a replay raises a
     *     burst of alerts and ends with its own summary; the full texts stay at {@code GET /_local/alerts}
     */
    ConsoleAlerts(PrintStream console, boolean compact) {
        this.console = console;
        this.compact = compact;
    }

    @Override
    public void raise(Alert alert) {
        synchronized (this) {
            raised.add(alert);
        }
        if (compact) {
            console.println("alert: " + alert.subject());
            return;
        }
        StringBuilder text = new StringBuilder("alert: ").append(alert.subject()).append('\n');
        for (String line : alert.text(DEPLOYED_WINDOW_MINUTES).strip().split("\n")) {
            text.append("    ").append(line).append('\n');
        }
        console.print(text);
        console.flush();
    }

    synchronized List<Alert> raised() {
        return List.copyOf(raised);
    }

    static String text(Alert alert) {
        return alert.text(DEPLOYED_WINDOW_MINUTES);
    }
}
