package io.shopsync.reconcile.stock;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.inventory.KatanaInventory;
import io.shopsync.connectors.inventory.ReportedLevels;
import io.shopsync.connectors.inventory.StandardWebhooksInventory;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.flow.EntityVersion;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.stock.LocationMapping;
import io.shopsync.stock.StockQuantity;
import io.shopsync.stock.StockToInventory;
import io.shopsync.testing.InMemoryDeliveryStore;
import io.shopsync.testing.InMemoryReportedLevels;
import io.shopsync.testing.MutableClock;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testing.ShopifyGraphqlValidation;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stock drift for one shop and window, against a local server answering as Shopify's Admin GraphQL API
 * (2026-10) does (unknown fields refused), with the stock flow's real entity keys and the real SQS FIFO
 * rules behind the queue (RecordingFlowQueues).
 */
class StockDriftTest {

    static final String GRAPHQL = "/admin/api/2026-10/graphql.json";
    static final String SHOP = "shopsync-demo.myshopify.com";
    static final String ITEM = "437290762312585471";
    static final String MAIN = "655441491";
    static final String STORE = "655441492";
    static final Instant FROM = Instant.parse("2026-11-27T16:15:00Z");
    static final Instant TO = Instant.parse("2026-11-27T16:30:00Z");
    static final String UPDATED = "2026-11-27T16:29:59Z";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T16:35:00Z"));
    private final WireMockServer shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
            .extensions(new ShopifyGraphqlValidation()));
    private final InMemoryReportedLevels reported = new InMemoryReportedLevels();
    private final InMemoryDeliveryStore store = new InMemoryDeliveryStore();
    private final RecordingFlowQueues queues = new RecordingFlowQueues(clock);
    private final List<Duration> waits = new ArrayList<>();
    private final LocationMapping locations = LocationMapping.parse(
            "{\"" + MAIN + "\": \"101\", \"" + STORE + "\": null}", "LOCATION_MAPPING", JSON);
    private ShopifyAdmin admin;

    @BeforeEach
    void start() {
        shopify.start();
        admin = new ShopifyAdmin(new TargetHttp("shopify", HttpTransport.of(HttpClient.newHttpClient()),
                Duration.ofSeconds(2), clock), shopify.baseUrl(),
                CachedSecret.fixed("Shopify Admin API tokens", "{\"" + SHOP + "\": \"shpat_0123456789abcdef\"}"),
                Set.of(), ShopifyAdmin.DEFAULT_API_VERSION, JSON, clock);
    }

    @AfterEach
    void stop() {
        shopify.stop();
    }

    private StockDrift drift(LastReported last, StockQuantity quantity) {
        return new StockDrift(admin, StockToInventory.FLOW, queues, last, locations, quantity, JSON, clock, wait -> {
            waits.add(wait);
            clock.advance(wait);
        });
    }

    private StockDrift katana() {
        return drift(LastReported.katana(reported), StockQuantity.AVAILABLE);
    }

    // --- Shopify's answers ---------------------------------------------------------------------------

    static String level(int available, int onHand, String updatedAt) {
        return "{\"updatedAt\":\"" + updatedAt + "\",\"quantities\":[{\"name\":\"available\",\"quantity\":" + available
                + "},{\"name\":\"on_hand\",\"quantity\":" + onHand + "}]}";
    }

    static String item(String id, String sku, boolean tracked, String mainLevel) {
        return item(id, sku, tracked, 0, mainLevel);
    }

    /** The item's level at the mapped location as a node of {@link #page}; null when not stocked there ("null"). */
    static String item(String id, String sku, boolean tracked, int duplicateSkuCount, String mainLevel) {
        if ("null".equals(mainLevel)) {
            return null;
        }
        return mainLevel.substring(0, mainLevel.length() - 1) + ",\"item\":{\"id\":\"gid://shopify/InventoryItem/" + id
                + "\",\"sku\":" + (sku == null ? "null" : "\"" + sku + "\"") + ",\"tracked\":" + tracked
                + ",\"duplicateSkuCount\":" + duplicateSkuCount + "}}";
    }

    /** Shopify's answer for the mapped location's levels; an item not stocked there has no node. */
    static String page(boolean hasNext, String endCursor, String... items) {
        return levelsPage(hasNext, endCursor, java.util.Arrays.stream(items).filter(java.util.Objects::nonNull)
                .toArray(String[]::new));
    }

    /** A page of {@code location(id:) { inventoryLevels(query:) }}: each level with its item. */
    static String levelsPage(boolean hasNext, String endCursor, String... levels) {
        return "{\"data\":{\"location\":{\"inventoryLevels\":{\"pageInfo\":{\"hasNextPage\":" + hasNext + ",\"endCursor\":"
                + (endCursor == null ? "null" : "\"" + endCursor + "\"") + "},\"nodes\":[" + String.join(",", levels)
                + "]}}},\"extensions\":{\"cost\":{\"requestedQueryCost\":304,\"actualQueryCost\":9,\"throttleStatus\":"
                + "{\"maximumAvailable\":2000.0,\"currentlyAvailable\":1991,\"restoreRate\":100.0}}}}";
    }

    /** One node of {@link #levelsPage}: the level's updatedAt and quantities, and its inventory item. */
    static String levelOf(String itemId, String sku, boolean tracked, int duplicateSkuCount, int available, int onHand,
                          String updatedAt) {
        return "{\"updatedAt\":\"" + updatedAt + "\",\"quantities\":[{\"name\":\"available\",\"quantity\":" + available
                + "},{\"name\":\"on_hand\",\"quantity\":" + onHand + "}],\"item\":{\"id\":\"gid://shopify/InventoryItem/"
                + itemId + "\",\"sku\":" + (sku == null ? "null" : "\"" + sku + "\"") + ",\"tracked\":" + tracked
                + ",\"duplicateSkuCount\":" + duplicateSkuCount + "}}";
    }

    private void answer(String body) {
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).willReturn(aResponse().withStatus(200).withBody(body)));
    }

    private void remember(int available, Instant sourceUpdatedAt) {
        ReportedLevels.Key key = new ReportedLevels.Key(KatanaInventory.NAME, SHOP, "SS-MCS-OAT-M", "101");
        assertThat(reported.remember(key, new ReportedLevels.Reported(available, sourceUpdatedAt,
                SHOP + ":b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"), clock.instant())).isTrue();
    }

    private List<LoggedRequest> graphqlRequests() {
        return shopify.findAll(postRequestedFor(urlEqualTo(GRAPHQL)));
    }

    // --- the scenarios ---------------------------------------------------------------------------------

    @Test
    void run_shouldQueueNothing_whenKatanaWasLastGivenShopifysLevel() {
        remember(42, Instant.parse(UPDATED));
        answer(page(false, null, item(ITEM, "SS-MCS-OAT-M", true, level(42, 45, UPDATED))));

        StockDrift.Result result = katana().run(SHOP, FROM, TO, false);

        assertThat(result.failure()).isEmpty();
        assertThat(result.scanned()).isEqualTo(1);
        assertThat(result.driftFound()).isZero();
        assertThat(result.queued()).isZero();
        assertThat(queues.sqs.messages(RecordingFlowQueues.WORK_QUEUE_URL)).isEmpty();
    }

    @Test
    void run_shouldQueueOneCorrection_inTheWebhooksShapeAndGroup_whenKatanaHoldsAnotherLevel() throws Exception {
        remember(40, Instant.parse("2026-11-27T16:20:00Z"));
        answer(page(false, null, item(ITEM, "SS-MCS-OAT-M", true, level(42, 45, UPDATED))));

        StockDrift.Result result = katana().run(SHOP, FROM, TO, false);

        assertThat(result.failure()).isEmpty();
        assertThat(result.driftFound()).isEqualTo(1);
        assertThat(result.queued()).isEqualTo(1);
        StockDrift.Drift found = result.drifts().get(0);
        assertThat(found.inventoryItemId()).isEqualTo(ITEM);
        assertThat(found.locationId()).isEqualTo(MAIN);
        assertThat(found.shopifyQuantity()).isEqualTo(42);
        assertThat(found.reported()).contains(40);
        long millis = Instant.parse(UPDATED).toEpochMilli();
        String webhookId = "shopsync-reconcile-" + ITEM + "-" + MAIN + "-" + millis;
        assertThat(found.webhookId()).isEqualTo(webhookId);
        assertThat(queues.enqueued).hasSize(1);
        Envelope envelope = queues.enqueued.get(0);
        assertThat(envelope.flow()).isEqualTo("stock-to-inventory");
        assertThat(envelope.topic()).isEqualTo("inventory_levels/update");
        assertThat(envelope.shop()).isEqualTo(SHOP);
        assertThat(envelope.webhookId()).isEqualTo(webhookId);
        String entity = SHOP + "/inventory-level/" + ITEM + "/" + MAIN;
        assertThat(envelope.entity()).isEqualTo(entity);
        JsonNode payload = JSON.readTree(((Body.Inline) envelope.body()).bytes());
        JsonNode sample = JSON.readTree(io.shopsync.testkit.Fixtures.text("events/payloads/inventory-levels-update.json"));
        assertThat(iterable(payload.fieldNames())).containsExactlyElementsOf(iterable(sample.fieldNames()));
        assertThat(payload.path("inventory_item_id").isIntegralNumber()).isTrue();
        assertThat(payload.path("inventory_item_id").bigIntegerValue().toString()).isEqualTo(ITEM);
        assertThat(payload.path("location_id").asText()).isEqualTo(MAIN);
        assertThat(payload.path("available").asInt()).isEqualTo(42);
        assertThat(payload.path("updated_at").asText()).isEqualTo(UPDATED);
        // The same FIFO group and dedup id shape as Shopify's own webhook for this level.
        var stored = queues.sqs.messages(RecordingFlowQueues.WORK_QUEUE_URL);
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).groupId()).isEqualTo(entity);
        assertThat(stored.get(0).deduplicationId()).isEqualTo(SHOP + ":" + webhookId);
    }

    /**
     * A sale, a restock or an adjustment changes a level's quantities and the level's updatedAt, not the inventory
     * item's updated_at (the item holds the SKU, cost and customs data). The item was last edited months ago; only
     * its level at the mapped location changed in the window, and Katana holds the level before: a drift to find.
     */
    @Test
    void run_shouldFindDrift_whenOnlyALevelsQuantityChangedInTheWindow() {
        remember(40, Instant.parse("2026-11-27T16:20:00Z"));
        // Shopify filters inventoryItems by the item's updated_at (2026-06-02): none in the window.
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).withRequestBody(matchingJsonPath("$.query", containing("inventoryItems(")))
                .willReturn(aResponse().withStatus(200).withBody("{\"data\":{\"inventoryItems\":{\"pageInfo\":"
                        + "{\"hasNextPage\":false,\"endCursor\":null},\"nodes\":[]}}}")));
        // And a location's inventoryLevels by the level's updated_at: this one, sold down to 42 at 16:29:59.
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).withRequestBody(matchingJsonPath("$.query", containing("inventoryLevels(")))
                .withRequestBody(matchingJsonPath("$.variables.location", equalTo("gid://shopify/Location/" + MAIN)))
                .willReturn(aResponse().withStatus(200).withBody(levelsPage(false, null,
                        levelOf(ITEM, "SS-MCS-OAT-M", true, 0, 42, 45, UPDATED)))));

        StockDrift.Result result = katana().run(SHOP, FROM, TO, false);

        assertThat(result.failure()).isEmpty();
        assertThat(result.scanned()).isEqualTo(1);
        assertThat(result.driftFound()).isEqualTo(1);
        assertThat(result.drifts().get(0).reported()).contains(40);
        assertThat(result.queued()).isEqualTo(1);
        assertThat(queues.enqueued).singleElement().satisfies(e -> assertThat(e.entity())
                .isEqualTo(SHOP + "/inventory-level/" + ITEM + "/" + MAIN));
        assertThat(graphqlRequests()).singleElement().satisfies(r -> assertThat(r.getBodyAsString())
                .contains("updated_at:>='2026-11-27T16:15:00Z' AND updated_at:<'2026-11-27T16:30:00Z'"));
    }

    @Test
    void run_shouldQueueACorrection_whenKatanaWasNeverGivenTheLevel() {
        answer(page(false, null, item(ITEM, "SS-MCS-OAT-M", true, level(42, 45, UPDATED))));

        StockDrift.Result result = katana().run(SHOP, FROM, TO, false);

        assertThat(result.driftFound()).isEqualTo(1);
        assertThat(result.drifts().get(0).reported()).isEmpty();
        assertThat(result.queued()).isEqualTo(1);
    }

    @Test
    void run_shouldQueueTheCorrectionOnce_whenTwoRunsOverlap() {
        remember(40, Instant.parse("2026-11-27T16:20:00Z"));
        answer(page(false, null, item(ITEM, "SS-MCS-OAT-M", true, level(42, 45, UPDATED))));

        StockDrift.Result first = katana().run(SHOP, FROM, TO, false);
        clock.advance(Duration.ofSeconds(30));
        StockDrift.Result second = katana().run(SHOP, FROM.minus(Duration.ofMinutes(5)), TO.plusSeconds(30), false);

        assertThat(first.driftFound()).isEqualTo(1);
        assertThat(second.driftFound()).isEqualTo(1);
        assertThat(second.drifts().get(0).webhookId()).isEqualTo(first.drifts().get(0).webhookId());
        assertThat(queues.sqs.messages(RecordingFlowQueues.WORK_QUEUE_URL)).hasSize(1);
    }

    @Test
    void run_shouldAskOnlyForMappedLocations_andIgnoreUnmappedAndUnsyncedOnes() {
        answer(page(false, null, item(ITEM, "SS-MCS-OAT-M", true, level(42, 45, UPDATED))));

        StockDrift.Result result = katana().run(SHOP, FROM, TO, false);

        String query = graphqlRequests().get(0).getBodyAsString();
        assertThat(query).contains("gid://shopify/Location/" + MAIN);
        assertThat(query).doesNotContain(STORE); // mapped to null: not synced
        assertThat(result.scanned()).isEqualTo(1);
        assertThat(queues.enqueued).allSatisfy(e -> assertThat(e.entity()).endsWith("/" + MAIN));
    }

    @Test
    void run_shouldFollowTheCursor_throughEveryPageOfTheWindow() {
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).withRequestBody(matchingJsonPath("$.variables.after", absent()))
                .willReturn(aResponse().withStatus(200).withBody(page(true, "eyJsYXN0X2lkIjo0Mzd9",
                        item(ITEM, "SS-MCS-OAT-M", true, level(42, 45, UPDATED))))));
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).withRequestBody(matchingJsonPath("$.variables.after",
                        equalTo("eyJsYXN0X2lkIjo0Mzd9")))
                .willReturn(aResponse().withStatus(200).withBody(page(false, "eyJsYXN0X2lkIjo0Mzh9",
                        item("437290762312585472", "SS-MCS-OAT-L", true, level(7, 7, UPDATED)),
                        item("437290762312585473", "SS-MCS-OAT-S", true, "null")))));

        StockDrift.Result result = katana().run(SHOP, FROM, TO, false);

        assertThat(result.failure()).isEmpty();
        assertThat(graphqlRequests()).hasSize(2);
        assertThat(graphqlRequests().get(0).getBodyAsString())
                .contains("updated_at:>='2026-11-27T16:15:00Z' AND updated_at:<'2026-11-27T16:30:00Z'");
        assertThat(result.scanned()).isEqualTo(2); // the third item is not stocked at the mapped location
        assertThat(result.drifts()).extracting(StockDrift.Drift::inventoryItemId)
                .containsExactly(ITEM, "437290762312585472");
        assertThat(result.queued()).isEqualTo(2);
    }

    @Test
    void run_shouldWaitForTheBucketToRefill_andCarryOn_whenShopifyThrottles() {
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).inScenario("throttle").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(200).withBody("""
                        {"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED",
                          "documentation":"https://shopify.dev/api/usage/rate-limits"}}],
                         "extensions":{"cost":{"requestedQueryCost":502,"actualQueryCost":null,
                          "throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":2,"restoreRate":100.0}}}}"""))
                .willSetStateTo("refilled"));
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).inScenario("throttle").whenScenarioStateIs("refilled")
                .willReturn(aResponse().withStatus(200).withBody(page(false, null,
                        item(ITEM, "SS-MCS-OAT-M", true, level(42, 45, UPDATED))))));

        StockDrift.Result result = katana().run(SHOP, FROM, TO, false);

        assertThat(result.failure()).isEmpty();
        assertThat(waits).containsExactly(Duration.ofSeconds(5)); // (502 - 2) / 100 per second
        assertThat(graphqlRequests()).hasSize(2);
        assertThat(result.queued()).isEqualTo(1);
    }

    @Test
    void run_shouldFailWithShopifysCodeAndRequestId_andQueueNothing_whenShopifyKeepsFailing() {
        answer("""
                {"errors":[{"message":"Internal error. Looks like something went wrong on our end.",\
                "extensions":{"code":"INTERNAL_SERVER_ERROR","requestId":"3221c58f-3446-4843-a452-a517787121c6"}}]}""");

        StockDrift.Result result = katana().run(SHOP, FROM, TO, false);

        assertThat(result.failure()).hasValueSatisfying(reason -> assertThat(reason)
                .contains(SHOP, "INTERNAL_SERVER_ERROR", "3221c58f-3446-4843-a452-a517787121c6"));
        assertThat(graphqlRequests()).hasSize(StockDrift.ATTEMPTS);
        assertThat(queues.enqueued).isEmpty();
    }

    @Test
    void run_shouldFailAtOnceWithWhatToDo_whenTheAppLacksTheScope() {
        answer("""
                {"errors":[{"message":"Access denied for inventoryItems field. Required access: `read_inventory`\
                 access scope.","extensions":{"code":"ACCESS_DENIED"}}]}""");

        StockDrift.Result result = katana().run(SHOP, FROM, TO, false);

        assertThat(result.failure()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("ACCESS_DENIED", "grant the app the scopes"));
        assertThat(graphqlRequests()).hasSize(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void run_shouldReportButQueueNothing_inADryRun() {
        remember(40, Instant.parse("2026-11-27T16:20:00Z"));
        answer(page(false, null, item(ITEM, "SS-MCS-OAT-M", true, level(42, 45, UPDATED))));

        StockDrift.Result result = katana().run(SHOP, FROM, TO, true);

        assertThat(result.dryRun()).isTrue();
        assertThat(result.driftFound()).isEqualTo(1);
        assertThat(result.queued()).isZero();
        assertThat(queues.sqs.messages(RecordingFlowQueues.WORK_QUEUE_URL)).isEmpty();
    }

    @Test
    void run_shouldCompareOnHand_whenKatanaMirrorsOnHand() {
        remember(45, Instant.parse(UPDATED));
        answer(page(false, null, item(ITEM, "SS-MCS-OAT-M", true, level(42, 45, UPDATED))));

        StockDrift.Result result = drift(LastReported.katana(reported), StockQuantity.ON_HAND).run(SHOP, FROM, TO, false);

        assertThat(result.driftFound()).isZero();
    }

    @Test
    void run_shouldSkipItemsTheFlowCannotReport_withoutSkuOrUntracked() {
        answer(page(false, null, item(ITEM, null, true, level(42, 45, UPDATED)),
                item("437290762312585472", "SS-MCS-OAT-L", false, level(3, 3, UPDATED))));

        StockDrift.Result result = katana().run(SHOP, FROM, TO, false);

        assertThat(result.scanned()).isEqualTo(2);
        assertThat(result.notComparable()).isEqualTo(2);
        assertThat(result.driftFound()).isZero();
        assertThat(queues.enqueued).isEmpty();
    }

    /** Katana holds one level per SKU and location: with items sharing the SKU it cannot say which one drifted. */
    @Test
    void run_shouldNotCompareForKatana_anItemWhoseSkuOtherItemsShare() {
        remember(7, Instant.parse(UPDATED));
        answer(page(false, null, item(ITEM, "SS-MCS-OAT-M", true, 1, level(42, 45, UPDATED))));

        StockDrift.Result result = katana().run(SHOP, FROM, TO, false);

        assertThat(result.notComparable()).isEqualTo(1);
        assertThat(result.driftFound()).isZero();
        assertThat(queues.enqueued).isEmpty();
    }

    /**
     * An adjustment whose answer never came leaves Katana at the level before it or at the one it carried:
     * in step only when both are Shopify's; otherwise the correction's delivery settles it, then measures.
     */
    @Test
    void run_shouldFindDrift_whenAnUnsettledAdjustmentMayHaveLeftKatanaAtAnotherLevel() {
        remember(42, Instant.parse("2026-11-27T16:20:00Z"));
        ReportedLevels.Key key = new ReportedLevels.Key(KatanaInventory.NAME, SHOP, "SS-MCS-OAT-M", "101");
        ReportedLevels.State state = reported.read(key, clock.instant());
        reported.replace(key, state, state.level(), Optional.of(new ReportedLevels.Pending("SHOPSYNC-0123456789ABCDEF",
                new ReportedLevels.Reported(39, Instant.parse("2026-11-27T16:25:00Z"), SHOP + ":c2f0"),
                clock.instant().minusSeconds(60))), clock.instant());
        answer(page(false, null, item(ITEM, "SS-MCS-OAT-M", true, level(42, 45, UPDATED))));

        StockDrift.Result result = katana().run(SHOP, FROM, TO, false);

        assertThat(result.driftFound()).isEqualTo(1);
        assertThat(result.drifts().get(0).reason()).contains("unsettled");
        assertThat(result.queued()).isEqualTo(1);
    }

    /**
     * The generic webhook target records no level, only the entity's watermark (the newest updated_at it
     * was given): a level Shopify changed after the watermark is a missed webhook, found and queued.
     */
    @Test
    void webhookTarget_shouldQueueACorrection_whenItsWatermarkIsOlderThanShopifysLevel() {
        String watermark = SHOP + "/inventory-level/" + ITEM + "/" + MAIN;
        store.advanceWatermark(watermark, StandardWebhooksInventory.NAME, new EntityVersion(
                Instant.parse("2026-11-27T16:20:00Z"), Instant.parse("2026-11-27T16:20:00.5Z")), clock.instant());
        answer(page(false, null, item(ITEM, "SS-MCS-OAT-M", true, level(42, 45, UPDATED))));

        StockDrift.Result result = drift(LastReported.webhook(store), StockQuantity.AVAILABLE).run(SHOP, FROM, TO, false);

        assertThat(result.driftFound()).isEqualTo(1);
        assertThat(result.drifts().get(0).reported()).isEmpty();
        assertThat(result.drifts().get(0).reason()).contains("2026-11-27T16:20:00Z");
        assertThat(result.queued()).isEqualTo(1);
    }

    /**
     * What the webhook target cannot show: the quantity the receiver holds. When its watermark has Shopify's
     * version, no drift is reported whatever the receiver did with the level (only a receiver that reports
     * its own stock could show that).
     */
    @Test
    void webhookTarget_shouldFindNoDrift_whenItsWatermarkHasShopifysVersion() {
        String watermark = SHOP + "/inventory-level/" + ITEM + "/" + MAIN;
        store.advanceWatermark(watermark, StandardWebhooksInventory.NAME, new EntityVersion(
                Instant.parse(UPDATED), Instant.parse("2026-11-27T16:30:00.2Z")), clock.instant());
        answer(page(false, null, item(ITEM, "SS-MCS-OAT-M", true, level(42, 45, UPDATED))));

        StockDrift.Result result = drift(LastReported.webhook(store), StockQuantity.AVAILABLE).run(SHOP, FROM, TO, false);

        assertThat(result.scanned()).isEqualTo(1);
        assertThat(result.driftFound()).isZero();
        assertThat(queues.enqueued).isEmpty();
    }

    @Test
    void run_shouldFailWithTheQueuesReason_whenTheQueueIsUnavailable() {
        queues.failing();
        answer(page(false, null, item(ITEM, "SS-MCS-OAT-M", true, level(42, 45, UPDATED))));

        StockDrift.Result result = katana().run(SHOP, FROM, TO, false);

        assertThat(result.driftFound()).isEqualTo(1);
        assertThat(result.queued()).isZero();
        assertThat(result.failure()).hasValueSatisfying(reason -> assertThat(reason).contains("queue"));
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> iterator) {
        List<T> all = new ArrayList<>();
        iterator.forEachRemaining(all::add);
        return all;
    }
}
