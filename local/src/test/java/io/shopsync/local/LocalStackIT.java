package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.testkit.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack started inside the test (free port, in-memory delivery store, no AWS): the events/
 * samples posted over HTTP, signed with the dev secret, and what the JSON endpoints then show.
 */
class LocalStackIT {

    private static final List<String> FLOWS = List.of("order-to-crm", "stock-to-inventory", "fulfilment-to-crm");

    @TempDir
    static Path logs;

    private static final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private static RunningStack stack;
    private static String url;
    private static final Map<String, List<Integer>> statuses = new LinkedHashMap<>();
    private static JsonNode statusAfterSamples;

    @BeforeAll
    static void startStackAndPostTheSamples() {
        stack = RunningStack.start(new RunningStack.Options(StackTemplate.find(Path.of("")), 0,
                logs.resolve("local-stack.log"), false, Map.of()),
                new PrintStream(console, true, StandardCharsets.UTF_8));
        url = stack.url();
        for (String flow : FLOWS) {
            List<Integer> codes = new ArrayList<>();
            for (Path sample : SignedWebhooks.samples(flow)) {
                codes.add(SignedWebhooks.post(url, SignedWebhooks.event(sample), RunningStack.DEV_SECRET).statusCode());
            }
            statuses.put(flow, codes);
        }
        statusAfterSamples = SignedWebhooks.awaitIdle(url, Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void start_printsItsStepsTheReadyLine_andTheDevSecret() {
        String printed = console.toString(StandardCharsets.UTF_8);

        assertThat(printed).contains("[1/6] template", "[2/6] queues", "[6/6] http", "POST /webhooks/orders -> order-to-crm");
        assertThat(printed).contains("ready: " + url);
        assertThat(printed).contains("signing secret: shopsync-local-dev-secret");
    }

    @Test
    void signedSamples_areAnswered200_andCountedAsReceivedPerFlow() {
        for (String flow : FLOWS) {
            assertThat(statuses.get(flow)).as(flow).isNotEmpty().containsOnly(200);
            assertThat(statusAfterSamples.path("flows").path(flow).path("received").asInt()).as(flow)
                    .isEqualTo(SignedWebhooks.samples(flow).size());
            assertThat(statusAfterSamples.path("flows").path(flow).path("inFlight").asInt()).isZero();
        }
    }

    @Test
    void theOrderFlow_deliversToHubSpotInDryRun_withTheTemplatesDefaults() {
        JsonNode orders = statusAfterSamples.path("flows").path("order-to-crm");
        int settled = orders.path("delivered").asInt() + orders.path("stale").asInt() + orders.path("duplicate").asInt();

        assertThat(orders.path("deadLettered").asInt()).isZero();
        assertThat(settled).isEqualTo(SignedWebhooks.samples("order-to-crm").size());
        assertThat(orders.path("delivered").asInt()).isPositive();
        List<JsonNode> requests = new ArrayList<>();
        SignedWebhooks.get(url + "/_local/outbox").forEach(requests::add);
        assertThat(requests).filteredOn(request -> request.path("flow").asText().equals("order-to-crm")).isNotEmpty()
                .allSatisfy(request -> {
                    assertThat(request.path("target").asText()).isEqualTo("hubspot");
                    assertThat(request.path("headers").path("authorization").asText()).isEqualTo("***");
                });
        assertThat(requests).anySatisfy(request -> {
            assertThat(request.path("url").asText()).endsWith("/crm/objects/2026-09/contacts/batch/upsert");
            assertThat(request.path("body").path("inputs").get(0).path("id").asText()).isEqualTo("zoe.adams@example.com");
        });
    }

    @Test
    void everyFlow_settlesEverySample_inDryRun_withoutDeadLetters() {
        for (String flow : FLOWS) {
            JsonNode counts = statusAfterSamples.path("flows").path(flow);
            int settled = counts.path("delivered").asInt() + counts.path("stale").asInt() + counts.path("duplicate").asInt();
            assertThat(settled).as(flow).isEqualTo(SignedWebhooks.samples(flow).size());
            assertThat(counts.path("deadLettered").asInt()).as(flow).isZero();
        }
        List<JsonNode> requests = new ArrayList<>();
        SignedWebhooks.get(url + "/_local/outbox").forEach(requests::add);
        assertThat(requests).filteredOn(r -> r.path("flow").asText().equals("stock-to-inventory"))
                .anySatisfy(r -> {
                    assertThat(r.path("target").asText()).isEqualTo("webhook");
                    assertThat(r.path("headers").path("webhook-signature").asText()).startsWith("v1,");
                    assertThat(r.path("body").path("data").path("locationRef").asText()).isEqualTo("WH-MAIN");
                });
        assertThat(requests).filteredOn(r -> r.path("flow").asText().equals("fulfilment-to-crm"))
                .isNotEmpty().allSatisfy(r -> assertThat(r.path("target").asText()).isEqualTo("hubspot"));
    }

    @Test
    void aDeliveryThatCannotSucceed_isDeadLetteredWithItsReason_andAnAlert() {
        ObjectNode event = SignedWebhooks.event(Fixtures.path("events/stock-to-inventory/inventory-levels-update.json"));
        String body = event.path("body").asText().replace("655441491", "777777777");
        // Another merchant action: its own webhook and event ids (the same event id would be a duplicate).
        ((ObjectNode) event.path("headers")).put("x-shopify-webhook-id", UUID.randomUUID().toString())
                .put("x-shopify-event-id", UUID.randomUUID().toString());
        event.put("body", body);

        assertThat(SignedWebhooks.post(url, event, RunningStack.DEV_SECRET).statusCode()).isEqualTo(200);

        JsonNode letters = null;
        JsonNode letter = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (letter == null && System.nanoTime() < deadline) {
            SignedWebhooks.awaitIdle(url, Duration.ofSeconds(20));
            letters = SignedWebhooks.get(url + "/_local/dlq").path("stock-to-inventory");
            for (JsonNode candidate : letters) {
                if (candidate.path("reason").asText().contains("777777777")) {
                    letter = candidate;
                }
            }
        }
        assertThat(letter).as("dead letter for the unmapped location in " + letters + "; status "
                + SignedWebhooks.get(url + "/_local/status").path("flows").path("stock-to-inventory")).isNotNull();
        assertThat(letter.path("reason").asText()).contains("is not in LOCATION_MAPPING");
        assertThat(letter.path("stage").asText()).isEqualTo("delivery");
        assertThat(letter.path("category").asText()).isEqualTo("unmapped-location");
        assertThat(letter.path("shop").asText()).isEqualTo("shopsync-demo.myshopify.com");
        // Reading the DLQ does not consume it.
        assertThat(SignedWebhooks.get(url + "/_local/dlq").path("stock-to-inventory").size()).isEqualTo(letters.size());

        JsonNode alerts = SignedWebhooks.get(url + "/_local/alerts");
        assertThat(alerts.isArray()).isTrue();
        assertThat(alerts).anySatisfy(alert -> {
            assertThat(alert.path("subject").asText()).startsWith("Shopsync stock-to-inventory: dead-lettered");
            assertThat(alert.path("text").asText()).contains("What to do:");
        });
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("alert: Shopsync stock-to-inventory: dead-lettered");
    }

    @Test
    void aTamperedWebhook_gets401_andIsNotQueued() {
        ObjectNode event = SignedWebhooks.event(Fixtures.path("events/order-to-crm/orders-create.json"));
        byte[] signed = event.path("body").asText().getBytes(StandardCharsets.UTF_8);
        byte[] tampered = event.path("body").asText().replace("\"total_price\":\"", "\"total_price\":\"1")
                .getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = SignedWebhooks.post(url, event, signed, tampered, RunningStack.DEV_SECRET);
        HttpResponse<String> wrongSecret = SignedWebhooks.post(url, event, "someone-else");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(wrongSecret.statusCode()).isEqualTo(401);
        assertThat(SignedWebhooks.get(url + "/_local/status").path("flows").path("order-to-crm").path("inFlight").asInt())
                .isZero();
    }

    @Test
    void requestsForAnotherHost_areRefused_beforeAnyHandlerSeesThem() {
        // What a page served from attacker.example sends once its name resolves to 127.0.0.1 (DNS rebinding).
        int port = stack.port();
        ObjectNode event = SignedWebhooks.event(Fixtures.path("events/order-to-crm/orders-paid.json"));
        ((ObjectNode) event.path("headers")).put("x-shopify-webhook-id", UUID.randomUUID().toString());
        int receivedBefore = SignedWebhooks.get(url + "/_local/status").path("flows").path("order-to-crm")
                .path("received").asInt();

        SignedWebhooks.RawResponse outbox = SignedWebhooks.raw(port, "GET", "/_local/outbox", "attacker.example:" + port,
                null, null);
        SignedWebhooks.RawResponse webhook = SignedWebhooks.raw(port, "POST", "/webhooks/orders", "attacker.example",
                event, RunningStack.DEV_SECRET);
        SignedWebhooks.RawResponse lookalike = SignedWebhooks.raw(port, "GET", "/_local/status",
                "localhost.attacker.example:" + port, null, null);
        SignedWebhooks.RawResponse noHost = SignedWebhooks.raw(port, "GET", "/_local/status", "", null, null);

        assertThat(outbox.status()).isEqualTo(403);
        assertThat(outbox.body()).contains("only requests for Host 127.0.0.1 or localhost").doesNotContain("\"url\"");
        assertThat(webhook.status()).isEqualTo(403);
        assertThat(lookalike.status()).isEqualTo(403);
        assertThat(noHost.status()).isEqualTo(403);
        assertThat(SignedWebhooks.get(url + "/_local/status").path("flows").path("order-to-crm").path("received").asInt())
                .isEqualTo(receivedBefore);
        assertThat(console.toString(StandardCharsets.UTF_8))
                .contains("refused POST /webhooks/orders: Host attacker.example is not 127.0.0.1 or localhost");
    }

    @Test
    void requestsForLocalhostOr127001_withOrWithoutThePort_areAnswered() {
        int port = stack.port();

        for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "127.0.0.1", "LocalHost")) {
            SignedWebhooks.RawResponse status = SignedWebhooks.raw(port, "GET", "/_local/status", host, null, null);
            assertThat(status.status()).as(host).isEqualTo(200);
            assertThat(status.body()).as(host).contains("\"order-to-crm\"");
        }
    }

    /** One order change, sent over HTTPS and put on the emulated partner bus: the targets see it once. */
    private static String freshOrderBody() throws Exception {
        ObjectNode order = (ObjectNode) SignedWebhooks.JSON.readTree(Fixtures.text("events/payloads/orders-updated.json"));
        // Newer than every sample, so the first copy is delivered, not skipped as stale.
        order.put("updated_at", java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).withNano(0).toString());
        return order.toString();
    }

    private static String eventBridgeEvent(ObjectNode httpsEvent, String body, String webhookId) {
        JsonNode headers = httpsEvent.path("headers");
        ObjectNode metadata = SignedWebhooks.JSON.createObjectNode();
        metadata.put("Content-Type", "application/json");
        metadata.put("X-Shopify-Topic", headers.path("x-shopify-topic").asText());
        metadata.put("X-Shopify-Shop-Domain", headers.path("x-shopify-shop-domain").asText());
        metadata.put("X-Shopify-API-Version", headers.path("x-shopify-api-version").asText());
        metadata.put("X-Shopify-Webhook-Id", webhookId);
        metadata.put("X-Shopify-Triggered-At", headers.path("x-shopify-triggered-at").asText());
        metadata.put("X-Shopify-Event-Id", headers.path("x-shopify-event-id").asText());
        // The payload's bytes go in as they are, as Shopify's event carries the JSON object.
        return "{\"version\":\"0\",\"id\":\"" + UUID.randomUUID() + "\",\"detail-type\":\"shopifyWebhook\","
                + "\"source\":\"aws.partner/shopify.com/313726713857/shopsync\",\"account\":\"123456789012\","
                + "\"time\":\"2026-11-27T14:42:19Z\",\"region\":\"us-east-1\",\"resources\":[],"
                + "\"detail\":{\"payload\":" + body + ",\"metadata\":" + metadata + "}}";
    }

    private static java.net.http.HttpResponse<String> putOnTheBus(String event) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(url + "/_local/eventbridge"))
                    // A script's proof that no web page sent it (state-changing local endpoints require one).
                    .header("X-Shopsync-Local", "1")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(event)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theSameOrder_overHttpsAndOverEventBridge_withTheSameWebhookId_reachesTheTargetsOnce() throws Exception {
        ObjectNode https = SignedWebhooks.event(Fixtures.path("events/order-to-crm/orders-updated.json"));
        String body = freshOrderBody();
        String webhookId = UUID.randomUUID().toString();
        https.put("body", body);
        ((ObjectNode) https.path("headers")).put("x-shopify-webhook-id", webhookId)
                .put("x-shopify-event-id", UUID.randomUUID().toString());
        JsonNode before = SignedWebhooks.awaitIdle(url, Duration.ofSeconds(20)).path("flows").path("order-to-crm");

        int viaHttps = SignedWebhooks.post(url, https, RunningStack.DEV_SECRET).statusCode();
        SignedWebhooks.awaitIdle(url, Duration.ofSeconds(20));
        int requestsAfterHttps = SignedWebhooks.get(url + "/_local/outbox").size();
        var viaBus = putOnTheBus(eventBridgeEvent(https, body, webhookId));
        JsonNode after = SignedWebhooks.awaitIdle(url, Duration.ofSeconds(20)).path("flows").path("order-to-crm");

        assertThat(viaHttps).isEqualTo(200);
        assertThat(viaBus.statusCode()).as(viaBus.body()).isEqualTo(202);
        assertThat(SignedWebhooks.JSON.readTree(viaBus.body()).path("flow").asText()).isEqualTo("order-to-crm");
        assertThat(after.path("received").asInt() - before.path("received").asInt()).isEqualTo(2);
        assertThat(after.path("delivered").asInt()).isGreaterThan(before.path("delivered").asInt());
        // The bus's copy changed nothing: no request beyond those of the HTTPS copy, nothing dead-lettered.
        assertThat(SignedWebhooks.get(url + "/_local/outbox").size()).isEqualTo(requestsAfterHttps);
        assertThat(after.path("deadLettered").asInt()).isEqualTo(before.path("deadLettered").asInt());
    }

    @Test
    void theSameEvent_overHttpsAndOverEventBridge_asTwoSubscriptions_isADuplicate_notASecondEffect() throws Exception {
        ObjectNode https = SignedWebhooks.event(Fixtures.path("events/order-to-crm/orders-updated.json"));
        String body = freshOrderBody();
        https.put("body", body);
        ((ObjectNode) https.path("headers")).put("x-shopify-webhook-id", UUID.randomUUID().toString())
                .put("x-shopify-event-id", UUID.randomUUID().toString());
        JsonNode before = SignedWebhooks.awaitIdle(url, Duration.ofSeconds(20)).path("flows").path("order-to-crm");

        int viaHttps = SignedWebhooks.post(url, https, RunningStack.DEV_SECRET).statusCode();
        SignedWebhooks.awaitIdle(url, Duration.ofSeconds(20));
        int requestsAfterHttps = SignedWebhooks.get(url + "/_local/outbox").size();
        JsonNode middle = SignedWebhooks.get(url + "/_local/status").path("flows").path("order-to-crm");
        // During a switch-over both subscriptions exist: another webhook id, the same event id.
        var viaBus = putOnTheBus(eventBridgeEvent(https, body, UUID.randomUUID().toString()));
        JsonNode after = SignedWebhooks.awaitIdle(url, Duration.ofSeconds(20)).path("flows").path("order-to-crm");

        assertThat(viaHttps).isEqualTo(200);
        assertThat(viaBus.statusCode()).as(viaBus.body()).isEqualTo(202);
        assertThat(after.path("duplicate").asInt()).isGreaterThan(middle.path("duplicate").asInt());
        assertThat(after.path("delivered").asInt()).isEqualTo(middle.path("delivered").asInt());
        assertThat(middle.path("delivered").asInt()).isGreaterThan(before.path("delivered").asInt());
        assertThat(SignedWebhooks.get(url + "/_local/outbox").size()).isEqualTo(requestsAfterHttps);
    }

    @Test
    void theEventBridgeSamples_reachTheirFlows_andAnEventNoFlowTakes_is404() throws Exception {
        for (String flow : FLOWS) {
            var answer = putOnTheBus(Fixtures.text("events/eventbridge/" + flow + ".json"));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
            assertThat(SignedWebhooks.JSON.readTree(answer.body()).path("flow").asText()).isEqualTo(flow);
        }
        String product = Fixtures.text("events/eventbridge/order-to-crm.json").replace("\"orders/create\"", "\"products/update\"");

        var unrouted = putOnTheBus(product);

        assertThat(unrouted.statusCode()).isEqualTo(404);
        assertThat(unrouted.body()).contains("topic products/update").contains("unrouted-events");
        SignedWebhooks.awaitIdle(url, Duration.ofSeconds(20));
    }

    @Test
    void aDuplicatePost_isReceivedTwice_butDeliveredOnlyOnce() {
        ObjectNode event = SignedWebhooks.event(Fixtures.path("events/order-to-crm/orders-paid.json"));
        String webhookId = UUID.randomUUID().toString();
        ((ObjectNode) event.path("headers")).put("x-shopify-webhook-id", webhookId);
        JsonNode before = SignedWebhooks.awaitIdle(url, Duration.ofSeconds(20)).path("flows").path("order-to-crm");

        int first = SignedWebhooks.post(url, event, RunningStack.DEV_SECRET).statusCode();
        int second = SignedWebhooks.post(url, event, RunningStack.DEV_SECRET).statusCode();
        JsonNode after = SignedWebhooks.awaitIdle(url, Duration.ofSeconds(20)).path("flows").path("order-to-crm");

        assertThat(first).isEqualTo(200);
        assertThat(second).isEqualTo(200);
        assertThat(after.path("received").asInt() - before.path("received").asInt()).isEqualTo(2);
        // The FIFO queue dropped the copy: one delivery attempt settled it (an older version than the
        // samples already applied, so it is skipped as stale rather than written).
        int settledBefore = before.path("delivered").asInt() + before.path("stale").asInt()
                + before.path("duplicate").asInt() + before.path("deadLettered").asInt();
        int settledAfter = after.path("delivered").asInt() + after.path("stale").asInt()
                + after.path("duplicate").asInt() + after.path("deadLettered").asInt();
        assertThat(settledAfter - settledBefore).isEqualTo(1);
    }

    @Test
    void outbox_isAJsonArrayOfRecordedRequests_inSendOrder_withTheFlowThatSentThem() {
        JsonNode outbox = SignedWebhooks.get(url + "/_local/outbox");

        assertThat(outbox.isArray()).isTrue();
        assertThat(outbox.get(0).path("method").asText()).isEqualTo("POST");
        assertThat(outbox.get(0).path("flow").asText()).isEqualTo("order-to-crm");
    }

    @Test
    void unknownPaths_get404WithAMessage() {
        assertThat(SignedWebhooks.status(url + "/_local/nothing")).isEqualTo(404);
        assertThat(SignedWebhooks.get(url + "/webhooks/unknown").path("message").asText())
                .contains("POST /webhooks/orders", "/_local/status");
        assertThat(SignedWebhooks.status(url + "/webhooks/orders")).as("GET on a POST route").isEqualTo(404);
    }

    @Test
    void theLogFile_holdsTheFlowsEmfLines_notTheConsole() throws Exception {
        String log = java.nio.file.Files.readString(logs.resolve("local-stack.log"));

        assertThat(log).contains("\"WebhooksReceived\":1", "\"flow\":\"stock-to-inventory\"");
        assertThat(console.toString(StandardCharsets.UTF_8)).doesNotContain("\"_aws\"");
    }
}
