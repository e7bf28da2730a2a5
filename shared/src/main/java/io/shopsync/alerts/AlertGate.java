package io.shopsync.alerts;

import java.time.Instant;

/** Lets the first alert of a kind through per time window, so an outage gives a handful of alerts. */
@FunctionalInterface
public interface AlertGate {

    /** @return true when this is the first alert with this key in the window containing {@code now} */
    boolean firstInWindow(String key, Instant now);
}
