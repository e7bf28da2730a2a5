package io.shopsync.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.alerts.Alert;
import io.shopsync.alerts.Alerts;
import io.shopsync.lambda.ReconcilerEnvironment;
import io.shopsync.observability.Telemetry;
import io.shopsync.reconcile.CheckReport;
import io.shopsync.reconcile.Checkpoints;
import io.shopsync.reconcile.FulfilmentReconciliation;
import io.shopsync.reconcile.OrderReconciliation;
import io.shopsync.reconcile.ReconcileCheck;
import io.shopsync.reconcile.Reconciler;
import io.shopsync.reconcile.SubscriptionReconciliation;
import io.shopsync.reconcile.stock.StockDriftCheck;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The reconciler in the local stack: the checks the reconciler function runs, built by the function's own wiring
 * ({@link ReconcilerEnvironment#checks()} from the template's reconciler settings) with the local stack's parts in
 * place of AWS ({@link ReconcilerEnvironment.Parts}): it reads the shop from the {@link ShopifyAdminStandIn} over
 * HTTP, compares with the flows' own delivery store (and Katana's reported levels), queues on each flow's embedded
 * queue (where its poller delivers what it finds) and alerts on the console. Orders, fulfilments and stock drift run
 * as deployed; a check the settings leave out is listed with why, and the subscription check, which the stand-in
 * cannot answer, is left out with that reason. A run that queued anything raises a local "missed" alert, as the
 * deployed alarms on {@code MissedQueued} and {@code DriftFound} would. It runs on a timer and on demand
 * ({@code POST /_local/reconcile}, {@code --reconcile}), one run at a time, as the deployed function runs
 * (ReservedConcurrentExecutions 1); each run prints one line and is shown in {@code /_local/status}.
 */
final class LocalReconciler implements AutoCloseable {

    /** The Admin API token the reconciler sends and the stand-in expects: a local one, never a real token. */
    static final String STAND_IN_TOKEN = "shpat_local_stand_in_token";

    /** Why the subscription check is left out locally (the function's reason would name unset variables). */
    static final String SUBSCRIPTIONS_SKIPPED = "the local Shopify stand-in does not serve webhookSubscriptions: its shop"
            + " has no subscriptions to compare, local webhooks come from --replay, not from Shopify";

    /** Per check that queued: the deployed alarm that would fire, and its runbook. */
    private static final Map<String, String[]> ALARMS = Map.of(
            OrderReconciliation.NAME, new String[] {"reconcile-found-missed-orders", "docs/operations.md#webhooks-missed"},
            FulfilmentReconciliation.NAME, new String[] {"reconcile-found-missed-fulfilments",
                "docs/operations.md#webhooks-missed"},
            StockDriftCheck.NAME, new String[] {"reconcile-stock-drift", StockDriftCheck.RUNBOOK});

    /** What one run did, kept for {@code /_local/status}. */
    record Run(int number, String trigger, Instant at, Reconciler.RunReport report) {
        int queued() {
            return report.runs().stream().mapToInt(run -> run.report().queued().size()).sum();
        }

        int scanned() {
            return report.runs().stream().mapToInt(run -> run.report().scanned()).sum();
        }
    }

    private final Reconciler reconciler;
    private final List<String> checks;
    private final Map<String, String> skipped;
    private final Alerts alerts;
    private final ShopifyAdminStandIn standIn;
    private final String deployedSchedule;
    private final Duration every;
    private final PrintStream console;
    private final ObjectMapper json;
    private final ScheduledExecutorService timer;
    private final List<Run> runs = new ArrayList<>();

    private LocalReconciler(Reconciler reconciler, List<String> checks, Map<String, String> skipped, Alerts alerts,
                            ShopifyAdminStandIn standIn, String deployedSchedule, Duration every, PrintStream console,
                            ObjectMapper json) {
        this.reconciler = reconciler;
        this.checks = List.copyOf(checks);
        this.skipped = skipped;
        this.alerts = alerts;
        this.standIn = standIn;
        this.deployedSchedule = deployedSchedule;
        this.every = every;
        this.console = console;
        this.json = json;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "reconciler");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * @param settings the reconciler function's environment as the local stack gives it (template defaults,
     *     dry-run credentials, this process's environment on top) with the embedded queues' URLs
     * @param adminUrl where the reconciler reaches the stand-in (this stack's URL, or SHOPIFY_ADMIN_BASE_URL)
     * @param every how often it runs by itself; zero: only on demand
     */
    static LocalReconciler start(StackTemplate.Scheduled function, Map<String, String> settings, ShopifyAdminStandIn standIn,
                                 String adminUrl, ReconcilerEnvironment.Parts parts, Telemetry telemetry, Duration every,
                                 PrintStream console, ObjectMapper json, Clock clock) {
        Map<String, String> env = new LinkedHashMap<>(settings);
        env.put("SHOPIFY_ADMIN_BASE_URL", adminUrl);
        env.put("SHOPIFY_ADMIN_TOKENS", STAND_IN_TOKEN);
        firstWindow(env, standIn, clock);
        ReconcilerEnvironment environment = ReconcilerEnvironment.withParts(env, parts, telemetry, json, clock);
        List<ReconcileCheck> checks = environment.checks();
        Map<String, String> skipped = new TreeMap<>(environment.skipped());
        if (skipped.containsKey(SubscriptionReconciliation.NAME) && env.get("WEBHOOK_API_URL") == null
                && env.get("SHOPIFY_EVENT_SOURCE_ARN") == null) {
            skipped.put(SubscriptionReconciliation.NAME, SUBSCRIPTIONS_SKIPPED);
        }
        Reconciler reconciler = environment.reconciler(checks);
        LocalReconciler local = new LocalReconciler(reconciler, checks.stream().map(ReconcileCheck::name).toList(),
                Map.copyOf(skipped), parts.alerts(), standIn, function.schedule(), every, console, json);
        if (!every.isZero()) {
            local.timer.scheduleWithFixedDelay(() -> local.runQuietly("scheduled"), every.toMillis(), every.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return local;
    }

    /** The checks a run makes, by name. */
    List<String> checks() {
        return checks;
    }

    /** The checks the settings leave out, with why. */
    Map<String, String> skipped() {
        return skipped;
    }

    /**
     * The template's RECONCILE_* settings, except that a first run reaches back to the oldest order, fulfilment or
     * level of the fixture (the samples are days old; deployed, a first run looks 30 minutes back and the backfill
     * imports history), unless RECONCILE_FIRST_WINDOW_MINUTES or RECONCILE_MAX_WINDOW_HOURS are set.
     */
    private static void firstWindow(Map<String, String> env, ShopifyAdminStandIn standIn, Clock clock) {
        Duration back = Duration.between(standIn.oldestUpdate(), clock.instant()).plusMinutes(5);
        Duration first = Duration.ofMinutes(minutes(env, "RECONCILE_FIRST_WINDOW_MINUTES", 30));
        Duration max = Duration.ofHours(minutes(env, "RECONCILE_MAX_WINDOW_HOURS", 24));
        if (back.compareTo(first) > 0 && blank(env, "RECONCILE_FIRST_WINDOW_MINUTES")) {
            first = back;
            env.put("RECONCILE_FIRST_WINDOW_MINUTES", Long.toString(back.toMinutes() + 1));
        }
        if (first.compareTo(max) > 0 && blank(env, "RECONCILE_MAX_WINDOW_HOURS")) {
            env.put("RECONCILE_MAX_WINDOW_HOURS", Long.toString(first.toHours() + 1));
        }
    }

    private static boolean blank(Map<String, String> env, String name) {
        return env.get(name) == null || env.get(name).isBlank();
    }

    private static long minutes(Map<String, String> settings, String name, long defaultValue) {
        String value = settings.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException(name + " must be a whole number, got " + value);
        }
    }

    /** One run now, on this thread; one at a time. Prints its line. */
    synchronized Run run(String trigger) {
        Reconciler.RunReport report = reconciler.run(false);
        Run run = new Run(runs.size() + 1, trigger, Instant.now(), report);
        runs.add(run);
        console.println(line(run, skipped));
        console.flush();
        raiseMissed(run);
        return run;
    }

    /**
     * What the deployed alarms on a check's {@code MissedQueued} (orders, fulfilments) or {@code DriftFound} (stock)
     * would announce: one alert per shop and check that queued anything, with the alarm's name and runbook.
     */
    private void raiseMissed(Run run) {
        for (Reconciler.CheckRun check : run.report().runs()) {
            List<CheckReport.Queued> queued = check.report().queued();
            String[] alarm = ALARMS.get(check.report().check());
            if (queued.isEmpty() || alarm == null) {
                continue;
            }
            Map<String, String> details = new LinkedHashMap<>();
            details.put("shop", check.shop());
            details.put("check", check.report().check());
            details.put("alarm", alarm[0]);
            details.put("queued", Integer.toString(queued.size()));
            details.put("webhookIds", queued.stream().map(CheckReport.Queued::webhookId).collect(Collectors.joining(", ")));
            details.put("window", check.window().from() + " to " + check.window().to());
            alerts.raise(new Alert(queued.get(0).flow(), check.report().check(), "missed", details,
                    "nothing is lost now (each is queued and delivered like its webhook), but webhooks are being lost:"
                            + " find out why (subscriptions, intake 401s and 5xx). Runbook: " + alarm[1],
                    StockDriftCheck.NAME.equals(check.report().check()) ? "reconciler found stock drift"
                            : "reconciler found missed webhooks"));
        }
    }

    private void runQuietly(String trigger) {
        try {
            run(trigger);
        } catch (RuntimeException e) {
            // A timer task that throws is never run again: say so and keep the schedule.
            console.println("reconciler: a " + trigger + " run failed: " + e + "; it runs again in "
                    + every.toSeconds() + " s (POST /_local/reconcile runs it now)");
        }
    }

    /**
     * {@code reconciler queued 1 missed order and 1 drifted stock level: <topic> <entity> (<why>); ... [run 1, after
     * replay; scanned 2 orders, 1 fulfilment, 1 stock level from .. to ..; not checked: subscriptions (why)]}, and
     * any failure.
     */
    static String line(Run run, Map<String, String> skipped) {
        StringBuilder out = new StringBuilder("reconciler queued ");
        List<String> counts = new ArrayList<>();
        List<String> scanned = new ArrayList<>();
        List<String> what = new ArrayList<>();
        for (Reconciler.CheckRun check : run.report().runs()) {
            String[] noun = noun(check.report().check());
            int queued = check.report().queued().size();
            if (queued > 0) {
                counts.add(queued + " " + noun[2] + " " + (queued == 1 ? noun[0] : noun[1]));
            }
            scanned.add(check.report().scanned() + " " + (check.report().scanned() == 1 ? noun[0] : noun[1]));
            check.report().queued().forEach(item -> what.add(item.topic() + " " + item.entity() + " (" + item.why() + ")"));
        }
        out.append(counts.isEmpty() ? "0 missed orders, fulfilments or stock levels" : String.join(" and ", counts));
        if (!what.isEmpty()) {
            out.append(": ").append(String.join("; ", what));
        }
        out.append(" [run ").append(run.number()).append(", ").append(run.trigger()).append("; scanned ")
                .append(scanned.isEmpty() ? "nothing" : String.join(", ", scanned));
        run.report().runs().stream().filter(check -> check.report().check().equals(OrderReconciliation.NAME)
                || run.report().runs().size() == 1).findFirst().ifPresent(check -> out.append(" updated from ")
                .append(check.window().from()).append(" to ").append(check.window().to()));
        skipped.forEach((check, why) -> out.append("; not checked: ").append(check).append(" (").append(why).append(')'));
        out.append(']');
        if (!run.report().succeeded()) {
            out.append("; FAILED: ").append(run.report().failures()).append(" (see /_local/alerts)");
        }
        return out.toString();
    }

    /** A check's item in the run line: singular, plural, and what a queued one is. */
    private static String[] noun(String check) {
        return switch (check) {
            case OrderReconciliation.NAME -> new String[] {"order", "orders", "missed"};
            case FulfilmentReconciliation.NAME -> new String[] {"fulfilment", "fulfilments", "missed"};
            case StockDriftCheck.NAME -> new String[] {"stock level", "stock levels", "drifted"};
            case SubscriptionReconciliation.NAME -> new String[] {"subscription", "subscriptions", "missing"};
            default -> new String[] {check + " item", check + " items", "queued"};
        };
    }

    synchronized Optional<Run> last() {
        return runs.isEmpty() ? Optional.empty() : Optional.of(runs.get(runs.size() - 1));
    }

    /** The run as JSON: what {@code POST /_local/reconcile} answers, and the last run in the status. */
    ObjectNode json(Run run) {
        ObjectNode answer = json.createObjectNode();
        answer.put("run", run.number()).put("trigger", run.trigger()).put("at", run.at().toString())
                .put("succeeded", run.report().succeeded()).put("scanned", run.scanned()).put("queued", run.queued());
        ArrayNode checks = answer.putArray("checks");
        for (Reconciler.CheckRun check : run.report().runs()) {
            ObjectNode node = checks.addObject().put("shop", check.shop()).put("check", check.report().check())
                    .put("from", check.window().from().toString()).put("to", check.window().to().toString())
                    .put("scanned", check.report().scanned()).put("current", check.report().current());
            ArrayNode queued = node.putArray("queued");
            for (CheckReport.Queued item : check.report().queued()) {
                queued.addObject().put("flow", item.flow()).put("topic", item.topic()).put("entity", item.entity())
                        .put("webhookId", item.webhookId()).put("why", item.why());
            }
        }
        ObjectNode failures = answer.putObject("failures");
        run.report().failures().forEach(failures::put);
        ObjectNode notChecked = answer.putObject("notChecked");
        skipped.forEach(notChecked::put);
        return answer;
    }

    /** For {@code /_local/status}: the schedule, the stand-in, the runs so far and the last one. */
    synchronized ObjectNode status() {
        ObjectNode node = json.createObjectNode();
        node.put("every", every.isZero() ? "on demand only (POST /_local/reconcile)" : every.toSeconds() + " s");
        node.put("deployedSchedule", deployedSchedule);
        node.put("shopifyFixture", standIn.fixture().toString());
        node.put("shopifyOrders", standIn.orderCount());
        node.put("shopifyFulfilments", standIn.fulfilmentCount());
        node.put("shopifyInventoryLevels", standIn.levelCount());
        checks.forEach(node.putArray("checks")::add);
        ObjectNode notChecked = node.putObject("notChecked");
        skipped.forEach(notChecked::put);
        node.put("runs", runs.size());
        node.put("queued", runs.stream().mapToInt(Run::queued).sum());
        last().ifPresentOrElse(run -> node.set("lastRun", json(run)), () -> node.putNull("lastRun"));
        return node;
    }

    /** Checkpoints kept in memory, as the in-memory delivery store keeps watermarks: never moved backwards. */
    static final class InMemoryCheckpoints implements Checkpoints {
        private final Map<String, Instant> checkpoints = new ConcurrentHashMap<>();

        @Override
        public Optional<Instant> read(String shop, String check) {
            return Optional.ofNullable(checkpoints.get(shop + "#" + check));
        }

        @Override
        public void advance(String shop, String check, Instant to) {
            checkpoints.merge(shop + "#" + check, to, (old, moved) -> moved.isAfter(old) ? moved : old);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
