package io.shopsync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.OrderFlow;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.S3ClaimCheckStore;
import io.shopsync.queue.SqsFlowQueues;
import io.shopsync.reconcile.Backfill;
import io.shopsync.reconcile.CheckReport;
import io.shopsync.reconcile.DynamoDbBackfillPositions;
import io.shopsync.reconcile.OrderReconciliation;
import io.shopsync.reconcile.ReconcileCheck;
import io.shopsync.reconcile.ScanProgress;
import io.shopsync.reconcile.ShopifyOrders;
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
                + "(customers with their orders). Resumable: run the same command again after an interruption and it "
                + "continues where it stopped, queuing no order twice. History is sent as history: Klaviyo records its "
                + "events without starting flows (README, Import your history)."},
        footer = {"", "Examples:",
            "  scripts/shopsync reconcile --shop my-store --since 2025-01-01 --stack shopsync --dry-run",
            "  scripts/shopsync reconcile --shop my-store --since 2025-01-01 --stack shopsync",
            "  scripts/shopsync reconcile --shop my-store --since 2026-11-30T08:00:00Z --until 2026-11-30T14:00:00Z \\",
            "      --queue-url URL --dlq-url URL --table NAME --bucket NAME --targets hubspot",
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
            description = "the flows to fill (default: order-to-crm)")
    List<String> flows = List.of(OrderFlow.FLOW.name());

    @Option(names = "--targets", paramLabel = "TARGET[,TARGET...]", split = ",",
            description = "the order flow's targets whose records are compared: hubspot, klaviyo (default: the stack's "
                    + "CrmTargets with --stack, else both)")
    List<String> targets;

    @Option(names = "--rate", paramLabel = "N", description = "queue at most N orders a second (default: "
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

    @Mixin
    AwsOptions awsOptions = new AwsOptions();

    ReconcileCommand(CliContext context, HttpClient http) {
        this.context = context;
        this.http = http;
    }

    /** What the stack holds for the order flow, from its outputs or the options. */
    private record StackParts(String queueUrl, String deadLetterQueueUrl, String table, String bucket, Set<String> targets) {}

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
            if (!OrderFlow.FLOW.name().equals(flow)) {
                throw new ParameterException(spec.commandLine(), "--flows " + flow + ": only " + OrderFlow.FLOW.name()
                        + " can be filled so far (fulfilments ride on their orders; stock is not reconciled yet)");
            }
        }
        String shop = shopify.domain();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (AwsClients aws = AwsClients.of(awsOptions, context)) {
            StackParts parts = stackParts(aws);
            ShopifyAdmin admin = shopify.admin(http, context);
            List<ReconcileCheck> checks = checks(chosenFlows, admin, aws, parts);
            Backfill backfill = new Backfill(checks, new DynamoDbBackfillPositions(aws.dynamo(), parts.table()));
            Progress progress = new Progress(err, shop, from, to);
            out.println("reconcile " + shop + ": orders updated " + from + " .. " + to + ", targets "
                    + String.join(",", parts.targets()) + (dryRun ? "; dry run: nothing is queued" : ", at most "
                    + format(rate) + " queued a second"));
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
        return checks;
    }

    private OrderReconciliation orders(ShopifyAdmin admin, AwsClients aws, StackParts parts) {
        ObjectMapper json = new ObjectMapper();
        Clock clock = Clock.systemUTC();
        SqsFlowQueues queues = new SqsFlowQueues(aws.sqs(), parts.queueUrl(), parts.deadLetterQueueUrl(),
                new S3ClaimCheckStore(aws::s3, parts.bucket()), new EnvelopeCodec(json), SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES);
        // Only watermarks are read: the lease and retentions are those the flows write with.
        DynamoDbDeliveryStore store = DynamoDbDeliveryStore.withDefaults(aws.dynamo(), parts.table());
        ShopifyOrders orders = ShopifyOrders.withDefaults(admin, context.sleeper()::sleep, clock);
        // The per-order log lines are the function's; here the progress line and the summary say it.
        Telemetry quiet = new Telemetry(json, line -> {
            if (context.setting("SHOPSYNC_DEBUG").isPresent()) {
                spec.commandLine().getErr().println(line);
            }
        }, clock);
        return new OrderReconciliation(OrderFlow.FLOW, parts.targets(), orders, store, new PacedQueues(queues, rate, context),
                admin.apiVersion(), json, quiet, clock).backfill();
    }

    private StackParts stackParts(AwsClients aws) {
        StackOutputs outputs = null;
        boolean explicit = given(queueUrl) && given(deadLetterQueueUrl) && given(table) && given(bucket);
        if (!explicit) {
            if (!given(stack)) {
                throw new CliException("which stack? pass --stack NAME (the stack name sam deploy used), or all of "
                        + "--queue-url, --dlq-url, --table and --bucket (the stack's outputs OrderToCrmQueueUrl, "
                        + "OrderToCrmDeadLetterQueueUrl, IdempotencyTableName, ClaimCheckBucketName)");
            }
            outputs = StackOutputs.read(aws, stack.trim());
        }
        DeployedFlow flow = DeployedFlow.named(OrderFlow.FLOW.name());
        StackOutputs read = outputs;
        String work = given(queueUrl) ? queueUrl.trim() : read.require(flow.queueUrlOutput());
        String dlq = given(deadLetterQueueUrl) ? deadLetterQueueUrl.trim() : read.require(flow.deadLetterQueueUrlOutput());
        String tableName = given(table) ? table.trim() : read.require("IdempotencyTableName");
        String bucketName = given(bucket) ? bucket.trim() : read.require("ClaimCheckBucketName");
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
        return new StackParts(work, dlq, tableName, bucketName, chosen);
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
                + (progress.gone > 0 ? ", gone " + progress.gone : "") + ", failed " + failures.size());
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

        Progress(PrintWriter err, String shop, Instant from, Instant to) {
            this.err = err;
            this.shop = shop;
            this.from = from;
            this.to = to;
        }

        @Override
        public void handled(String check, ShopifyOrders.Version version, ScanProgress.Handled outcome) {
            scanned++;
            switch (outcome) {
                case QUEUED -> queued++;
                case CURRENT -> current++;
                case GONE -> gone++;
            }
            at = version.updatedAt();
            if (System.nanoTime() - lastPrinted >= PROGRESS_EVERY.toNanos() || scanned % 250 == 0) {
                print(false);
            }
        }

        void print(boolean last) {
            lastPrinted = System.nanoTime();
            double seconds = Math.max(0.001, (lastPrinted - started) / 1e9);
            double share = at == null ? (last ? 100 : 0)
                    : 100.0 * Duration.between(from, at).toMillis() / Math.max(1, Duration.between(from, to).toMillis());
            err.printf(Locale.ROOT, "reconcile %s: scanned %d, %s %d, already current %d | at %s (%.0f%% of the window) "
                    + "| %.1f queued/s%n", shop, scanned, dryRun ? "would queue" : "queued", queued, current,
                    at == null ? from : at, last && at == null ? 100.0 : share, queued / seconds);
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
