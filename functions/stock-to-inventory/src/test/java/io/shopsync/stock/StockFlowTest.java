package io.shopsync.stock;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.shopsync.envelope.Envelope;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testing.QueueEvents;
import io.shopsync.testing.RecordingAlerts;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testing.ShopifyGraphqlValidation;
import io.shopsync.testing.TestEnvironments;
import io.shopsync.testkit.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stock flow through intake and delivery, with a local server standing in for Shopify's Admin
 * GraphQL API (SKU look-ups) and for the inventory system's signed webhook endpoint.
 */
class StockFlowTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GRAPHQL = "/admin/api/2026-10/graphql.json";
    private static final String ENDPOINT = "/inventory/shopsync";

    private WireMockServer server;
    private final RecordingFlowQueues queues = new RecordingFlowQueues();
    private StockToInventory function;

    @BeforeEach
    void start() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new ShopifyGraphqlValidation()));
        server.start();
        server.stubFor(post(urlEqualTo(GRAPHQL)).willReturn(aResponse().withStatus(200).withBody(
                "{\"data\":{\"inventoryItem\":{\"sku\":\"SS-MCS-OAT-M\",\"tracked\":true}},"
                        + "\"extensions\":{\"cost\":{\"requestedQueryCost\":2,\"throttleStatus\":{\"maximumAvailable\":2000.0,"
                        + "\"currentlyAvailable\":1998,\"restoreRate\":100.0}}}}")));
        server.stubFor(post(urlEqualTo(ENDPOINT)).willReturn(aResponse().withStatus(204)));
        function = new StockToInventory(TestEnvironments.delivering(queues, new RecordingAlerts(), Map.of(
                "INVENTORY_TARGET", "webhook",
                "INVENTORY_WEBHOOK_URL", server.baseUrl() + ENDPOINT,
                "INVENTORY_WEBHOOK_SECRET", "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
                "SHOPIFY_ADMIN_TOKENS", "shpat_0123456789abcdef",
                "SHOPIFY_ALLOWED_SHOPS", "shopsync-demo.myshopify.com",
                "SHOPIFY_ADMIN_BASE_URL", server.baseUrl(),
                "LOCATION_MAPPING", "{\"655441491\": \"WH-MAIN\", \"655441492\": \"WH-EAST\"}")));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private Envelope received(int location, int available, String updatedAt) throws Exception {
        ObjectNode level = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/inventory-levels-update.json"));
        level.put("location_id", location).put("available", available).put("updated_at", updatedAt);
        String event = LambdaInvoker.withBody(Fixtures.text("events/stock-to-inventory/inventory-levels-update.json"),
                JSON.writeValueAsString(level));
        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);
        return queues.enqueued.get(queues.enqueued.size() - 1);
    }

    private List<JsonNode> reported() throws Exception {
        List<JsonNode> bodies = new ArrayList<>();
        for (var request : server.findAll(postRequestedFor(urlEqualTo(ENDPOINT)))) {
            bodies.add(JSON.readTree(request.getBodyAsString()));
        }
        return bodies;
    }

    @Test
    void anItemNeverSeenBefore_isResolvedThroughShopify_andReportedAtTwoLocations() throws Exception {
        Envelope main = received(655441491, 42, "2026-11-27T11:29:59-05:00");
        Envelope east = received(655441492, 7, "2026-11-27T11:29:59-05:00");

        JsonNode response = LambdaInvoker.invoke(function, QueueEvents.of(main, east));

        assertThat(response.path("batchItemFailures")).isEmpty();
        server.verify(1, postRequestedFor(urlEqualTo(GRAPHQL)));
        assertThat(reported()).extracting(b -> b.path("data").path("sku").asText() + "@" + b.path("data").path("locationRef").asText()
                + "=" + b.path("data").path("available").asInt())
                .containsExactlyInAnyOrder("SS-MCS-OAT-M@WH-MAIN=42", "SS-MCS-OAT-M@WH-EAST=7");
    }

    @Test
    void theStockFunction_wiresNoCrmConnector_evenWhereTheirSettingsAreSet() throws Exception {
        // given the CRM flows' settings beside the stock flow's, with secrets this environment could not read
        // (it has no Secrets Manager client: building any CRM connector would fail the construction)
        Map<String, String> variables = new java.util.HashMap<>(Map.of(
                "INVENTORY_TARGET", "webhook",
                "INVENTORY_WEBHOOK_URL", server.baseUrl() + ENDPOINT,
                "INVENTORY_WEBHOOK_SECRET", "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
                "SHOPIFY_ADMIN_TOKENS", "shpat_0123456789abcdef",
                "SHOPIFY_ALLOWED_SHOPS", "shopsync-demo.myshopify.com",
                "SHOPIFY_ADMIN_BASE_URL", server.baseUrl(),
                "LOCATION_MAPPING", "{\"655441491\": \"WH-MAIN\"}"));
        variables.putAll(Map.of("CRM_TARGETS", "hubspot,klaviyo", "HUBSPOT_TOKEN_SECRET_ID", "shopsync/hubspot-token",
                "KLAVIYO_API_KEY_SECRET_ID", "shopsync/klaviyo-key"));

        // when the stock function is built from them and delivers a level
        function = new StockToInventory(TestEnvironments.delivering(queues, new RecordingAlerts(), variables));
        JsonNode response = LambdaInvoker.invoke(function, QueueEvents.of(received(655441491, 42,
                "2026-11-27T11:29:59-05:00")));

        // then only the inventory system and Shopify's Admin API were called
        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(reported()).singleElement().satisfies(b -> assertThat(b.path("data").path("available").asInt())
                .isEqualTo(42));
        assertThat(server.getAllServeEvents()).extracting(e -> e.getRequest().getUrl())
                .containsOnly(GRAPHQL, ENDPOINT);
    }

    @Test
    void anOlderLevelArrivingAfterANewerOne_isSkipped_soTheTargetKeepsTheNewer() throws Exception {
        Envelope newer = received(655441491, 40, "2026-11-27T11:31:00-05:00");
        Envelope older = received(655441491, 42, "2026-11-27T11:29:59-05:00");

        LambdaInvoker.invoke(function, QueueEvents.of(newer));
        LambdaInvoker.invoke(function, QueueEvents.of(older));

        assertThat(reported()).singleElement().satisfies(b -> assertThat(b.path("data").path("available").asInt()).isEqualTo(40));
        assertThat(queues.deadLettered).isEmpty();
    }

    @Test
    void aLevelAtAnUnmappedLocation_isDeadLetteredWithWhatToDo() throws Exception {
        Envelope unmapped = received(777777777, 3, "2026-11-27T11:29:59-05:00");

        LambdaInvoker.invoke(function, QueueEvents.of(unmapped));

        assertThat(queues.deadLettered).singleElement().satisfies(dead -> assertThat(dead.reason().reason())
                .contains("Shopify location 777777777 is not in LOCATION_MAPPING"));
        assertThat(reported()).isEmpty();
    }
}
