package io.shopsync.local;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.shopsync.testing.ShopifyGraphqlValidation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reconciler in the local stack: a replay that leaves webhooks out, then a reconciler run against the
 * Shopify Admin stand-in (fed from events/payloads) that finds what was missed (an order, a fulfilment's latest
 * version, a stock level), queues it on its flow and has it delivered once; a second run queues nothing. The reconciler's GraphQL goes through WireMock with {@link ShopifyGraphqlValidation},
 * which refuses what Shopify's schema would refuse, on its way to the stand-in.
 */
class LocalReconcilerIT {

    private static final String GUEST_ORDER = "734281950317462958";
    private static final String ORDER_1001 = "820982911946154508";
    private static final String FULFILMENT = "255858046011252993";
    private static final String INVENTORY_ITEM = "437290762312585471";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path logs;

    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private RunningStack stack;
    private WireMockServer shopify;

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
        if (shopify != null) {
            shopify.stop();
        }
    }

    /** scripts/local --replay --drop orders-guest-pos, as a user runs it. */
    @Test
    void replayWithADroppedWebhook_theReconcilerQueuesTheMissedOrder_andItIsDelivered() {
        int code = LocalStack.execute(new String[] {"--port", "0", "--replay", "--drop", "orders-guest-pos",
            "--exit-after-replay", "--reconcile-every", "0", "--log", logs.resolve("log").toString()},
                new PrintStream(console, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of(), false);

        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed + err).isZero();
        assertThat(printed).contains("replay: dropped order-to-crm/orders-guest-pos.json", "replay: posted 9 webhooks");
        assertThat(printed).contains("reconciler queued 1 missed order: orders/create");
        assertThat(printed).containsPattern("what the reconciler queued: 1 delivered on order-to-crm, targets sent: hubspot \\d+ request");
    }

    @Test
    void aDroppedOrder_isFoundQueuedAndDeliveredOnce_andASecondRunQueuesNothing() throws Exception {
        start(Map.of());
        new Replay(stack, SignedWebhooks.JSON, new PrintStream(console, true, StandardCharsets.UTF_8))
                .run(Path.of(StackTemplate.find(Path.of("")).getParent().toString(), "events"), Duration.ofSeconds(60),
                        Set.of("orders-guest-pos"));
        String printed = console.toString(StandardCharsets.UTF_8);

        assertThat(printed).contains("reconciler queued 1 missed order: orders/create");
        JsonNode status = SignedWebhooks.get(stack.url() + "/_local/status");
        JsonNode lastRun = status.path("reconciler").path("lastRun");
        assertThat(lastRun.path("succeeded").asBoolean()).as(lastRun.toString()).isTrue();
        assertThat(lastRun.path("queued").asInt()).isEqualTo(1);
        JsonNode check = lastRun.path("checks").path(0);
        assertThat(check.path("scanned").asInt()).as("both sample orders are in the window").isEqualTo(2);
        assertThat(check.path("current").asInt()).as("order #1001 was delivered by its webhooks").isEqualTo(1);
        assertThat(check.path("queued").path(0).path("entity").asText()).contains(GUEST_ORDER);
        assertThat(check.path("queued").path(0).path("webhookId").asText()).startsWith("shopsync-reconcile-" + GUEST_ORDER);
        long guestRequests = outboxRequestsFor(GUEST_ORDER);
        assertThat(guestRequests).as("the missed order reached the target").isPositive();
        assertThat(status.path("flows").path("order-to-crm").path("deadLettered").asInt()).isZero();
        assertThat(status.path("flows").path("order-to-crm").path("inFlight").asInt()).isZero();

        HttpResponse<String> second = reconcile();
        SignedWebhooks.awaitIdle(stack.url(), Duration.ofSeconds(20));

        assertThat(second.statusCode()).isEqualTo(200);
        JsonNode again = SignedWebhooks.JSON.readTree(second.body());
        assertThat(again.path("succeeded").asBoolean()).as(second.body()).isTrue();
        assertThat(again.path("queued").asInt()).isZero();
        assertThat(outboxRequestsFor(GUEST_ORDER)).as("delivered once").isEqualTo(guestRequests);
        assertThat(SignedWebhooks.get(stack.url() + "/_local/status").path("reconciler").path("runs").asInt()).isEqualTo(2);
    }

    /** The last version of order #1001 is dropped: its targets hold an older one, so the order is queued as stale. */
    @Test
    void aDroppedLatestVersion_isQueuedAsAnUpdate_throughShopifysSchemaValidation() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = free.getLocalPort();
        }
        shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new ShopifyGraphqlValidation()));
        shopify.start();
        shopify.stubFor(any(anyUrl()).willReturn(aResponse().proxiedFrom("http://127.0.0.1:" + port)));
        start(Map.of("SHOPIFY_ADMIN_BASE_URL", shopify.baseUrl()), port);

        new Replay(stack, SignedWebhooks.JSON, new PrintStream(console, true, StandardCharsets.UTF_8))
                .run(Path.of(StackTemplate.find(Path.of("")).getParent().toString(), "events"), Duration.ofSeconds(60),
                        Set.of("orders-cancelled"));

        String printed = console.toString(StandardCharsets.UTF_8);
        // SHOPIFY_ADMIN_BASE_URL is every function's: the stock flow's SKU look-up reaches the stand-in too, without
        // its token, so the level is dead-lettered, and the stock check finds what the target was never given.
        assertThat(printed).contains("reconciler queued 1 missed order and 1 drifted stock level: orders/updated");
        assertThat(printed).contains("hubspot: has 2026-11-27T14:42:18Z");
        shopify.verify(postRequestedFor(urlEqualTo("/admin/api/2026-10/graphql.json"))
                .withRequestBody(containing("query OrderVersions(")));
        // The fulfilment and stock checks' queries passed Shopify's schema validation on their way too.
        shopify.verify(postRequestedFor(urlEqualTo("/admin/api/2026-10/graphql.json"))
                .withRequestBody(containing("query FulfilmentVersions(")));
        shopify.verify(postRequestedFor(urlEqualTo("/admin/api/2026-10/graphql.json"))
                .withRequestBody(containing("query InventoryLevels(")));
        shopify.verify(1, postRequestedFor(urlEqualTo("/admin/api/2026-10/graphql.json"))
                .withRequestBody(containing("query Order(")).withRequestBody(containing(ORDER_1001)));
        JsonNode lastRun = SignedWebhooks.get(stack.url() + "/_local/status").path("reconciler").path("lastRun");
        assertThat(lastRun.path("succeeded").asBoolean()).as(lastRun.toString()).isTrue();
        // The cancelled version was delivered by the reconciler: a HubSpot request carries its cancellation.
        assertThat(StreamSupport.stream(SignedWebhooks.get(stack.url() + "/_local/outbox").spliterator(), false)
                .filter(request -> request.path("body").toString().contains(ORDER_1001))
                .anyMatch(request -> request.path("body").toString().toLowerCase().contains("cancel"))).isTrue();
    }

    /**
     * scripts/local --replay --drop fulfillments-update,inventory-levels-update: one run finds both, the fulfilment
     * behind (its create was delivered) and the level never given; each is delivered on its own flow, raises the
     * "missed" alert its deployed alarm would, and a second run queues nothing.
     */
    @Test
    void aDroppedFulfilmentAndADroppedStockLevel_areFoundByOneRun_deliveredAndAlerted() throws Exception {
        start(Map.of());
        new Replay(stack, SignedWebhooks.JSON, new PrintStream(console, true, StandardCharsets.UTF_8))
                .run(Path.of(StackTemplate.find(Path.of("")).getParent().toString(), "events"), Duration.ofSeconds(60),
                        Set.of("fulfillments-update", "inventory-levels-update"));
        String printed = console.toString(StandardCharsets.UTF_8);

        assertThat(printed).contains("reconciler queued 1 missed fulfilment and 1 drifted stock level: fulfillments/update");
        assertThat(printed).containsPattern("what the reconciler queued: 1 delivered on fulfilment-to-crm, targets sent: hubspot \\d+ request");
        assertThat(printed).contains("what the reconciler queued: 1 delivered on stock-to-inventory, targets sent: webhook 1 request");
        JsonNode status = SignedWebhooks.get(stack.url() + "/_local/status");
        JsonNode lastRun = status.path("reconciler").path("lastRun");
        assertThat(lastRun.path("succeeded").asBoolean()).as(lastRun.toString()).isTrue();
        assertThat(check(lastRun, "orders").path("queued")).as("every order was delivered by its webhooks").isEmpty();
        JsonNode fulfilment = check(lastRun, "fulfilments").path("queued");
        assertThat(fulfilment).hasSize(1);
        assertThat(fulfilment.path(0).path("topic").asText()).isEqualTo("fulfillments/update");
        assertThat(fulfilment.path(0).path("webhookId").asText()).isEqualTo("shopsync-reconcile-fulfillment-" + FULFILMENT
                + "-" + java.time.OffsetDateTime.parse("2026-11-28T19:47:05-05:00").toInstant().toEpochMilli());
        JsonNode level = check(lastRun, "stock").path("queued");
        assertThat(level).hasSize(1);
        assertThat(level.path(0).path("topic").asText()).isEqualTo("inventory_levels/update");
        assertThat(level.path(0).path("entity").asText()).contains(INVENTORY_ITEM).contains("655441491");
        assertThat(status.path("reconciler").path("notChecked").path("subscriptions").asText())
                .contains("does not serve webhookSubscriptions");

        // Delivered: the fulfilment's latest version (in transit) reached HubSpot, the level the inventory webhook.
        java.util.List<JsonNode> fulfilmentRequests = outbox("fulfilment-to-crm", ORDER_1001);
        assertThat(fulfilmentRequests).as("the create webhook, then the reconciled update").hasSize(2);
        assertThat(fulfilmentRequests.get(1).path("body").toString()).contains("in_transit");
        java.util.List<JsonNode> stockRequests = outbox("stock-to-inventory", "SS-MCS-OAT-M");
        assertThat(stockRequests).hasSize(1);
        assertThat(stockRequests.get(0).path("body").path("data").path("available").asInt()).isEqualTo(42);
        for (String flow : new String[] {"order-to-crm", "fulfilment-to-crm", "stock-to-inventory"}) {
            assertThat(status.path("flows").path(flow).path("deadLettered").asInt()).as(flow).isZero();
            assertThat(status.path("flows").path(flow).path("inFlight").asInt()).as(flow).isZero();
        }
        JsonNode alerts = SignedWebhooks.get(stack.url() + "/_local/alerts");
        assertThat(alerts).filteredOn(alert -> alert.path("category").asText().equals("missed"))
                .extracting(alert -> alert.path("flow").asText())
                .containsExactlyInAnyOrder("fulfilment-to-crm", "stock-to-inventory");

        JsonNode again = SignedWebhooks.JSON.readTree(reconcile().body());
        SignedWebhooks.awaitIdle(stack.url(), Duration.ofSeconds(20));

        assertThat(again.path("succeeded").asBoolean()).as(again.toString()).isTrue();
        assertThat(again.path("queued").asInt()).isZero();
        assertThat(outbox("fulfilment-to-crm", ORDER_1001)).as("delivered once").hasSize(2);
        assertThat(outbox("stock-to-inventory", "SS-MCS-OAT-M")).as("delivered once").hasSize(1);
    }

    /** Nothing dropped: the stand-in's orders, fulfilments and levels are what the webhooks delivered: nothing is queued. */
    @Test
    void aFullReplay_leavesTheReconcilerNothingToQueue() {
        int code = LocalStack.execute(new String[] {"--port", "0", "--replay", "--exit-after-replay", "--reconcile-every",
            "0", "--log", logs.resolve("log").toString()}, new PrintStream(console, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), false);

        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed + err).isZero();
        assertThat(printed).contains("reconciler queued 0 missed orders, fulfilments or stock levels [run 1, after replay;"
                + " scanned 2 orders, 1 fulfilment, 1 stock level updated from");
        assertThat(printed).doesNotContain("what the reconciler queued").doesNotContain("alert:");
    }

    /**
     * Shopify refuses the scan (the token lacks read_orders): the run fails loudly (console, alert, status) and
     * keeps its checkpoint, so once access is granted the next run covers the same window and finds the order.
     */
    @Test
    void aRefusedScan_failsTheRunLoudly_andTheNextRunRepeatsTheWindow() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = free.getLocalPort();
        }
        shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        shopify.start();
        shopify.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"errors\":[{\"message\":\"Access denied for orders field. Required access: `read_orders`"
                        + " access scope.\",\"locations\":[{\"line\":1,\"column\":82}],\"path\":[\"orders\"],"
                        + "\"extensions\":{\"code\":\"ACCESS_DENIED\",\"documentation\":"
                        + "\"https://shopify.dev/api/usage/access-scopes\",\"requiredAccess\":\"`read_orders` access scope.\"}}],"
                        + "\"data\":null,\"extensions\":{\"cost\":{\"requestedQueryCost\":252,\"actualQueryCost\":2,"
                        + "\"throttleStatus\":{\"maximumAvailable\":2000.0,\"currentlyAvailable\":1998,\"restoreRate\":100.0}}}}")));
        start(Map.of("SHOPIFY_ADMIN_BASE_URL", shopify.baseUrl()), port);
        SignedWebhooks.post(stack.url(), SignedWebhooks.event(SignedWebhooks.samples("order-to-crm").stream()
                .filter(sample -> sample.getFileName().toString().equals("orders-create.json")).findFirst().orElseThrow()),
                RunningStack.DEV_SECRET);
        SignedWebhooks.awaitIdle(stack.url(), Duration.ofSeconds(20));

        JsonNode refused = SignedWebhooks.JSON.readTree(reconcile().body());

        assertThat(refused.path("succeeded").asBoolean()).isFalse();
        assertThat(refused.path("checks")).as("a failed check reports no window").isEmpty();
        assertThat(refused.path("failures").path("shopsync-demo.myshopify.com orders").asText())
                .contains("ACCESS_DENIED").contains("grant the app the scopes");
        assertThat(console.toString(StandardCharsets.UTF_8))
                .contains("reconciler queued 0 missed orders, fulfilments or stock levels [run 1, on demand").contains("FAILED");
        assertThat(SignedWebhooks.get(stack.url() + "/_local/alerts")).anySatisfy(alert -> {
            assertThat(alert.path("flow").asText()).isEqualTo("reconciler");
            assertThat(alert.path("category").asText()).isEqualTo("run-failed");
        });

        shopify.resetAll();
        shopify.stubFor(any(anyUrl()).willReturn(aResponse().proxiedFrom("http://127.0.0.1:" + port)));
        JsonNode granted = SignedWebhooks.JSON.readTree(reconcile().body());
        SignedWebhooks.awaitIdle(stack.url(), Duration.ofSeconds(20));

        assertThat(granted.path("succeeded").asBoolean()).as(granted.toString()).isTrue();
        assertThat(check(granted, "orders").path("scanned").asInt()).as("the window the failed run did not finish")
                .isEqualTo(2);
        assertThat(check(granted, "orders").path("queued")).as("order #1001 is behind, #1002 missing").hasSize(2);
        assertThat(outboxRequestsFor(GUEST_ORDER)).isPositive();
    }

    @Test
    void theStandIn_refusesARequestWithoutTheShopsToken_asShopifyDoes() throws Exception {
        start(Map.of());

        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(stack.url() + "/admin/api/2026-10/graphql.json"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"query OrderVersions($first: Int!) { orders(first: 1) { nodes { id } } }\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.body()).contains("Invalid API key or access token");
    }

    private void start(Map<String, String> environment) {
        start(environment, 0);
    }

    private void start(Map<String, String> environment, int port) {
        stack = RunningStack.start(new RunningStack.Options(StackTemplate.find(Path.of("")), port,
                logs.resolve("local-stack.log"), true, environment, false, null, Duration.ZERO),
                new PrintStream(console, true, StandardCharsets.UTF_8));
    }

    private HttpResponse<String> reconcile() throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(stack.url() + "/_local/reconcile"))
                .header("X-Shopsync-Local", "1") // a script's proof that no web page sent it
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The run's report of one check. */
    private static JsonNode check(JsonNode run, String name) {
        return StreamSupport.stream(run.path("checks").spliterator(), false)
                .filter(check -> check.path("check").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " check in " + run));
    }

    /** The outbox's requests of one flow whose body mentions {@code text}, in order. */
    private java.util.List<JsonNode> outbox(String flow, String text) {
        return StreamSupport.stream(SignedWebhooks.get(stack.url() + "/_local/outbox").spliterator(), false)
                .filter(request -> request.path("flow").asText().equals(flow))
                .filter(request -> request.path("body").toString().contains(text)).toList();
    }

    private long outboxRequestsFor(String orderId) {
        return StreamSupport.stream(SignedWebhooks.get(stack.url() + "/_local/outbox").spliterator(), false)
                .filter(request -> request.path("flow").asText().equals("order-to-crm"))
                .filter(request -> request.path("body").toString().contains(orderId)).count();
    }
}
