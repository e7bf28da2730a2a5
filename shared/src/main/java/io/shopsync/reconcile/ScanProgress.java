package io.shopsync.reconcile;

/**
 * Order by order, where a scan got to: what a long run (a backfill) needs to resume after an interruption
 * without queuing an order twice, and to show its progress. The scheduled reconciler passes {@link #NONE}: its
 * runs are short, and a failed one repeats its window (the webhook ids make SQS and the delivery records
 * drop the repeats).
 */
public interface ScanProgress {

    /** What became of one listed order (or level). */
    enum Handled {
        CURRENT, QUEUED, GONE,
        /** A level the flow cannot take (no SKU, untracked, or for Katana a SKU other items share): not queued. */
        SKIPPED
    }

    /**
     * Where a scan that pages a shop's current state (the stock import: location by location, by cursor) got to.
     *
     * @param key what is being paged (a location id)
     * @param cursor the cursor the current page was asked with; null for the first page
     * @param handledOnPage the ids on that page already handled
     */
    record PagePosition(String key, String cursor, java.util.Set<String> handledOnPage) {
        public PagePosition {
            java.util.Objects.requireNonNull(key, "key");
            handledOnPage = java.util.Set.copyOf(handledOnPage);
        }
    }

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

    /** For a paged scan: where an earlier, interrupted run stopped (empty: start at the beginning). */
    default java.util.Optional<PagePosition> pagePosition() {
        return java.util.Optional.empty();
    }

    /**
     * For a paged scan: item {@code id} handled (for {@link Handled#QUEUED}, after its envelope is on the queue);
     * {@code at} includes it.
     */
    default void handled(PagePosition at, String id, Handled outcome) {}
}
