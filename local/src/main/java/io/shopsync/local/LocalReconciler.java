package io.shopsync.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.alerts.Alerts;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.delivery.DeliveryStore;
import io.shopsync.flow.OrderFlow;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.FlowQueues;
import io.shopsync.reconcile.CheckReport;
import io.shopsync.reconcile.Checkpoints;
import io.shopsync.reconcile.OrderReconciliation;
import io.shopsync.reconcile.ReconcileCheck;
import io.shopsync.reconcile.Reconciler;
import io.shopsync.reconcile.ShopifyOrders;
import io.shopsync.webhook.ShopDomain;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The reconciler in the local stack: the same {@link Reconciler} and checks the reconciler function runs, reading
 * the shop from the {@link ShopifyAdminStandIn} over HTTP, comparing with the flows' own delivery store, queuing on
 * the order flow's embedded queue (where its poller delivers what it finds) and alerting on the console. It runs
 * on a timer and on demand ({@code POST /_local/reconcile}, {@code --reconcile}), one run at a time, as the
 * deployed function runs (ReservedConcurrentExecutions 1); each run prints one line and is shown in
 * {@code /_local/status}.
 */
final class LocalReconciler implements AutoCloseable {

    /** The Admin API token the reconciler sends and the stand-in expects: a local one, never a real token. */
    static final String STAND_IN_TOKEN = "shpat_local_stand_in_token";

    /** What builds a run's checks from the stack's parts. */
    @FunctionalInterface
    interface Checks {
        List<ReconcileCheck> of(Parts parts);
    }

    /**
     * What the checks of a local run are built from: the stand-in's Admin API, the flows' delivery store and the
     * order flow's queues. The stock drift and subscription checks plug in through {@link Checks} with these.
     *
     * @param settings the reconciler function's environment as the local stack gives it (template defaults,
     *     dry-run credentials, this process's environment on top)
     */
    record Parts(ShopifyAdmin admin, ShopifyOrders orders, DeliveryStore store, FlowQueues orderQueues,
                 Map<String, String> settings, ObjectMapper json, Telemetry telemetry, Clock clock) {

        /** The order check, as {@code ReconcilerEnvironment.orders()} builds it. */
        OrderReconciliation orderCheck() {
            String targets = settings.getOrDefault("CRM_TARGETS", "");
            Set<String> names = new TreeSet<>();
            for (String target : targets.split(",")) {
                if (!target.isBlank()) {
                    if (!OrderFlow.TARGETS.contains(target.trim())) {
                        throw new IllegalStateException("CRM_TARGETS names an unknown target " + target.trim()
                                + " (known: " + String.join(", ", OrderFlow.TARGETS) + ")");
                    }
                    names.add(target.trim());
                }
            }
            return new OrderReconciliation(OrderFlow.FLOW, names, orders, store, orderQueues, admin.apiVersion(), json,
                    telemetry, clock);
        }
    }

    /** The checks a local run makes today: the order check (when the order flow has targets). */
    static final Checks ORDER_CHECK = parts -> parts.settings().getOrDefault("CRM_TARGETS", "").isBlank()
            ? List.of() : List.of(parts.orderCheck());

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
    private final ShopifyAdminStandIn standIn;
    private final String deployedSchedule;
    private final Duration every;
    private final PrintStream console;
    private final ObjectMapper json;
    private final ScheduledExecutorService timer;
    private final List<Run> runs = new ArrayList<>();

    private LocalReconciler(Reconciler reconciler, ShopifyAdminStandIn standIn, String deployedSchedule, Duration every,
                            PrintStream console, ObjectMapper json) {
        this.reconciler = reconciler;
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
     * @param adminUrl where the reconciler reaches the stand-in (this stack's URL, or SHOPIFY_ADMIN_BASE_URL)
     * @param every how often it runs by itself; zero: only on demand
     */
    static LocalReconciler start(StackTemplate.Scheduled function, Map<String, String> settings, ShopifyAdminStandIn standIn,
                                 String adminUrl, DeliveryStore store, FlowQueues orderQueues, Checkpoints checkpoints,
                                 Checks checks, Alerts alerts, Telemetry telemetry, Duration every, PrintStream console,
                                 ObjectMapper json, Clock clock) {
        Set<String> shops = new TreeSet<>(ShopDomain.configured(
                List.of(settings.getOrDefault("SHOPIFY_ALLOWED_SHOPS", "").split(",")), "SHOPIFY_ALLOWED_SHOPS"));
        String version = settings.getOrDefault("SHOPIFY_API_VERSION", ShopifyAdmin.DEFAULT_API_VERSION);
        HttpTransport transport = HttpTransport.of(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
                .followRedirects(HttpClient.Redirect.NEVER).build());
        ShopifyAdmin admin = new ShopifyAdmin(new TargetHttp("shopify", transport, Duration.ofSeconds(10), clock), adminUrl,
                CachedSecret.fixed("the local Shopify stand-in's token", STAND_IN_TOKEN), shops, version, json, clock);
        ShopifyOrders orders = ShopifyOrders.withDefaults(admin, duration -> Thread.sleep(duration.toMillis()), clock);
        Parts parts = new Parts(admin, orders, store, orderQueues, settings, json, telemetry, clock);
        Reconciler reconciler = new Reconciler(List.copyOf(shops), checks.of(parts), checkpoints,
                settings(settings, standIn, clock), alerts, telemetry, clock);
        LocalReconciler local = new LocalReconciler(reconciler, standIn, function.schedule(), every, console, json);
        if (!every.isZero()) {
            local.timer.scheduleWithFixedDelay(() -> local.runQuietly("scheduled"), every.toMillis(), every.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return local;
    }

    /**
     * The template's RECONCILE_* settings, except that a first run reaches back to the oldest order of the fixture
     * (the samples are days old; deployed, a first run looks 30 minutes back and the backfill imports history).
     */
    private static Reconciler.Settings settings(Map<String, String> settings, ShopifyAdminStandIn standIn, Clock clock) {
        Duration back = Duration.between(standIn.oldestUpdate(), clock.instant()).plusMinutes(5);
        Duration first = Duration.ofMinutes(minutes(settings, "RECONCILE_FIRST_WINDOW_MINUTES", 30));
        Duration max = Duration.ofHours(minutes(settings, "RECONCILE_MAX_WINDOW_HOURS", 24));
        if (back.compareTo(first) > 0 && !settings.containsKey("RECONCILE_FIRST_WINDOW_MINUTES")) {
            first = back;
        }
        if (first.compareTo(max) > 0 && !settings.containsKey("RECONCILE_MAX_WINDOW_HOURS")) {
            max = first;
        }
        return new Reconciler.Settings(Duration.ofMinutes(minutes(settings, "RECONCILE_OVERLAP_MINUTES", 5)),
                Duration.ofMinutes(minutes(settings, "RECONCILE_LAG_MINUTES", 1)), first, max);
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
        console.println(line(run));
        console.flush();
        return run;
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

    /** {@code reconciler queued 1 missed order (...); scanned 2, current 1} and any failure. */
    static String line(Run run) {
        StringBuilder out = new StringBuilder("reconciler");
        int queued = run.queued();
        out.append(" queued ").append(queued).append(queued == 1 ? " missed order" : " missed orders");
        List<String> what = new ArrayList<>();
        run.report().runs().forEach(check -> check.report().queued().forEach(item ->
                what.add(item.topic() + " " + item.entity() + " (" + item.why() + ")")));
        if (!what.isEmpty()) {
            out.append(": ").append(String.join("; ", what));
        }
        out.append(" [run ").append(run.number()).append(", ").append(run.trigger()).append("; scanned ")
                .append(run.scanned()).append(" updated orders");
        run.report().runs().stream().findFirst().ifPresent(check -> out.append(" from ").append(check.window().from())
                .append(" to ").append(check.window().to()));
        out.append(']');
        if (!run.report().succeeded()) {
            out.append("; FAILED: ").append(run.report().failures()).append(" (see /_local/alerts)");
        }
        return out.toString();
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
        return answer;
    }

    /** For {@code /_local/status}: the schedule, the stand-in, the runs so far and the last one. */
    synchronized ObjectNode status() {
        ObjectNode node = json.createObjectNode();
        node.put("every", every.isZero() ? "on demand only (POST /_local/reconcile)" : every.toSeconds() + " s");
        node.put("deployedSchedule", deployedSchedule);
        node.put("shopifyFixture", standIn.fixture().toString());
        node.put("shopifyOrders", standIn.orderCount());
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
