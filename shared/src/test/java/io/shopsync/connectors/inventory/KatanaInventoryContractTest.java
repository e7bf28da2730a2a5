package io.shopsync.connectors.inventory;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.RateLimiter;
import io.shopsync.connectors.inventory.ReportedLevels.Key;
import io.shopsync.connectors.inventory.ReportedLevels.Reported;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.observability.Telemetry;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.InMemoryReportedLevels;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** KatanaInventory against a local server answering as Katana MRP's public API (v1) does. */
class KatanaInventoryContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-27T16:00:00Z");
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String SKU = "SHIRT-LIN-M";
    private static final String VARIANTS = "/v1/variants";
    private static final String INVENTORY = "/v1/inventory";
    private static final String ADJUSTMENTS = "/v1/stock_adjustments";
    private static final String KEY = "kat_live_7f3c1e0b9a2d4c6e8f10";
    private static final String ROTATED_KEY = "kat_live_2b4d6f8a0c1e3a5c7e9f";

    private WireMockServer katana;
    private final CapturedLines log = new CapturedLines();
    private final InMemoryReportedLevels reported = new InMemoryReportedLevels();
    private final AtomicInteger keyLoads = new AtomicInteger();
    private final List<String> storedKeys = new ArrayList<>(List.of(KEY));
    private KatanaInventory target;

    private final MutableClock clock = new MutableClock(NOW);
    private final HttpTransport network = HttpTransport.of(HttpClient.newHttpClient());

    @BeforeEach
    void start() {
        katana = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        katana.start();
        target = katanaInventory(network);
    }

    /**
     * The network, except that the answer to the first stock adjustment never comes back: the request
     * reaches Katana when {@code reachesKatana}, else it is lost on the way.
     */
    private HttpTransport answerToFirstAdjustmentLost(boolean reachesKatana) {
        AtomicInteger posts = new AtomicInteger();
        return request -> {
            if (request.method().equals("POST") && posts.getAndIncrement() == 0) {
                if (reachesKatana) {
                    network.exchange(request);
                }
                throw new HttpTimeoutException("request timed out");
            }
            return network.exchange(request);
        };
    }

    /** A connector as one container holds it: its own HTTP client, rate limiter and variant cache, the shared store. */
    private KatanaInventory katanaInventory(HttpTransport transport) {
        TargetHttp http = new TargetHttp("katana", transport, Duration.ofSeconds(10), clock);
        CachedSecret apiKey = new CachedSecret("Secrets Manager secret shopsync/katana-api-key", () -> {
            int load = keyLoads.getAndIncrement();
            return storedKeys.get(Math.min(load, storedKeys.size() - 1));
        }, Clock.systemUTC(), Duration.ZERO);
        KatanaApi api = new KatanaApi(http, katana.baseUrl() + "/v1", apiKey,
                new RateLimiter(KatanaApi.REQUESTS_PER_MINUTE, Duration.ofSeconds(60), clock), JSON, clock);
        return new KatanaInventory(api, reported, new Telemetry(JSON, log, clock), "stock-to-inventory", JSON, clock);
    }

    @AfterEach
    void stop() {
        katana.stop();
    }

    // ---- Katana's answers, shaped as its reference shows them

    private static ResponseDefinitionBuilder ok(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withHeader("X-Ratelimit-Limit", "60").withHeader("X-Ratelimit-Remaining", "57").withBody(body);
    }

    private void variantExists(String sku, long id) {
        katana.stubFor(get(urlPathEqualTo(VARIANTS)).withQueryParam("sku", equalTo(sku)).willReturn(ok("""
                {"data":[{"id":%d,"sku":"%s","product_id":88012,"material_id":null,"sales_price":39,
                  "purchase_price":null,"type":"product","config_attributes":[{"config_name":"Size","config_value":"M"}],
                  "created_at":"2026-03-02T09:12:44.118Z","updated_at":"2026-10-14T11:03:09.507Z","deleted_at":null}]}
                """.formatted(id, sku))));
    }

    private void inStock(long variantId, long locationId, String quantityJson) {
        katana.stubFor(get(urlPathEqualTo(INVENTORY)).withQueryParam("variant_id", equalTo(Long.toString(variantId)))
                .withQueryParam("location_id", equalTo(Long.toString(locationId))).willReturn(ok("""
                {"data":[{"variant_id":%d,"location_id":%d,"reorder_point":"5","average_cost":"7.5",
                  "value_in_stock":"337.5","quantity_in_stock":%s,"quantity_committed":"2","quantity_expected":"0",
                  "quantity_missing_or_excess":"38","quantity_potential":"43"}]}
                """.formatted(variantId, locationId, quantityJson))));
    }

    private void noAdjustmentYet() {
        katana.stubFor(get(urlPathEqualTo(ADJUSTMENTS)).willReturn(ok("{\"data\":[]}")));
    }

    private void adjustmentExists(String number) {
        katana.stubFor(get(urlPathEqualTo(ADJUSTMENTS)).withQueryParam("stock_adjustment_number", equalTo(number))
                .willReturn(ok("""
                {"data":[{"id":9912,"stock_adjustment_number":"%s","stock_adjustment_date":"2026-11-27T15:59:00.000Z",
                  "location_id":12,"reason":"Shopify inventory sync","additional_info":"",
                  "stock_adjustment_rows":[{"id":55001,"variant_id":3301234,"quantity":-3,"cost_per_unit":7.5}],
                  "created_at":"2026-11-27T15:59:01.210Z","updated_at":"2026-11-27T15:59:01.210Z","deleted_at":null}]}
                """.formatted(number))));
    }

    private void adjustmentsAccepted() {
        katana.stubFor(post(urlPathEqualTo(ADJUSTMENTS)).willReturn(ok("""
                {"id":9913,"stock_adjustment_number":"SHOPSYNC-0000000000000000","location_id":12,
                 "stock_adjustment_rows":[{"id":55002,"variant_id":3301234,"quantity":-3,"cost_per_unit":7.5}],
                 "created_at":"2026-11-27T16:00:01.210Z","updated_at":"2026-11-27T16:00:01.210Z","deleted_at":null}
                """)));
    }

    private void happyKatana() {
        variantExists(SKU, 3301234);
        inStock(3301234, 12, "\"45.00000\"");
        noAdjustmentYet();
        adjustmentsAccepted();
    }

    private static StockLevel level(String webhookId, String location, Integer available, String updatedAt) {
        return itemLevel("44001", webhookId, location, available, updatedAt);
    }

    /** A level of a given Shopify inventory item (two items may share the SKU). */
    private static StockLevel itemLevel(String inventoryItemId, String webhookId, String location, Integer available,
                                        String updatedAt) {
        return new StockLevel(SHOP, SKU, inventoryItemId, "40999320797370", "77", location, available,
                Instant.parse(updatedAt), SHOP + ":" + webhookId);
    }

    /** What Katana holds after every posted adjustment, from the stock it had before any. */
    private BigDecimal katanaStockAfterAdjustments(String before) throws Exception {
        BigDecimal stock = new BigDecimal(before);
        for (int i = 0; i < katana.findAll(postRequestedFor(urlPathEqualTo(ADJUSTMENTS))).size(); i++) {
            stock = stock.add(postedAdjustment(i).path("stock_adjustment_rows").get(0).path("quantity").decimalValue());
        }
        return stock;
    }

    private static Key key(String location) {
        return new Key("katana", SHOP, SKU, location);
    }

    /** The adjustment number a delivery gets, computed here from its definition. */
    private static String numberFor(String deliveryId) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(deliveryId.getBytes(StandardCharsets.UTF_8));
        return "SHOPSYNC-" + HexFormat.of().formatHex(digest).substring(0, 16);
    }

    private JsonNode postedAdjustment(int index) throws Exception {
        return JSON.readTree(katana.findAll(postRequestedFor(urlPathEqualTo(ADJUSTMENTS))).get(index).getBodyAsString());
    }

    private int requests() {
        return katana.findAll(anyRequestedFor(anyUrl())).size();
    }

    // ---- behaviour

    @Test
    void report_shouldAdjustKatanaByTheDifferenceFromItsStock_forTheFirstLevelOfASkuAndLocation() throws Exception {
        // given: Katana has 45 in stock at location 12, nothing was reported before
        happyKatana();
        StockLevel level = level("w-1", "12", 42, "2026-11-27T15:59:58Z");

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level));

        // then
        assertThat(outcomes).containsExactly(new DeliveryOutcome.Delivered());
        JsonNode adjustment = postedAdjustment(0);
        assertThat(adjustment.path("stock_adjustment_number").asText()).isEqualTo(numberFor(SHOP + ":w-1"));
        assertThat(adjustment.path("stock_adjustment_date").asText()).isEqualTo("2026-11-27T16:00:00.000Z");
        assertThat(adjustment.path("location_id").isIntegralNumber()).isTrue();
        assertThat(adjustment.path("location_id").asLong()).isEqualTo(12);
        assertThat(adjustment.path("reason").asText()).isEqualTo("Shopify inventory sync");
        assertThat(adjustment.path("additional_info").asText()).isEqualTo("inventory_item_id=44001 location=77 available=42");
        JsonNode row = adjustment.path("stock_adjustment_rows").get(0);
        assertThat(row.path("variant_id").asLong()).isEqualTo(3301234);
        assertThat(row.path("quantity").isIntegralNumber()).isTrue();
        assertThat(row.path("quantity").asLong()).isEqualTo(-3);
        katana.verify(getRequestedFor(urlPathEqualTo(ADJUSTMENTS))
                .withQueryParam("stock_adjustment_number", equalTo(numberFor(SHOP + ":w-1"))));
        katana.verify(postRequestedFor(urlPathEqualTo(ADJUSTMENTS))
                .withHeader("Authorization", equalTo("Bearer " + KEY))
                .withHeader("Content-Type", equalTo("application/json")));
        assertThat(reported.last(key("12"), NOW)).contains(new Reported(42, level.sourceUpdatedAt(), SHOP + ":w-1"));
    }

    @Test
    void report_shouldAdjustFromTheRememberedLevel_withoutReadingKatanasStock_forTheNextLevel() throws Exception {
        // given: a first level was reported
        happyKatana();
        target.report(List.of(level("w-1", "12", 42, "2026-11-27T15:59:58Z")));

        // when: Shopify sells two more
        List<DeliveryOutcome> outcomes = target.report(List.of(level("w-2", "12", 40, "2026-11-27T16:04:10Z")));

        // then
        assertThat(outcomes).containsExactly(new DeliveryOutcome.Delivered());
        assertThat(postedAdjustment(1).path("stock_adjustment_rows").get(0).path("quantity").asLong()).isEqualTo(-2);
        assertThat(postedAdjustment(1).path("stock_adjustment_number").asText()).isEqualTo(numberFor(SHOP + ":w-2"));
        katana.verify(1, getRequestedFor(urlPathEqualTo(INVENTORY)));
        katana.verify(1, getRequestedFor(urlPathEqualTo(VARIANTS)));
        assertThat(reported.last(key("12"), NOW).orElseThrow().available()).isEqualTo(40);
    }

    @Test
    void report_shouldNotAdjustAgain_whenAnEarlierAttemptCrashedAfterKatanaAppliedTheAdjustment() throws Exception {
        // given: 42 was remembered; an attempt for 40 posted its adjustment, then died before remembering 40
        variantExists(SKU, 3301234);
        reported.remember(key("12"), new Reported(42, Instant.parse("2026-11-27T15:59:58Z"), SHOP + ":w-1"), NOW);
        adjustmentExists(numberFor(SHOP + ":w-2"));
        StockLevel retried = level("w-2", "12", 40, "2026-11-27T16:04:10Z");

        // when: the runtime retries the delivery
        List<DeliveryOutcome> outcomes = target.report(List.of(retried));

        // then
        assertThat(outcomes.get(0)).isInstanceOf(DeliveryOutcome.Duplicate.class);
        katana.verify(0, postRequestedFor(urlPathEqualTo(ADJUSTMENTS)));
        assertThat(reported.last(key("12"), NOW)).contains(new Reported(40, retried.sourceUpdatedAt(), SHOP + ":w-2"));
    }

    @Test
    void report_shouldRetryAndThenApplyOnce_whenThePostTimesOut() throws Exception {
        // given: Katana is slow to answer the adjustment
        variantExists(SKU, 3301234);
        inStock(3301234, 12, "45");
        noAdjustmentYet();
        adjustmentsAccepted();
        target = katanaInventory(answerToFirstAdjustmentLost(true));
        StockLevel level = level("w-1", "12", 42, "2026-11-27T15:59:58Z");

        // when
        List<DeliveryOutcome> first = target.report(List.of(level));
        adjustmentExists(numberFor(SHOP + ":w-1")); // it was applied after all
        List<DeliveryOutcome> retry = target.report(List.of(level));

        // then
        assertThat(first.get(0)).isInstanceOf(DeliveryOutcome.RetryLater.class);
        assertThat(((DeliveryOutcome.RetryLater) first.get(0)).reason()).contains("timed out");
        assertThat(retry.get(0)).isInstanceOf(DeliveryOutcome.Duplicate.class);
        katana.verify(1, postRequestedFor(urlPathEqualTo(ADJUSTMENTS)));
        assertThat(reported.last(key("12"), NOW).orElseThrow().available()).isEqualTo(42);
    }

    @Test
    void report_shouldNotLetTwoItemsSharingASkuAdjustFromTheSameRememberedLevel() throws Exception {
        // given: two Shopify inventory items carry SKU SHIRT-LIN-M, so their levels run in different FIFO groups
        // and two containers report them at once; Katana has 45
        happyKatana();
        AtomicInteger secondRuns = new AtomicInteger();
        List<DeliveryOutcome> second = new ArrayList<>();
        KatanaInventory otherContainer = katanaInventory(network);
        StockLevel first = itemLevel("44001", "w-1", "12", 42, "2026-11-27T15:59:58Z");
        StockLevel sharingTheSku = itemLevel("44002", "w-2", "12", 40, "2026-11-27T15:59:59Z");
        KatanaInventory firstContainer = katanaInventory(request -> {
            if (request.method().equals("POST") && secondRuns.getAndIncrement() == 0) {
                // the other container reports its level while this one's adjustment is on its way
                second.addAll(otherContainer.report(List.of(sharingTheSku)));
            }
            return network.exchange(request);
        });

        // when
        List<DeliveryOutcome> firstOutcomes = firstContainer.report(List.of(first));
        clock.advance(Duration.ofMinutes(5)); // the runtime retries what was answered retry-later
        if (!(second.get(0) instanceof DeliveryOutcome.Delivered)) {
            second.set(0, otherContainer.report(List.of(sharingTheSku)).get(0));
        }

        // then: Katana ends at the newer level, and every adjustment was measured from the one before it
        assertThat(firstOutcomes).containsExactly(new DeliveryOutcome.Delivered());
        assertThat(second).containsExactly(new DeliveryOutcome.Delivered());
        assertThat(katanaStockAfterAdjustments("45")).isEqualByComparingTo("40");
        assertThat(reported.last(key("12"), clock.instant()).orElseThrow().available()).isEqualTo(40);
    }

    @Test
    void report_shouldSettleAnAdjustmentWhoseAnswerTimedOut_beforeTheNextLevel_whenKatanaAppliedIt() throws Exception {
        // given: 45 was reported; the adjustment to 42 timed out (Katana applied it), then was dead-lettered
        variantExists(SKU, 3301234);
        reported.remember(key("12"), new Reported(45, Instant.parse("2026-11-27T15:50:00Z"), SHOP + ":w-0"), NOW);
        noAdjustmentYet();
        adjustmentsAccepted();
        target = katanaInventory(answerToFirstAdjustmentLost(true));
        List<DeliveryOutcome> timedOut = target.report(List.of(level("w-1", "12", 42, "2026-11-27T15:59:58Z")));
        adjustmentExists(numberFor(SHOP + ":w-1"));
        clock.advance(Duration.ofMinutes(10));

        // when: the next level comes
        List<DeliveryOutcome> next = target.report(List.of(level("w-2", "12", 40, "2026-11-27T16:04:10Z")));

        // then: the adjustment is measured from 42, which Katana holds, not from 45
        assertThat(timedOut.get(0)).isInstanceOf(DeliveryOutcome.RetryLater.class);
        assertThat(next).containsExactly(new DeliveryOutcome.Delivered());
        assertThat(postedAdjustment(1).path("stock_adjustment_rows").get(0).path("quantity").asLong()).isEqualTo(-2);
        assertThat(katanaStockAfterAdjustments("45")).isEqualByComparingTo("40");
        assertThat(reported.last(key("12"), clock.instant()).orElseThrow().available()).isEqualTo(40);
    }

    @Test
    void report_shouldSettleAnAdjustmentWhoseAnswerTimedOut_beforeTheNextLevel_whenKatanaDidNotApplyIt() throws Exception {
        // given: 45 was reported; the adjustment to 42 timed out before Katana took it, then was dead-lettered
        variantExists(SKU, 3301234);
        reported.remember(key("12"), new Reported(45, Instant.parse("2026-11-27T15:50:00Z"), SHOP + ":w-0"), NOW);
        noAdjustmentYet();
        adjustmentsAccepted();
        target = katanaInventory(answerToFirstAdjustmentLost(false));
        target.report(List.of(level("w-1", "12", 42, "2026-11-27T15:59:58Z")));
        clock.advance(Duration.ofMinutes(10));

        // when
        List<DeliveryOutcome> next = target.report(List.of(level("w-2", "12", 40, "2026-11-27T16:04:10Z")));

        // then: measured from 45, which Katana still holds
        assertThat(next).containsExactly(new DeliveryOutcome.Delivered());
        assertThat(postedAdjustment(0).path("stock_adjustment_rows").get(0).path("quantity").asLong()).isEqualTo(-5);
        katana.verify(getRequestedFor(urlPathEqualTo(ADJUSTMENTS))
                .withQueryParam("stock_adjustment_number", equalTo(numberFor(SHOP + ":w-1"))));
    }

    @Test
    void report_shouldFailPermanently_whenTheSkuIsNotInKatana() {
        // given
        katana.stubFor(get(urlPathEqualTo(VARIANTS)).willReturn(ok("{\"data\":[]}")));

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("w-1", "12", 42, "2026-11-27T15:59:58Z")));

        // then
        assertThat(outcomes).containsExactly(new DeliveryOutcome.PermanentFailure(
                "SKU SHIRT-LIN-M does not exist in Katana: create the variant or fix the SKU in Shopify", "unknown-sku"));
        katana.verify(0, postRequestedFor(urlPathEqualTo(ADJUSTMENTS)));
        assertThat(reported.last(key("12"), NOW)).isEmpty();
    }

    @Test
    void report_shouldNotMatchAVariantWhoseSkuOnlyResemblesTheLevels() {
        // given: Katana's search answers a near match only
        katana.stubFor(get(urlPathEqualTo(VARIANTS)).willReturn(ok(
                "{\"data\":[{\"id\":3301299,\"sku\":\"SHIRT-LIN-M-OLD\",\"product_id\":88012}]}")));

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("w-1", "12", 42, "2026-11-27T15:59:58Z")));

        // then
        assertThat(((DeliveryOutcome.PermanentFailure) outcomes.get(0)).category()).isEqualTo("unknown-sku");
    }

    @Test
    void report_shouldDeliverWithoutAnAdjustment_whenKatanaAlreadyHasTheLevel() {
        // given
        variantExists(SKU, 3301234);
        inStock(3301234, 12, "42");

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("w-1", "12", 42, "2026-11-27T15:59:58Z")));

        // then
        assertThat(outcomes).containsExactly(new DeliveryOutcome.Delivered());
        katana.verify(0, getRequestedFor(urlPathEqualTo(ADJUSTMENTS)));
        katana.verify(0, postRequestedFor(urlPathEqualTo(ADJUSTMENTS)));
        assertThat(reported.last(key("12"), NOW).orElseThrow().available()).isEqualTo(42);
    }

    @Test
    void report_shouldDeliverWithoutAnyRequest_whenTheRememberedLevelIsUnchanged() {
        // given
        reported.remember(key("12"), new Reported(42, Instant.parse("2026-11-27T15:59:58Z"), SHOP + ":w-1"), NOW);

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("w-2", "12", 42, "2026-11-27T16:01:00Z")));

        // then
        assertThat(outcomes).containsExactly(new DeliveryOutcome.Delivered());
        assertThat(requests()).isZero();
        assertThat(reported.last(key("12"), NOW).orElseThrow().deliveryId()).isEqualTo(SHOP + ":w-2");
    }

    @Test
    void report_shouldDeliverUnknownLevelsWithoutACall_andCountThem() {
        // given
        reported.remember(key("12"), new Reported(42, Instant.parse("2026-11-27T15:59:58Z"), SHOP + ":w-1"), NOW);

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("w-2", "12", null, "2026-11-27T16:01:00Z")));

        // then
        assertThat(outcomes).containsExactly(new DeliveryOutcome.Delivered());
        assertThat(requests()).isZero();
        assertThat(log.last().path("StockLevelsUnknown").asInt()).isEqualTo(1);
        assertThat(log.last().path("sku").asText()).isEqualTo(SKU);
        assertThat(reported.last(key("12"), NOW).orElseThrow().available()).isEqualTo(42);
    }

    @Test
    void report_shouldSkipALevelOlderThanTheRememberedOne_asStale() {
        // given
        reported.remember(key("12"), new Reported(40, Instant.parse("2026-11-27T16:04:10Z"), SHOP + ":w-2"), NOW);

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("w-1", "12", 42, "2026-11-27T15:59:58Z")));

        // then
        assertThat(outcomes.get(0)).isInstanceOf(DeliveryOutcome.Stale.class);
        assertThat(requests()).isZero();
        assertThat(reported.last(key("12"), NOW).orElseThrow().available()).isEqualTo(40);
    }

    @Test
    void report_shouldRetryNotBeforeRetryAfter_andSendNoMoreInTheBatch_whenKatanaAnswers429() {
        // given
        variantExists(SKU, 3301234);
        inStock(3301234, 12, "45");
        noAdjustmentYet();
        katana.stubFor(post(urlPathEqualTo(ADJUSTMENTS)).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "15").withHeader("X-Ratelimit-Limit", "60")
                .withHeader("X-Ratelimit-Remaining", "0").withHeader("Content-Type", "application/json")
                .withBody("{\"statusCode\":429,\"name\":\"TooManyRequests\",\"message\":\"Too Many Requests\"}")));

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("w-1", "12", 42, "2026-11-27T15:59:58Z"),
                level("w-2", "14", 7, "2026-11-27T15:59:58Z")));

        // then
        assertThat(outcomes).hasSize(2).allSatisfy(outcome -> {
            assertThat(outcome).isInstanceOf(DeliveryOutcome.RetryLater.class);
            assertThat(((DeliveryOutcome.RetryLater) outcome).notBefore()).contains(NOW.plusSeconds(15));
        });
        assertThat(requests()).isEqualTo(4); // variant, inventory, adjustment check, POST: none for the second level
        assertThat(reported.last(key("12"), NOW)).isEmpty();
    }

    @Test
    void report_shouldReleaseTheClaim_whenKatanaRefusesTheAdjustmentWith429_soAnItemSharingTheSkuIsNotHeldUp() {
        // given: Katana answers the POST 429, Retry-After 15
        variantExists(SKU, 3301234);
        inStock(3301234, 12, "45");
        noAdjustmentYet();
        katana.stubFor(post(urlPathEqualTo(ADJUSTMENTS)).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "15").withHeader("Content-Type", "application/json")
                .withBody("{\"statusCode\":429,\"name\":\"TooManyRequests\",\"message\":\"Too Many Requests\"}")));

        // when
        List<DeliveryOutcome> refused = target.report(List.of(level("w-1", "12", 42, "2026-11-27T15:59:58Z")));

        // then: nothing is pending, so nothing must be settled and no other delivery waits for it
        assertThat(refused.get(0)).isInstanceOf(DeliveryOutcome.RetryLater.class);
        assertThat(((DeliveryOutcome.RetryLater) refused.get(0)).notBefore()).contains(NOW.plusSeconds(15));
        assertThat(reported.read(key("12"), NOW).pending()).isEmpty();
        assertThat(reported.last(key("12"), NOW)).isEmpty();
    }

    @Test
    void report_shouldFailPermanentlyWithKatanasDetails_whenKatanaRejectsTheAdjustmentWith422() {
        // given
        variantExists(SKU, 3301234);
        inStock(3301234, 12, "45");
        noAdjustmentYet();
        katana.stubFor(post(urlPathEqualTo(ADJUSTMENTS)).willReturn(aResponse().withStatus(422)
                .withHeader("Content-Type", "application/json").withBody("""
                {"statusCode":422,"name":"UnprocessableEntityError","code":"VALIDATION_FAILED",
                 "message":"The request body is invalid. See error object `details` property for more info.",
                 "details":[{"path":".location_id","code":"invalid","message":"location is not active"}]}
                """)));

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("w-1", "12", 42, "2026-11-27T15:59:58Z")));

        // then
        DeliveryOutcome.PermanentFailure failure = (DeliveryOutcome.PermanentFailure) outcomes.get(0);
        assertThat(failure.category()).isEqualTo("http-422");
        assertThat(failure.reason()).contains("SKU SHIRT-LIN-M at Katana location 12")
                .contains("code=VALIDATION_FAILED, details.path=.location_id, details.code=invalid")
                .doesNotContain("location is not active").contains("redrive");
        assertThat(reported.last(key("12"), NOW)).isEmpty();
    }

    @Test
    void report_shouldReloadTheApiKeyOnce_andCarryOn_whenKatanaAnswers401AfterARotation() {
        // given: the key was rotated in Secrets Manager; this container still holds the old one
        storedKeys.add(ROTATED_KEY);
        happyKatana();
        katana.stubFor(get(urlPathEqualTo(VARIANTS)).withHeader("Authorization", equalTo("Bearer " + KEY)).atPriority(1)
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                        .withBody("{\"statusCode\":401,\"name\":\"UnauthorizedError\",\"message\":\"Unauthorized\"}")));

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("w-1", "12", 42, "2026-11-27T15:59:58Z")));

        // then
        assertThat(outcomes).containsExactly(new DeliveryOutcome.Delivered());
        assertThat(keyLoads.get()).isEqualTo(2);
        katana.verify(postRequestedFor(urlPathEqualTo(ADJUSTMENTS)).withHeader("Authorization",
                equalTo("Bearer " + ROTATED_KEY)));
    }

    @Test
    void report_shouldFailPermanently_andAskToRotateTheKey_whenKatanaKeepsAnswering401() {
        // given
        katana.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                .withBody("{\"statusCode\":401,\"name\":\"UnauthorizedError\",\"message\":\"Unauthorized\"}")));

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("w-1", "12", 42, "2026-11-27T15:59:58Z")));

        // then
        DeliveryOutcome.PermanentFailure failure = (DeliveryOutcome.PermanentFailure) outcomes.get(0);
        assertThat(failure.category()).isEqualTo("http-401");
        assertThat(failure.reason()).contains("rotate the Katana API key").contains("shopsync/katana-api-key")
                .doesNotContain(KEY);
        assertThat(keyLoads.get()).isEqualTo(2);
    }

    @Test
    void report_shouldRetry_whenKatanaFailsWith500() {
        // given
        variantExists(SKU, 3301234);
        katana.stubFor(get(urlPathEqualTo(INVENTORY)).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"statusCode\":500,\"name\":\"InternalServerError\",\"message\":\"Internal Server Error\"}")));

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("w-1", "12", 42, "2026-11-27T15:59:58Z")));

        // then
        DeliveryOutcome.RetryLater retry = (DeliveryOutcome.RetryLater) outcomes.get(0);
        assertThat(retry.reason()).contains("SKU SHIRT-LIN-M at Katana location 12").contains("answered 500");
        katana.verify(0, postRequestedFor(urlPathEqualTo(ADJUSTMENTS)));
        assertThat(reported.last(key("12"), NOW)).isEmpty();
    }

    @Test
    void report_shouldLookTheVariantUpOnce_forTheSameSkuAtTwoLocations() throws Exception {
        // given
        happyKatana();
        inStock(3301234, 14, "3.5");

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("w-1", "12", 42, "2026-11-27T15:59:58Z"),
                level("w-2", "14", 5, "2026-11-27T15:59:58Z")));

        // then
        assertThat(outcomes).containsOnly(new DeliveryOutcome.Delivered());
        katana.verify(1, getRequestedFor(urlPathEqualTo(VARIANTS)));
        assertThat(postedAdjustment(1).path("location_id").asLong()).isEqualTo(14);
        assertThat(postedAdjustment(1).path("stock_adjustment_rows").get(0).path("quantity").decimalValue())
                .isEqualByComparingTo("1.5");
        assertThat(reported.last(key("14"), NOW).orElseThrow().available()).isEqualTo(5);
    }

    @Test
    void report_shouldFailPermanently_whenTheLocationMappingGivesNoKatanaLocationId() {
        // given
        variantExists(SKU, 3301234);

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("w-1", "Main warehouse", 42,
                "2026-11-27T15:59:58Z")));

        // then
        DeliveryOutcome.PermanentFailure failure = (DeliveryOutcome.PermanentFailure) outcomes.get(0);
        assertThat(failure.category()).isEqualTo("location-mapping");
        assertThat(failure.reason()).contains("Main warehouse").contains("Shopify location 77");
        assertThat(requests()).isZero();
    }

    /** Time the test moves on, as the runtime's retries would. */
    private static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
