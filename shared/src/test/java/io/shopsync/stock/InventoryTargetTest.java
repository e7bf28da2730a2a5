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
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.inventory.InventorySystem;
import io.shopsync.connectors.inventory.StockLevel;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.observability.Telemetry;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.InMemorySkuCache;
import io.shopsync.testkit.Fixtures;
import io.shopsync.testing.ShopifyGraphQl;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InventoryTargetTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-27T16:30:00Z");
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String GRAPHQL = "/admin/api/2026-10/graphql.json";

    /** Keeps what it was asked to report. */
    static final class RecordingSystem implements InventorySystem {
        final List<StockLevel> reported = new ArrayList<>();

        public String name() {
            return "webhook";
        }

        public List<DeliveryOutcome> report(List<StockLevel> levels) {
            reported.addAll(levels);
            return levels.stream().<DeliveryOutcome>map(l -> new DeliveryOutcome.Delivered()).toList();
        }
    }

    private WireMockServer shopify;
    private final InMemorySkuCache skus = new InMemorySkuCache();
    private final RecordingSystem system = new RecordingSystem();
    private final CapturedLines log = new CapturedLines();
    private InventoryTarget target;

    @BeforeEach
    void start() {
        shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new ShopifyGraphQl()));
        shopify.start();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        ShopifyAdmin admin = new ShopifyAdmin(new TargetHttp("shopify", HttpTransport.of(HttpClient.newHttpClient()),
                Duration.ofSeconds(2), clock), shopify.baseUrl(),
                CachedSecret.fixed("tokens", "{\"" + SHOP + "\": \"shpat_0123456789abcdef\"}"), "2026-10", JSON, clock);
        target = new InventoryTarget(system, skus, admin,
                LocationMapping.parse("{\"655441491\": \"WH-MAIN\", \"655441492\": \"WH-EAST\", \"655441499\": null}",
                        "LOCATION_MAPPING", JSON),
                new Telemetry(JSON, log, clock), "stock-to-inventory", clock);
    }

    @AfterEach
    void stop() {
        shopify.stop();
    }

    private static DeliveryItem item(String topic, JsonNode payload, String webhookId) {
        return new DeliveryItem(new Envelope("stock-to-inventory", topic, SHOP, webhookId, null, NOW, "2026-10", NOW,
                SHOP + "/inventory-level/x", new Body.Inline(new byte[0])), payload);
    }

    private static ObjectNode level(long location, Integer available) throws Exception {
        ObjectNode level = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/inventory-levels-update.json"));
        level.put("location_id", location);
        if (available == null) {
            level.putNull("available");
        } else {
            level.put("available", available);
        }
        return level;
    }

    private void shopifyKnows(String sku, boolean tracked) {
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).willReturn(aResponse().withStatus(200).withTransformers(ShopifyGraphQl.NAME).withBody(
                "{\"data\":{\"inventoryItem\":{\"id\":\"gid://shopify/InventoryItem/437290762312585471\",\"sku\":"
                        + (sku == null ? "null" : "\"" + sku + "\"") + ",\"tracked\":" + tracked
                        + ",\"variant\":{\"id\":\"gid://shopify/ProductVariant/41234567890123456\"}}}}")));
    }

    @Test
    void deliver_shouldLookUpAnUnknownItemOnce_andReportTheSameSkuAtTwoLocations() throws Exception {
        shopifyKnows("SS-MCS-OAT-M", true);

        List<DeliveryOutcome> outcomes = target.deliver(List.of(item("inventory_levels/update", level(655441491, 42), "w-1"),
                item("inventory_levels/update", level(655441492, 7), "w-2")));

        assertThat(outcomes).containsOnly(new DeliveryOutcome.Delivered());
        shopify.verify(1, postRequestedFor(urlEqualTo(GRAPHQL)));
        assertThat(system.reported).extracting(StockLevel::sku, StockLevel::locationRef, StockLevel::available)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("SS-MCS-OAT-M", "WH-MAIN", 42),
                        org.assertj.core.groups.Tuple.tuple("SS-MCS-OAT-M", "WH-EAST", 7));
        assertThat(system.reported.get(0).inventoryItemId()).isEqualTo("437290762312585471");
        assertThat(system.reported.get(0).variantId()).isEqualTo("41234567890123456");
        assertThat(system.reported.get(0).sourceUpdatedAt()).isEqualTo(Instant.parse("2026-11-27T16:29:59Z"));
        assertThat(system.reported.get(0).deliveryId()).isEqualTo(SHOP + ":w-1");
        assertThat(log.parsed()).anySatisfy(line -> assertThat(line.path("SkuLookups").asInt()).isEqualTo(1));
    }

    @Test
    void deliver_shouldUseTheSkuAnInventoryItemsWebhookCached_withoutAskingShopify() throws Exception {
        JsonNode itemUpdate = JSON.readTree(Fixtures.text("events/payloads/inventory-items-update.json"));

        target.deliver(List.of(item("inventory_items/update", itemUpdate, "w-item")));
        target.deliver(List.of(item("inventory_levels/update", level(655441491, 42), "w-level")));

        shopify.verify(0, postRequestedFor(urlEqualTo(GRAPHQL)));
        assertThat(system.reported).singleElement().satisfies(l -> assertThat(l.sku()).isEqualTo(itemUpdate.path("sku").asText()));
    }

    @Test
    void deliver_shouldNeverGuess_forAnItemWithoutSkuOrUntracked() throws Exception {
        shopifyKnows(null, true);
        DeliveryOutcome noSku = target.deliver(List.of(item("inventory_levels/update", level(655441491, 42), "w-1"))).get(0);
        skus.put(SHOP, "437290762312585471", new SkuCache.Item("SS-MCS-OAT-M", false, null), NOW.plusSeconds(1), NOW);
        DeliveryOutcome untracked = target.deliver(List.of(item("inventory_levels/update", level(655441491, 42), "w-2"))).get(0);

        assertThat(((DeliveryOutcome.PermanentFailure) noSku).category()).isEqualTo("no-sku");
        assertThat(((DeliveryOutcome.PermanentFailure) noSku).reason()).contains("has no SKU in Shopify");
        assertThat(((DeliveryOutcome.PermanentFailure) untracked).category()).isEqualTo("untracked");
        assertThat(system.reported).isEmpty();
    }

    @Test
    void deliver_shouldFailAnUnmappedLocation_andSkipALocationMappedToNull() throws Exception {
        shopifyKnows("SS-MCS-OAT-M", true);

        List<DeliveryOutcome> outcomes = target.deliver(List.of(item("inventory_levels/update", level(777777777, 3), "w-1"),
                item("inventory_levels/update", level(655441499, 3), "w-2")));

        assertThat(((DeliveryOutcome.PermanentFailure) outcomes.get(0)).reason())
                .contains("Shopify location 777777777 is not in LOCATION_MAPPING");
        assertThat(outcomes.get(1)).isEqualTo(new DeliveryOutcome.Delivered());
        assertThat(system.reported).isEmpty();
    }

    @Test
    void deliver_shouldPassAnUnknownLevelOnAsNull_notZero() throws Exception {
        shopifyKnows("SS-MCS-OAT-M", true);

        target.deliver(List.of(item("inventory_levels/update", level(655441491, null), "w-1")));

        assertThat(system.reported).singleElement().satisfies(l -> assertThat(l.available()).isNull());
    }

    @Test
    void deliver_shouldRetry_whenShopifyThrottlesTheLookUp() throws Exception {
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).willReturn(aResponse().withStatus(200).withTransformers(ShopifyGraphQl.NAME).withBody(
                "{\"errors\":[{\"message\":\"Throttled\",\"extensions\":{\"code\":\"THROTTLED\"}}],"
                        + "\"extensions\":{\"cost\":{\"requestedQueryCost\":2,\"throttleStatus\":{\"maximumAvailable\":2000.0,"
                        + "\"currentlyAvailable\":0,\"restoreRate\":100.0}}}}")));

        DeliveryOutcome outcome = target.deliver(List.of(item("inventory_levels/update", level(655441491, 42), "w-1"))).get(0);

        assertThat(outcome).isInstanceOf(DeliveryOutcome.RetryLater.class);
        assertThat(system.reported).isEmpty();
    }

    @Test
    void deliver_shouldReportNothingForADisconnect_andCountIt() throws Exception {
        JsonNode disconnect = JSON.readTree("{\"inventory_item_id\":437290762312585471,\"location_id\":655441491}");

        assertThat(target.deliver(List.of(item("inventory_levels/disconnect", disconnect, "w-1"))))
                .containsExactly(new DeliveryOutcome.Delivered());
        assertThat(system.reported).isEmpty();
        assertThat(log.last().path("LevelsDisconnected").asInt()).isEqualTo(1);
    }
}
