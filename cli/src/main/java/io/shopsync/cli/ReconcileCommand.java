package io.shopsync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.connectors.inventory.DynamoDbReportedLevels;
import io.shopsync.connectors.inventory.KatanaInventory;
import io.shopsync.flow.OrderFlow;
import io.shopsync.flow.StockFlow;
import io.shopsync.flow.WebhookRoutes;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.S3ClaimCheckStore;
import io.shopsync.queue.SqsFlowQueues;
import io.shopsync.reconcile.Backfill;
import io.shopsync.reconcile.CheckReport;
import io.shopsync.reconcile.CustomerReconciliation;
import io.shopsync.reconcile.DynamoDbBackfillPositions;
import io.shopsync.reconcile.OrderReconciliation;
import io.shopsync.reconcile.ReconcileCheck;
import io.shopsync.reconcile.ScanProgress;
import io.shopsync.reconcile.ShopifyCustomers;
import io.shopsync.reconcile.ShopifyOrders;
import io.shopsync.reconcile.stock.LastReported;
import io.shopsync.reconcile.stock.StockDrift;
import io.shopsync.reconcile.stock.StockDriftCheck;
import io.shopsync.stock.LocationMapping;
import io.shopsync.stock.StockQuantity;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code reconcile}: the reconciler's job run by hand for one shop over any window: after an outage, or as the
 * initial import of a store's history. Orders a target lacks are queued on the order flow's work queue as the
 * reconciler queues them, marked as history ({@link OrderReconciliation#backfill()}), at most {@code --rate} a
 * second; progress is kept per order in the stack's table ({@link DynamoDbBackfillPositions}), so the same
 * command run again resumes where an interrupted run stopped.
 */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = {"Queues what a shop's CRM targets lack for a window of its history: the same job as the "
                + "reconciler function, by hand. Use it after an outage, or once to import a store's history "
                + "(customers with their orders; with --flows stock-to-inventory, every mapped location's stock). "
                + "Resumable: run the same command again after an interruption and it continues where it stopped, "
                + "queuing nothing twice. History is sent as history: Klaviyo records its events without starting flows "
                + "(README, Import your history)."},
        footer = {"", "Examples:",
            "  scripts/shopsync reconcile --shop my-store --since 2025-01-01 --stack shopsync --dry-run",
            "  scripts/shopsync reconcile --shop my-store --since 2025-01-01 --stack shopsync",
            "  scripts/shopsync reconcile --shop my-store --since 2026-11-30T08:00:00Z --until 2026-11-30T14:00:00Z \\",
            "      --queue-url URL --dlq-url URL --table NAME --bucket NAME --targets hubspot",
            "  scripts/shopsync reconcile --shop my-store --since 2025-01-01 --stack shopsync --flows order-to-crm,stock-to-inventory",
            "  scripts/shopsync reconcile --shop my-store --since 2025-01-01 --stack shopsync --flows order-to-crm,customers",
            "", "Customers (--flows customers) are every customer Shopify updated in the window, also those who never "
                + "ordered (order-to-crm brings only the customers of its orders), queued on the order flow's queue as "
                + "its customers/create or customers/update webhook for that person and version would be. A value of its "
                + "own, not part of order-to-crm: importing every customer creates a CRM profile for each (Klaviyo "
                + "bills by active profiles), which an operator should choose. It needs --stack: only a stack deployed "
                + "with OrderFlowCustomerTopics=true takes customers/*, and one without is refused. A customer every "
                + "target already has in this version (its person watermark) is counted already current.",
            "", "Stock (--flows stock-to-inventory) is the shop's current state, not a history: every level at every "
                + "location LocationMapping syncs is compared with what the inventory target was last given, whatever "
                + "--since says, and a level it lacks is queued as the scheduled stock check would queue it (same "
                + "message, so the two never queue one level twice). --since only names the import, so that the same "
                + "command resumes it; run again after it finished, it compares again and queues only what drifted.",
            "", "Default --rate: " + ReconcileCommand.DEFAULT_RATE + " orders a second. HubSpot allows the app 100 requests "
                + "per 10 s (HUBSPOT_REQUESTS_PER_10S) and an order costs it up to 4 (contact, order, associations): "
                + "2 orders a second use 8 of the 10 a second and leave room for live webhooks. Klaviyo (profile import "
                + "750/min, events 3,500/min) allows more; with Klaviyo alone, --rate 8 is safe.",
            "", "Exit codes: 0 every order in the window is queued or current, 1 failed (run the same command again "
                + "to resume; the message says what to fix), 2 bad usage."})
final class ReconcileCommand implements Callable<Integer> {

    static final double DEFAULT_RATE = 2;
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    private final CliContext context;
    private final HttpClient http;

    @Spec
    CommandSpec spec;

    @Mixin
    ShopifyAdminOptions shopify = new ShopifyAdminOptions();

    @Option(names = "--since", required = true, paramLabel = "DATE",
            description = "the window's start: a date (2025-01-01, UTC midnight) or an instant (2025-01-01T08:00:00Z); "
                    + "orders updated since then")
    String since;

    @Option(names = "--until", paramLabel = "DATE", description = "the window's end (default: now)")
    String until;

    @Option(names = "--flows", paramLabel = "FLOW[,FLOW...]", split = ",",
            description = "the flows to fill: order-to-crm (orders and their customers), customers (every customer, "
                    + "also those without orders; see below), stock-to-inventory (every mapped location's current "
                    + "levels; see below) (default: order-to-crm)")
    List<String> flows = List.of(OrderFlow.FLOW.name());

    @Option(names = "--targets", paramLabel = "TARGET[,TARGET...]", split = ",",
            description = "the order flow's targets whose records are compared: hubspot, klaviyo (default: the stack's "
                    + "CrmTargets with --stack, else both)")
    List<String> targets;

    @Option(names = "--rate", paramLabel = "N", description = "queue at most N orders (or levels) a second (default: "
            + "${DEFAULT-VALUE}; see below)")
    double rate = DEFAULT_RATE;

    @Option(names = "--dry-run", description = "read everything, queue nothing, keep no progress: say what would be queued")
    boolean dryRun;

    @Option(names = "--stack", paramLabel = "NAME",
            description = "the deployed stack (the name sam deploy used): queue, table and bucket from its outputs")
    String stack;

    @Option(names = "--queue-url", paramLabel = "URL", description = "the order flow's work queue URL, instead of --stack")
    String queueUrl;

    @Option(names = "--dlq-url", paramLabel = "URL", description = "the order flow's dead-letter queue URL, instead of --stack")
    String deadLetterQueueUrl;

    @Option(names = "--table", paramLabel = "NAME", description = "the stack's DynamoDB table, instead of --stack")
    String table;

    @Option(names = "--bucket", paramLabel = "NAME", description = "the stack's claim-check bucket, instead of --stack")
    String bucket;

    @Option(names = "--stock-queue-url", paramLabel = "URL", description = "the stock flow's work queue URL, instead of --stack")
    String stockQueueUrl;

    @Option(names = "--stock-dlq-url", paramLabel = "URL", description = "the stock flow's dead-letter queue URL, instead of --stack")
    String stockDeadLetterQueueUrl;

    @Option(names = "--inventory-target", paramLabel = "TARGET", description = "the stock flow's target, webhook or katana "
            + "(default: the stack's InventoryTarget)")
    String inventoryTarget;

    @Option(names = "--location-mapping", paramLabel = "JSON", description = "the stock flow's LocationMapping (default: "
            + "the stack's)")
    String locationMapping;

    @Option(names = "--stock-quantity", paramLabel = "NAME", description = "which quantity Katana mirrors, available or "
            + "on_hand (default: the stack's KatanaStockQuantity, else available)")
    String stockQuantity;

    @Mixin
    AwsOptions awsOptions = new AwsOptions();

    ReconcileCommand(CliContext context, HttpClient http) {
        this.context = context;
        this.http = http;
    }

    /** What the stack holds for the order flow, from its outputs or the options. */
    private record StackParts(String queueUrl, String deadLetterQueueUrl, String table, String bucket, Set<String> targets,
                              StockParts stock) {}

    /** What the stack holds for the stock flow; null when stock is not filled. */
    private record StockParts(String queueUrl, String deadLetterQueueUrl, String target, String locationMapping,
                              String quantity) {}

    @Override
    public Integer call() {
        Instant now = Instant.now();
        Instant from = instant(since, "--since");
        Instant to = until == null ? now : instant(until, "--until");
        if (from.isAfter(now)) {
            throw new ParameterException(spec.commandLine(), "--since " + since + " is in the future: give the date the "
                    + "history to import starts at (e.g. the store's opening), or the start of the outage");
        }
        if (!to.isAfter(from)) {
            throw new ParameterException(spec.commandLine(), "--until " + to + " is not after --since " + from);
        }
        if (!(rate > 0 && rate <= 300)) {
            throw new ParameterException(spec.commandLine(), "--rate must be above 0 and at most 300 (SQS FIFO's send "
                    + "limit per group allows more; the CRMs do not)");
        }
        Set<String> chosenFlows = new LinkedHashSet<>(flows);
        for (String flow : chosenFlows) {
            if (!OrderFlow.FLOW.name().equals(flow) && !StockFlow.FLOW.name().equals(flow)
                    && !CustomerReconciliation.NAME.equals(flow)) {
                throw new ParameterException(spec.commandLine(), "--flows " + flow + ": only " + OrderFlow.FLOW.name()
                        + ", " + CustomerReconciliation.NAME + " and " + StockFlow.FLOW.name()
                        + " can be filled (fulfilments ride on their orders)");
            }
        }
        String shop = shopify.domain();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (AwsClients aws = AwsClients.of(awsOptions, context)) {
            StackParts parts = stackParts(aws, chosenFlows);
            ShopifyAdmin admin = shopify.admin(http, context);
            List<ReconcileCheck> checks = checks(chosenFlows, admin, aws, parts);
            Backfill backfill = new Backfill(checks, new DynamoDbBackfillPositions(aws.dynamo(), parts.table()));
            Progress progress = new Progress(err, shop, from, to);
            String updated = chosenFlows.contains(OrderFlow.FLOW.name()) && chosenFlows.contains(CustomerReconciliation.NAME)
                    ? "orders and customers" : chosenFlows.contains(CustomerReconciliation.NAME) ? "customers" : "orders";
            out.println("reconcile " + shop + ": " + (parts.targets().isEmpty() ? "" : updated + " updated " + from + " .. "
                    + to + ", targets " + String.join(",", parts.targets()))
                    + (parts.stock() == null ? "" : (parts.targets().isEmpty() ? "" : "; ") + "stock at every synced location"
                    + " for the " + parts.stock().target() + " target")
                    + (dryRun ? "; dry run: nothing is queued" : ", at most " + format(rate) + " queued a second"));
            out.flush();
            List<Backfill.CheckResult> results;
            try {
                results = backfill.run(shop, from, to, dryRun, progress);
            } catch (software.amazon.awssdk.core.exception.SdkException e) {
                throw aws.failure("reading the backfill's progress in table " + parts.table(), e);
            }
            return summary(out, shop, results, progress);
        }
    }

    /**
     * The checks a backfill runs, by flow: the seam where the stock-drift and subscription checks join (one
     * line each) once the reconciler builds them.
     */
    private List<ReconcileCheck> checks(Set<String> chosenFlows, ShopifyAdmin admin, AwsClients aws, StackParts parts) {
        List<ReconcileCheck> checks = new ArrayList<>();
        if (chosenFlows.contains(OrderFlow.FLOW.name())) {
            checks.add(orders(admin, aws, parts));
        }
        if (chosenFlows.contains(CustomerReconciliation.NAME)) {
            checks.add(customers(admin, aws, parts));
        }
        if (chosenFlows.contains(StockFlow.FLOW.name())) {
            checks.add(stock(admin, aws, parts));
        }
        return checks;
    }

    /**
     * The stock import: the scheduled stock check's comparison over every level of the synced locations, its
     * corrections paced by --rate on the stock flow's queue.
     */
    private ReconcileCheck stock(ShopifyAdmin admin, AwsClients aws, StackParts parts) {
        ObjectMapper json = new ObjectMapper();
        StockParts stock = parts.stock();
        SqsFlowQueues queues = new SqsFlowQueues(aws.sqs(), stock.queueUrl(), stock.deadLetterQueueUrl(),
                new S3ClaimCheckStore(aws::s3Objects, parts.bucket()), new EnvelopeCodec(json), SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES);
        DynamoDbDeliveryStore store = DynamoDbDeliveryStore.withDefaults(aws.dynamo(), parts.table());
        LastReported lastReported;
        LocationMapping locations;
        StockQuantity quantity;
        try {
            // The retention is the one the stock flow writes with; only reads happen here.
            lastReported = LastReported.forTarget(stock.target(),
                    new DynamoDbReportedLevels(aws.dynamo(), parts.table(), Duration.ofDays(365)), store);
            locations = LocationMapping.parse(stock.locationMapping(), "LocationMapping (--location-mapping)", json);
            if (lastReported instanceof LastReported.KatanaLevels) {
                locations = locations.requireOneToOne(KatanaInventory.NAME);
            }
            quantity = StockQuantity.parse(stock.quantity(), "KatanaStockQuantity (--stock-quantity)");
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CliException("cannot import stock: " + e.getMessage());
        }
        StockDrift drift = new StockDrift(admin, StockFlow.FLOW, new PacedQueues(queues, rate, context), lastReported,
                locations, quantity, json, Clock.systemUTC(), context.sleeper()::sleep);
        return new StockDriftCheck(drift, StockFlow.FLOW.name()).importing();
    }

    private OrderReconciliation orders(ShopifyAdmin admin, AwsClients aws, StackParts parts) {
        ObjectMapper json = new ObjectMapper();
        Clock clock = Clock.systemUTC();
        ShopifyOrders orders = ShopifyOrders.withDefaults(admin, context.sleeper()::sleep, clock);
        return new OrderReconciliation(OrderFlow.FLOW, parts.targets(), orders, watermarks(aws, parts),
                orderQueues(aws, parts, json), admin.apiVersion(), json, quiet(json, clock), clock).backfill();
    }

    /**
     * The customer import: every customer updated in the window, on the order flow's queue as the customers/*
     * webhooks of the stack's order flow (which {@link #stackParts} checked takes them), paced by --rate.
     */
    private CustomerReconciliation customers(ShopifyAdmin admin, AwsClients aws, StackParts parts) {
        ObjectMapper json = new ObjectMapper();
        Clock clock = Clock.systemUTC();
        return new CustomerReconciliation(WebhookRoutes.orderFlow(true), parts.targets(),
                ShopifyCustomers.withDefaults(admin, context.sleeper()::sleep), watermarks(aws, parts),
                orderQueues(aws, parts, json), admin.apiVersion(), json, quiet(json, clock), clock);
    }

    /** The order flow's queues, paced by --rate. */
    private PacedQueues orderQueues(AwsClients aws, StackParts parts, ObjectMapper json) {
        SqsFlowQueues queues = new SqsFlowQueues(aws.sqs(), parts.queueUrl(), parts.deadLetterQueueUrl(),
                new S3ClaimCheckStore(aws::s3Objects, parts.bucket()), new EnvelopeCodec(json), SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES);
        return new PacedQueues(queues, rate, context);
    }

    /** Only watermarks are read: the lease and retentions are those the flows write with. */
    private static DynamoDbDeliveryStore watermarks(AwsClients aws, StackParts parts) {
        return DynamoDbDeliveryStore.withDefaults(aws.dynamo(), parts.table());
    }

    /** The per-item log lines are the function's; here the progress line and the summary say it. */
    private Telemetry quiet(ObjectMapper json, Clock clock) {
        return new Telemetry(json, line -> {
            if (context.setting("SHOPSYNC_DEBUG").isPresent()) {
                spec.commandLine().getErr().println(line);
            }
        }, clock);
    }

    private StackParts stackParts(AwsClients aws, Set<String> chosenFlows) {
        boolean customers = chosenFlows.contains(CustomerReconciliation.NAME);
        boolean orders = chosenFlows.contains(OrderFlow.FLOW.name()) || customers;
        boolean stock = chosenFlows.contains(StockFlow.FLOW.name());
        StackOutputs outputs = null;
        // Only the stack says whether its order flow takes customers/* (OrderFlowCustomerTopics).
        boolean explicit = !customers && given(table) && given(bucket) && (!orders || given(queueUrl) && given(deadLetterQueueUrl))
                && (!stock || given(stockQueueUrl) && given(stockDeadLetterQueueUrl) && given(inventoryTarget)
                && given(locationMapping));
        if (!explicit) {
            if (customers && !given(stack)) {
                throw new CliException("--flows " + CustomerReconciliation.NAME + " needs --stack NAME: customers are "
                        + "queued as the order flow's customers/* webhooks, which only a stack deployed with "
                        + DeployedFlow.CUSTOMER_TOPICS_PARAMETER + "=true takes, and only the stack's parameters say so "
                        + "(its outputs give the queue, table and bucket too)");
            }
            if (!given(stack)) {
                throw new CliException("which stack? pass --stack NAME (the stack name sam deploy used), or all of "
                        + (orders ? "--queue-url, --dlq-url, " : "") + (stock ? "--stock-queue-url, --stock-dlq-url, "
                        + "--inventory-target, --location-mapping, " : "") + "--table and --bucket (the stack's outputs "
                        + (orders ? "OrderToCrmQueueUrl, OrderToCrmDeadLetterQueueUrl, " : "")
                        + (stock ? "StockToInventoryQueueUrl, StockToInventoryDeadLetterQueueUrl, " : "")
                        + "IdempotencyTableName, ClaimCheckBucketName" + (stock ? "; parameters InventoryTarget and "
                        + "LocationMapping" : "") + ")");
            }
            outputs = StackOutputs.read(aws, stack.trim());
            if (customers && !"true".equalsIgnoreCase(outputs.parameter(DeployedFlow.CUSTOMER_TOPICS_PARAMETER).orElse(""))) {
                throw new CliException("stack " + stack.trim() + " was deployed without "
                        + DeployedFlow.CUSTOMER_TOPICS_PARAMETER + "=true: its order flow does not take "
                        + String.join(" and ", WebhookRoutes.CUSTOMER_TOPICS) + " and would dead-letter every imported "
                        + "customer, so nothing was read or queued. Deploy with " + DeployedFlow.CUSTOMER_TOPICS_PARAMETER
                        + "=true (and run webhooks register), then import the customers; or drop "
                        + CustomerReconciliation.NAME + " from --flows");
            }
        }
        StackOutputs read = outputs;
        String tableName = given(table) ? table.trim() : read.require("IdempotencyTableName");
        String bucketName = given(bucket) ? bucket.trim() : read.require("ClaimCheckBucketName");
        StockParts stockParts = stock ? stockParts(read) : null;
        if (!orders) {
            return new StackParts(null, null, tableName, bucketName, Set.of(), stockParts);
        }
        DeployedFlow flow = DeployedFlow.named(OrderFlow.FLOW.name());
        String work = given(queueUrl) ? queueUrl.trim() : read.require(flow.queueUrlOutput());
        String dlq = given(deadLetterQueueUrl) ? deadLetterQueueUrl.trim() : read.require(flow.deadLetterQueueUrlOutput());
        Set<String> chosen;
        if (targets != null && !targets.isEmpty()) {
            chosen = new LinkedHashSet<>(targets.stream().map(String::trim).toList());
        } else {
            Optional<String> deployed = read == null ? Optional.empty() : read.parameter("CrmTargets");
            chosen = deployed.map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(t -> !t.isEmpty())
                    .collect(Collectors.<String, Set<String>>toCollection(LinkedHashSet::new))).orElse(new java.util.TreeSet<>(OrderFlow.TARGETS));
        }
        for (String target : chosen) {
            if (!OrderFlow.TARGETS.contains(target)) {
                throw new ParameterException(spec.commandLine(), "--targets " + target + " is not a target of the order "
                        + "flow (known: " + String.join(", ", OrderFlow.TARGETS) + ")");
            }
        }
        if (chosen.isEmpty()) {
            throw new CliException("the stack has no CRM target (CrmTargets is empty): there is nothing to import into");
        }
        return new StackParts(work, dlq, tableName, bucketName, chosen, stockParts);
    }

    /** The stock flow's queues and settings, from the options or else the stack ({@code read} null: all given). */
    private StockParts stockParts(StackOutputs read) {
        DeployedFlow flow = DeployedFlow.named(StockFlow.FLOW.name());
        String work = given(stockQueueUrl) ? stockQueueUrl.trim() : read.require(flow.queueUrlOutput());
        String dlq = given(stockDeadLetterQueueUrl) ? stockDeadLetterQueueUrl.trim()
                : read.require(flow.deadLetterQueueUrlOutput());
        String target = given(inventoryTarget) ? inventoryTarget.trim()
                : read == null ? null : read.parameter("InventoryTarget").orElse(null);
        if (!given(target)) {
            throw new CliException("the stack has no inventory target (InventoryTarget is empty): the stock flow sends "
                    + "stock nowhere, so there is nothing to import into; deploy with InventoryTarget webhook or katana");
        }
        String mapping = given(locationMapping) ? locationMapping.trim()
                : read == null ? null : read.parameter("LocationMapping").orElse(null);
        String quantity = given(stockQuantity) ? stockQuantity.trim()
                : read == null ? null : read.parameter("KatanaStockQuantity").orElse(null);
        return new StockParts(work, dlq, target, mapping, quantity);
    }

    private int summary(PrintWriter out, String shop, List<Backfill.CheckResult> results, Progress progress) {
        progress.print(true);
        Map<String, String> failures = Backfill.failures(results);
        for (Backfill.CheckResult result : results) {
            result.resumedFrom().ifPresent(at -> out.println("  " + result.check() + ": resumed from " + at
                    + " (an earlier run of this --since got that far)"));
            if (result.window() == null) {
                out.println("  " + result.check() + ": already done up to " + result.resumedFrom().orElseThrow()
                        + " by an earlier run; nothing left in this window");
            }
            if (dryRun && result.report() != null) {
                for (CheckReport.Queued queued : result.report().queued()) {
                    out.println("  would queue " + queued.topic() + " " + queued.entity() + " (" + queued.why() + ")");
                }
            }
        }
        out.println((dryRun ? "dry run, " : "") + "reconcile " + shop + ": scanned " + progress.scanned + ", "
                + (dryRun ? "would queue " : "queued ") + progress.queued + ", already current " + progress.current
                + (progress.gone > 0 ? ", gone " + progress.gone : "")
                + (progress.skipped > 0 ? ", skipped " + progress.skipped + " (levels the stock flow cannot take: no SKU, "
                + "untracked, or a SKU Katana cannot tell apart)" : "") + ", failed " + failures.size());
        out.flush();
        if (!failures.isEmpty()) {
            throw new CliException(failures.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                    .collect(Collectors.joining("; ")) + ". What was queued stays queued" + (dryRun ? "" : " and the "
                    + "progress is kept") + ": fix the cause, then run the same command again" + (dryRun ? "" : "; it "
                    + "resumes where this run stopped and queues no order twice"));
        }
        return 0;
    }

    /** The progress line on stderr: counts, where in the window, rate. */
    private final class Progress implements Backfill.Listener {
        private final PrintWriter err;
        private final String shop;
        private final Instant from;
        private final Instant to;
        private final long started = System.nanoTime();
        private long lastPrinted = System.nanoTime();
        private Instant at;
        int scanned;
        int queued;
        int current;
        int gone;
        int skipped;
        private String location;

        Progress(PrintWriter err, String shop, Instant from, Instant to) {
            this.err = err;
            this.shop = shop;
            this.from = from;
            this.to = to;
        }

        @Override
        public void handled(String check, ShopifyOrders.Version version, ScanProgress.Handled outcome) {
            count(outcome);
            at = version.updatedAt();
            location = null;
            if (System.nanoTime() - lastPrinted >= PROGRESS_EVERY.toNanos() || scanned % 250 == 0) {
                print(false);
            }
        }

        @Override
        public void handled(String check, ScanProgress.PagePosition page, String id, ScanProgress.Handled outcome) {
            count(outcome);
            location = page.key();
            if (System.nanoTime() - lastPrinted >= PROGRESS_EVERY.toNanos() || scanned % 250 == 0) {
                print(false);
            }
        }

        private void count(ScanProgress.Handled outcome) {
            scanned++;
            switch (outcome) {
                case QUEUED -> queued++;
                case CURRENT -> current++;
                case GONE -> gone++;
                case SKIPPED -> skipped++;
            }
        }

        void print(boolean last) {
            lastPrinted = System.nanoTime();
            double seconds = Math.max(0.001, (lastPrinted - started) / 1e9);
            double share = at == null ? (last ? 100 : 0)
                    : 100.0 * Duration.between(from, at).toMillis() / Math.max(1, Duration.between(from, to).toMillis());
            String where = location != null ? "stock at location " + location : String.format(Locale.ROOT,
                    "at %s (%.0f%% of the window)", at == null ? from : at, last && at == null ? 100.0 : share);
            err.printf(Locale.ROOT, "reconcile %s: scanned %d, %s %d, already current %d | %s | %.1f queued/s%n", shop,
                    scanned, dryRun ? "would queue" : "queued", queued, current, where, queued / seconds);
            err.flush();
        }
    }

    private Instant instant(String text, String option) {
        String value = text.trim();
        try {
            if (value.length() == 10) {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new ParameterException(spec.commandLine(), option + " " + text + " is not a date: give 2025-01-01 "
                    + "(UTC midnight) or 2025-01-01T08:00:00Z");
        }
    }

    private static boolean given(String value) {
        return value != null && !value.isBlank();
    }

    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
