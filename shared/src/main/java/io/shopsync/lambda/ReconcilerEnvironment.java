package io.shopsync.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.alerts.Alerts;
import io.shopsync.alerts.DynamoDbAlertGate;
import io.shopsync.alerts.SnsAlerts;
import io.shopsync.connectors.inventory.DynamoDbReportedLevels;
import io.shopsync.connectors.inventory.KatanaInventory;
import io.shopsync.connectors.inventory.ReportedLevels;
import io.shopsync.connectors.shopify.AdminGraphql;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.connectors.shopify.SubscriptionCheck;
import io.shopsync.connectors.shopify.SubscriptionPlan;
import io.shopsync.delivery.DeliveryStore;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.FulfilmentFlow;
import io.shopsync.flow.OrderFlow;
import io.shopsync.flow.StockFlow;
import io.shopsync.flow.WebhookRoutes;
import io.shopsync.http.HttpTransport;
import io.shopsync.observability.LineSink;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.FlowQueues;
import io.shopsync.queue.S3ClaimCheckStore;
import io.shopsync.queue.SqsFlowQueues;
import io.shopsync.reconcile.Checkpoints;
import io.shopsync.reconcile.DynamoDbCheckpoints;
import io.shopsync.reconcile.FulfilmentReconciliation;
import io.shopsync.reconcile.OrderReconciliation;
import io.shopsync.reconcile.ReconcileCheck;
import io.shopsync.reconcile.Reconciler;
import io.shopsync.reconcile.ShopifyOrders;
import io.shopsync.reconcile.SubscriptionReconciliation;
import io.shopsync.reconcile.stock.LastReported;
import io.shopsync.reconcile.stock.StockDrift;
import io.shopsync.reconcile.stock.StockDriftCheck;
import io.shopsync.stock.LocationMapping;
import io.shopsync.stock.StockQuantity;
import io.shopsync.webhook.ShopDomain;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reconciler's wiring, read once from the environment (template.yaml sets it):
 * <ul>
 *   <li>{@code SHOPIFY_ALLOWED_SHOPS}: the shops to reconcile (required: the reconciler never guesses a shop)</li>
 *   <li>{@code SHOPIFY_ADMIN_TOKENS_SECRET_ID} (or inline {@code SHOPIFY_ADMIN_TOKENS} for local runs),
 *       {@code SHOPIFY_API_VERSION}: the Admin API, as the flows reach it</li>
 *   <li>{@code IDEMPOTENCY_TABLE}: watermarks to compare with, and the checkpoints</li>
 *   <li>{@code ORDER_WORK_QUEUE_URL}, {@code ORDER_DEAD_LETTER_QUEUE_URL}, {@code CLAIM_CHECK_BUCKET}: the order
 *       flow's queues (only the work queue is sent to) and its claim checks</li>
 *   <li>{@code CRM_TARGETS}: the order and fulfilment flows' targets, whose watermarks are compared</li>
 *   <li>{@code FULFILMENT_WORK_QUEUE_URL}, {@code FULFILMENT_DEAD_LETTER_QUEUE_URL}: the fulfilment flow's queues
 *       (not set: the fulfilment check is skipped)</li>
 *   <li>{@code ALERTS_TOPIC_ARN}: where a failed run and a missing subscription are announced</li>
 *   <li>stock ({@link #stock()}): {@code INVENTORY_TARGET}, {@code LOCATION_MAPPING}, {@code STOCK_QUANTITY},
 *       {@code STOCK_WORK_QUEUE_URL}, {@code STOCK_DEAD_LETTER_QUEUE_URL}</li>
 *   <li>subscriptions ({@link #expectedSubscriptions()}): {@code WEBHOOK_API_URL} or {@code SHOPIFY_EVENT_SOURCE_ARN},
 *       {@code ORDER_FLOW_CUSTOMER_TOPICS}, {@code ORDER_FLOW_CONSENT_TOPICS}, {@code RECONCILE_REPAIR_SUBSCRIPTIONS} (false)</li>
 *   <li>optional: {@code RECONCILE_OVERLAP_MINUTES} (5), {@code RECONCILE_LAG_MINUTES} (1),
 *       {@code RECONCILE_FIRST_WINDOW_MINUTES} (30), {@code RECONCILE_MAX_WINDOW_HOURS} (24),
 *       {@code RECONCILE_DRY_RUN} (false), {@code ALERT_WINDOW_MINUTES} (15)</li>
 * </ul>
 */
public final class ReconcilerEnvironment {

    private final FlowEnvironment.Settings settings;
    private final AwsServices aws;
    private final ObjectMapper json;
    private final Telemetry telemetry;
    private final Clock clock;
    private final HttpTransport transport;
    private final ShopifyOrders.Sleeper sleeper;
    private final Map<String, String> skipped = new java.util.LinkedHashMap<>();
    private final Parts parts;
    private ShopifyAdmin admin;
    private Alerts alerts;

    private ReconcilerEnvironment(Map<String, String> env, AwsServices aws, HttpTransport transport,
                                  ShopifyOrders.Sleeper sleeper, Telemetry telemetry, Clock clock) {
        this(env, aws, transport, sleeper, telemetry, clock, new ObjectMapper(), null);
    }

    private ReconcilerEnvironment(Map<String, String> env, AwsServices aws, HttpTransport transport,
                                  ShopifyOrders.Sleeper sleeper, Telemetry telemetry, Clock clock, ObjectMapper json,
                                  Parts parts) {
        this.settings = new FlowEnvironment.Settings(env);
        this.aws = aws;
        this.parts = parts;
        this.json = json;
        this.clock = clock;
        this.telemetry = telemetry != null ? telemetry : new Telemetry(json, LineSink.stdout(), clock);
        this.transport = transport;
        this.sleeper = sleeper;
    }

    /** What Lambda uses: the function's environment and real clients (no network call until a run). */
    public static ReconcilerEnvironment fromLambda() {
        return fromVariables(System.getenv(), AwsServices.fromEnvironment(System.getenv()));
    }

    public static ReconcilerEnvironment fromVariables(Map<String, String> env, AwsServices aws) {
        return new ReconcilerEnvironment(env, aws, FlowEnvironment.defaultTransport(),
                duration -> Thread.sleep(duration.toMillis()), null, Clock.systemUTC());
    }

    /** For tests: their own log sink and clock. */
    public static ReconcilerEnvironment fromVariables(Map<String, String> env, AwsServices aws, Telemetry telemetry,
                                                      Clock clock) {
        return new ReconcilerEnvironment(env, aws, FlowEnvironment.defaultTransport(),
                duration -> Thread.sleep(duration.toMillis()), telemetry, clock);
    }

    /**
     * What the checks and the run keep state in and send to, where that is not the AWS services the function's
     * environment names: the local stack's embedded queues, in-memory stores and console alerts. The settings
     * still decide which checks run and how (queue URLs, targets, LOCATION_MAPPING, RECONCILE_*); only the
     * clients behind them differ. IDEMPOTENCY_TABLE, CLAIM_CHECK_BUCKET and ALERTS_TOPIC_ARN are then not read.
     *
     * @param queues a flow's queues from its work and dead-letter queue URLs (the *_QUEUE_URL settings)
     * @param reportedLevels what the stock flow gave Katana ({@code InventoryTarget=katana})
     * @param transport how the Admin API is reached; null: sent for real, as the function sends
     */
    public record Parts(Queues queues, DeliveryStore store, ReportedLevels reportedLevels, Checkpoints checkpoints,
                        Alerts alerts, HttpTransport transport) {}

    /** A flow's queues by their URLs. */
    @FunctionalInterface
    public interface Queues {
        FlowQueues of(String workQueueUrl, String deadLetterQueueUrl);
    }

    /**
     * The reconciler the local stack runs: the function's wiring from {@code env} (the template's settings as the
     * local stack gives them), its clients and stores replaced by {@code parts}.
     */
    public static ReconcilerEnvironment withParts(Map<String, String> env, Parts parts, Telemetry telemetry,
                                                  ObjectMapper json, Clock clock) {
        return new ReconcilerEnvironment(env, null, parts.transport() != null ? parts.transport()
                : FlowEnvironment.defaultTransport(), duration -> Thread.sleep(duration.toMillis()),
                telemetry, clock, json, parts);
    }

    /** Whether runs only report (RECONCILE_DRY_RUN=true). */
    public boolean dryRun() {
        return "true".equalsIgnoreCase(settings.optional("RECONCILE_DRY_RUN"));
    }

    public ObjectMapper json() {
        return json;
    }

    /**
     * Every check this stack's settings enable, in the order a run takes them: {@code orders} (CRM_TARGETS set),
     * {@code fulfilments} (CRM_TARGETS and FULFILMENT_WORK_QUEUE_URL set),
     * {@code stock} (INVENTORY_TARGET set), {@code subscriptions} (WEBHOOK_API_URL or SHOPIFY_EVENT_SOURCE_ARN set).
     * A check left out is logged with its reason ("reconcile check skipped") and listed in {@link #skipped()}. The
     * reconciler function, {@code scripts/shopsync reconcile} and the local stack all build their checks here.
     */
    public List<ReconcileCheck> checks() {
        List<ReconcileCheck> checks = new ArrayList<>();
        skipped.clear();
        if (settings.list("CRM_TARGETS").isEmpty()) {
            skip(OrderReconciliation.NAME, "CRM_TARGETS is empty: the order flow has no target to compare with");
        } else {
            checks.add(orders());
        }
        if (settings.list("CRM_TARGETS").isEmpty()) {
            skip(FulfilmentReconciliation.NAME, "CRM_TARGETS is empty: the fulfilment flow has no target to compare with");
        } else if (settings.optional("FULFILMENT_WORK_QUEUE_URL") == null) {
            skip(FulfilmentReconciliation.NAME, "FULFILMENT_WORK_QUEUE_URL is not set: there is no fulfilment queue to"
                    + " queue missed fulfilments on (template.yaml sets it)");
        } else {
            checks.add(fulfilments());
        }
        if (settings.optional("INVENTORY_TARGET") == null) {
            skip(StockDriftCheck.NAME, "INVENTORY_TARGET is not set: the stock flow has no inventory target, so there is"
                    + " no stock to compare (set InventoryTarget to webhook or katana)");
        } else {
            checks.add(stock());
        }
        List<SubscriptionPlan.Wanted> expected = expectedSubscriptions();
        if (expected.isEmpty()) {
            skip(SubscriptionReconciliation.NAME, settings.optional("WEBHOOK_API_URL") == null
                    && settings.optional("SHOPIFY_EVENT_SOURCE_ARN") == null
                    ? "WEBHOOK_API_URL and SHOPIFY_EVENT_SOURCE_ARN are not set: there is no destination to expect subscriptions at"
                    : "no flow has a target (CRM_TARGETS, INVENTORY_TARGET): no topic is needed");
        } else {
            checks.add(subscriptions(expected));
        }
        return checks;
    }

    /** The checks {@link #checks()} left out, by name, with why. */
    public Map<String, String> skipped() {
        return Map.copyOf(skipped);
    }

    private void skip(String check, String why) {
        skipped.put(check, why);
        telemetry.line(Reconciler.NAME, "reconcile check skipped").field("check", check).field("why", why).emit();
    }

    /** The order check against the order flow's queue and targets. */
    public OrderReconciliation orders() {
        Set<String> targets = crmTargets();
        FlowQueues queues = queues(settings.required("ORDER_WORK_QUEUE_URL"), settings.required("ORDER_DEAD_LETTER_QUEUE_URL"));
        return new OrderReconciliation(OrderFlow.FLOW, targets,
                ShopifyOrders.withDefaults(admin(), sleeper, clock),
                store(), queues, admin().apiVersion(), json, telemetry, clock);
    }

    /**
     * The fulfilment check against the fulfilment flow's queue (FULFILMENT_WORK_QUEUE_URL,
     * FULFILMENT_DEAD_LETTER_QUEUE_URL; only the work queue is sent to) and its targets, which are the order flow's
     * (CRM_TARGETS).
     */
    public FulfilmentReconciliation fulfilments() {
        FlowQueues queues = queues(settings.required("FULFILMENT_WORK_QUEUE_URL"),
                settings.required("FULFILMENT_DEAD_LETTER_QUEUE_URL"));
        return new FulfilmentReconciliation(FulfilmentFlow.FLOW, crmTargets(),
                ShopifyOrders.withDefaults(admin(), sleeper, clock), store(), queues, admin().apiVersion(), json, telemetry, clock);
    }

    /**
     * Stock drift against the stock flow's queue and target: INVENTORY_TARGET, LOCATION_MAPPING and STOCK_QUANTITY
     * as the stock function has them, STOCK_WORK_QUEUE_URL / STOCK_DEAD_LETTER_QUEUE_URL (only the work queue is sent to).
     */
    public StockDriftCheck stock() {
        String target = settings.optional("INVENTORY_TARGET");
        LastReported lastReported = LastReported.forTarget(target, parts != null ? parts.reportedLevels()
                : new DynamoDbReportedLevels(aws.dynamo(), settings.required("IDEMPOTENCY_TABLE"), Duration.ofDays(365)),
                store());
        LocationMapping locations = LocationMapping.parse(settings.optional("LOCATION_MAPPING"), "LOCATION_MAPPING", json);
        if (lastReported instanceof LastReported.KatanaLevels) {
            locations = locations.requireOneToOne(KatanaInventory.NAME);
        }
        StockQuantity quantity = StockQuantity.parse(settings.optional("STOCK_QUANTITY"), "STOCK_QUANTITY");
        StockDrift drift = new StockDrift(admin(), StockFlow.FLOW,
                queues(settings.required("STOCK_WORK_QUEUE_URL"), settings.required("STOCK_DEAD_LETTER_QUEUE_URL")), lastReported, locations, quantity, json,
                clock, sleeper::sleep);
        return new StockDriftCheck(drift, StockFlow.FLOW.name());
    }

    /**
     * What the shop must deliver: each flow that has a target (CRM_TARGETS: orders and fulfilments; INVENTORY_TARGET:
     * stock), every topic it takes ({@link WebhookRoutes}, ORDER_FLOW_CUSTOMER_TOPICS as the order function reads it),
     * to {@code WEBHOOK_API_URL} + the flow's route, or, with EventBridge delivery (SHOPIFY_EVENT_SOURCE_ARN), to the
     * partner event source, as {@code webhooks register --delivery eventbridge} subscribes them. Empty when neither
     * destination is set.
     */
    public List<SubscriptionPlan.Wanted> expectedSubscriptions() {
        String eventSource = settings.optional("SHOPIFY_EVENT_SOURCE_ARN");
        String apiUrl = settings.optional("WEBHOOK_API_URL");
        if (eventSource == null && apiUrl == null) {
            return List.of();
        }
        boolean crm = !settings.list("CRM_TARGETS").isEmpty();
        boolean stock = settings.optional("INVENTORY_TARGET") != null;
        boolean customerTopics = "true".equalsIgnoreCase(settings.optional("ORDER_FLOW_CUSTOMER_TOPICS"));
        boolean consentTopics = "true".equalsIgnoreCase(settings.optional("ORDER_FLOW_CONSENT_TOPICS"));
        List<SubscriptionPlan.Wanted> wanted = new ArrayList<>();
        for (WebhookRoutes.Route route : WebhookRoutes.all(customerTopics, consentTopics)) {
            boolean on = route.flow().name().equals(StockFlow.FLOW.name()) ? stock : crm;
            if (on) {
                String destination = eventSource != null ? eventSource : apiUrl.replaceAll("/+$", "") + route.path();
                wanted.addAll(SubscriptionPlan.wanted(route.flow().name(), route.flow().topics(), destination));
            }
        }
        return wanted;
    }

    private SubscriptionReconciliation subscriptions(List<SubscriptionPlan.Wanted> expected) {
        AdminGraphql.Waiter waiter = (wait, why, attempt) -> sleeper.sleep(wait);
        return new SubscriptionReconciliation(new SubscriptionCheck(admin().graphql(), waiter), expected,
                "true".equalsIgnoreCase(settings.optional("RECONCILE_REPAIR_SUBSCRIPTIONS")), alerts(), telemetry);
    }

    /** The run over every check {@link #checks()} builds. */
    public Reconciler reconciler() {
        return reconciler(checks());
    }

    /** The run over exactly {@code checks} (a subset of {@link #checks()}, say), for every served shop. */
    public Reconciler reconciler(List<ReconcileCheck> checks) {
        return new Reconciler(List.copyOf(shops()), checks, parts != null ? parts.checkpoints()
                : new DynamoDbCheckpoints(aws.dynamo(), settings.required("IDEMPOTENCY_TABLE")),
                new Reconciler.Settings(Duration.ofMinutes(settings.integer("RECONCILE_OVERLAP_MINUTES", 5)),
                        Duration.ofMinutes(settings.integer("RECONCILE_LAG_MINUTES", 1)),
                        Duration.ofMinutes(settings.integer("RECONCILE_FIRST_WINDOW_MINUTES", 30)),
                        Duration.ofHours(settings.integer("RECONCILE_MAX_WINDOW_HOURS", 24))),
                alerts(), telemetry, clock);
    }

    private ShopifyAdmin admin() {
        if (admin == null) {
            admin = FlowEnvironment.shopifyAdmin(settings, aws != null ? aws.secretsManager() : null, transport, shops(),
                    json, clock);
        }
        return admin;
    }

    private FlowQueues queues(String workQueueUrl, String deadLetterQueueUrl) {
        if (parts != null) {
            return parts.queues().of(workQueueUrl, deadLetterQueueUrl);
        }
        return new SqsFlowQueues(aws.sqs(), workQueueUrl, deadLetterQueueUrl,
                new S3ClaimCheckStore(aws::s3, settings.required("CLAIM_CHECK_BUCKET")), new EnvelopeCodec(json),
                SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES);
    }

    private Set<String> crmTargets() {
        Set<String> targets = settings.list("CRM_TARGETS");
        for (String target : targets) {
            if (!OrderFlow.TARGETS.contains(target)) {
                throw new IllegalStateException("CRM_TARGETS names an unknown target " + target + " (known: "
                        + String.join(", ", OrderFlow.TARGETS) + ")");
            }
        }
        return targets;
    }

    /** Only watermarks are read: the lease and retentions are those the flows write with. */
    private DeliveryStore store() {
        if (parts != null) {
            return parts.store();
        }
        return DynamoDbDeliveryStore.withDefaults(aws.dynamo(), settings.required("IDEMPOTENCY_TABLE"));
    }

    private Alerts alerts() {
        if (alerts == null && parts != null) {
            alerts = parts.alerts();
        }
        if (alerts == null) {
            String table = settings.required("IDEMPOTENCY_TABLE");
            Duration alertWindow = Duration.ofMinutes(settings.integer("ALERT_WINDOW_MINUTES", 15));
            alerts = new SnsAlerts(aws.sns(), settings.required("ALERTS_TOPIC_ARN"),
                    new DynamoDbAlertGate(aws.dynamo(), table, alertWindow), alertWindow, telemetry, clock);
        }
        return alerts;
    }

    private Set<String> shops() {
        Set<String> shops = ShopDomain.configured(settings.list("SHOPIFY_ALLOWED_SHOPS"), "SHOPIFY_ALLOWED_SHOPS");
        if (shops.isEmpty()) {
            throw new IllegalStateException("SHOPIFY_ALLOWED_SHOPS is empty: the reconciler reads orders only from the"
                    + " shops it is told to serve; set the AllowedShops parameter");
        }
        return new java.util.TreeSet<>(shops);
    }
}
