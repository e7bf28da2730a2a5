package io.shopsync.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.shopsync.delivery.DeliveryOutcome.PermanentFailure;
import io.shopsync.delivery.DeliveryOutcome.RetryLater;
import io.shopsync.emulator.SqsEventSource;
import io.shopsync.orders.OrderToCrm;
import io.shopsync.stock.StockToInventory;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.FakeTarget;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testing.ShopifyGraphqlValidation;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code trace} over what the real order flow wrote: Shopify's signed sample webhooks through intake, the FIFO
 * queue and the delivery loop into DynamoDB (with the template's entity index) and the dead-letter queue, on the
 * AWS-compatible test backend; then the CLI reads it back as an operator would.
 */
@ExtendWith(AwsBackend.class)
class TraceCommandIT {

    /** The order every sample in events/order-to-crm is about. */
    private static final String ORDER = "820982911946154508";
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AwsClients aws;
    private final AwsFlowStack stack;
    private final FakeTarget hubspot = new FakeTarget("hubspot");
    private final SqsEventSource source;
    private final OrderToCrm function;
    private final CliRun cli = new CliRun(Map.of(), Duration.ofMillis(50));

    TraceCommandIT(AwsClients aws) {
        this.aws = aws;
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        this.function = new OrderToCrm(stack.environmentBuilder().target(hubspot).build());
        this.source = new SqsEventSource(aws.sqs(), stack.queues.workQueueUrl(), function);
    }

    @Test
    void trace_ofADeliveredOrder_showsTheWebhook_itsOutcome_theWatermark_andNothingToDo() {
        postWebhook("orders-create.json");
        pollUntil(() -> hubspot.effects.size() == 1);

        CliRun.Result result = trace(ORDER);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out())
                .contains("order " + ORDER + " at " + SHOP)
                .contains("order-to-crm -> hubspot   watermark: updated_at 2026-11-27T10:15:45Z (triggered 2026-11-27T10:15:47.234647458Z)")
                .contains("orders/create  webhook f1e47194-bdbf-5fad-9917-193e05f15a92  triggered 2026-11-27T10:15:47.234647458Z  received ")
                .contains("      delivered: the target accepted it\n")
                .contains("In a dead-letter queue now: no")
                .contains("nothing to do");
    }

    @Test
    void trace_ofAnOlderCopyArrivingLate_saysStale_andAgainstWhichVersion() {
        postWebhook("orders-updated.json");   // updated_at 09:42:18-05:00
        postWebhook("orders-paid.json");      // updated_at 05:15:46-05:00, arrives late
        pollUntil(this::workQueueIsEmpty);

        CliRun.Result result = trace(ORDER);

        assertThat(result.exitCode()).as(result.all()).isZero();
        String out = result.out();
        assertThat(out).contains("orders/paid  webhook 3eb951a6-f2bd-5fec-8bd0-064e4ca6dfc7")
                .contains("stale: not sent: the target already has the version of 2026-11-27T14:42:18Z "
                        + "(triggered 2026-11-27T14:42:19.506183927Z), newer than this one");
        // Newest first: the late copy was refused after the newer version was delivered.
        assertThat(out.indexOf("orders/paid")).isLessThan(out.indexOf("orders/updated"));
    }

    @Test
    void trace_ofADeliveryRetriedThenDelivered_namesTheRetryReason() {
        hubspot.thenAnswer(new RetryLater("hubspot answered 503 Service Unavailable (retryable)"));
        postWebhook("orders-create.json");
        pollUntil(() -> hubspot.effects.size() == 1);

        CliRun.Result result = trace(ORDER);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("delivered: the target accepted it after 1 failed attempt (last error: hubspot "
                + "answered 503 Service Unavailable (retryable))");
    }

    @Test
    void trace_ofADeadLetteredOrder_showsTheReason_theQueue_andTheRedrive_withoutConsumingTheDeadLetter() {
        hubspot.thenAnswer(new PermanentFailure("hubspot answered 400 VALIDATION_ERROR: property shopify_order_id does "
                + "not exist: create it (docs/operations.md)", "http-400"));
        postWebhook("orders-create.json");
        pollUntil(() -> deadLetters() == 1);

        CliRun.Result result = trace(ORDER);
        CliRun.Result again = trace(ORDER);

        assertThat(result.exitCode()).as(result.all()).isZero();
        String dlqName = stack.queues.deadLetterQueueUrl().substring(stack.queues.deadLetterQueueUrl().lastIndexOf('/') + 1);
        assertThat(result.out())
                .contains("dead-lettered: hubspot answered 400 VALIDATION_ERROR: property shopify_order_id does not exist")
                .contains("In a dead-letter queue now:\n  order-to-crm: " + dlqName + ", message ")
                .contains("orders/create webhook f1e47194-bdbf-5fad-9917-193e05f15a92, target hubspot: hubspot: hubspot "
                        + "answered 400")
                .contains("then deliver it again: scripts/shopsync dlq redrive order-to-crm --dlq-url "
                        + stack.queues.deadLetterQueueUrl());
        assertThat(again.out()).contains("In a dead-letter queue now:\n  order-to-crm: " + dlqName);
        assertThat(deadLetters()).isEqualTo(1);
    }

    @Test
    void trace_ofAnOrderNoWebhookReached_saysWhereToLook_andFails() {
        postWebhook("orders-create.json");
        pollUntil(() -> hubspot.effects.size() == 1);

        CliRun.Result result = trace("5123456789012");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("no webhook for order 5123456789012 of " + SHOP + " in the last 72 h: check the "
                + "subscription with `scripts/shopsync webhooks list");
        assertThat(result.out()).contains("or run `scripts/shopsync reconcile");
    }

    @Test
    void trace_json_carriesTheSameFacts_forScripts() throws Exception {
        postWebhook("orders-updated.json");
        postWebhook("orders-paid.json");
        pollUntil(this::workQueueIsEmpty);

        CliRun.Result result = trace(ORDER, "--json");

        assertThat(result.exitCode()).as(result.all()).isZero();
        JsonNode trace = JSON.readTree(result.out());
        assertThat(trace.path("entity").asText()).isEqualTo(SHOP + "/order/" + ORDER);
        assertThat(trace.path("found").asBoolean()).isTrue();
        JsonNode target = trace.path("targets").get(0);
        assertThat(target.path("flow").asText()).isEqualTo("order-to-crm");
        assertThat(target.path("target").asText()).isEqualTo("hubspot");
        assertThat(target.path("watermark").path("updatedAt").asText()).isEqualTo("2026-11-27T14:42:18Z");
        JsonNode stale = target.path("webhooks").get(0);
        assertThat(stale.path("topic").asText()).isEqualTo("orders/paid");
        assertThat(stale.path("outcome").asText()).isEqualTo("stale");
        assertThat(stale.path("staleAgainst").asText()).isEqualTo("2026-11-27T14:42:18Z");
        assertThat(stale.path("triggeredAt").asText()).isEqualTo("2026-11-27T10:15:47.918305172Z");
        JsonNode delivered = target.path("webhooks").get(1);
        assertThat(delivered.path("webhookId").asText()).isEqualTo("ef8a8a1b-49d5-53a2-be6b-563ba9bc4cf2");
        assertThat(delivered.path("outcome").asText()).isEqualTo("delivered");
        assertThat(trace.path("deadLetters").size()).isZero();
        assertThat(trace.path("nextSteps").get(0).asText()).startsWith("nothing to do");
    }

    @Test
    void trace_byOrderName_resolvesTheIdThroughTheAdminApi_andRefusesANameTheShopDoesNotHave() {
        postWebhook("orders-create.json");
        pollUntil(() -> hubspot.effects.size() == 1);
        WireMockServer shopify = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        shopify.start();
        try {
            // Shopify's answer to an orders search: the matching orders' names and ids, with the query's cost.
            shopify.stubFor(post(urlEqualTo("/admin/api/2026-10/graphql.json"))
                    .withHeader("X-Shopify-Access-Token", equalTo("shpat_test_token"))
                    .withRequestBody(matchingJsonPath("$.variables.query", equalTo("name:\"#1001\"")))
                    .willReturn(okJson("""
                            {"data": {"orders": {"nodes": [{"legacyResourceId": "820982911946154508", "name": "#1001"}]}},
                             "extensions": {"cost": {"requestedQueryCost": 4, "actualQueryCost": 3, "throttleStatus":
                               {"maximumAvailable": 2000.0, "currentlyAvailable": 1997, "restoreRate": 100.0}}}}
                            """)));
            shopify.stubFor(post(urlEqualTo("/admin/api/2026-10/graphql.json")).atPriority(10)
                    .willReturn(okJson("""
                            {"data": {"orders": {"nodes": []}},
                             "extensions": {"cost": {"requestedQueryCost": 4, "actualQueryCost": 2, "throttleStatus":
                               {"maximumAvailable": 2000.0, "currentlyAvailable": 1998, "restoreRate": 100.0}}}}
                            """)));

            CliRun.Result found = cli.run(withStack("trace", "--shop", "shopsync-demo", "--order-name", "#1001",
                    "--admin-url", shopify.baseUrl(), "--token", "shpat_test_token"));
            CliRun.Result missing = cli.run(withStack("trace", "--shop", "shopsync-demo", "--order-name", "#1999",
                    "--admin-url", shopify.baseUrl(), "--token", "shpat_test_token"));

            assertThat(found.exitCode()).as(found.all()).isZero();
            assertThat(found.out()).contains("order #1001 (id " + ORDER + ") at " + SHOP, "order-to-crm -> hubspot",
                    "orders/create  webhook f1e47194-bdbf-5fad-9917-193e05f15a92");
            assertThat(missing.exitCode()).isEqualTo(1);
            assertThat(missing.err()).contains("shop " + SHOP + " has no order named #1999");
            assertThat(found.all() + missing.all()).doesNotContain("shpat_test_token");
        } finally {
            shopify.stop();
        }
    }

    @Test
    void trace_byWebhookId_tracesItsOrder_andMarksThatWebhook() throws Exception {
        postWebhook("orders-create.json");
        postWebhook("orders-updated.json");
        pollUntil(this::workQueueIsEmpty);

        CliRun.Result result = cli.run(withStack("trace", "--shop", "shopsync-demo", "--webhook-id",
                "f1e47194-bdbf-5fad-9917-193e05f15a92"));
        CliRun.Result json = cli.run(withStack("trace", "--shop", "shopsync-demo", "--webhook-id",
                "f1e47194-bdbf-5fad-9917-193e05f15a92", "--json"));

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("webhook f1e47194-bdbf-5fad-9917-193e05f15a92 (order " + ORDER + ") at " + SHOP)
                .containsPattern("orders/create  webhook f1e47194-bdbf-5fad-9917-193e05f15a92  triggered \\S+  received "
                        + "\\S+  <- this webhook\n")
                .containsPattern("orders/updated  webhook ef8a8a1b-49d5-53a2-be6b-563ba9bc4cf2  triggered \\S+  received "
                        + "\\S+\n");
        assertThat(json.exitCode()).as(json.all()).isZero();
        JsonNode trace = JSON.readTree(json.out());
        assertThat(trace.path("webhookId").asText()).isEqualTo("f1e47194-bdbf-5fad-9917-193e05f15a92");
        assertThat(trace.path("entity").asText()).isEqualTo(SHOP + "/order/" + ORDER);
        JsonNode webhooks = trace.path("targets").get(0).path("webhooks");
        assertThat(webhooks).hasSize(2);
        assertThat(webhooks.get(0).path("webhookId").asText()).isEqualTo("ef8a8a1b-49d5-53a2-be6b-563ba9bc4cf2");
        assertThat(webhooks.get(0).path("thisWebhook").asBoolean()).isFalse();
        assertThat(webhooks.get(1).path("thisWebhook").asBoolean()).isTrue();
    }

    @Test
    void trace_byWebhookId_ofAWebhookDeadLetteredAtIntake_findsItInTheDeadLetterQueue() throws Exception {
        // An authentic orders/create whose body has no order id: intake cannot name its entity, so it has no delivery
        // record, only a dead letter.
        String event = LambdaInvoker.withBody(Fixtures.text("events/order-to-crm/orders-create.json"),
                "{\"name\": \"#1001\", \"email\": null}");
        String webhookId = JSON.readTree(event).path("headers").path("x-shopify-webhook-id").asText();
        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);
        assertThat(deadLetters()).isEqualTo(1);

        CliRun.Result result = cli.run(withStack("trace", "--shop", "shopsync-demo", "--webhook-id", webhookId));

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("webhook " + webhookId + " at " + SHOP)
                .contains("In a dead-letter queue now:\n  order-to-crm: ")
                .contains("orders/create webhook " + webhookId)
                .contains("payload has no id")
                .contains("scripts/shopsync dlq redrive order-to-crm");
        assertThat(deadLetters()).isEqualTo(1);
    }

    @Test
    void trace_byOrder_showsAWebhookOfItDeadLetteredAtIntake_byTheEntityItsDeadLetterNames() throws Exception {
        // Shopify's signed fulfillments/create of this order, subscribed to the order flow's route by mistake:
        // dead-lettered at intake, so no delivery record; its dead letter is all the table-side trace can find.
        String event = Fixtures.text("events/fulfilment-to-crm/fulfillments-create.json");
        String webhookId = JSON.readTree(event).path("headers").path("x-shopify-webhook-id").asText();
        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);
        assertThat(deadLetters()).isEqualTo(1);

        CliRun.Result result = trace(ORDER);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("In a dead-letter queue now:\n  order-to-crm: ")
                .contains("fulfillments/create webhook " + webhookId)
                .contains("topic fulfillments/create is not handled by flow order-to-crm")
                .contains("scripts/shopsync dlq redrive order-to-crm");
        assertThat(deadLetters()).as("peeked, not consumed").isEqualTo(1);
    }

    @Test
    void trace_ofAnUnknownWebhookId_saysWhereToLook_andFails() {
        postWebhook("orders-create.json");
        pollUntil(() -> hubspot.effects.size() == 1);

        CliRun.Result result = cli.run(withStack("trace", "--shop", "shopsync-demo", "--webhook-id",
                "0b7c6a2e-93f1-4d7e-9a55-1c2d3e4f5a6b"));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("no webhook 0b7c6a2e-93f1-4d7e-9a55-1c2d3e4f5a6b of " + SHOP
                + " in the last 72 h: check the subscription with `scripts/shopsync webhooks list");
        assertThat(result.out()).contains("or run `scripts/shopsync reconcile");
    }

    @Test
    void trace_bySku_atEveryLocation_resolvesTheItemThroughTheAdminApi_andTracesEachLevel() throws Exception {
        try (StockStack stock = new StockStack()) {
            stock.deliverLevels();

            CliRun.Result all = cli.run(stock.withStack("trace", "--shop", "shopsync-demo", "--sku", "SS-MCS-OAT-M"));
            CliRun.Result json = cli.run(stock.withStack("trace", "--shop", "shopsync-demo", "--sku", "SS-MCS-OAT-M",
                    "--json"));

            assertThat(all.exitCode()).as(all.all()).isZero();
            assertThat(all.out())
                    .startsWith("SKU SS-MCS-OAT-M at " + SHOP + ": inventory item 437290762312585471 at 2 locations "
                            + "(resolved through Shopify's Admin API)")
                    .contains("inventory level of item 437290762312585471 at location 655441491 at " + SHOP)
                    .contains("stock-to-inventory -> webhook")
                    .contains("inventory_levels/update  webhook bec90c6c-369b-51d0-b103-9529bc85193d")
                    .contains("delivered: the target accepted it")
                    .contains("inventory level of item 437290762312585471 at location " + StockStack.UNMAPPED + " at "
                            + SHOP)
                    .contains("dead-lettered: Shopify location " + StockStack.UNMAPPED + " is not in LOCATION_MAPPING")
                    .contains("scripts/shopsync dlq redrive stock-to-inventory");
            assertThat(all.all()).doesNotContain("shpat_0123456789abcdef");
            assertThat(json.exitCode()).as(json.all()).isZero();
            JsonNode trace = JSON.readTree(json.out());
            assertThat(trace.path("sku").asText()).isEqualTo("SS-MCS-OAT-M");
            assertThat(trace.path("resolvedThrough").asText()).isEqualTo("shopify-admin-api");
            assertThat(trace.path("levels")).hasSize(2);
            assertThat(trace.path("levels").get(0).path("entity").asText())
                    .isEqualTo(SHOP + "/inventory-level/437290762312585471/655441491");
            assertThat(trace.path("levels").get(0).path("targets").get(0).path("webhooks").get(0).path("outcome")
                    .asText()).isEqualTo("delivered");
            assertThat(trace.path("levels").get(1).path("deadLetters")).hasSize(1);
        }
    }

    @Test
    void trace_bySku_atOneLocation_tracesThatLevelOnly() {
        try (StockStack stock = new StockStack()) {
            stock.deliverLevels();

            CliRun.Result one = cli.run(stock.withStack("trace", "--shop", "shopsync-demo", "--sku", "SS-MCS-OAT-M",
                    "--location", "655441491"));

            assertThat(one.exitCode()).as(one.all()).isZero();
            assertThat(one.out())
                    .startsWith("SKU SS-MCS-OAT-M at " + SHOP + ": inventory item 437290762312585471 at location 655441491")
                    .contains("inventory level of item 437290762312585471 at location 655441491 at " + SHOP)
                    .contains("delivered: the target accepted it")
                    .doesNotContain(StockStack.UNMAPPED);
        }
    }

    @Test
    void trace_ofAnUnknownSku_saysWhatToCheck_andFails() {
        try (StockStack stock = new StockStack()) {
            CliRun.Result result = cli.run(stock.withStack("trace", "--shop", "shopsync-demo", "--sku", "SS-NOPE-XL"));

            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.err()).contains("shop " + SHOP + " has no inventory item with SKU SS-NOPE-XL (asked "
                    + "Shopify's Admin API): check the SKU as the admin shows it (Products > the variant > SKU; it is "
                    + "case-sensitive)");
        }
    }

    /**
     * The stock flow on the test backend, delivering to a signed-webhook endpoint, with Shopify's Admin API stood in
     * by WireMock: the flow's SKU look-up and the trace's SKU search, each answered as Shopify answers them.
     */
    private final class StockStack implements AutoCloseable {
        /** A location of the shop that LOCATION_MAPPING lacks: its level is dead-lettered. */
        static final String UNMAPPED = "71234567890";
        private static final String TOKEN = "shpat_0123456789abcdef";
        final AwsFlowStack flowStack;
        final WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new ShopifyGraphqlValidation()));
        final StockToInventory stockFunction;
        final SqsEventSource stockSource;

        StockStack() {
            server.start();
            String cost = ",\"extensions\":{\"cost\":{\"requestedQueryCost\":12,\"actualQueryCost\":4,"
                    + "\"throttleStatus\":{\"maximumAvailable\":2000.0,\"currentlyAvailable\":1996,\"restoreRate\":100.0}}}}";
            server.stubFor(post(urlEqualTo("/admin/api/2026-10/graphql.json"))
                    .withRequestBody(containing("inventoryItem(id:"))
                    .willReturn(okJson("{\"data\":{\"inventoryItem\":{\"sku\":\"SS-MCS-OAT-M\",\"tracked\":true}}" + cost)));
            // Shopify's inventoryItems search: a SKU filter matches case-sensitively; the item's levels name their locations.
            server.stubFor(post(urlEqualTo("/admin/api/2026-10/graphql.json"))
                    .withHeader("X-Shopify-Access-Token", equalTo(TOKEN))
                    .withRequestBody(matchingJsonPath("$.variables.query", equalTo("sku:\"SS-MCS-OAT-M\"")))
                    .willReturn(okJson("{\"data\":{\"inventoryItems\":{\"nodes\":[{\"id\":"
                            + "\"gid://shopify/InventoryItem/437290762312585471\",\"sku\":\"SS-MCS-OAT-M\","
                            + "\"inventoryLevels\":{\"nodes\":[{\"location\":{\"id\":\"gid://shopify/Location/655441491\"}},"
                            + "{\"location\":{\"id\":\"gid://shopify/Location/" + UNMAPPED + "\"}}]}}]}}" + cost)));
            server.stubFor(post(urlEqualTo("/admin/api/2026-10/graphql.json")).atPriority(10)
                    .withRequestBody(containing("inventoryItems("))
                    .willReturn(okJson("{\"data\":{\"inventoryItems\":{\"nodes\":[]}}" + cost)));
            server.stubFor(post(urlEqualTo("/inventory/shopsync")).willReturn(aResponse().withStatus(204)));
            flowStack = AwsFlowStack.create(aws, "stock-to-inventory");
            stockFunction = new StockToInventory(flowStack.environment(Map.of(
                    "INVENTORY_TARGET", "webhook",
                    "INVENTORY_WEBHOOK_URL", server.baseUrl() + "/inventory/shopsync",
                    "INVENTORY_WEBHOOK_SECRET", "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
                    "SHOPIFY_ADMIN_TOKENS", "{\"" + SHOP + "\": \"" + TOKEN + "\"}",
                    "SHOPIFY_ADMIN_BASE_URL", server.baseUrl(),
                    "LOCATION_MAPPING", "{\"655441491\": \"WH-MAIN\"}")));
            stockSource = new SqsEventSource(aws.sqs(), flowStack.queues.workQueueUrl(), stockFunction);
        }

        /** The sample level at the mapped location, delivered; the same item's level at an unmapped one, dead-lettered. */
        void deliverLevels() {
            String event = Fixtures.text("events/stock-to-inventory/inventory-levels-update.json");
            assertThat(LambdaInvoker.invoke(stockFunction, event).path("statusCode").asInt()).isEqualTo(200);
            String elsewhere = LambdaInvoker.withBody(event, "{\"inventory_item_id\":437290762312585471,\"location_id\":"
                    + UNMAPPED + ",\"available\":7,\"updated_at\":\"2026-11-27T11:35:02-05:00\","
                    + "\"admin_graphql_api_id\":\"gid://shopify/InventoryLevel/" + UNMAPPED
                    + "?inventory_item_id=437290762312585471\"}");
            assertThat(LambdaInvoker.invoke(stockFunction, elsewhere).path("statusCode").asInt()).isEqualTo(200);
            Instant deadline = Instant.now().plusSeconds(30);
            while ((count(flowStack.queues.workQueueUrl()) > 0 || count(flowStack.queues.deadLetterQueueUrl()) == 0)
                    && Instant.now().isBefore(deadline)) {
                stockSource.pollOnce();
            }
            assertThat(count(flowStack.queues.deadLetterQueueUrl())).as("the unmapped level dead-lettered").isEqualTo(1);
            assertThat(count(flowStack.queues.workQueueUrl())).as("both levels handled").isZero();
        }

        String[] withStack(String... args) {
            String[] where = {"--table", flowStack.table, "--dlq-url", flowStack.queues.deadLetterQueueUrl(),
                "--endpoint-url", System.getenv("AWS_ENDPOINT_URL"), "--region", "us-east-1",
                "--admin-url", server.baseUrl(), "--token", TOKEN};
            String[] all = new String[args.length + where.length];
            System.arraycopy(args, 0, all, 0, args.length);
            System.arraycopy(where, 0, all, args.length, where.length);
            return all;
        }

        @Override
        public void close() {
            server.stop();
        }
    }

    private String[] withStack(String... args) {
        String[] where = {"--table", stack.table, "--dlq-url", stack.queues.deadLetterQueueUrl(), "--endpoint-url",
            System.getenv("AWS_ENDPOINT_URL"), "--region", "us-east-1"};
        String[] all = new String[args.length + where.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(where, 0, all, args.length, where.length);
        return all;
    }

    private CliRun.Result trace(String order, String... more) {
        String[] base = {"trace", "--shop", "shopsync-demo", "--order", order, "--table", stack.table,
            "--dlq-url", stack.queues.deadLetterQueueUrl(), "--endpoint-url", System.getenv("AWS_ENDPOINT_URL"),
            "--region", "us-east-1"};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return cli.run(args);
    }

    private void postWebhook(String eventFile) {
        JsonNode response = LambdaInvoker.invoke(function, Fixtures.text("events/order-to-crm/" + eventFile));
        assertThat(response.path("statusCode").asInt()).isEqualTo(200);
    }

    private void pollUntil(BooleanSupplier done) {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!done.getAsBoolean() && Instant.now().isBefore(deadline)) {
            source.pollOnce();
        }
        assertThat(done.getAsBoolean()).as("reached within 30 s").isTrue();
    }

    private boolean workQueueIsEmpty() {
        return count(stack.queues.workQueueUrl()) == 0;
    }

    private long deadLetters() {
        return count(stack.queues.deadLetterQueueUrl());
    }

    private long count(String url) {
        Map<String, String> attributes = aws.sqs().getQueueAttributes(r -> r.queueUrl(url).attributeNamesWithStrings(
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")).attributesAsStrings();
        return Long.parseLong(attributes.get("ApproximateNumberOfMessages"))
                + Long.parseLong(attributes.get("ApproximateNumberOfMessagesNotVisible"));
    }
}
