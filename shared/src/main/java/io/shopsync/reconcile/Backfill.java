package io.shopsync.reconcile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The reconciler's checks run by hand over any window of one shop: after an outage, or as the initial import of
 * a store's history ({@code scripts/shopsync reconcile}). The checks are the scheduled reconciler's; what differs
 * is the window (given, not from the checkpoint), the envelopes (marked as history: see
 * {@link OrderReconciliation#BACKFILL_SOURCE}) and that progress is kept order by order ({@link Positions}),
 * so a run that stops (Ctrl-C, a Shopify outage, a lost laptop) resumes where it stopped without queuing any
 * order twice: the orders it handled at the last {@code updated_at} are remembered by id, and the window
 * restarts at that {@code updated_at}. A dry run reads the position but never moves it.
 *
 * <p>An envelope queued right before the process died, whose position was not yet saved, is queued again by
 * the resumed run: SQS's deduplication (same webhook id, within 5 minutes) and the delivery records (a
 * delivered version is a duplicate) keep its effect single.
 */
public final class Backfill {

    /**
     * Where a check of one backfill got to.
     *
     * @param through the {@code updated_at} of the newest order handled (or the window's end once it finished)
     * @param handledAt the ids of the orders handled whose {@code updated_at} is {@code through}
     * @param finished whether the whole window up to {@code through} is done
     * @param page for a check that pages the shop's current state (stock), where it got to; null otherwise and
     *             once finished
     */
    public record Position(Instant through, Set<String> handledAt, boolean finished, ScanProgress.PagePosition page) {
        public Position {
            handledAt = Set.copyOf(handledAt);
        }

        public Position(Instant through, Set<String> handledAt, boolean finished) {
            this(through, handledAt, finished, null);
        }
    }

    /** The stored positions: one per shop, start of the window and check. */
    public interface Positions {
        Optional<Position> read(String shop, Instant since, String check);

        void save(String shop, Instant since, String check, Position position);
    }

    /** Told about every order (and level) as it is handled: the command's progress line. */
    @FunctionalInterface
    public interface Listener {
        void handled(String check, ShopifyOrders.Version version, ScanProgress.Handled outcome);

        /** A level of a paged scan (the stock import) handled: {@code at} is its location and page. */
        default void handled(String check, ScanProgress.PagePosition at, String id, ScanProgress.Handled outcome) {}
    }

    /**
     * One check's part of the run.
     *
     * @param resumedFrom the stored position the run continued from, if any
     * @param report null when the check failed or had nothing left to do
     * @param failure why it failed (the position stays where the last handled order left it), else null
     */
    public record CheckResult(String check, ReconcileWindow window, Optional<Instant> resumedFrom, CheckReport report,
                              String failure) {}

    /** How many current orders may pass between two saves of the position (queued ones save at once). */
    static final int SAVE_EVERY = 100;

    private final List<ReconcileCheck> checks;
    private final Positions positions;

    public Backfill(List<ReconcileCheck> checks, Positions positions) {
        if (checks.isEmpty()) {
            throw new IllegalArgumentException("a backfill needs at least one check");
        }
        this.checks = List.copyOf(checks);
        this.positions = positions;
    }

    /** Runs every check over [{@code since}, {@code until}) of {@code shop}, each resuming from its position. */
    public List<CheckResult> run(String shop, Instant since, Instant until, boolean dryRun, Listener listener) {
        List<CheckResult> results = new ArrayList<>();
        for (ReconcileCheck check : checks) {
            results.add(runCheck(shop, since, until, dryRun, listener, check));
        }
        return results;
    }

    private CheckResult runCheck(String shop, Instant since, Instant until, boolean dryRun, Listener listener,
                                 ReconcileCheck check) {
        Optional<Position> stored = positions.read(shop, since, check.name());
        Instant from = stored.map(Position::through).orElse(since);
        if (!until.isAfter(from)) {
            // Finished before (or resumed past this run's end): nothing left in the window.
            return new CheckResult(check.name(), null, stored.map(Position::through), null, null);
        }
        ReconcileWindow window = new ReconcileWindow(from, until);
        Tracker tracker = new Tracker(shop, since, check.name(), stored, dryRun, listener);
        try {
            CheckReport report = check.run(shop, window, dryRun, tracker);
            if (!dryRun) {
                positions.save(shop, since, check.name(), new Position(until, Set.of(), true));
            }
            return new CheckResult(check.name(), window, stored.map(Position::through), report, null);
        } catch (RuntimeException e) {
            tracker.save();
            return new CheckResult(check.name(), window, stored.map(Position::through), null,
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    /** The position as the scan moves, saved after every queued order and every {@link #SAVE_EVERY} others. */
    private final class Tracker implements ScanProgress {
        private final String shop;
        private final Instant since;
        private final String check;
        private final boolean dryRun;
        private final Listener listener;
        private final Optional<Position> stored;
        private Instant through;
        private final Set<String> handledAt = new HashSet<>();
        private PagePosition page;
        private int unsaved;

        Tracker(String shop, Instant since, String check, Optional<Position> stored, boolean dryRun, Listener listener) {
            this.shop = shop;
            this.since = since;
            this.check = check;
            this.stored = stored;
            this.dryRun = dryRun;
            this.listener = listener;
            stored.ifPresent(position -> {
                through = position.through();
                handledAt.addAll(position.handledAt());
                page = position.finished() ? null : position.page();
            });
        }

        @Override
        public boolean alreadyHandled(ShopifyOrders.Version version) {
            return stored.isPresent() && version.updatedAt().equals(stored.get().through())
                    && stored.get().handledAt().contains(version.orderId());
        }

        @Override
        public void handled(ShopifyOrders.Version version, Handled outcome) {
            if (!version.updatedAt().equals(through)) {
                through = version.updatedAt();
                handledAt.clear();
            }
            handledAt.add(version.orderId());
            unsaved++;
            if (outcome == Handled.QUEUED || unsaved >= SAVE_EVERY) {
                save();
            }
            listener.handled(check, version, outcome);
        }

        @Override
        public Optional<PagePosition> pagePosition() {
            return stored.filter(position -> !position.finished()).map(Position::page);
        }

        @Override
        public void handled(PagePosition at, String id, Handled outcome) {
            page = at;
            if (through == null) {
                through = since; // a paged scan reads the state as it is now: the window's start stays
            }
            unsaved++;
            if (outcome == Handled.QUEUED || unsaved >= SAVE_EVERY) {
                save();
            }
            listener.handled(check, at, id, outcome);
        }

        void save() {
            if (dryRun || unsaved == 0 || through == null) {
                return;
            }
            positions.save(shop, since, check, page != null ? new Position(through, Set.of(), false, page)
                    : new Position(through, handledAt, false));
            unsaved = 0;
        }
    }

    /** The failures by check, for a summary. */
    public static Map<String, String> failures(List<CheckResult> results) {
        Map<String, String> failures = new LinkedHashMap<>();
        results.stream().filter(r -> r.failure() != null).forEach(r -> failures.put(r.check(), r.failure()));
        return failures;
    }
}
