package io.shopsync.reconcile;

import java.time.Instant;

/**
 * The changes a run looks at: {@code updated_at} in [{@code from}, {@code to}).
 *
 * @param from the checkpoint minus the overlap (Shopify's search index lags behind its writes)
 * @param to now minus a small lag; the checkpoint moves here when the run succeeds
 */
public record ReconcileWindow(Instant from, Instant to) {

    public ReconcileWindow {
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("a window ends after it starts: " + from + " .. " + to);
        }
    }
}
