package io.shopsync.stock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.http.HttpTransport;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testing.QueueEvents;
import io.shopsync.testing.RecordingAlerts;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testing.TestEnvironments;
import io.shopsync.testkit.Fixtures;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Shopify signs the body only: X-Shopify-Shop-Domain is not signed, so anyone holding one authentic
 * delivery can replay it under any shop string. The Admin API token must still only ever go to the
 * configured shop. The transport here sees every request the flow would send, to any host; nothing
 * is sent over the network.
 */
class StockFlowShopIdentityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String TOKEN = "shpat_0123456789abcdef";
    private static final String INVENTORY_HOST = "inventory.example.com";
    private static final String CLIENT_SECRET = "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";
    private static final String GRANTED = "shpat_cc11111111111111111111111111aa";
    private static final String CLIENT_CREDENTIALS = "{\"" + SHOP + "\": {\"clientId\": "
            + "\"7d2c4c4e0b1f4b8a9c3e5f6a7b8c9d0e\", \"clientSecret\": \"" + CLIENT_SECRET + "\"}}";
    private static final String FORGED_SHOP = "attacker.example:8443/steal?x=";
    private static final HttpHeaders JSON_HEADERS =
            HttpHeaders.of(Map.of("content-type", List.of("application/json")), (a, b) -> true);

    /** Answers as the configured shop's Admin API and the inventory endpoint do; records every request. */
    private final List<HttpRequest> sent = new ArrayList<>();
    /** The configured shop's OAuth endpoint: a token for the Dev Dashboard app's client credentials. */
    private HttpTransport.Answer oauthAnswer = new HttpTransport.Answer(200, JSON_HEADERS,
            "{\"access_token\":\"" + GRANTED + "\",\"scope\":\"read_inventory\",\"expires_in\":86399}");
    private final HttpTransport everyHost = request -> {
        sent.add(request);
        String host = request.uri().getHost();
        if (SHOP.equals(host) && request.uri().getPath().equals("/admin/oauth/access_token")) {
            return oauthAnswer;
        }
        if (SHOP.equals(host) && request.uri().getPath().equals("/admin/api/2026-10/graphql.json")) {
            return new HttpTransport.Answer(200, JSON_HEADERS,
                    "{\"data\":{\"inventoryItem\":{\"sku\":\"SS-MCS-OAT-M\",\"tracked\":true}}}");
        }
        if (INVENTORY_HOST.equals(host)) {
            return new HttpTransport.Answer(204, JSON_HEADERS, "");
        }
        // What an attacker's server would answer: whatever keeps the token coming.
        return new HttpTransport.Answer(200, JSON_HEADERS, "{\"data\":{\"inventoryItem\":null}}");
    };
    private final RecordingFlowQueues queues = new RecordingFlowQueues();
    private final CapturedLines log = new CapturedLines();

    private StockToInventory function(Map<String, String> extra) {
        Map<String, String> variables = new java.util.HashMap<>(Map.of(
                "INVENTORY_TARGET", "webhook",
                "INVENTORY_WEBHOOK_URL", "https://" + INVENTORY_HOST + "/shopsync",
                "INVENTORY_WEBHOOK_SECRET", "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
                "LOCATION_MAPPING", "{\"655441491\": \"WH-MAIN\"}"));
        variables.putAll(extra);
        return new StockToInventory(TestEnvironments.deliveringThrough(everyHost, queues, new RecordingAlerts(),
                variables, log));
    }

    private List<String> hostsContacted() {
        return sent.stream().map(request -> request.uri().getHost() + ":" + request.uri().getPort()).toList();
    }

    private List<HttpRequest> carryingTheToken() {
        return sent.stream().filter(r -> r.headers().firstValue("X-Shopify-Access-Token").isPresent()).toList();
    }

    private static String withShopHeader(String event, String shop) throws Exception {
        ObjectNode node = (ObjectNode) JSON.readTree(event);
        ((ObjectNode) node.get("headers")).put("x-shopify-shop-domain", shop);
        return JSON.writeValueAsString(node);
    }

    @Test
    void anAuthenticLevelReplayedUnderAForgedShopHeader_isRefusedWith401_andTheTokenNeverLeaves() throws Exception {
        StockToInventory function = function(Map.of("SHOPIFY_ADMIN_TOKENS", TOKEN, "SHOPIFY_ALLOWED_SHOPS", SHOP));
        String captured = Fixtures.text("events/stock-to-inventory/inventory-levels-update.json");

        JsonNode answer = LambdaInvoker.invoke(function, withShopHeader(captured, FORGED_SHOP));
        // Whatever intake let through is delivered, as the queue trigger would.
        if (!queues.enqueued.isEmpty()) {
            LambdaInvoker.invoke(function, QueueEvents.of(queues.enqueued.toArray(Envelope[]::new)));
        }

        assertThat(hostsContacted()).as("hosts the flow sent requests to").isEmpty();
        assertThat(answer.path("statusCode").asInt()).isEqualTo(401);
        assertThat(queues.enqueued).isEmpty();
        assertThat(queues.deadLettered).isEmpty();
        assertThat(log.parsed()).filteredOn(line -> line.has("WebhooksUnauthenticated")).singleElement()
                .satisfies(line -> assertThat(line.path("reason").asText()).isEqualTo("shop-domain-malformed"));
    }

    @Test
    void anAuthenticLevelReplayedUnderAForgedShopHeader_isRefused_evenWithoutAnAllowList() throws Exception {
        StockToInventory function = function(Map.of("SHOPIFY_ADMIN_TOKENS", "{\"" + SHOP + "\": \"" + TOKEN + "\"}"));

        JsonNode answer = LambdaInvoker.invoke(function, withShopHeader(
                Fixtures.text("events/stock-to-inventory/inventory-levels-update.json"), FORGED_SHOP));
        if (!queues.enqueued.isEmpty()) {
            LambdaInvoker.invoke(function, QueueEvents.of(queues.enqueued.toArray(Envelope[]::new)));
        }

        assertThat(hostsContacted()).isEmpty();
        assertThat(answer.path("statusCode").asInt()).isEqualTo(401);
        assertThat(queues.enqueued).isEmpty();
    }

    @Test
    void theSameBodyUnderTheConfiguredShop_isLookedUpAtThatShopOnly_andReported() throws Exception {
        StockToInventory function = function(Map.of("SHOPIFY_ADMIN_TOKENS", TOKEN, "SHOPIFY_ALLOWED_SHOPS", SHOP));

        JsonNode answer = LambdaInvoker.invoke(function, Fixtures.text("events/stock-to-inventory/inventory-levels-update.json"));
        JsonNode delivery = LambdaInvoker.invoke(function, QueueEvents.of(queues.enqueued.toArray(Envelope[]::new)));

        assertThat(answer.path("statusCode").asInt()).isEqualTo(200);
        assertThat(delivery.path("batchItemFailures")).isEmpty();
        assertThat(hostsContacted()).containsExactly(SHOP + ":-1", INVENTORY_HOST + ":-1");
        assertThat(carryingTheToken()).singleElement().satisfies(request -> assertThat(request.uri())
                .isEqualTo(URI.create("https://" + SHOP + "/admin/api/2026-10/graphql.json")));
    }

    /** An envelope already on the queue (queued before this check existed, or written by hand) under a shop we do not serve. */
    @Test
    void aQueuedLevelOfAShopThatIsNotConfigured_isDeadLetteredWithoutAnyRequest() throws Exception {
        StockToInventory function = function(Map.of("SHOPIFY_ADMIN_TOKENS", TOKEN, "SHOPIFY_ALLOWED_SHOPS", SHOP));
        byte[] body = Fixtures.text("events/payloads/inventory-levels-update.json").getBytes(StandardCharsets.UTF_8);
        Instant at = Instant.parse("2026-11-27T16:30:00.118502736Z");
        List<Envelope> foreign = new ArrayList<>();
        for (String shop : List.of(FORGED_SHOP, "other-store.myshopify.com")) {
            foreign.add(new Envelope("stock-to-inventory", "inventory_levels/update", shop, "w-" + foreign.size(), null,
                    at, "2026-10", at, shop + "/inventory-level/437290762312585471/655441491", new Body.Inline(body)));
        }

        JsonNode delivery = LambdaInvoker.invoke(function, QueueEvents.of(foreign.toArray(Envelope[]::new)));

        assertThat(delivery.path("batchItemFailures")).isEmpty();
        assertThat(hostsContacted()).isEmpty();
        assertThat(queues.deadLettered).hasSize(2).allSatisfy(dead -> assertThat(dead.reason().reason())
                .contains("is not a shop this deployment serves", "SHOPIFY_ALLOWED_SHOPS", "no request was sent"));
    }

    /** A Dev Dashboard app (2026): the token is obtained from the configured shop, used there, and never written out. */
    @Test
    void aDevDashboardAppsToken_isObtainedFromAndSentToTheConfiguredShopOnly_andNeverLogged() throws Exception {
        StockToInventory function = function(Map.of("SHOPIFY_ADMIN_TOKENS", CLIENT_CREDENTIALS));

        LambdaInvoker.invoke(function, Fixtures.text("events/stock-to-inventory/inventory-levels-update.json"));
        JsonNode delivery = LambdaInvoker.invoke(function, QueueEvents.of(queues.enqueued.toArray(Envelope[]::new)));

        assertThat(delivery.path("batchItemFailures")).isEmpty();
        assertThat(sent).extracting(HttpRequest::uri).containsExactly(
                URI.create("https://" + SHOP + "/admin/oauth/access_token"),
                URI.create("https://" + SHOP + "/admin/api/2026-10/graphql.json"),
                URI.create("https://" + INVENTORY_HOST + "/shopsync"));
        assertThat(carryingTheToken()).singleElement().satisfies(request ->
                assertThat(request.headers().firstValue("X-Shopify-Access-Token")).contains(GRANTED));
        assertThat(log.raw).isNotEmpty().noneSatisfy(line -> assertThat(line).containsAnyOf(GRANTED, CLIENT_SECRET));
    }

    @Test
    void clientCredentialsShopifyRefuses_deadLetterTheLevel_withAReasonThatSaysWhatToCheckAndNoSecret() throws Exception {
        oauthAnswer = new HttpTransport.Answer(400, JSON_HEADERS, "{\"error\":\"invalid_client\",\"error_description\":"
                + "\"Client authentication failed due to unknown client, no client authentication included, or "
                + "unsupported authentication method.\"}");
        StockToInventory function = function(Map.of("SHOPIFY_ADMIN_TOKENS", CLIENT_CREDENTIALS));

        LambdaInvoker.invoke(function, Fixtures.text("events/stock-to-inventory/inventory-levels-update.json"));
        LambdaInvoker.invoke(function, QueueEvents.of(queues.enqueued.toArray(Envelope[]::new)));

        assertThat(hostsContacted()).containsExactly(SHOP + ":-1");
        assertThat(queues.deadLettered).singleElement().satisfies(dead -> assertThat(dead.reason().reason())
                .contains(SHOP, "invalid_client", "client id and secret").doesNotContain(CLIENT_SECRET));
        assertThat(log.raw).isNotEmpty().noneSatisfy(line -> assertThat(line).contains(CLIENT_SECRET));
    }
}
