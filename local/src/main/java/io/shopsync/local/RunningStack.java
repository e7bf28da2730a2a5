package io.shopsync.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.shopsync.delivery.DeliverySettings;
import io.shopsync.delivery.DeliveryStore;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.emulator.EventBridgeRule;
import io.shopsync.emulator.HttpApiEventSource;
import io.shopsync.emulator.SqsEventSource;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.lambda.FlowFunction;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.SqsFlowQueues;
import io.shopsync.testing.InMemoryDeliveryStore;
import io.shopsync.testing.InMemoryReportedLevels;
import io.shopsync.testing.InMemorySkuCache;
import io.shopsync.connectors.inventory.DynamoDbReportedLevels;
import io.shopsync.connectors.inventory.ReportedLevels;
import io.shopsync.stock.DynamoDbSkuCache;
import io.shopsync.stock.SkuCache;
import io.shopsync.webhook.SigningSecrets;
import io.shopsync.webhook.SigningSecretsSource;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The whole stack in this JVM, started step by step with one progress line each: the template's
 * functions, their queues in embedded SQS, each flow's real handler wired through
 * {@link FlowEnvironment#builder()}, a poller per flow, and the template's routes on a local HTTP
 * server. {@link #close()} stops it all.
 */
final class RunningStack implements AutoCloseable {

    /** The signing secret events/ is signed with (scripts/sign-events.py); for local runs only. */
    static final String DEV_SECRET = "shopsync-local-dev-secret";

    /**
     * How to start.
     *
     * @param port 0 for any free port
     * @param compactAlerts print one line per alert instead of its whole text
     * @param environment the process environment (SHOPIFY_WEBHOOK_SECRET, AWS_ENDPOINT_URL, AWS_REGION, keys)
     * @param live send connector requests for real, with credentials from {@code environment}; else dry run
     */
    record Options(Path template, int port, Path logFile, boolean compactAlerts, Map<String, String> environment,
                   boolean live, Path shopifyFixture, Duration reconcileEvery) {
        Options {
            environment = Map.copyOf(environment);
        }

        /**
         * The reconciler on demand only, against the default fixture.
         *
         * @param shopifyFixture null: events/payloads next to the template, when it exists
         * @param reconcileEvery how often the reconciler runs by itself; zero: only on demand
         */
        Options(Path template, int port, Path logFile, boolean compactAlerts, Map<String, String> environment,
                boolean live) {
            this(template, port, logFile, compactAlerts, environment, live, null, Duration.ZERO);
        }

        /** A dry run. */
        Options(Path template, int port, Path logFile, boolean compactAlerts, Map<String, String> environment) {
            this(template, port, logFile, compactAlerts, environment, false);
        }

        String variable(String name) {
            String value = environment.get(name);
            return value == null || value.isBlank() ? null : value.trim();
        }
    }

    /**
     * One flow as it runs here: its template function, its queues, and the handler serving each trigger
     * ({@code moreRoutes}: the function's other webhook routes, the privacy route of the order flow's).
     */
    record LocalFlow(String name, StackTemplate.Function function, EmbeddedSqs.FlowQueueUrls queues,
                     HttpApiEventSource route, List<HttpApiEventSource> moreRoutes, FlowPoller poller,
                     EventBridgeRule rule) {

        /** The route that serves {@code method} and {@code path}, if this flow's function has it. */
        java.util.Optional<HttpApiEventSource> routeFor(String method, String path) {
            return java.util.stream.Stream.concat(java.util.stream.Stream.of(route), moreRoutes.stream())
                    .filter(r -> r.path().equals(path) && r.method().equals(method)).findFirst();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The HTTP server's threads, and so the most intake invocations of one flow at once (its concurrency here). */
    static final int HTTP_THREADS = 8;

    static {
        // The JDK's HTTP server sends an answer's headers and body in two writes and leaves Nagle's algorithm on
        // unless told: the body then waits for the client's delayed ACK of the headers (40 ms on Linux), on every
        // answer of a kept-alive connection (issue #12: 64 ms per request for 13-17 ms of handler time). Read once,
        // when the server's configuration class loads, so it is set before this class creates a server; a value
        // given with -D wins.
        System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
    }

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<LocalFlow> flows = new ArrayList<>();
    private final PrintStream console;
    private StackTemplate template;
    private EmbeddedSqs sqs;
    private FlowMetrics metrics;
    private Outbox outbox;
    private ConsoleAlerts alerts;
    private LocalReconciler reconciler;
    private ShopifyAdminStandIn shopifyStandIn;
    private DeliveryStore deliveryStore;
    private HttpServer server;
    private ExecutorService serverThreads;
    private String secret;
    private boolean devSecret;
    private volatile boolean closed;

    private RunningStack(PrintStream console) {
        this.console = console;
    }

    /**
     * Starts everything, or nothing: a failure stops what had started and is rethrown.
     *
     * @throws PortInUseException when the HTTP port is taken (checked first, before anything starts)
     * @throws TemplateException when template.yaml lacks what the stack needs
     */
    static RunningStack start(Options options, PrintStream console) {
        RunningStack stack = new RunningStack(console);
        try {
            stack.startAll(options);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startAll(Options options) {
        if (options.live()) {
            refuseThePublicDevSecret(options.variable("SHOPIFY_WEBHOOK_SECRET"));
        }
        // The port first: a second instance must fail at once, before it starts anything.
        server = bind(options.port());
        Progress progress = new Progress(console, 6);

        template = StackTemplate.read(options.template());
        List<KnownFlows.KnownFlow> known = template.functions().stream().map(KnownFlows::require).toList();
        progress.step("template", options.template() + ": " + template.functions().size() + " functions ("
                + known.stream().map(KnownFlows.KnownFlow::name).collect(Collectors.joining(", ")) + ")");

        sqs = EmbeddedSqs.start();
        resources.add(sqs);
        List<EmbeddedSqs.FlowQueueUrls> queueUrls = new ArrayList<>();
        for (StackTemplate.Function function : template.functions()) {
            queueUrls.add(sqs.create(function.queue()));
        }
        StackTemplate.Queue first = template.functions().get(0).queue();
        progress.step("queues", "embedded SQS (ElasticMQ) at " + sqs.endpoint() + ": " + queueUrls.size()
                + " work queues" + (first.fifo() ? " (FIFO)" : "") + " with their DLQs; visibility "
                + first.visibilityTimeoutSeconds() + " s, dead-lettered after " + first.maxReceiveCount() + " receives");

        metrics = new FlowMetrics(JSON, options.logFile());
        resources.add(metrics);
        outbox = new Outbox(JSON);
        DryRunResponders.register(outbox, JSON);
        alerts = new ConsoleAlerts(console, options.compactAlerts());
        String configured = options.variable("SHOPIFY_WEBHOOK_SECRET");
        devSecret = configured == null;
        secret = devSecret ? DEV_SECRET : configured;
        SigningSecretsSource signingSecrets = SigningSecretsSource.fixed(SigningSecrets.parse(secret,
                devSecret ? "the dev secret" : "SHOPIFY_WEBHOOK_SECRET"));
        Stores stores = stores(options, progress);
        deliveryStore = stores.delivery();

        Telemetry telemetry = new Telemetry(JSON, metrics, Clock.systemUTC());
        InMemoryClaimCheckStore claimChecks = new InMemoryClaimCheckStore();
        List<String> built = new ArrayList<>();
        List<FlowInstances> handlers = new ArrayList<>();
        for (int i = 0; i < template.functions().size(); i++) {
            StackTemplate.Function function = template.functions().get(i);
            KnownFlows.KnownFlow flow = known.get(i);
            EmbeddedSqs.FlowQueueUrls urls = queueUrls.get(i);
            FlowEnvironment environment = FlowEnvironment.builder()
                    // Connector settings: the template's defaults, dry-run credentials, this process's environment on top.
                    .variables(LocalSettings.forFunction(function.settings(), options.environment(), options.live()))
                    .secrets(signingSecrets)
                    .queues(new SqsFlowQueues(sqs.client(), urls.workQueueUrl(), urls.deadLetterQueueUrl(),
                            claimChecks, new EnvelopeCodec(JSON), SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES))
                    .json(JSON)
                    .telemetry(telemetry)
                    .claimChecks(claimChecks)
                    .deliveryStore(stores.delivery())
                    .skuCache(stores.skus())
                    .reportedLevels(stores.reportedLevels())
                    .alerts(alerts)
                    .deliverySettings(DeliverySettings.defaults().withAttempts(
                            Math.min(DeliverySettings.DEFAULT_MAX_ATTEMPTS, function.queue().maxReceiveCount()),
                            function.queue().maxReceiveCount()))
                    // Live: the JDK client sends for real; dry run: the outbox records and answers.
                    .transport(options.live() ? null : outbox.transportFor(flow.name()))
                    .build();
            // Separate instances, as separate warm Lambda containers would be: the intake's (the routes and the
            // EventBridge rule), as many at once as requests arrive at once, up to the server's threads; and the
            // queue's one, which the poller invokes one batch after another.
            handlers.add(new FlowInstances(
                    new InstancePool<>(() -> flow.constructor().apply(environment), HTTP_THREADS),
                    flow.constructor().apply(environment)));
            built.add(flow.name() + " (" + simpleName(function.handlerClass()) + ")");
        }
        progress.step("handlers", String.join(", ", built) + (options.live()
                ? "; connectors LIVE: their requests are sent, with the credentials in this environment"
                : "; connectors in dry run (requests go to the outbox)"));

        for (int i = 0; i < template.functions().size(); i++) {
            StackTemplate.Function function = template.functions().get(i);
            String name = known.get(i).name();
            EmbeddedSqs.FlowQueueUrls urls = queueUrls.get(i);
            FlowInstances instances = handlers.get(i);
            FlowPoller poller = new FlowPoller(name, new SqsEventSource(sqs.client(), urls.workQueueUrl(),
                    oneAtATime(instances.delivery())), console);
            resources.add(poller);
            HttpApiEventSource route = new HttpApiEventSource(function.method(), function.path(), instances.intake());
            // EventBridge delivery: the flow's rule, invoking the instances that answer the route (intake).
            EventBridgeRule rule = new EventBridgeRule(instances.intake().first().flow().topics(), instances.intake());
            List<HttpApiEventSource> moreRoutes = new ArrayList<>();
            for (String path : function.morePaths()) {
                moreRoutes.add(new HttpApiEventSource(function.method(), path, instances.intake()));
            }
            flows.add(new LocalFlow(name, function, urls, route, List.copyOf(moreRoutes), poller, rule));
        }
        flows.forEach(flow -> flow.poller().start());
        String reconcilerLine = startReconciler(options, stores, claimChecks, telemetry);
        progress.step("pollers", flows.size() + " running, one per flow, batches of up to 10 as Lambda's SQS trigger");

        serverThreads = Executors.newFixedThreadPool(HTTP_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(serverThreads);
        server.createContext("/", new LocalApi(this, JSON));
        server.start();
        progress.step("http", flows.stream().flatMap(f -> java.util.stream.Stream.concat(java.util.stream.Stream.of(f.route()),
                        f.moreRoutes().stream()).map(r -> r.routeKey() + " -> " + f.name()))
                .collect(Collectors.joining(", ")));

        console.println();
        console.println("ready: " + url());
        console.println("console: " + url() + "/ (live counts, dead letters with redrive, alerts, outbox)");
        if (devSecret) {
            console.println("signing secret: " + DEV_SECRET + " (the dev secret events/ is signed with; set "
                    + "SHOPIFY_WEBHOOK_SECRET to use another)");
        } else {
            console.println("signing secret: (from SHOPIFY_WEBHOOK_SECRET)");
        }
        console.println("status: " + url() + "/_local/status, outbox, dlq, alerts; log lines: " + metrics.logFile());
        console.println(reconcilerLine);
        console.flush();
    }

    /**
     * The reconciler function's queue settings and the flow whose queues they name: the template sets them with
     * {@code !Ref} to the flows' queues, which the local stack's embedded queues stand in for.
     */
    private static final Map<String, String> RECONCILER_QUEUES = Map.of(
            io.shopsync.flow.OrderFlow.FLOW.name(), "ORDER",
            io.shopsync.flow.FulfilmentFlow.FLOW.name(), "FULFILMENT",
            io.shopsync.flow.StockFlow.FLOW.name(), "STOCK");

    /**
     * The template's schedule-only reconciler, run here against the Shopify Admin stand-in (served by this
     * stack's server under /admin/api/) with every check the function's settings give it
     * ({@link io.shopsync.lambda.ReconcilerEnvironment#checks()}), comparing with the flows' delivery store and
     * queuing on each flow's embedded queue. Left out, with a line saying why, when the template has no such
     * function, no order flow runs, or the default fixture (events/payloads) is not there.
     *
     * @return the console line saying how it runs, or why it does not
     */
    private String startReconciler(Options options, Stores stores, InMemoryClaimCheckStore claimChecks,
                                   Telemetry telemetry) {
        if (template.scheduled().isEmpty()) {
            return "reconciler: not run (the template has no schedule-only function)";
        }
        StackTemplate.Scheduled function = template.scheduled().get(0);
        LocalFlow orders = flows.stream().filter(f -> f.name().equals(io.shopsync.flow.OrderFlow.FLOW.name()))
                .findFirst().orElse(null);
        if (orders == null) {
            return "reconciler: not run (no order flow in the template to queue on)";
        }
        Path fixture = options.shopifyFixture();
        if (fixture == null) {
            fixture = options.template().toAbsolutePath().getParent().resolve("events/payloads");
            if (!java.nio.file.Files.isDirectory(fixture)) {
                return "reconciler: not run (no Shopify fixture: " + fixture + " does not exist; pass --shopify-fixture DIR)";
            }
        }
        Map<String, String> settings = LocalSettings.forFunction(function.settings(), options.environment(), options.live());
        if (settings.getOrDefault("SHOPIFY_ALLOWED_SHOPS", "").isBlank()) {
            return "reconciler: not run (SHOPIFY_ALLOWED_SHOPS is empty: set it to the shop the fixture's orders are of,"
                    + " e.g. shopsync-demo.myshopify.com)";
        }
        ShopifyAdminStandIn standIn = ShopifyAdminStandIn.fromFixture(fixture, LocalReconciler.STAND_IN_TOKEN, JSON);
        shopifyStandIn = standIn;
        for (LocalFlow flow : flows) {
            String prefix = RECONCILER_QUEUES.get(flow.name());
            if (prefix != null) {
                settings.put(prefix + "_WORK_QUEUE_URL", flow.queues().workQueueUrl());
                settings.put(prefix + "_DEAD_LETTER_QUEUE_URL", flow.queues().deadLetterQueueUrl());
            }
        }
        String adminUrl = options.variable("SHOPIFY_ADMIN_BASE_URL") != null ? options.variable("SHOPIFY_ADMIN_BASE_URL") : url();
        io.shopsync.lambda.ReconcilerEnvironment.Parts parts = new io.shopsync.lambda.ReconcilerEnvironment.Parts(
                (work, deadLetters) -> new SqsFlowQueues(sqs.client(), work, deadLetters, claimChecks,
                        new EnvelopeCodec(JSON), SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES),
                stores.delivery(), stores.reportedLevels(), stores.checkpoints(), alerts, null);
        reconciler = LocalReconciler.start(function, settings, standIn, adminUrl, parts, telemetry,
                options.reconcileEvery(), console, JSON, Clock.systemUTC());
        resources.add(reconciler);
        return "reconciler: " + (options.reconcileEvery().isZero() ? "on demand" : "every "
                + options.reconcileEvery().toSeconds() + " s") + " (deployed: " + function.schedule() + "), checks "
                + String.join(", ", reconciler.checks()) + reconciler.skipped().entrySet().stream()
                .map(skip -> "; not checked: " + skip.getKey() + " (" + skip.getValue() + ")").collect(Collectors.joining())
                + "; against the Shopify Admin stand-in at " + adminUrl + "/admin/api/" + settings.getOrDefault("SHOPIFY_API_VERSION",
                io.shopsync.connectors.shopify.ShopifyAdmin.DEFAULT_API_VERSION) + "/graphql.json (" + count(standIn.orderCount(), "order")
                + ", " + count(standIn.fulfilmentCount(), "fulfilment") + ", " + count(standIn.levelCount(), "inventory level")
                + " from " + fixture + "); POST /_local/reconcile runs it now";
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /**
     * A live stack sends on what it accepts with real credentials, so it must not accept what anyone can
     * sign: the dev secret is public (it is in this repository). Refused before anything starts, whether
     * the dev secret would be the default or is among SHOPIFY_WEBHOOK_SECRET's secrets or shop keys.
     */
    static void refuseThePublicDevSecret(String configured) {
        if (configured == null) {
            throw new IllegalStateException("--live sends the connectors' requests for real, so it does not accept"
                    + " webhooks signed with the public dev secret " + DEV_SECRET + " (anyone can sign with it): set"
                    + " SHOPIFY_WEBHOOK_SECRET to your Shopify app's client secret");
        }
        if (secretsIn(configured).contains(DEV_SECRET)) {
            throw new IllegalStateException("--live sends the connectors' requests for real, but SHOPIFY_WEBHOOK_SECRET"
                    + " includes the public dev secret " + DEV_SECRET + " (anyone can sign with it): remove it and"
                    + " keep only your Shopify app's client secret(s)");
        }
    }

    /** Every secret of SHOPIFY_WEBHOOK_SECRET's forms: comma-separated, or JSON with client secrets and shop keys. */
    private static List<String> secretsIn(String configured) {
        String text = configured.trim();
        List<String> secrets = new ArrayList<>();
        if (!text.startsWith("{")) {
            for (String part : text.split(",")) {
                secrets.add(part.trim());
            }
            return secrets;
        }
        try {
            JsonNode root = JSON.readTree(text);
            JsonNode clients = root.path("clientSecrets");
            if (clients.isTextual()) {
                secrets.add(clients.asText().trim());
            }
            clients.forEach(n -> secrets.add(n.asText().trim()));
            root.path("shopSigningKeys").forEach(n -> secrets.add(n.asText().trim()));
        } catch (IOException e) {
            return secrets; // SigningSecrets.parse says what is wrong with it
        }
        return secrets;
    }

    /** The stores the flows keep state in: all in memory, or all in one DynamoDB table. */
    private record Stores(DeliveryStore delivery, SkuCache skus, ReportedLevels reportedLevels,
                          io.shopsync.reconcile.Checkpoints checkpoints) {}

    private Stores stores(Options options, Progress progress) {
        String endpoint = options.variable("AWS_ENDPOINT_URL");
        if (endpoint == null) {
            progress.step("store", "delivery records and watermarks in memory (InMemoryDeliveryStore, held to "
                    + "the DynamoDB store's contract); set AWS_ENDPOINT_URL to use DynamoDB");
            return new Stores(new InMemoryDeliveryStore(), new InMemorySkuCache(), new InMemoryReportedLevels(),
                    new LocalReconciler.InMemoryCheckpoints());
        }
        String region = options.variable("AWS_REGION") != null ? options.variable("AWS_REGION") : "us-east-1";
        String key = options.variable("AWS_ACCESS_KEY_ID") != null ? options.variable("AWS_ACCESS_KEY_ID") : "local";
        String secretKey = options.variable("AWS_SECRET_ACCESS_KEY") != null
                ? options.variable("AWS_SECRET_ACCESS_KEY") : "local";
        DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(URI.create(endpoint)).region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secretKey)))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        resources.add(dynamo);
        // A table per run, like the queues: a run starts from a clean state and never sees another's records.
        String table = StackTemplate.LOCAL_STACK_NAME + "-idempotency-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())
                + "-" + UUID.randomUUID().toString().substring(0, 4);
        try {
            DynamoDbDeliveryStore.createTable(dynamo, table);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot create the DynamoDB table " + table + " at AWS_ENDPOINT_URL="
                    + endpoint + " (" + e.getMessage() + "): start that endpoint (e.g. moto_server -H 127.0.0.1 -p 5055)"
                    + " or unset AWS_ENDPOINT_URL to keep delivery records in memory", e);
        }
        progress.step("store", "delivery records and watermarks in DynamoDB table " + table + " at " + endpoint);
        // The same lease and retention FlowEnvironment.fromVariables uses by default.
        return new Stores(
                DynamoDbDeliveryStore.withDefaults(dynamo, table),
                new DynamoDbSkuCache(dynamo, table, Duration.ofDays(30)),
                new DynamoDbReportedLevels(dynamo, table, Duration.ofDays(365)),
                new io.shopsync.reconcile.DynamoDbCheckpoints(dynamo, table));
    }

    /** A flow's handler instances: the intake's pool and the delivery's one instance. */
    private record FlowInstances(InstancePool<FlowFunction> intake, FlowFunction delivery) {}

    /** One invocation at a time per handler instance, as one Lambda container runs. */
    private static RequestStreamHandler oneAtATime(FlowFunction function) {
        return (in, out, context) -> {
            synchronized (function) {
                function.handleRequest(in, out, context);
            }
        };
    }

    private static HttpServer bind(int port) {
        try {
            return HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        } catch (BindException e) {
            throw new PortInUseException(port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
                    + "): pass --port with another port", e);
        }
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    PrintStream console() {
        return console;
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port();
    }

    List<LocalFlow> flows() {
        return List.copyOf(flows);
    }

    /** The delivery records and watermarks every flow of this stack keeps (what a trace reads). */
    DeliveryStore deliveryStore() {
        return deliveryStore;
    }

    EmbeddedSqs sqs() {
        return sqs;
    }

    FlowMetrics metrics() {
        return metrics;
    }

    Outbox outbox() {
        return outbox;
    }

    ConsoleAlerts alerts() {
        return alerts;
    }

    /** The local reconciler, or empty when it does not run (the start's "reconciler:" line says why). */
    java.util.Optional<LocalReconciler> reconciler() {
        return java.util.Optional.ofNullable(reconciler);
    }

    /** The Shopify Admin stand-in the reconciler reads, or empty. */
    java.util.Optional<ShopifyAdminStandIn> shopifyStandIn() {
        return java.util.Optional.ofNullable(shopifyStandIn);
    }

    /** The secret the stack accepts first (what a replay signs with). */
    String signingSecret() {
        return secret;
    }

    boolean usesDevSecret() {
        return devSecret;
    }

    /** Messages on a flow's work queue: waiting, being delivered, or waiting out a retry delay. */
    int inFlight(LocalFlow flow) {
        return sqs.inFlight(flow.queues().workQueueUrl());
    }

    /** Stops the server, then the pollers, then the queues; safe to call more than once. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (server != null) {
            server.stop(0);
        }
        if (serverThreads != null) {
            serverThreads.shutdownNow();
            try {
                serverThreads.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // All pollers at once: each may be in a 1 s long poll.
        flows.forEach(flow -> flow.poller().stop());
        List<AutoCloseable> reversed = new ArrayList<>(resources);
        Collections.reverse(reversed);
        // Pollers were added after the queues, so they stop before ElasticMQ does.
        for (AutoCloseable resource : reversed) {
            try {
                resource.close();
            } catch (Exception e) {
                console.println("while stopping: " + resource.getClass().getSimpleName() + " failed to close ("
                        + e.getMessage() + ")");
            }
        }
    }

    /** Numbered progress lines: {@code [2/6] queues    ...}. */
    private static final class Progress {
        private final PrintStream console;
        private final int steps;
        private int done;

        Progress(PrintStream console, int steps) {
            this.console = console;
            this.steps = steps;
        }

        void step(String name, String text) {
            done++;
            console.printf("[%d/%d] %-9s %s%n", done, steps, name, text);
            console.flush();
        }
    }
}
