package io.shopsync.reconcile.stock;

import io.shopsync.reconcile.CheckReport;
import io.shopsync.reconcile.ReconcileCheck;
import io.shopsync.reconcile.ReconcileFailedException;
import io.shopsync.reconcile.ReconcileWindow;
import io.shopsync.reconcile.ScanProgress;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The reconciler's {@code stock} check: {@link StockDrift} over the shop's window. Each drifted level's correction
 * goes on the stock flow's work queue ({@code MissedQueued}, dimension {@code flow=stock-to-inventory}); the levels
 * that drifted are {@code DriftFound}. A drift run that stopped early (Shopify still failing after its retries, the
 * queue refusing) fails the check, so its checkpoint stays and the next run repeats the window; whatever it queued
 * before is delivered once (the corrections' webhook ids repeat).
 *
 * <p>{@link #importing} is the same check for the initial import ({@code scripts/shopsync reconcile --flows
 * stock-to-inventory}): every level at every synced location, whatever the window (a level's history is not
 * replayed; its current quantity is what the target needs), resumed level by level from where an interrupted run
 * stopped ({@link ScanProgress#pagePosition}). Its corrections are the drift check's, envelope for envelope.
 */
public final class StockDriftCheck implements ReconcileCheck {

    public static final String NAME = "stock";
    public static final String DRIFT_FOUND = "DriftFound";
    public static final String RUNBOOK = "docs/operations.md#reconcile-stock-drift";

    private final StockDrift drift;
    private final String flow;
    private final boolean importing;

    /** @param flow the stock flow's name, the queue's and the metrics' {@code flow} */
    public StockDriftCheck(StockDrift drift, String flow) {
        this(drift, flow, false);
    }

    private StockDriftCheck(StockDrift drift, String flow, boolean importing) {
        this.drift = drift;
        this.flow = flow;
        this.importing = importing;
    }

    /** The initial import: every level at the synced locations, not only the window's changes. */
    public StockDriftCheck importing() {
        return new StockDriftCheck(drift, flow, true);
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
        return run(shop, window, dryRun, ScanProgress.NONE);
    }

    @Override
    public CheckReport run(String shop, ReconcileWindow window, boolean dryRun, ScanProgress progress) {
        StockDrift.Result result = importing ? drift.importAll(shop, progress.pagePosition(), dryRun, new PageTracker(progress))
                : drift.run(shop, window.from(), window.to(), dryRun);
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

    /** Hands each handled level to the backfill's progress with its page and the levels handled on it so far. */
    private static final class PageTracker implements StockDrift.LevelProgress {
        private final ScanProgress progress;
        private String location;
        private String cursor;
        private final Set<String> handledOnPage = new HashSet<>();

        PageTracker(ScanProgress progress) {
            this.progress = progress;
            progress.pagePosition().ifPresent(at -> {
                location = at.key();
                cursor = at.cursor();
                handledOnPage.addAll(at.handledOnPage());
            });
        }

        @Override
        public void handled(String locationId, String pageCursor, String inventoryItemId, StockDrift.Handled outcome) {
            if (!locationId.equals(location) || !Objects.equals(pageCursor, cursor)) {
                location = locationId;
                cursor = pageCursor;
                handledOnPage.clear();
            }
            handledOnPage.add(inventoryItemId);
            progress.handled(new ScanProgress.PagePosition(locationId, pageCursor, handledOnPage), inventoryItemId,
                    switch (outcome) {
                        case QUEUED -> ScanProgress.Handled.QUEUED;
                        case CURRENT -> ScanProgress.Handled.CURRENT;
                        case NOT_COMPARABLE -> ScanProgress.Handled.SKIPPED;
                    });
        }
    }
}
