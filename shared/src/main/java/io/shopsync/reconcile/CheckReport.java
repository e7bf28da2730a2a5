package io.shopsync.reconcile;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one check found in one shop's window.
 *
 * @param scanned items read from Shopify
 * @param current items every target already has in their newest version
 * @param queued what was queued (in a dry run: what would have been), one line each
 * @param counts the check's own metrics besides {@code MissedQueued} ({@code DriftFound}, {@code SubscriptionsMissing}),
 *               emitted on the check's line with the check's {@code flow} dimension (not in a dry run); zero counts
 *               too, so their alarms have data whenever runs happen
 * @param coveredTo null when the check covered its whole window; when it stopped early at its {@link Deadline}, the
 *                  instant up to which (exclusive) every change was read and queued: its checkpoint moves only there
 */
public record CheckReport(String check, int scanned, int current, List<Queued> queued, Map<String, Integer> counts,
                          Instant coveredTo) {

    public CheckReport {
        queued = List.copyOf(queued);
        counts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    }

    /** A check that covered its window. */
    public CheckReport(String check, int scanned, int current, List<Queued> queued, Map<String, Integer> counts) {
        this(check, scanned, current, queued, counts, null);
    }

    /** Whether the check stopped at its deadline before the end of its window. */
    public boolean partial() {
        return coveredTo != null;
    }

    /** A check with no metric of its own. */
    public CheckReport(String check, int scanned, int current, List<Queued> queued) {
        this(check, scanned, current, queued, Map.of(), null);
    }

    /**
     * One envelope put (or, in a dry run, not put) on a flow's queue.
     *
     * @param why which targets lack it, or have an older version
     */
    public record Queued(String flow, String topic, String entity, String webhookId, String why) {}
}
