package io.shopsync.reconcile;

import io.shopsync.alerts.Alert;
import io.shopsync.alerts.Alerts;
import io.shopsync.observability.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One reconciliation run: every check ({@link ReconcileCheck}) for every shop, each over the window from its
 * checkpoint (minus an overlap, since Shopify's search index lags its writes) to now minus a small lag. A
 * check that returns moves its checkpoint to the window's end; one that fails leaves it, raises an alert and
 * counts {@code RunFailed}, and the other checks and shops still run. A dry run reads everything, queues
 * nothing and moves no checkpoint.
 *
 * <p>Metrics (EMF, namespace Shopsync): per run, dry or not, {@code RunDurationMs} and {@code ReconcileSucceeded}
 * (1 when every check of every shop finished), {@code ReconcilePartial} (1 when none failed but the deadline stopped
 * one: {@link #run(boolean, Deadline)}) or {@code RunFailed} (the checks that failed), dimension
 * {@code flow=reconciler}; per shop and check, except in a dry run, {@code OrdersScanned} and {@code MissedQueued},
 * dimension {@code flow} of the queue the envelopes went to, and the check's own counts ({@link CheckReport#counts()}).
 * A check that is not {@link ReconcileCheck#windowed() windowed} runs every time, without a checkpoint, and emits
 * only its own counts.
 */
public final class Reconciler {

    public static final String NAME = "reconciler";
    public static final String RUNBOOK = "docs/operations.md#reconcile-run-failed";
    public static final String PARTIAL_RUNBOOK = "docs/operations.md#reconcile-partial-run";

    private final List<String> shops;
    private final List<ReconcileCheck> checks;
    private final Checkpoints checkpoints;
    private final Settings settings;
    private final Alerts alerts;
    private final Telemetry telemetry;
    private final Clock clock;

    /**
     * @param overlap how far before the checkpoint a window starts (default 5 minutes)
     * @param lag how far before now a window ends (default 1 minute)
     * @param firstWindow how far back a shop's first run looks (the backfill handles history)
     * @param maxWindow the longest window one run takes: after an outage, runs catch up a piece at a time
     */
    public record Settings(Duration overlap, Duration lag, Duration firstWindow, Duration maxWindow) {
        public static Settings defaults() {
            return new Settings(Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofMinutes(30), Duration.ofHours(24));
        }
    }

    public Reconciler(List<String> shops, List<ReconcileCheck> checks, Checkpoints checkpoints, Settings settings,
                      Alerts alerts, Telemetry telemetry, Clock clock) {
        if (shops.isEmpty()) {
            throw new IllegalArgumentException("the reconciler needs the shops it serves (SHOPIFY_ALLOWED_SHOPS)");
        }
        if (checks.isEmpty()) {
            throw new IllegalArgumentException("the reconciler has no check to run: set CRM_TARGETS (orders),"
                    + " INVENTORY_TARGET (stock) or the API URL (subscriptions)");
        }
        this.shops = List.copyOf(shops);
        this.checks = List.copyOf(checks);
        this.checkpoints = checkpoints;
        this.settings = settings;
        this.alerts = alerts;
        this.telemetry = telemetry;
        this.clock = clock;
    }

    /**
     * What one run did.
     *
     * @param failures per shop and check, the reason it failed
     * @param partial per shop and check that stopped at the deadline (or did not start before it), how far it got
     */
    public record RunReport(boolean dryRun, List<CheckRun> runs, Map<String, String> failures, Map<String, String> partial) {
        public boolean succeeded() {
            return failures.isEmpty();
        }

        /** Whether every check covered its whole window. */
        public boolean complete() {
            return failures.isEmpty() && partial.isEmpty();
        }
    }

    /** One check of one shop: its window and what it found. */
    public record CheckRun(String shop, ReconcileWindow window, CheckReport report) {}

    /** A run without a deadline (the CLI, the local stack, tests). */
    public RunReport run(boolean dryRun) {
        return run(dryRun, Deadline.NONE);
    }

    /**
     * A run that stops starting new work once {@code deadline} has passed: a check stops at a page boundary and its
     * checkpoint moves only as far as it got ({@link CheckReport#coveredTo()}); a check not yet started keeps its
     * checkpoint. Such a run is partial, not failed: it counts {@code ReconcilePartial} (not {@code RunFailed}, not
     * {@code ReconcileSucceeded}) and alerts nothing; the next run continues where it stopped.
     */
    public RunReport run(boolean dryRun, Deadline deadline) {
        Instant started = clock.instant();
        List<CheckRun> runs = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        Map<String, String> partial = new LinkedHashMap<>();
        for (String shop : shops) {
            for (ReconcileCheck check : checks) {
                if (deadline.passed()) {
                    partial.put(shop + " " + check.name(), "not started: the run's time was up");
                    continue;
                }
                try {
                    Optional<CheckRun> run = runCheck(shop, check, dryRun, deadline);
                    run.ifPresent(runs::add);
                    run.filter(r -> r.report().partial())
                            .ifPresent(r -> partial.put(shop + " " + check.name(), "covered to " + r.report().coveredTo()));
                } catch (RuntimeException e) {
                    failures.put(shop + " " + check.name(), e.getMessage());
                    failed(shop, check, e);
                }
            }
        }
        Telemetry.Line line = telemetry.line(NAME, dryRun ? "reconcile dry run finished" : "reconcile run finished")
                .field("shops", shops.size()).field("dryRun", dryRun)
                .milliseconds("RunDurationMs", Duration.between(started, clock.instant()).toMillis());
        // A dry run counts too: it read everything a run reads, so it proves (or disproves) the same access.
        if (!failures.isEmpty()) {
            line.count("RunFailed", failures.size());
        } else if (!partial.isEmpty()) {
            line.count("ReconcilePartial");
        } else {
            line.count("ReconcileSucceeded");
        }
        line.field("failed", failures.isEmpty() ? null : String.join(", ", failures.keySet()))
                .field("partial", partial.isEmpty() ? null : String.join(", ", partial.keySet()))
                .field("action", partial.isEmpty() ? null : "the run's time was up: the next run continues from each"
                        + " check's checkpoint; if runs stay partial, see " + PARTIAL_RUNBOOK)
                .emit();
        return new RunReport(dryRun, runs, failures, partial);
    }

    private Optional<CheckRun> runCheck(String shop, ReconcileCheck check, boolean dryRun, Deadline deadline) {
        Instant now = clock.instant();
        Instant end = now.minus(settings.lag());
        if (!check.windowed()) {
            return Optional.of(runUnwindowed(shop, check, new ReconcileWindow(end.minus(settings.overlap()), end), dryRun));
        }
        Optional<Instant> checkpoint = checkpoints.read(shop, check.name());
        Instant start = checkpoint.map(at -> at.minus(settings.overlap())).orElse(end.minus(settings.firstWindow()));
        if (end.isAfter(start.plus(settings.maxWindow()))) {
            end = start.plus(settings.maxWindow());
        }
        if (!end.isAfter(start)) {
            return Optional.empty();
        }
        ReconcileWindow window = new ReconcileWindow(start, end);
        CheckReport report = check.run(shop, window, dryRun, deadline);
        if (report.partial() && !(report.coveredTo().isAfter(start) && report.coveredTo().isBefore(end))) {
            throw new IllegalStateException("check " + check.name() + " stopped at " + report.coveredTo()
                    + ", outside its window " + window);
        }
        if (!dryRun) {
            // Only now: every envelope of the window (or of the part it covered) is on its queue.
            checkpoints.advance(shop, check.name(), report.partial() ? report.coveredTo() : end);
        }
        Telemetry.Line line = telemetry.line(check.flow(), dryRun ? "reconcile check dry run" : "reconcile check finished")
                .field("shop", shop).field("check", check.name()).field("from", window.from()).field("to", window.to())
                .field("checkpoint", checkpoint.map(Instant::toString).orElse("none (first run)"))
                .field("scanned", report.scanned()).field("current", report.current())
                .field("queued", report.queued().size()).field("dryRun", dryRun)
                .field("coveredTo", report.partial() ? report.coveredTo().toString() : null);
        if (!dryRun) {
            // Zero too: the alarm's metric then has data whenever runs happen.
            line.count("MissedQueued", report.queued().size());
            if (OrderReconciliation.NAME.equals(check.name())) {
                line.count("OrdersScanned", report.scanned());
            }
            report.counts().forEach(line::count);
        }
        line.emit();
        return Optional.of(new CheckRun(shop, window, report));
    }

    /** A check of the shop's state now: no checkpoint read or moved, its own metrics only. */
    private CheckRun runUnwindowed(String shop, ReconcileCheck check, ReconcileWindow window, boolean dryRun) {
        CheckReport report = check.run(shop, window, dryRun);
        Telemetry.Line line = telemetry.line(check.flow(), dryRun ? "reconcile check dry run" : "reconcile check finished")
                .field("shop", shop).field("check", check.name()).field("scanned", report.scanned())
                .field("current", report.current()).field("queued", report.queued().size()).field("dryRun", dryRun);
        if (dryRun) {
            report.counts().forEach(line::field);
        } else {
            report.counts().forEach(line::count);
        }
        line.emit();
        return new CheckRun(shop, window, report);
    }

    private void failed(String shop, ReconcileCheck check, RuntimeException e) {
        Optional<Instant> checkpoint;
        try {
            checkpoint = checkpoints.read(shop, check.name());
        } catch (RuntimeException unreadable) {
            // The table itself may be what failed; the alert about the first failure matters more.
            checkpoint = Optional.empty();
        }
        telemetry.line(NAME, "reconcile check failed").field("shop", shop).field("check", check.name())
                .field("checkpoint", checkpoint.map(Instant::toString).orElse("none"))
                .field("error", e.getClass().getSimpleName() + ": " + e.getMessage())
                .field("action", "the checkpoint stays; the next run repeats the window. If it keeps failing: " + RUNBOOK)
                .emit();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("shop", shop);
        details.put("check", check.name());
        details.put("checkpoint", checkpoint.map(Instant::toString).orElse("none"));
        alerts.raise(new Alert(NAME, check.name(), "run-failed", details,
                "read the reconciler's log line \"reconcile check failed\" for this shop, fix its cause; the next run"
                        + " repeats the window from the checkpoint: " + RUNBOOK, "reconcile run failed"));
    }
}
