package io.shopsync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.shopify.AdminGraphql;
import io.shopsync.connectors.shopify.AdminGraphqlFailure;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.trace.EntityTrace;
import io.shopsync.trace.OrderNames;
import io.shopsync.trace.SkuTrace;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * {@code trace}: "did order N sync, and if not, why and what now" for one record, from the delivery records (one
 * query of the table's entity index), each target's watermark and the flows' dead-letter queues (peeked, never
 * consumed). The local stack answers the same trace at {@code GET /_local/trace}.
 */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Shows everything Shopsync knows about one order (or a SKU's inventory levels, or the record "
                + "one webhook was about), newest first, per flow and target: each webhook "
                + "received (topic, webhook id, triggered-at, received-at), its outcome (delivered, duplicate, stale and "
                + "against which version, retried with the reason, dead-lettered with the reason), the watermark per "
                + "target, whether it sits in a dead-letter queue now, and the next step. Nothing is consumed. Webhooks "
                + "refused at intake (401, 503, dead-lettered there) leave no record: the flows' log groups are searched "
                + "for them (CloudWatch Logs Insights, logs:StartQuery) unless --no-logs."},
        footer = {"", "Examples:",
            "  scripts/shopsync trace --stack shopsync --shop my-store.myshopify.com --order 5123456789012",
            "  scripts/shopsync trace --stack shopsync --shop my-store --order 5123456789012 --json",
            "  scripts/shopsync trace --stack shopsync --shop my-store --order 5123456789012 --no-logs",
            "  SHOPIFY_ADMIN_TOKEN=... scripts/shopsync trace --stack shopsync --shop my-store --order-name '#1042'",
            "  scripts/shopsync trace --local http://127.0.0.1:3000 --shop shopsync-demo --order 820982911946154508",
            "  scripts/shopsync trace --local http://127.0.0.1:3000 --shop shopsync-demo --order-name '#1001'",
            "  SHOPIFY_ADMIN_TOKEN=... scripts/shopsync trace --stack shopsync --shop my-store --sku SS-MCS-OAT-M",
            "  SHOPIFY_ADMIN_TOKEN=... scripts/shopsync trace --stack shopsync --shop my-store --sku SS-MCS-OAT-M "
                + "--location 655441491",
            "  scripts/shopsync trace --stack shopsync --shop my-store --webhook-id b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
            "", "Exit codes: 0 found, 1 unknown or failed (the message says what to do), 2 bad usage."})
final class TraceCommand implements Callable<Integer> {

    /** How many dead letters per flow a trace reads at most (each is made visible again at once). */
    static final int PEEK_MAX = 100;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final CliContext context;
    private final HttpClient http;

    @Spec
    CommandSpec spec;

    /** The shop (--shop), and the Admin API that resolves --order-name (--token or SHOPIFY_ADMIN_TOKEN). */
    @Mixin
    ShopifyAdminOptions admin = new ShopifyAdminOptions();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Record record;

    static final class Record {
        @Option(names = "--order", paramLabel = "ID", description = "the order's id (the number in its admin URL)")
        String orderId;

        @Option(names = "--order-name", paramLabel = "NAME", description = "the order's name as the admin shows it "
                + "('#1042'), resolved to its id through the shop's Admin API (needs --token or SHOPIFY_ADMIN_TOKEN, "
                + "scope read_orders; with --local, by the local stack's Shopify stand-in)")
        String orderName;

        @Option(names = "--sku", paramLabel = "SKU", description = "a variant's SKU: the stock flow's levels of its "
                + "inventory item(s), at every location Shopify stocks it (or --location), resolved through the shop's "
                + "Admin API (needs --token or SHOPIFY_ADMIN_TOKEN, scope read_inventory)")
        String sku;

        @Option(names = "--webhook-id", paramLabel = "ID", description = "a webhook's X-Shopify-Webhook-Id (in "
                + "Shopify's delivery log, an alert or a dead letter): the record it was about, that webhook marked")
        String webhookId;
    }

    @Option(names = "--location", paramLabel = "ID", description = "with --sku: only the level at this Shopify location "
            + "(its id, as Settings > Locations shows it in the URL)")
    String location;

    @Option(names = "--json", description = "print the trace as JSON, for scripts")
    boolean json;

    @Option(names = "--local", paramLabel = "URL", description = "trace on a running scripts/local stack instead, "
            + "e.g. http://127.0.0.1:3000")
    String local;

    @Option(names = "--table", paramLabel = "NAME", description = "the stack's DynamoDB table, instead of --stack")
    String table;

    @Mixin
    FlowQueues queues = new FlowQueues();

    @Mixin
    AwsOptions awsOptions = new AwsOptions();

    /** The flows' logs, for what the records cannot answer (webhooks refused at intake); --no-logs, --log-group. */
    @Mixin
    LogsInsights logs;

    TraceCommand(CliContext context, HttpClient http) {
        this.context = context;
        this.http = http;
        this.logs = new LogsInsights(context, Clock.systemUTC());
    }

    @Override
    public Integer call() {
        String domain = admin.domain();
        if (location != null && record.sku == null) {
            throw new CliException("--location goes with --sku: give --sku SKU --location ID");
        }
        if (record.sku != null || record.webhookId != null) {
            return traceStockOrWebhook(domain);
        }
        if (record.orderName != null && FlowQueues.given(local).isPresent()) {
            // The local stack resolves the name itself, against its Shopify Admin stand-in (GET /_local/trace?name=).
            return askLocal(spec.commandLine().getOut(), "name=" + encode(plausibleOrderName(record.orderName.trim())));
        }
        String order = record.orderName != null ? orderIdOf(record.orderName.trim()) : record.orderId.trim();
        if (!order.matches("[1-9][0-9]{0,24}")) {
            throw new CliException("--order " + record.orderId + " is not an order id: give the number in the order's "
                    + "admin URL (…/admin/orders/5123456789012), not its name (#1042)");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (FlowQueues.given(local).isPresent()) {
            return traceLocal(out, domain, order);
        }
        try (AwsClients aws = AwsClients.of(awsOptions, context)) {
            String tableName = tableName(aws);
            EntityTrace trace = entityTrace(aws, tableName, domain);
            EntityTrace.Report report = aws.call("reading the delivery records of order " + order + " from table "
                    + tableName, () -> trace.trace(query(domain, order,
                    record.orderName == null ? "order " + order : "order " + record.orderName.trim() + " (id " + order + ")")));
            // Where the records cannot answer: webhooks of the entity intake refused, which only the flows' logs keep.
            Duration lookBack = DynamoDbDeliveryStore.DEFAULT_RECORD_RETENTION;
            LogsInsights.Search refused = logs.search(aws, queues, awsOptions, spec.commandLine().getErr(), domain,
                    "entity", report.query().entity(), lookBack);
            if (json) {
                ObjectNode root = trace.json(report, JSON);
                root.set("logs", LogsInsights.json(refused, JSON));
                out.println(root.toPrettyString());
            } else if (!report.found() && refused.found()) {
                out.print(LogsInsights.textAlone(refused, report.query().what(), domain, lookBack));
            } else {
                out.print(trace.text(report) + LogsInsights.text(refused, lookBack));
            }
            out.flush();
            return report.found() || refused.found() ? 0 : 1;
        }
    }

    /** --sku and --webhook-id: the same reads as an order's trace, with the record found another way. */
    private int traceStockOrWebhook(String domain) {
        String sku = record.sku == null ? null : record.sku.trim();
        String webhookId = record.webhookId == null ? null : record.webhookId.trim();
        if (sku != null && (sku.isEmpty() || sku.length() > 255 || sku.chars().anyMatch(c -> c < 32))) {
            throw new CliException("--sku '" + sku + "' is not a SKU: give it as the admin shows it (Products > the "
                    + "variant > SKU), quoted if it has spaces");
        }
        if (location != null && !location.trim().matches("[1-9][0-9]{0,24}")) {
            throw new CliException("--location " + location + " is not a location id: give the number in the location's "
                    + "admin URL (Settings > Locations > …/locations/655441491)");
        }
        if (webhookId != null && !webhookId.matches("[A-Za-z0-9-]{1,64}")) {
            throw new CliException("--webhook-id " + webhookId + " is not a webhook id: give X-Shopify-Webhook-Id as "
                    + "Shopify's delivery log or a dead letter shows it, e.g. b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
        }
        PrintWriter out = spec.commandLine().getOut();
        Optional<String> at = Optional.ofNullable(location).map(String::trim);
        if (FlowQueues.given(local).isPresent()) {
            return sku != null
                    ? askLocal(out, "sku=" + encode(sku) + at.map(l -> "&location=" + l).orElse(""))
                    : askLocal(out, "webhook=" + encode(webhookId));
        }
        List<SkuTrace.Item> items = sku == null ? List.of() : itemsWithSku(domain, sku);
        try (AwsClients aws = AwsClients.of(awsOptions, context)) {
            String tableName = tableName(aws);
            EntityTrace trace = entityTrace(aws, tableName, domain);
            boolean found;
            if (sku != null) {
                SkuTrace.Answer answer = aws.call("reading the delivery records of SKU " + sku + " from table " + tableName,
                        () -> SkuTrace.trace(trace, domain, sku, at, items));
                out.print(json ? SkuTrace.json(answer, trace, JSON).toPrettyString() + "\n" : SkuTrace.text(answer, trace));
                found = answer.found();
            } else {
                EntityTrace.Report report = aws.call("reading the delivery records of webhook " + webhookId
                        + " from table " + tableName, () -> trace.traceWebhook(domain, webhookId));
                out.print(json ? trace.json(report, JSON).toPrettyString() + "\n" : trace.text(report));
                found = report.found();
            }
            out.flush();
            return found ? 0 : 1;
        }
    }

    /** The stack's table: --table, else its IdempotencyTableName output. */
    private String tableName(AwsClients aws) {
        return FlowQueues.given(table).orElseGet(() ->
                queues.stackOutputs(aws, "--table NAME and --dlq-url URL").require("IdempotencyTableName"));
    }

    /** The trace over that table's delivery records and every flow's dead letters (peeked), as each path reads them. */
    private EntityTrace entityTrace(AwsClients aws, String tableName, String domain) {
        DynamoDbDeliveryStore store = DynamoDbDeliveryStore.withDefaults(aws.dynamo(), tableName);
        return new EntityTrace(store, DynamoDbDeliveryStore.DEFAULT_RECORD_RETENTION, () -> deadLetters(aws),
                nextSteps(domain), Clock.systemUTC());
    }

    /** The inventory items whose SKU is {@code sku}, with their locations: one Admin GraphQL search (SkuTrace.QUERY). */
    private List<SkuTrace.Item> itemsWithSku(String domain, String sku) {
        String what = "the look-up of SKU " + sku;
        AdminGraphql.Answer answer = admin.admin(http, context).graphql().query(domain, SkuTrace.QUERY,
                SkuTrace.variables(sku, JSON), what);
        if (!(answer instanceof AdminGraphql.Answer.Data data)) {
            throw new CliException("cannot look SKU " + sku + " up in " + domain + ": "
                    + admin.problem(new AdminGraphqlFailure(what, answer)));
        }
        List<SkuTrace.Item> items = SkuTrace.items(data.data(), sku);
        if (items.isEmpty()) {
            throw new CliException("shop " + domain + " has no inventory item with SKU " + sku + " (asked Shopify's "
                    + "Admin API): check the SKU as the admin shows it (Products > the variant > SKU; it is "
                    + "case-sensitive), or trace the level by a webhook of it: --webhook-id ID");
        }
        return items;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * The id of the order the admin shows as {@code name}: one Admin GraphQL search ({@code orders(query: "name:…")}),
     * kept only when the name matches exactly.
     */
    private String orderIdOf(String name) {
        plausibleOrderName(name);
        String what = "the look-up of order " + name;
        AdminGraphql.Answer answer = admin.admin(http, context).graphql().query(admin.domain(), OrderNames.QUERY,
                OrderNames.variables(name, JSON), what);
        if (!(answer instanceof AdminGraphql.Answer.Data data)) {
            throw new CliException("cannot find order " + name + " in " + admin.domain() + ": "
                    + admin.problem(new AdminGraphqlFailure(what, answer)));
        }
        return OrderNames.id(data.data(), name).orElseThrow(() -> new CliException("shop " + admin.domain()
                + " has no order named " + name + ": check the name as the admin shows it (with its prefix, e.g. "
                + "'#1042'), or give --order ID"));
    }

    /** {@code name}, when it can be an order's name as the admin shows it; otherwise a usage error saying so. */
    private static String plausibleOrderName(String name) {
        if (!OrderNames.plausible(name)) {
            throw new CliException("--order-name '" + name + "' is not an order name: give it as the admin shows it, "
                    + "e.g. '#1042' (quoted, or the shell drops everything after #)");
        }
        return name;
    }

    /** What an order's trace asks: the entity key the order flows give it (EntityKeys.byId("order", ...)). */
    static EntityTrace.Query query(String shop, String orderId, String what) {
        return new EntityTrace.Query(shop, shop + "/order/" + orderId, what);
    }

    /**
     * Every flow's dead letters, peeked (each message made visible again at once, none deleted). With --dlq-url
     * instead of --stack, that one queue; a dead letter names its flow in its {@code flow} attribute.
     */
    private List<EntityTrace.DeadLetter> deadLetters(AwsClients aws) {
        Map<String, DeployedFlow> byUrl = new LinkedHashMap<>();
        Map<String, SqsQueue> dlqs = new LinkedHashMap<>();
        for (DeployedFlow flow : DeployedFlow.ALL) {
            SqsQueue dlq = queues.deadLetterQueue(flow, aws);
            byUrl.putIfAbsent(dlq.url(), flow);
            dlqs.putIfAbsent(dlq.url(), dlq);
        }
        List<EntityTrace.DeadLetter> letters = new ArrayList<>();
        for (Map.Entry<String, SqsQueue> entry : dlqs.entrySet()) {
            SqsQueue dlq = entry.getValue();
            if (dlq.counts().total() == 0) {
                continue;
            }
            for (Message message : dlq.peek(PEEK_MAX)) {
                Map<String, String> attributes = message.messageAttributes().entrySet().stream()
                        .filter(e -> e.getValue().stringValue() != null)
                        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().stringValue()));
                String sent = message.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP);
                String flow = attributes.getOrDefault("flow", byUrl.get(entry.getKey()).name());
                letters.add(new EntityTrace.DeadLetter(flow, dlq.name(), message.messageId(),
                        sent == null ? null : Instant.ofEpochMilli(Long.parseLong(sent)), attributes));
            }
        }
        return letters;
    }

    private EntityTrace.NextSteps nextSteps(String domain) {
        List<String> where = new ArrayList<>(queues.asArguments(false));
        where.addAll(awsOptions.asArguments());
        String stack = String.join(" ", where);
        return new EntityTrace.NextSteps() {
            @Override
            public String redrive(String flow) {
                return "scripts/shopsync dlq redrive " + flow + " " + stack;
            }

            @Override
            public String unknown(String what) {
                return "check the subscription with `scripts/shopsync webhooks list --stack " + (queues.stack == null
                        ? "NAME" : queues.stack.trim()) + " --shop " + domain + "`, or run `scripts/shopsync reconcile "
                        + stack + " --shop " + domain + " --since <the day it changed>`";
            }
        };
    }

    private int traceLocal(PrintWriter out, String domain, String order) {
        return askLocal(out, "order=" + URLEncoder.encode(order, StandardCharsets.UTF_8));
    }

    /** GET /_local/trace with the shop and {@code what} (order=, sku=, webhook=), printed as the stack answers. */
    private int askLocal(PrintWriter out, String what) {
        String domain = admin.domain();
        String base = local.trim().replaceAll("/+$", "");
        URI uri;
        try {
            uri = URI.create(base + "/_local/trace?shop=" + URLEncoder.encode(domain, StandardCharsets.UTF_8)
                    + "&" + what + (json ? "" : "&format=text"));
        } catch (IllegalArgumentException e) {
            throw new CliException("--local " + local + " is not a URL: give the address scripts/local printed, e.g. "
                    + "http://127.0.0.1:3000");
        }
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CliException("cannot reach the local stack at " + base + " (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + "): is scripts/local running? It prints its address when ready", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while asking the local stack; nothing was changed", e);
        }
        if (response.statusCode() != 200 && response.statusCode() != 404) {
            throw new CliException("the local stack at " + base + " answered " + response.statusCode() + " to the trace: "
                    + response.body().strip() + " (is it an older scripts/local without /_local/trace? rebuild it)");
        }
        out.print(response.body().endsWith("\n") ? response.body() : response.body() + "\n");
        out.flush();
        return response.statusCode() == 200 ? 0 : 1;
    }
}
