package io.shopsync.alerts;

import io.shopsync.aws.SnsPublish;
import io.shopsync.observability.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Publishes alerts to the SNS alerts topic, at most one per flow, target and failure category per
 * window. A failure to alert never fails the delivery: the item is already safe in the DLQ, and the
 * DLQ-depth alarm is the backstop. It is logged and counted ({@code AlertFailures}) instead.
 */
public final class SnsAlerts implements Alerts {

    private final SnsPublish sns;
    private final String topicArn;
    private final AlertGate gate;
    private final Duration window;
    private final Telemetry telemetry;
    private final Clock clock;

    public SnsAlerts(SnsPublish sns, String topicArn, AlertGate gate, Duration window, Telemetry telemetry, Clock clock) {
        this.sns = sns;
        this.topicArn = topicArn;
        this.gate = gate;
        this.window = window;
        this.telemetry = telemetry;
        this.clock = clock;
    }

    @Override
    public void raise(Alert alert) {
        Instant now = clock.instant();
        String key = alert.flow() + "#" + alert.target() + "#" + alert.category();
        boolean first;
        try {
            first = gate.firstInWindow(key, now);
        } catch (SdkException e) {
            first = true; // Without the gate, too many alerts beat none.
        }
        if (!first) {
            telemetry.line(alert.flow(), "alert suppressed").field("target", alert.target())
                    .field("category", alert.category()).count("AlertsSuppressed").emit();
            return;
        }
        try {
            sns.publish(topicArn, alert.subject(), alert.text((int) window.toMinutes()), Map.of(
                    "flow", alert.flow(),
                    "target", alert.target(),
                    "category", alert.category()));
            telemetry.line(alert.flow(), "alert published").field("target", alert.target())
                    .field("category", alert.category()).count("AlertsPublished").emit();
        } catch (SdkException e) {
            telemetry.line(alert.flow(), "alert could not be published").field("target", alert.target())
                    .field("category", alert.category()).field("error", e.getClass().getSimpleName() + ": " + e.getMessage())
                    .field("action", "check the function may sns:Publish to " + topicArn + "; the item is in the DLQ")
                    .count("AlertFailures").emit();
        }
    }
}
