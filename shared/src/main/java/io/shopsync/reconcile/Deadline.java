package io.shopsync.reconcile;

import java.time.Clock;
import java.time.Instant;

/**
 * When a run must stop starting new work: the reconciler function's remaining time minus a margin (a Lambda cut off
 * at its timeout would leave a window half-queued, its checkpoint unmoved, and the next run repeating the same
 * too-long window). A check asks between pages, so each page it started is finished and queued. The CLI and the
 * local stack run with {@link #NONE}.
 */
@FunctionalInterface
public interface Deadline {

    /** Never passes. */
    Deadline NONE = () -> false;

    /** Whether the time to start more work is over. */
    boolean passed();

    /** Passes at {@code at} by {@code clock}. */
    static Deadline at(Instant at, Clock clock) {
        return () -> !clock.instant().isBefore(at);
    }
}
