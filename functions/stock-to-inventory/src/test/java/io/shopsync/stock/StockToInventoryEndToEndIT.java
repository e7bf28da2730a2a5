package io.shopsync.stock;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.shopsync.emulator.SqsEventSource;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import io.shopsync.testing.ShopifyGraphQl;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Signed inventory webhooks → intake → FIFO queue → delivery → SKU from Shopify's Admin API → the
 * inventory system's signed webhook endpoint (a local server), on a real AWS-compatible endpoint.
 */
@ExtendWith(AwsBackend.class)
class StockToInventoryEndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String GRAPHQL = "/admin/api/2026-10/graphql.json";
    private static final String ENDPOINT = "/inventory/shopsync";
    private final AwsFlowStack stack;
    private final WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new ShopifyGraphQl()));
    private final StockToInventory function;
    private final SqsEventSource source;

    StockToInventoryEndToEndIT(AwsClients aws) {
        server.start();
        server.stubFor(post(urlEqualTo(GRAPHQL)).willReturn(aResponse().withStatus(200).withTransformers(ShopifyGraphQl.NAME).withBody(
                "{\"data\":{\"inventoryItem\":{\"id\":\"gid://shopify/InventoryItem/437290762312585471\",\"sku\":\"SS-MCS-OAT-M\","
                        + "\"tracked\":true,\"variant\":{\"id\":\"gid://shopify/ProductVariant/41234567890123456\"}}}}")));
        server.stubFor(post(urlEqualTo(ENDPOINT)).willReturn(aResponse().withStatus(204)));
        this.stack = AwsFlowStack.create(aws, "stock-to-inventory");
        this.function = new StockToInventory(stack.environment(Map.of(
                "INVENTORY_TARGET", "webhook",
                "INVENTORY_WEBHOOK_URL", server.baseUrl() + ENDPOINT,
                "INVENTORY_WEBHOOK_SECRET", "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
                "SHOPIFY_ADMIN_TOKENS", "{\"" + SHOP + "\": \"shpat_0123456789abcdef\"}",
                "SHOPIFY_ADMIN_BASE_URL", server.baseUrl(),
                "LOCATION_MAPPING", "{\"655441491\": \"WH-MAIN\"}")));
        this.source = new SqsEventSource(aws.sqs(), stack.queues.workQueueUrl(), function);
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private void pollUntil(BooleanSupplier done) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!done.getAsBoolean() && Instant.now().isBefore(deadline)) {
            source.pollOnce();
        }
        assertThat(done.getAsBoolean()).as("delivered within 20 s").isTrue();
    }

    @Test
    void aLevelForAnItemNeverSeen_isResolvedCachedAndReported_withTheStoreRecordsAsExpected() throws Exception {
        String event = Fixtures.text("events/stock-to-inventory/inventory-levels-update.json");
        String webhookId = JSON.readTree(event).path("headers").path("x-shopify-webhook-id").asText();

        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);
        pollUntil(() -> server.findAll(postRequestedFor(urlEqualTo(ENDPOINT))).size() == 1);

        JsonNode reported = JSON.readTree(server.findAll(postRequestedFor(urlEqualTo(ENDPOINT))).get(0).getBodyAsString());
        assertThat(reported.path("type").asText()).isEqualTo("inventory.level.set");
        assertThat(reported.path("data").path("sku").asText()).isEqualTo("SS-MCS-OAT-M");
        assertThat(reported.path("data").path("locationRef").asText()).isEqualTo("WH-MAIN");
        assertThat(reported.path("data").path("available").asInt()).isEqualTo(42);
        String entity = SHOP + "/inventory-level/437290762312585471/655441491";
        assertThat(stack.item("delivery#" + SHOP + ":" + webhookId + "#webhook"))
                .containsEntry("state", "COMPLETED").containsEntry("outcome", "delivered").containsEntry("entity", entity);
        assertThat(stack.item("watermark#" + entity + "#webhook")).containsKey("version");
        assertThat(stack.item("sku#" + SHOP + "#437290762312585471")).containsEntry("sku", "SS-MCS-OAT-M");
    }
}
