package io.shopsync.reconcile;

/**
 * Order by order, where a scan got to: what a long run (a backfill) needs to resume after an interruption
 * without queuing an order twice, and to show its progress. The scheduled reconciler passes {@link #NONE}: its
 * runs are short, and a failed one repeats its window (the webhook ids make SQS and the delivery records
 * drop the repeats).
 */
public interface ScanProgress {

    /** What became of one listed order. */
    enum Handled { CURRENT, QUEUED, GONE }

    /** No progress kept: every listed order is looked at. */
    ScanProgress NONE = new ScanProgress() {
        @Override
        public boolean alreadyHandled(ShopifyOrders.Version version) {
            return false;
        }

        @Override
        public void handled(ShopifyOrders.Version version, Handled outcome) {}
    };

    /** Whether an earlier, interrupted run already handled this version (it is then skipped, not counted). */
    boolean alreadyHandled(ShopifyOrders.Version version);

    /** Called once the version is handled: for {@link Handled#QUEUED}, after its envelope is on the queue. */
    void handled(ShopifyOrders.Version version, Handled outcome);
}
