package io.shopsync.testing;

import io.shopsync.alerts.Alert;
import io.shopsync.alerts.Alerts;
import java.util.ArrayList;
import java.util.List;

/** Keeps raised alerts. */
public final class RecordingAlerts implements Alerts {

    public final List<Alert> raised = new ArrayList<>();

    @Override
    public synchronized void raise(Alert alert) {
        raised.add(alert);
    }
}
