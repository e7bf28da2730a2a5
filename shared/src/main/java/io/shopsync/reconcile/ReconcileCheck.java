package io.shopsync.reconcile;

/**
 * One thing the reconciler compares between Shopify and what Shopsync delivered: orders (missed and
 * stale order webhooks), stock levels, webhook subscriptions. {@link Reconciler} runs every check for every
 * shop, each with its own checkpoint ({@code reconcile#<shop>#<name>}), and advances that checkpoint only
 * when the check returned: a check that throws leaves it, and the next run covers the same window again.
 */
public interface ReconcileCheck {

    /** Short, lower-case: the checkpoint's last part, and the {@code check} field of the log lines. */
    String name();

    /**
     * The flow whose queue this check feeds: the {@code flow} dimension of its {@code MissedQueued} metric.
     * A check that queues nothing (the subscription check) keeps the reconciler's own.
     */
    default String flow() {
        return Reconciler.NAME;
    }

    /**
     * Whether the check looks at a window of changes. One that does not (the subscription check compares the
     * shop's state as it is now) runs every time, and has no checkpoint: the window it is given is the last
     * overlap before the run's end, for its log line only.
     */
    default boolean windowed() {
        return true;
    }

    /**
     * Compares the shop's changes in {@code window} with what was delivered and queues the difference
     * (or, in a dry run, only reports it).
     *
     * @throws ReconcileFailedException when the check could not finish: nothing it did is lost (whatever it
     *     queued is delivered once), and the next run repeats the window
     */
    CheckReport run(String shop, ReconcileWindow window, boolean dryRun);

    /**
     * The same, stopping at a page boundary once {@code deadline} has passed: what it found up to there is queued,
     * and the report's {@link CheckReport#coveredTo()} says up to when, so the checkpoint moves only that far and
     * the next run continues from there. A check that cannot stop part-way ignores the deadline.
     */
    default CheckReport run(String shop, ReconcileWindow window, boolean dryRun, Deadline deadline) {
        return run(shop, window, dryRun);
    }

    /**
     * The same, reporting each listed item to {@code progress} and skipping those it says an earlier run
     * handled. A check that lists no orders (stock, subscriptions) ignores it: an interrupted backfill repeats
     * its whole window, which only repeats what queues nothing twice.
     */
    default CheckReport run(String shop, ReconcileWindow window, boolean dryRun, ScanProgress progress) {
        return run(shop, window, dryRun);
    }
}
