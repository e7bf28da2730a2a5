package io.shopsync.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.alerts.Alerts;
import io.shopsync.alerts.DynamoDbAlertGate;
import io.shopsync.alerts.SnsAlerts;
import io.shopsync.aws.AwsCallFailure;
import io.shopsync.aws.SecretValues;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.ConnectorServices;
import io.shopsync.connectors.DynamoDbRequestBudget;
import io.shopsync.connectors.RateLimiter;
import io.shopsync.connectors.RequestPermits;
import io.shopsync.connectors.hubspot.HubSpot;
import io.shopsync.connectors.hubspot.HubSpotSettings;
import io.shopsync.connectors.klaviyo.Klaviyo;
import io.shopsync.connectors.klaviyo.KlaviyoSettings;
import io.shopsync.connectors.inventory.DynamoDbReportedLevels;
import io.shopsync.connectors.inventory.KatanaApi;
import io.shopsync.connectors.inventory.ReportedLevels;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.delivery.Backoff;
import io.shopsync.delivery.DeliveryLoop;
import io.shopsync.delivery.DeliverySettings;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.DeliveryStore;
import io.shopsync.delivery.StubResources;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.delivery.Jitter;
import io.shopsync.delivery.Target;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.Flow;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.intake.WebhookIntake;
import io.shopsync.observability.LineSink;
import io.shopsync.observability.Telemetry;
import io.shopsync.privacy.ShopsyncData;
import io.shopsync.queue.ClaimCheckStore;
import io.shopsync.queue.FlowQueues;
import io.shopsync.queue.S3ClaimCheckStore;
import io.shopsync.queue.SqsFlowQueues;
import io.shopsync.stock.DynamoDbSkuCache;
import io.shopsync.stock.Inventory;
import io.shopsync.stock.LocationMapping;
import io.shopsync.stock.StockQuantity;
import io.shopsync.stock.SkuCache;
import io.shopsync.webhook.SecretsManagerSigningSecrets;
import io.shopsync.webhook.ShopDomain;
import io.shopsync.webhook.SigningSecrets;
import io.shopsync.webhook.SigningSecretsSource;
import io.shopsync.webhook.WebhookVerifier;
import java.net.URI;
import java.net.http.HttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Everything a flow's function is wired from: configuration read once from the environment, and the
 * clients built from it. {@link #fromLambda()} is what Lambda uses; tests build one with their own
 * collaborators through {@link #builder()}.
 *
 * <p>Environment variables (template.yaml sets them all):
 * <ul>
 *   <li>{@code WORK_QUEUE_URL}, {@code DEAD_LETTER_QUEUE_URL}: the flow's FIFO queues</li>
 *   <li>{@code CLAIM_CHECK_BUCKET}: S3 bucket for bodies too large for a message</li>
 *   <li>{@code SHOPIFY_WEBHOOK_SECRET_ID}: Secrets Manager secret holding the signing secrets; or, for local
 *       runs only, {@code SHOPIFY_WEBHOOK_SECRET}: the secrets themselves, comma-separated</li>
 *   <li>{@code SHOPIFY_ALLOWED_SHOPS}: the shops served, comma-separated {@code <name>.myshopify.com}; others
 *       get 401, and Admin API look-ups go only to these shops</li>
 *   <li>{@code IDEMPOTENCY_TABLE}: the DynamoDB table of delivery records and watermarks</li>
 *   <li>{@code ALERTS_TOPIC_ARN}: the SNS topic dead-letter alerts go to</li>
 *   <li>optional: {@code MAX_ATTEMPTS} (8: calls to a target before its dead letter),
 *       {@code MAX_RECEIVE_COUNT} (40, must equal the queue's redrive policy: the backstop above it),
 *       {@code DELIVERY_CALL_BUDGET_SECONDS} (13: no target call starts with less time left),
 *       {@code RECORD_RETENTION_HOURS} (72, at least 48), {@code LEASE_SECONDS} (90),
 *       {@code BACKOFF_BASE_SECONDS} (10), {@code BACKOFF_MAX_SECONDS} (900),
 *       {@code ALERT_WINDOW_MINUTES} (15), {@code CLAIM_CHECK_THRESHOLD_BYTES} (250000)</li>
 * </ul>
 */
public final class FlowEnvironment {

    private final SigningSecretsSource secrets;
    private final Set<String> allowedShops;
    private final FlowQueues queues;
    private final ObjectMapper json;
    private final Telemetry telemetry;
    private final Clock clock;
    private final List<Target> targets;
    private final DeliveryStore deliveryStore;
    private final Alerts alerts;
    private final ClaimCheckStore claimChecks;
    private final Backoff backoff;
    private final DeliverySettings deliverySettings;
    private final HttpTransport transport;
    private final Map<String, String> variables;
    private final SecretValues secretsManager;
    private final SkuCache skuCache;
    private final ReportedLevels reportedLevels;
    private final ShopsyncData shopsyncData;
    /** The clients this environment was wired over, when {@link #fromVariables} built it; null otherwise. */
    private final AwsServices aws;
    private final DynamoDbClient budgetDynamo;
    private final String budgetTable;
    /** One request limit per target account in this container, however many connectors send with it. */
    private final Map<String, RequestPermits> requestLimits = new ConcurrentHashMap<>();

    private FlowEnvironment(Builder builder) {
        this.secrets = require(builder.secrets, "secrets");
        this.allowedShops = ShopDomain.configured(builder.allowedShops != null ? builder.allowedShops
                : new Settings(builder.variables).list("SHOPIFY_ALLOWED_SHOPS"), "SHOPIFY_ALLOWED_SHOPS");
        this.queues = require(builder.queues, "queues");
        this.json = builder.json;
        this.clock = builder.clock;
        this.telemetry = builder.telemetry != null ? builder.telemetry
                : new Telemetry(json, LineSink.stdout(), clock);
        this.targets = List.copyOf(builder.targets);
        this.deliveryStore = builder.deliveryStore;
        this.alerts = builder.alerts;
        this.claimChecks = builder.claimChecks;
        this.backoff = builder.backoff;
        this.deliverySettings = builder.deliverySettings;
        this.variables = Map.copyOf(builder.variables);
        this.secretsManager = builder.secretsManager;
        this.skuCache = builder.skuCache;
        this.reportedLevels = builder.reportedLevels;
        this.shopsyncData = builder.shopsyncData;
        this.aws = builder.aws;
        this.budgetDynamo = builder.budgetDynamo;
        this.budgetTable = builder.budgetTable;
        this.transport = builder.transport != null ? builder.transport
                : defaultTransport();
    }

    /** Connectors' requests, sent for real: no redirects followed, a short connect timeout. */
    static HttpTransport defaultTransport() {
        return HttpTransport.of(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
                .followRedirects(HttpClient.Redirect.NEVER).build());
    }

    /** Reads the Lambda function's environment and builds the real AWS clients (no network calls). */
    public static FlowEnvironment fromLambda() {
        return fromVariables(System.getenv(), AwsServices.fromEnvironment(System.getenv()));
    }

    public static FlowEnvironment fromVariables(Map<String, String> env, AwsServices aws) {
        return builderFromVariables(env, aws).build();
    }

    /** The wiring {@link #fromVariables} builds, still open to more targets or other settings. */
    public static Builder builderFromVariables(Map<String, String> env, AwsServices aws) {
        return builderFromVariables(env, aws, LineSink.stdout());
    }

    private static Builder builderFromVariables(Map<String, String> env, AwsServices aws, LineSink lines) {
        ObjectMapper json = new ObjectMapper();
        Clock clock = Clock.systemUTC();
        Settings settings = new Settings(env);
        Telemetry telemetry = new Telemetry(json, lines, clock);
        SigningSecretsSource secrets;
        String secretId = settings.optional("SHOPIFY_WEBHOOK_SECRET_ID");
        if (secretId != null) {
            secrets = new SecretsManagerSigningSecrets(aws.secretsManager(), secretId);
        } else {
            String inline = settings.optional("SHOPIFY_WEBHOOK_SECRET");
            if (inline == null) {
                throw new IllegalStateException("set SHOPIFY_WEBHOOK_SECRET_ID to the Secrets Manager secret that "
                        + "holds the Shopify webhook signing secret (SHOPIFY_WEBHOOK_SECRET is for local runs only)");
            }
            SigningSecrets parsed = SigningSecrets.parse(inline, "SHOPIFY_WEBHOOK_SECRET");
            secrets = SigningSecretsSource.fixed(parsed);
        }
        ClaimCheckStore claimChecks = new S3ClaimCheckStore(aws::s3, settings.required("CLAIM_CHECK_BUCKET"));
        int threshold = settings.integer("CLAIM_CHECK_THRESHOLD_BYTES", SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES);
        FlowQueues queues = new SqsFlowQueues(aws.sqs(), settings.required("WORK_QUEUE_URL"),
                settings.required("DEAD_LETTER_QUEUE_URL"), claimChecks, new EnvelopeCodec(json), threshold);
        String table = settings.required("IDEMPOTENCY_TABLE");
        int retentionHours = settings.integer("RECORD_RETENTION_HOURS",
                (int) DynamoDbDeliveryStore.DEFAULT_RECORD_RETENTION.toHours());
        if (retentionHours < 48) {
            throw new IllegalStateException("RECORD_RETENTION_HOURS=" + retentionHours + " is too short: Shopify may "
                    + "deliver a webhook up to a day late and retries for hours; keep records at least 48 hours");
        }
        Duration alertWindow = Duration.ofMinutes(settings.integer("ALERT_WINDOW_MINUTES", 15));
        int maxReceiveCount = settings.integer("MAX_RECEIVE_COUNT", DeliverySettings.DEFAULT_MAX_RECEIVE_COUNT);
        return builder()
                .aws(aws)
                .variables(env)
                .secretsManager(aws.secretsManager())
                .secrets(secrets)
                .queues(queues)
                .json(json)
                .telemetry(telemetry)
                .clock(clock)
                .claimChecks(claimChecks)
                .skuCache(new DynamoDbSkuCache(aws.dynamo(), table, Duration.ofDays(30)))
                .reportedLevels(new DynamoDbReportedLevels(aws.dynamo(), table, Duration.ofDays(365)))
                .shopsyncData(new ShopsyncData(aws.dynamo(), table, aws::s3, settings.required("CLAIM_CHECK_BUCKET"),
                        aws.sns(), settings.required("ALERTS_TOPIC_ARN"), Duration.ofHours(retentionHours), telemetry))
                .sharedRequestLimits(aws.dynamo(), table)
                .deliveryStore(new DynamoDbDeliveryStore(aws.dynamo(), table,
                        Duration.ofSeconds(settings.integer("LEASE_SECONDS",
                                (int) DynamoDbDeliveryStore.DEFAULT_LEASE.toSeconds())),
                        Duration.ofHours(retentionHours), DynamoDbDeliveryStore.WATERMARK_RETENTION))
                .alerts(new SnsAlerts(aws.sns(), settings.required("ALERTS_TOPIC_ARN"),
                        new DynamoDbAlertGate(aws.dynamo(), table, alertWindow), alertWindow, telemetry, clock))
                .backoff(new Backoff(Duration.ofSeconds(settings.integer("BACKOFF_BASE_SECONDS", 10)),
                        Duration.ofSeconds(settings.integer("BACKOFF_MAX_SECONDS", 900)),
                        Jitter.SHARED))
                .deliverySettings(new DeliverySettings(
                        settings.integer("MAX_ATTEMPTS", Math.min(DeliverySettings.DEFAULT_MAX_ATTEMPTS, maxReceiveCount)),
                        maxReceiveCount,
                        Duration.ofSeconds(settings.integer("DELIVERY_CALL_BUDGET_SECONDS",
                                (int) DeliverySettings.DEFAULT_CALL_BUDGET.toSeconds())),
                        DeliverySettings.DEFAULT_RUNBOOK));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The same wiring over the same AWS clients, for SnapStart priming: its log lines go to {@code lines} (a line
     * on standard output would count in CloudWatch), it serves any shop, and without a Secrets Manager secret it
     * knows only {@code primingSecret}. Empty when this environment's clients cannot be switched to a stand-in
     * ({@link AwsServices#offline}): built by a test or the local stack.
     */
    Optional<FlowEnvironment> rehearsal(String primingSecret, LineSink lines) {
        if (aws == null || !aws.canGoOffline()) {
            return Optional.empty();
        }
        Map<String, String> env = new java.util.HashMap<>(variables);
        if (new Settings(env).optional("SHOPIFY_WEBHOOK_SECRET_ID") == null) {
            env.put("SHOPIFY_WEBHOOK_SECRET", primingSecret);
        }
        // The same transport: the rehearsal's target calls nothing, and a second HTTP client would sit in the snapshot.
        return Optional.of(builderFromVariables(env, aws, lines).allowedShops(Set.of()).transport(transport).build());
    }

    /** Runs {@code rehearsal} with this environment's AWS clients answered by {@code standIn} (priming only). */
    void offline(AwsStandIn standIn, Runnable rehearsal) {
        aws.offline(standIn, rehearsal);
    }

    /** Where bodies too large for a queue message go; null when this environment has no delivery path. */
    ClaimCheckStore claimChecks() {
        return claimChecks;
    }

    /** The intake path of {@code flow}, wired from this environment. */
    public WebhookIntake intakeFor(Flow flow) {
        return new WebhookIntake(flow, new WebhookVerifier(secrets, clock, Duration.ofMinutes(1)),
                allowedShops, queues, json, telemetry, clock);
    }

    /** The delivery path of {@code flow} to its targets (and any the builder added), if this environment configures one. */
    public Optional<DeliveryLoop> deliveryFor(Flow flow, List<Target> flowTargets) {
        if (deliveryStore == null || alerts == null || claimChecks == null) {
            return Optional.empty();
        }
        List<Target> all = new ArrayList<>(flowTargets);
        all.addAll(targets);
        return Optional.of(new DeliveryLoop(flow, all, deliveryStore, queues, claimChecks, json, alerts,
                telemetry, backoff, deliverySettings, clock, stubResources()));
    }

    /** Reads the resource behind an id-only payload through the Admin API, when a token is configured. */
    private StubResources stubResources() {
        if (!hasShopifyAdmin()) {
            return StubResources.NONE;
        }
        ShopifyAdmin admin = shopifyAdmin();
        return (shop, fetch, apiVersion) -> {
            ShopifyAdmin.ResourceLookup lookup = admin.restResource(shop, fetch.path(), fetch.root(), apiVersion);
            if (lookup instanceof ShopifyAdmin.ResourceLookup.Found found) {
                return new StubResources.Fetched.Resource(found.json());
            }
            if (lookup instanceof ShopifyAdmin.ResourceLookup.Failed failed) {
                return new StubResources.Fetched.Failed(failed.outcome());
            }
            return new StubResources.Fetched.Failed(new DeliveryOutcome.PermanentFailure("Shopify sent only the id of"
                    + " this resource (its payload was over the event bus's size limit) and answered 404 to "
                    + fetch.path() + ": it was deleted since, or the app lacks the scope to read it (README, Deploy)",
                    "payload-stub"));
        };
    }

    /**
     * The targets a deployment turned on in the setting {@code variable} (comma-separated names), built
     * from {@code available}. An unknown name fails the cold start with the names that exist.
     */
    public List<Target> enabledTargets(String variable, Map<String, java.util.function.Supplier<Target>> available) {
        List<Target> enabled = new ArrayList<>();
        for (String name : settingList(variable)) {
            java.util.function.Supplier<Target> factory = available.get(name);
            if (factory == null) {
                throw new IllegalStateException(variable + " names an unknown target " + name + " (known: "
                        + String.join(", ", available.keySet()) + ")");
            }
            enabled.add(factory.get());
        }
        return enabled;
    }

    public ObjectMapper json() {
        return json;
    }

    /**
     * The shops this deployment serves ({@code SHOPIFY_ALLOWED_SHOPS}, lower-cased bare
     * {@code <name>.myshopify.com}); empty when the deployment did not say.
     */
    public Set<String> allowedShops() {
        return allowedShops;
    }

    /** The HTTP client a connector for {@code target} sends through (the local stack's dry run records instead). */
    public TargetHttp targetHttp(String target, Duration requestTimeout) {
        return new TargetHttp(target, transport, requestTimeout, clock);
    }

    public Clock clock() {
        return clock;
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    /** The inventory item → SKU cache (stock flow). */
    public SkuCache skuCache() {
        return require(skuCache, "a SKU cache (IDEMPOTENCY_TABLE)");
    }

    /** The levels last reported to delta-taking inventory systems (Katana). */
    public ReportedLevels reportedLevels() {
        return require(reportedLevels, "a reported-levels store (IDEMPOTENCY_TABLE)");
    }

    /**
     * What Shopsync itself holds, as the privacy webhooks' own target ({@link ShopsyncData}); empty where the
     * stores are not AWS's (the local stack keeps records in memory).
     */
    public Optional<ShopsyncData> shopsyncData() {
        return Optional.ofNullable(shopsyncData);
    }

    /**
     * The limit of {@code permits} requests per {@code window} on one account of a target. Deployed, it is shared
     * through the delivery table by every instance of every function calling the target with that account
     * ({@link DynamoDbRequestBudget}); where this environment has no table (the local stack, unit tests) it is this
     * container's own. One per account and container, however many connectors use it.
     *
     * @param account the account's key in the table: a secret's name, never the credential
     * @param instances the most instances of all functions that may call the target at once: while the table
     *     cannot be reached, each keeps to its share of the limit
     */
    public RequestPermits requestLimit(String account, int permits, Duration window, int instances) {
        return requestLimits.computeIfAbsent(account, key -> budgetDynamo == null
                ? new RateLimiter(permits, window, clock)
                : new DynamoDbRequestBudget(budgetDynamo, budgetTable, key, permits, window,
                        instances, clock, telemetry,
                        Optional.ofNullable(setting("AWS_LAMBDA_FUNCTION_NAME")).orElse("shopsync")));
    }

    /** The sum of a setting's comma-separated whole numbers (the template cannot add parameters); the default when unset. */
    public int settingTotal(String name, int defaultValue) {
        String value = setting(name);
        if (value == null) {
            return defaultValue;
        }
        int sum = 0;
        for (String each : value.split(",")) {
            try {
                sum += Integer.parseInt(each.trim());
            } catch (NumberFormatException e) {
                throw new IllegalStateException("environment variable " + name + " must list whole numbers,"
                        + " comma-separated, got " + value);
            }
        }
        return sum;
    }

    /** An optional setting of the function's environment, trimmed; null when unset or blank. */
    public String setting(String name) {
        return new Settings(variables).optional(name);
    }

    /** A required setting; the error names the variable and who sets it. */
    public String requiredSetting(String name) {
        return new Settings(variables).required(name);
    }

    public int setting(String name, int defaultValue) {
        return new Settings(variables).integer(name, defaultValue);
    }

    /** Comma-separated values of a setting, lower-cased; empty when unset. */
    public Set<String> settingList(String name) {
        return new Settings(variables).list(name);
    }

    /** What every connector shares: this environment's transport, ObjectMapper, telemetry and clock. */
    public ConnectorServices connectorServices() {
        return new ConnectorServices(transport, json, telemetry, clock);
    }

    /**
     * HubSpot's connectors, from {@link #hubSpotSettings()}, sending within the account's budget: one per account and
     * container ({@link #requestLimit}), shared through the delivery table by every instance of both flows;
     * {@code HUBSPOT_CALLER_CONCURRENCY} (each HubSpot-calling function's maximum concurrency, comma-separated) gives
     * each instance's share while the table cannot be reached.
     */
    public HubSpot hubspot() {
        HubSpotSettings settings = hubSpotSettings();
        return new HubSpot(settings, connectorServices(), requestLimit("hubspot#" + hubSpotAccount(),
                settings.requestsPer10Seconds(), Duration.ofSeconds(10),
                settingTotal("HUBSPOT_CALLER_CONCURRENCY", 4))); // the template's least: 2 per flow
    }

    /** Which HubSpot account a budget counts for: the token's secret (the flows of a stack share it), not the token. */
    private String hubSpotAccount() {
        String secretId = setting("HUBSPOT_TOKEN_SECRET_ID");
        return secretId != null ? secretId : "HUBSPOT_TOKEN";
    }

    /**
     * {@code HUBSPOT_TOKEN_SECRET_ID} (the private app token or service key in Secrets Manager; or
     * {@code HUBSPOT_TOKEN} for local runs), {@code HUBSPOT_REQUESTS_PER_10S} (100 on Free/Starter, 190 on
     * Professional/Enterprise; default 100: the account's limit, shared by every instance of both flows through the
     * delivery table), {@code HUBSPOT_SUBSCRIPTION_TYPE_ID} (the subscription type marketing consent is written
     * for), {@code HUBSPOT_BASE_URL} (tests).
     */
    public HubSpotSettings hubSpotSettings() {
        return new HubSpotSettings(credential("HubSpot token", "HUBSPOT_TOKEN_SECRET_ID", "HUBSPOT_TOKEN"),
                setting("HUBSPOT_BASE_URL"),
                setting("HUBSPOT_REQUESTS_PER_10S", HubSpotSettings.DEFAULT_REQUESTS_PER_10_SECONDS),
                HubSpotSettings.subscriptionTypeId(setting("HUBSPOT_SUBSCRIPTION_TYPE_ID"), "HUBSPOT_SUBSCRIPTION_TYPE_ID"),
                HubSpotSettings.DEFAULT_REQUEST_TIMEOUT);
    }

    /** Klaviyo's connectors, from {@link #klaviyoSettings()}. */
    public Klaviyo klaviyo() {
        return new Klaviyo(klaviyoSettings(), connectorServices());
    }

    /**
     * {@code KLAVIYO_API_KEY_SECRET_ID} (the private key in Secrets Manager; or {@code KLAVIYO_API_KEY} for local
     * runs), {@code KLAVIYO_ORDER_EVENTS} (default true; false sends profiles only, for stores running Klaviyo's native
     * Shopify integration, so revenue is not counted twice; for fulfilments, false sends nothing), {@code KLAVIYO_LIST_ID}
     * (the list marketing consent subscribes to), {@code KLAVIYO_BASE_URL} (tests).
     */
    public KlaviyoSettings klaviyoSettings() {
        return new KlaviyoSettings(
                credential("Klaviyo private API key", "KLAVIYO_API_KEY_SECRET_ID", "KLAVIYO_API_KEY"),
                setting("KLAVIYO_BASE_URL"),
                KlaviyoSettings.orderEvents(setting("KLAVIYO_ORDER_EVENTS"), "KLAVIYO_ORDER_EVENTS"),
                Optional.ofNullable(setting("KLAVIYO_LIST_ID")), KlaviyoSettings.DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * The stock flow's inventory targets: {@code LOCATION_MAPPING}, {@code STOCK_QUANTITY} ({@code available}, the
     * default, or {@code on_hand}: the Shopify quantity Katana's in-stock mirrors; the webhook target sends available
     * only), the SKU cache and, for SKUs the cache does not hold, Shopify's Admin API ({@link #shopifyAdmin()}).
     */
    public Inventory inventory() {
        return new Inventory(new Inventory.Settings(
                LocationMapping.parse(setting("LOCATION_MAPPING"), "LOCATION_MAPPING", json),
                StockQuantity.parse(setting("STOCK_QUANTITY"), "STOCK_QUANTITY")),
                skuCache(), shopifyAdmin(), connectorServices());
    }

    /** {@code INVENTORY_WEBHOOK_URL}, {@code INVENTORY_WEBHOOK_SECRET_ID} (inline {@code INVENTORY_WEBHOOK_SECRET} for local runs). */
    public Inventory.WebhookSettings inventoryWebhookSettings() {
        return new Inventory.WebhookSettings(URI.create(requiredSetting("INVENTORY_WEBHOOK_URL")),
                credential("inventory webhook signing secret", "INVENTORY_WEBHOOK_SECRET_ID", "INVENTORY_WEBHOOK_SECRET"),
                Inventory.WebhookSettings.DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * {@code KATANA_API_KEY_SECRET_ID} (inline {@code KATANA_API_KEY} for local runs), {@code KATANA_REQUESTS_PER_MINUTE}
     * (default 60), {@code KATANA_BASE_URL} (tests).
     */
    public Inventory.KatanaSettings katanaSettings() {
        return new Inventory.KatanaSettings(credential("Katana API key", "KATANA_API_KEY_SECRET_ID", "KATANA_API_KEY"),
                setting("KATANA_BASE_URL"), setting("KATANA_REQUESTS_PER_MINUTE", KatanaApi.REQUESTS_PER_MINUTE),
                Inventory.KatanaSettings.DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * Shopify's Admin API: per shop a static token or a Dev Dashboard app's client credentials
     * ({@link io.shopsync.connectors.shopify.StoredAdminAccessTokens}), from {@code SHOPIFY_ADMIN_TOKENS_SECRET_ID}
     * (inline {@code SHOPIFY_ADMIN_TOKENS} for local runs), {@code SHOPIFY_API_VERSION} (default {@value ShopifyAdmin#DEFAULT_API_VERSION}),
     * {@code SHOPIFY_ADMIN_BASE_URL} for tests.
     */
    public ShopifyAdmin shopifyAdmin() {
        return shopifyAdmin(new Settings(variables), secretsManager, transport, allowedShops, json, clock);
    }

    /** {@link #shopifyAdmin()} from settings alone: the reconciler's wiring has no flow environment. */
    static ShopifyAdmin shopifyAdmin(Settings settings, SecretValues secretsManager, HttpTransport transport,
                                     Set<String> allowedShops, ObjectMapper json, Clock clock) {
        String version = settings.optional("SHOPIFY_API_VERSION");
        return new ShopifyAdmin(new TargetHttp("shopify", transport, Duration.ofSeconds(10), clock),
                settings.optional("SHOPIFY_ADMIN_BASE_URL"),
                credential(settings, secretsManager, clock, "Shopify Admin API token(s)", "SHOPIFY_ADMIN_TOKENS_SECRET_ID",
                        "SHOPIFY_ADMIN_TOKENS"),
                allowedShops, version == null ? ShopifyAdmin.DEFAULT_API_VERSION : version, json, clock);
    }

    /** Whether a Shopify Admin API token is configured ({@link #shopifyAdmin()} would find one). */
    public boolean hasShopifyAdmin() {
        return setting("SHOPIFY_ADMIN_TOKENS_SECRET_ID") != null || setting("SHOPIFY_ADMIN_TOKENS") != null;
    }

    /**
     * A connector credential: the Secrets Manager secret named by {@code secretIdVariable}, or for local
     * runs the value of {@code inlineVariable}. Read on first use, cached, reloaded after a rejection.
     */
    public CachedSecret credential(String description, String secretIdVariable, String inlineVariable) {
        return credential(new Settings(variables), secretsManager, clock, description, secretIdVariable, inlineVariable);
    }

    static CachedSecret credential(Settings settings, SecretValues secretsManager, Clock clock, String description,
                                   String secretIdVariable, String inlineVariable) {
        String secretId = settings.optional(secretIdVariable);
        if (secretId != null) {
            if (secretsManager == null) {
                throw new IllegalStateException(secretIdVariable + " is set but this environment has no Secrets Manager client");
            }
            return new CachedSecret(description + " (Secrets Manager secret " + secretId + ")", () -> {
                try {
                    return secretsManager.secretString(secretId);
                } catch (software.amazon.awssdk.core.exception.SdkException e) {
                    throw new IllegalStateException("cannot read Secrets Manager secret " + secretId + " ("
                            + AwsCallFailure.name(e) + "): check it exists and the function may read it", e);
                }
            }, clock, Duration.ofMinutes(1));
        }
        String inline = settings.optional(inlineVariable);
        if (inline != null) {
            return CachedSecret.fixed(description + " (" + inlineVariable + ")", inline);
        }
        throw new IllegalStateException("no " + description + ": set " + secretIdVariable
                + " to the Secrets Manager secret holding it (or " + inlineVariable + " for local runs)");
    }

    private static <T> T require(T value, String name) {
        if (value == null) {
            throw new IllegalStateException("FlowEnvironment needs " + name);
        }
        return value;
    }

    /** Builder for tests and the local stack. */
    public static final class Builder {
        private SigningSecretsSource secrets;
        private Set<String> allowedShops;
        private FlowQueues queues;
        private ObjectMapper json = new ObjectMapper();
        private Telemetry telemetry;
        private Clock clock = Clock.systemUTC();
        private final List<Target> targets = new ArrayList<>();
        private DeliveryStore deliveryStore;
        private Alerts alerts;
        private ClaimCheckStore claimChecks;
        private Backoff backoff = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(900),
                Jitter.SHARED);
        private DeliverySettings deliverySettings = DeliverySettings.defaults();
        private HttpTransport transport;
        private Map<String, String> variables = Map.of();
        private SecretValues secretsManager;
        private SkuCache skuCache;
        private ReportedLevels reportedLevels;
        private ShopsyncData shopsyncData;
        private AwsServices aws;
        private DynamoDbClient budgetDynamo;
        private String budgetTable;

        Builder aws(AwsServices value) {
            this.aws = value;
            return this;
        }

        public Builder secrets(SigningSecretsSource value) {
            this.secrets = value;
            return this;
        }

        public Builder allowedShops(Set<String> value) {
            this.allowedShops = value;
            return this;
        }

        public Builder queues(FlowQueues value) {
            this.queues = value;
            return this;
        }

        public Builder json(ObjectMapper value) {
            this.json = value;
            return this;
        }

        public Builder telemetry(Telemetry value) {
            this.telemetry = value;
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = value;
            return this;
        }

        public Builder target(Target value) {
            this.targets.add(value);
            return this;
        }

        public Builder deliveryStore(DeliveryStore value) {
            this.deliveryStore = value;
            return this;
        }

        public Builder alerts(Alerts value) {
            this.alerts = value;
            return this;
        }

        public Builder claimChecks(ClaimCheckStore value) {
            this.claimChecks = value;
            return this;
        }

        public Builder backoff(Backoff value) {
            this.backoff = value;
            return this;
        }

        public Builder deliverySettings(DeliverySettings value) {
            this.deliverySettings = value;
            return this;
        }

        /** The function's environment variables, for connector settings (and SHOPIFY_ALLOWED_SHOPS unless set above). */
        public Builder variables(Map<String, String> value) {
            this.variables = value;
            return this;
        }

        public Builder secretsManager(SecretValues value) {
            this.secretsManager = value;
            return this;
        }

        public Builder skuCache(SkuCache value) {
            this.skuCache = value;
            return this;
        }

        public Builder reportedLevels(ReportedLevels value) {
            this.reportedLevels = value;
            return this;
        }

        /** Where targets' request limits are shared between instances ({@link #requestLimit}); without it, per container. */
        public Builder sharedRequestLimits(DynamoDbClient dynamo, String table) {
            this.budgetDynamo = dynamo;
            this.budgetTable = table;
            return this;
        }

        public Builder shopsyncData(ShopsyncData value) {
            this.shopsyncData = value;
            return this;
        }

        /** Where connectors' requests go: sent for real by default; the local stack's dry run records them. */
        public Builder transport(HttpTransport value) {
            this.transport = value;
            return this;
        }

        public FlowEnvironment build() {
            return new FlowEnvironment(this);
        }
    }

    /** Reads environment variables with errors that say which variable to set. */
    static final class Settings {
        private final Map<String, String> env;

        Settings(Map<String, String> env) {
            this.env = env;
        }

        String optional(String name) {
            String value = env.get(name);
            return value == null || value.isBlank() ? null : value.trim();
        }

        String required(String name) {
            String value = optional(name);
            if (value == null) {
                throw new IllegalStateException("environment variable " + name + " is not set: template.yaml sets it"
                        + " for deployed functions; set it yourself when running the handler elsewhere");
            }
            return value;
        }

        int integer(String name, int defaultValue) {
            String value = optional(name);
            if (value == null) {
                return defaultValue;
            }
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalStateException("environment variable " + name + " must be a whole number, got " + value);
            }
        }

        Set<String> list(String name) {
            String value = optional(name);
            if (value == null) {
                return Set.of();
            }
            return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        }
    }
}
