package io.shopsync.reconcile.stock;

import io.shopsync.reconcile.CheckReport;
import io.shopsync.reconcile.ReconcileCheck;
import io.shopsync.reconcile.ReconcileFailedException;
import io.shopsync.reconcile.ReconcileWindow;
import java.util.List;
import java.util.Map;

/**
 * The reconciler's {@code stock} check: {@link StockDrift} over the shop's window. Each drifted level's correction
 * goes on the stock flow's work queue ({@code MissedQueued}, dimension {@code flow=stock-to-inventory}); the levels
 * that drifted are {@code DriftFound}. A drift run that stopped early (Shopify still failing after its retries, the
 * queue refusing) fails the check, so its checkpoint stays and the next run repeats the window; whatever it queued
 * before is delivered once (the corrections' webhook ids repeat).
 */
public final class StockDriftCheck implements ReconcileCheck {

    public static final String NAME = "stock";
    public static final String DRIFT_FOUND = "DriftFound";
    public static final String RUNBOOK = "docs/operations.md#reconcile-stock-drift";

    private final StockDrift drift;
    private final String flow;

    /** @param flow the stock flow's name, the queue's and the metrics' {@code flow} */
    public StockDriftCheck(StockDrift drift, String flow) {
        this.drift = drift;
        this.flow = flow;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String flow() {
        return flow;
    }

    @Override
    public CheckReport run(String shop, ReconcileWindow window, boolean dryRun) {
        StockDrift.Result result = drift.run(shop, window.from(), window.to(), dryRun);
        if (!result.succeeded()) {
            throw new ReconcileFailedException(result.failure().get() + " (found " + result.driftFound() + " drifted, queued "
                    + result.queued() + " before it stopped)");
        }
        List<CheckReport.Queued> queued = result.drifts().stream()
                .filter(d -> dryRun || d.queued())
                .map(d -> new CheckReport.Queued(flow, StockDrift.TOPIC, "inventory-level " + d.inventoryItemId() + " at "
                        + d.locationId(), d.webhookId(), d.reason()))
                .toList();
        return new CheckReport(NAME, result.scanned(), result.scanned() - result.driftFound() - result.notComparable(),
                queued, Map.of(DRIFT_FOUND, result.driftFound()));
    }
}
