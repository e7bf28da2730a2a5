package io.shopsync.reconcile;

import java.util.List;

/**
 * What one check found in one shop's window.
 *
 * @param scanned items read from Shopify
 * @param current items every target already has in their newest version
 * @param queued what was queued (in a dry run: what would have been), one line each
 */
public record CheckReport(String check, int scanned, int current, List<Queued> queued) {

    public CheckReport {
        queued = List.copyOf(queued);
    }

    /**
     * One envelope put (or, in a dry run, not put) on a flow's queue.
     *
     * @param why which targets lack it, or have an older version
     */
    public record Queued(String flow, String topic, String entity, String webhookId, String why) {}
}
