package io.shopsync.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Counts over a rolling window, as HubSpot counts its ten-second limit. */
public final class RollingWindow {

    private RollingWindow() {}

    /** The most of {@code times} that fall within any {@code window}, rolling (as HubSpot counts its limit). */
    public static int busiest(List<Instant> times, Duration window) {
        List<Instant> sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        int most = 0;
        int first = 0;
        for (int last = 0; last < sorted.size(); last++) {
            while (!sorted.get(first).plus(window).isAfter(sorted.get(last))) {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        return most;
    }
}
