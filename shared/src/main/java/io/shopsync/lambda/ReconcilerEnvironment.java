package io.shopsync.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.alerts.DynamoDbAlertGate;
import io.shopsync.alerts.SnsAlerts;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.OrderFlow;
import io.shopsync.http.HttpTransport;
import io.shopsync.observability.LineSink;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.S3ClaimCheckStore;
import io.shopsync.queue.SqsFlowQueues;
import io.shopsync.reconcile.DynamoDbCheckpoints;
import io.shopsync.reconcile.OrderReconciliation;
import io.shopsync.reconcile.ReconcileCheck;
import io.shopsync.reconcile.Reconciler;
import io.shopsync.reconcile.ShopifyOrders;
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
 *   <li>{@code CRM_TARGETS}: the order flow's targets, whose watermarks are compared</li>
 *   <li>{@code ALERTS_TOPIC_ARN}: where a failed run is announced</li>
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

    private ReconcilerEnvironment(Map<String, String> env, AwsServices aws, HttpTransport transport,
                                  ShopifyOrders.Sleeper sleeper, Telemetry telemetry, Clock clock) {
        this.settings = new FlowEnvironment.Settings(env);
        this.aws = aws;
        this.json = new ObjectMapper();
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

    /** Whether runs only report (RECONCILE_DRY_RUN=true). */
    public boolean dryRun() {
        return "true".equalsIgnoreCase(settings.optional("RECONCILE_DRY_RUN"));
    }

    public ObjectMapper json() {
        return json;
    }

    /** The order check against the order flow's queue and targets. */
    public OrderReconciliation orders() {
        Set<String> targets = settings.list("CRM_TARGETS");
        for (String target : targets) {
            if (!OrderFlow.TARGETS.contains(target)) {
                throw new IllegalStateException("CRM_TARGETS names an unknown target " + target + " (known: "
                        + String.join(", ", OrderFlow.TARGETS) + ")");
            }
        }
        Set<String> shops = shops();
        ShopifyAdmin admin = FlowEnvironment.shopifyAdmin(settings, aws.secretsManager(), transport, shops, json, clock);
        String table = settings.required("IDEMPOTENCY_TABLE");
        SqsFlowQueues queues = new SqsFlowQueues(aws.sqs(), settings.required("ORDER_WORK_QUEUE_URL"),
                settings.required("ORDER_DEAD_LETTER_QUEUE_URL"),
                new S3ClaimCheckStore(aws::s3, settings.required("CLAIM_CHECK_BUCKET")), new EnvelopeCodec(json),
                SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES);
        // Only watermarks are read: the lease and retentions are those the flows write with.
        DynamoDbDeliveryStore store = new DynamoDbDeliveryStore(aws.dynamo(), table, Duration.ofSeconds(90),
                Duration.ofHours(72), Duration.ofDays(35));
        return new OrderReconciliation(OrderFlow.FLOW, targets,
                new ShopifyOrders(admin, ShopifyOrders.DEFAULT_PAGE_SIZE, ShopifyOrders.DEFAULT_MAX_PER_QUERY, 3, 20,
                        sleeper, clock),
                store, queues, admin.apiVersion(), json, telemetry, clock);
    }

    /**
     * The run: the order check, then {@code more} (stock drift, subscriptions), for every served shop.
     * A check whose flow has no target is left out: there is nothing to compare with.
     */
    public Reconciler reconciler(List<ReconcileCheck> more) {
        List<ReconcileCheck> checks = new ArrayList<>();
        if (!settings.list("CRM_TARGETS").isEmpty()) {
            checks.add(orders());
        }
        checks.addAll(more);
        String table = settings.required("IDEMPOTENCY_TABLE");
        Duration alertWindow = Duration.ofMinutes(settings.integer("ALERT_WINDOW_MINUTES", 15));
        return new Reconciler(List.copyOf(shops()), checks, new DynamoDbCheckpoints(aws.dynamo(), table),
                new Reconciler.Settings(Duration.ofMinutes(settings.integer("RECONCILE_OVERLAP_MINUTES", 5)),
                        Duration.ofMinutes(settings.integer("RECONCILE_LAG_MINUTES", 1)),
                        Duration.ofMinutes(settings.integer("RECONCILE_FIRST_WINDOW_MINUTES", 30)),
                        Duration.ofHours(settings.integer("RECONCILE_MAX_WINDOW_HOURS", 24))),
                new SnsAlerts(aws.sns(), settings.required("ALERTS_TOPIC_ARN"),
                        new DynamoDbAlertGate(aws.dynamo(), table, alertWindow), alertWindow, telemetry, clock),
                telemetry, clock);
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
