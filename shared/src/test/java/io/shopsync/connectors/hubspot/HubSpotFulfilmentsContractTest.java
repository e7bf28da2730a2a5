package io.shopsync.connectors.hubspot;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.RateLimiter;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.DeliveryOutcome.Delivered;
import io.shopsync.delivery.DeliveryOutcome.PermanentFailure;
import io.shopsync.delivery.DeliveryOutcome.RetryLater;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.mapping.Mapping;
import io.shopsync.testkit.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HubSpotFulfilments against a local server answering as HubSpot's 2026-09 CRM API does. */
class HubSpotFulfilmentsContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-29T01:00:00Z");
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String UPDATE = "/crm/objects/2026-09/orders/batch/update";
    private static final String ORDER_ID = "820982911946154508";
    private static final String OTHER_ORDER_ID = "820982911946154999";
    private static final String TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555";
    private static final String UPS = "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=";

    private WireMockServer hubspot;
    private final AtomicInteger tokenLoads = new AtomicInteger();
    private String storedToken = TOKEN;
    private String rotatedToken = TOKEN;
    private HubSpotFulfilments target;
    private int webhooks;

    @BeforeEach
    void start() {
        hubspot = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        hubspot.start();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        TargetHttp http = new TargetHttp("hubspot", HttpTransport.of(HttpClient.newHttpClient()), Duration.ofSeconds(3), clock);
        CachedSecret token = new CachedSecret("HubSpot token", () -> {
            tokenLoads.incrementAndGet();
            String current = storedToken;
            storedToken = rotatedToken; // what Secrets Manager holds after the next rotation
            return current;
        }, Clock.systemUTC(), Duration.ZERO);
        HubSpotApi api = new HubSpotApi(http, hubspot.baseUrl(), token, new RateLimiter(100, Duration.ofSeconds(10), clock),
                JSON, clock);
        String path = "functions/fulfilment-to-crm/src/main/resources/mappings/hubspot-fulfilment.json";
        target = new HubSpotFulfilments(api, Mapping.parse("hubspot-fulfilment", Fixtures.text(path), path,
                HubSpotSchemas.ORDERS, JSON));
    }

    @AfterEach
    void stop() {
        hubspot.stop();
    }

    // ---- success ------------------------------------------------------------------------------------

    @Test
    void deliver_shouldUpdateTheOrderByShopifyOrderId_withEveryTrackingNumberAndLink_neverUpserting() {
        // given
        hubspot.stubFor(post(urlEqualTo(UPDATE)).willReturn(answer(result("fulfilment-0", "60112233445", ORDER_ID))));

        // when
        List<DeliveryOutcome> outcomes = target.deliver(List.of(item("fulfillments/update", fixture("fulfillments-update.json"))));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        hubspot.verify(1, postRequestedFor(urlEqualTo(UPDATE))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("""
                        {"inputs": [{"idProperty": "shopify_order_id", "id": "820982911946154508",
                          "objectWriteTraceId": "fulfilment-0",
                          "properties": {
                            "shopify_order_id": "820982911946154508",
                            "shopify_fulfillment_status": "success",
                            "shopify_fulfillment_id": "255858046011252993",
                            "hs_shipping_tracking_number": "1Z999AA10123456784, 1Z999AA10123456793",
                            "hs_shipping_status_url": "%1$s1Z999AA10123456784",
                            "shopify_tracking_urls": "%1$s1Z999AA10123456784 %1$s1Z999AA10123456793",
                            "shopify_tracking_company": "UPS",
                            "shopify_shipment_status": "in_transit"}}]}""".formatted(UPS))));
        hubspot.verify(0, postRequestedFor(urlMatching(".*/batch/(upsert|create)")));
    }

    @Test
    void deliver_shouldLeaveOutWhatTheCreateDoesNotHaveYet_soALaterUpdateFillsIt() {
        // given: a fulfilment created before the label was bought
        hubspot.stubFor(post(urlEqualTo(UPDATE)).willReturn(answer(result("fulfilment-0", "60112233445", ORDER_ID))));
        ObjectNode created = fixture("fulfillments-create.json");
        created.putArray("tracking_numbers");
        created.putArray("tracking_urls");
        created.putNull("tracking_number");
        created.putNull("tracking_url");
        created.putNull("tracking_company");

        // when
        assertThat(target.deliver(List.of(item("fulfillments/create", created)))).containsExactly(new Delivered());

        // then
        JsonNode properties = requests().get(0).path("inputs").get(0).path("properties");
        assertThat(properties).isEqualTo(json("""
                {"shopify_order_id": "820982911946154508",
                 "shopify_fulfillment_status": "success", "shopify_fulfillment_id": "255858046011252993"}"""));
    }

    /**
     * Shopify's own example of a tracking update (Shopify/shopify-app-js, REST resource test of
     * Fulfillment.update_tracking, 2025-07): its line is fulfilled, yet says fulfillable_quantity 1.
     */
    @Test
    void deliver_shouldNotMoveTheOrderBackToPartiallyFulfilled_forShopifysTrackingUpdateExample() {
        // given
        hubspot.stubFor(post(urlEqualTo(UPDATE)).willReturn(answer(result("fulfilment-0", "60112233445", "450789469"))));
        ObjectNode example = (ObjectNode) json(Fixtures.text(
                "shared/src/test/resources/shopify-reference/fulfillment-update-tracking.json"));

        // when
        List<DeliveryOutcome> outcomes = target.deliver(List.of(item("fulfillments/update", example)));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        JsonNode properties = requests().get(0).path("inputs").get(0).path("properties");
        assertThat(properties.path("hs_fulfillment_status").asText("")).isNotEqualTo("partially_fulfilled");
        assertThat(properties.path("hs_shipping_tracking_number").asText()).isEqualTo("1Z001985YW99744790");
    }

    @Test
    void deliver_shouldLeaveTheOrdersFulfilmentStatusToTheOrderFlow_whenAnOlderPartialFulfilmentArrivesLate() {
        // given: the order was fulfilled by its second fulfilment; the first one's create (which shipped one
        // of two units of a line) is delivered late, after a retry or a redrive
        hubspot.stubFor(post(urlEqualTo(UPDATE)).willReturn(answer(result("fulfilment-0", "60112233445", ORDER_ID))));
        ObjectNode firstOfTwo = fixture("fulfillments-create.json");
        ((ObjectNode) firstOfTwo.path("line_items").get(1)).put("quantity", 1).put("fulfillable_quantity", 1)
                .put("fulfillment_status", "partial");

        // when
        target.deliver(List.of(item("fulfillments/create", firstOfTwo)));

        // then: the order's status is written only from the order, under the order's own version
        JsonNode properties = requests().get(0).path("inputs").get(0).path("properties");
        assertThat(properties.has("hs_fulfillment_status")).isFalse();
        assertThat(properties.path("shopify_fulfillment_status").asText()).isEqualTo("success");
    }

    @Test
    void deliver_shouldRecordTheCancelledFulfilment_andLeaveTheOrdersStatusToTheOrderFlow() {
        // given
        hubspot.stubFor(post(urlEqualTo(UPDATE)).willReturn(answer(result("fulfilment-0", "60112233445", ORDER_ID))));
        ObjectNode cancelled = fixture("fulfillments-update.json");
        cancelled.put("status", "cancelled");
        cancelled.put("updated_at", "2026-11-29T09:12:40-05:00");

        // when
        assertThat(target.deliver(List.of(item("fulfillments/update", cancelled)))).containsExactly(new Delivered());

        // then
        JsonNode properties = requests().get(0).path("inputs").get(0).path("properties");
        assertThat(properties.has("hs_fulfillment_status")).isFalse();
        assertThat(properties.path("shopify_fulfillment_status").asText()).isEqualTo("cancelled");
    }

    @Test
    void deliver_shouldWriteIdsAbove2To53Exactly() {
        // given
        hubspot.stubFor(post(urlEqualTo(UPDATE)).willReturn(answer(result("fulfilment-0", "60112233445", "9007199254740993"))));
        ObjectNode fulfilment = fixture("fulfillments-update.json");
        fulfilment.put("order_id", 9_007_199_254_740_993L);
        fulfilment.put("id", 9_007_199_254_740_995L);

        // when
        assertThat(target.deliver(List.of(item("fulfillments/update", fulfilment)))).containsExactly(new Delivered());

        // then
        JsonNode input = requests().get(0).path("inputs").get(0);
        assertThat(input.path("id").asText()).isEqualTo("9007199254740993");
        assertThat(input.path("properties").path("shopify_fulfillment_id").asText()).isEqualTo("9007199254740995");
    }

    @Test
    void deliver_shouldMatchResultsByTheOrderId_whenHubSpotLeavesOutTheTraceIds() {
        // given
        hubspot.stubFor(post(urlEqualTo(UPDATE)).willReturn(answer(
                result(null, "60112233446", OTHER_ORDER_ID) + "," + result(null, "60112233445", ORDER_ID))));

        // when
        List<DeliveryOutcome> outcomes = target.deliver(List.of(item("fulfillments/update", fixture("fulfillments-update.json")),
                item("fulfillments/create", otherOrder())));

        // then
        assertThat(outcomes).containsExactly(new Delivered(), new Delivered());
        assertThat(requests()).hasSize(1);
        assertThat(requests().get(0).path("inputs")).hasSize(2);
    }

    // ---- per-input errors ---------------------------------------------------------------------------

    @Test
    void deliver_shouldFailOnlyTheFulfilmentHubSpotRejects_in207() {
        // given
        hubspot.stubFor(post(urlEqualTo(UPDATE)).willReturn(aResponse().withStatus(207)
                .withHeader("Content-Type", "application/json").withBody("""
                {"status":"COMPLETE","results":[%s],"numErrors":1,
                 "errors":[{"status":"error","category":"VALIDATION_ERROR","message":"Property values were not valid",
                   "context":{"objectWriteTraceId":["fulfilment-1"]},
                   "errors":[{"message":"Property \\"shopify_tracking_company\\" does not exist","code":"PROPERTY_DOESNT_EXIST",
                              "in":"shopify_tracking_company"}],
                   "links":{}}],
                 "startedAt":"2026-11-29T01:00:00.010Z","completedAt":"2026-11-29T01:00:00.140Z"}"""
                        .formatted(result("fulfilment-0", "60112233445", ORDER_ID)))));

        // when
        List<DeliveryOutcome> outcomes = target.deliver(List.of(item("fulfillments/update", fixture("fulfillments-update.json")),
                item("fulfillments/create", otherOrder())));

        // then
        assertThat(outcomes.get(0)).isEqualTo(new Delivered());
        PermanentFailure failure = (PermanentFailure) outcomes.get(1);
        assertThat(failure.category()).isEqualTo("hubspot-fulfilment-rejected");
        assertThat(failure.reason()).contains("VALIDATION_ERROR").contains("PROPERTY_DOESNT_EXIST")
                .contains("order " + OTHER_ORDER_ID).contains("redrive");
    }

    @Test
    void deliver_shouldRetryLater_whenTheOrderIsNotInHubSpotYet_andDeliverTheRestOfTheBatch() {
        // given: HubSpot's StandardError for an id no order has (assumed shape: category OBJECT_NOT_FOUND, context.ids)
        hubspot.stubFor(post(urlEqualTo(UPDATE)).willReturn(aResponse().withStatus(207)
                .withHeader("Content-Type", "application/json").withBody("""
                {"status":"COMPLETE","results":[%s],"numErrors":1,
                 "errors":[{"status":"error","category":"OBJECT_NOT_FOUND",
                   "message":"Could not find orders with shopify_order_id values: 820982911946154999",
                   "context":{"ids":["820982911946154999"]},"errors":[],"links":{}}],
                 "startedAt":"2026-11-29T01:00:00.010Z","completedAt":"2026-11-29T01:00:00.140Z"}"""
                        .formatted(result("fulfilment-0", "60112233445", ORDER_ID)))));

        // when
        List<DeliveryOutcome> outcomes = target.deliver(List.of(item("fulfillments/update", fixture("fulfillments-update.json")),
                item("fulfillments/create", otherOrder())));

        // then
        assertThat(outcomes.get(0)).isEqualTo(new Delivered());
        RetryLater retry = (RetryLater) outcomes.get(1);
        assertThat(retry.reason()).startsWith("the order is not in HubSpot yet (its orders webhook has not been delivered)")
                .contains(OTHER_ORDER_ID);
        assertThat(retry.notBefore()).isEmpty();
    }

    @Test
    void deliver_shouldRetryLater_whenHubSpotRefusesTheWholeRequestBecauseTheOrderIsMissing() {
        // given
        hubspot.stubFor(post(urlEqualTo(UPDATE)).willReturn(objectNotFound(ORDER_ID)));

        // when
        DeliveryOutcome outcome = target.deliver(List.of(item("fulfillments/create", fixture("fulfillments-create.json")))).get(0);

        // then
        assertThat(outcome).isInstanceOf(RetryLater.class);
        assertThat(((RetryLater) outcome).reason()).startsWith(HubSpotFulfilments.NOT_IN_HUBSPOT_YET);
        hubspot.verify(1, postRequestedFor(urlEqualTo(UPDATE)));
    }

    @Test
    void deliver_shouldSendEachInputAlone_whenHubSpotRefusesABatchForOneMissingOrder_soTheOthersAreWritten() {
        // given: any request naming the missing order is refused whole
        hubspot.stubFor(post(urlEqualTo(UPDATE)).atPriority(1).withRequestBody(containing("\"id\":\"" + OTHER_ORDER_ID + "\""))
                .willReturn(objectNotFound(OTHER_ORDER_ID)));
        hubspot.stubFor(post(urlEqualTo(UPDATE)).atPriority(2)
                .willReturn(answer(result("fulfilment-0", "60112233445", ORDER_ID))));

        // when
        List<DeliveryOutcome> outcomes = target.deliver(List.of(item("fulfillments/update", fixture("fulfillments-update.json")),
                item("fulfillments/create", otherOrder())));

        // then
        assertThat(outcomes.get(0)).isEqualTo(new Delivered());
        assertThat(((RetryLater) outcomes.get(1)).reason()).startsWith(HubSpotFulfilments.NOT_IN_HUBSPOT_YET);
        assertThat(requests()).extracting(r -> r.path("inputs").size()).containsExactly(2, 1, 1);
    }

    @Test
    void deliver_shouldFailPermanently_whenTheEndpointItselfIsNotFound() {
        // given: a wrong base URL or API version, not a missing order
        hubspot.stubFor(post(urlEqualTo(UPDATE)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "text/html").withBody("<html><body>Not Found</body></html>")));

        // when
        DeliveryOutcome outcome = target.deliver(List.of(item("fulfillments/create", fixture("fulfillments-create.json")))).get(0);

        // then
        assertThat(outcome).isInstanceOf(PermanentFailure.class);
        assertThat(((PermanentFailure) outcome).category()).isEqualTo("http-404");
        assertThat(((PermanentFailure) outcome).reason()).contains("check the connector configuration");
    }

    @Test
    void deliver_shouldFailWithCategoryMapping_andSendNothing_whenTheFulfilmentHasNoOrderId() {
        // given
        ObjectNode orphan = fixture("fulfillments-create.json");
        orphan.remove("order_id");

        // when
        DeliveryOutcome outcome = target.deliver(List.of(item("fulfillments/create", orphan))).get(0);

        // then
        assertThat(((PermanentFailure) outcome).category()).isEqualTo("mapping");
        assertThat(((PermanentFailure) outcome).reason()).contains("shopify_order_id").contains("255858046011252993");
        hubspot.verify(0, postRequestedFor(urlEqualTo(UPDATE)));
    }

    // ---- whole-request failures ---------------------------------------------------------------------

    @Test
    void deliver_shouldRetryAfterRetryAfter_on429() {
        // given
        hubspot.stubFor(post(urlEqualTo(UPDATE)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")));

        // when
        DeliveryOutcome outcome = target.deliver(List.of(item("fulfillments/create", fixture("fulfillments-create.json")))).get(0);

        // then
        assertThat(((RetryLater) outcome).notBefore()).contains(NOW.plusSeconds(30));
    }

    @Test
    void deliver_shouldRetryAfterTheTenSecondWindow_on429WithoutRetryAfter() {
        // given
        hubspot.stubFor(post(urlEqualTo(UPDATE)).willReturn(aResponse().withStatus(429).withBody(
                "{\"status\":\"error\",\"message\":\"You have reached your ten_secondly_rolling limit.\",\"errorType\":"
                        + "\"RATE_LIMIT\",\"correlationId\":\"c0ffee00-1234-4abc-9def-0123456789ab\","
                        + "\"policyName\":\"TEN_SECONDLY_ROLLING\",\"groupName\":\"publicapi:private-app:123456\"}")));

        // when
        DeliveryOutcome outcome = target.deliver(List.of(item("fulfillments/create", fixture("fulfillments-create.json")))).get(0);

        // then
        assertThat(((RetryLater) outcome).notBefore()).contains(NOW.plusSeconds(10));
    }

    @Test
    void deliver_shouldRetryLater_on5xx() {
        // given
        hubspot.stubFor(post(urlEqualTo(UPDATE)).willReturn(aResponse().withStatus(502)
                .withHeader("Content-Type", "text/html").withBody("<html><body>502 Bad Gateway</body></html>")));

        // when
        DeliveryOutcome outcome = target.deliver(List.of(item("fulfillments/create", fixture("fulfillments-create.json")))).get(0);

        // then
        assertThat(((RetryLater) outcome).reason()).contains("answered 502").contains("order " + ORDER_ID);
    }

    @Test
    void deliver_shouldRetryLater_whenHubSpotTimesOut() {
        // given
        hubspot.stubFor(post(urlEqualTo(UPDATE)).willReturn(answer(result("fulfilment-0", "60112233445", ORDER_ID))
                .withFixedDelay(5_000)));

        // when
        DeliveryOutcome outcome = target.deliver(List.of(item("fulfillments/create", fixture("fulfillments-create.json")))).get(0);

        // then
        assertThat(((RetryLater) outcome).reason()).contains("timed out");
    }

    @Test
    void deliver_shouldReloadTheTokenOnce_on401_andSucceedWithTheRotatedOne() {
        // given
        hubspot.stubFor(post(urlEqualTo(UPDATE)).inScenario("rotation").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(401).withBody(
                        "{\"status\":\"error\",\"message\":\"Authentication credentials not found.\",\"category\":\"INVALID_AUTHENTICATION\"}"))
                .willSetStateTo("rotated"));
        hubspot.stubFor(post(urlEqualTo(UPDATE)).inScenario("rotation").whenScenarioStateIs("rotated")
                .willReturn(answer(result("fulfilment-0", "60112233445", ORDER_ID))));
        rotatedToken = "pat-na1-rotated-99999999";

        // when
        DeliveryOutcome outcome = target.deliver(List.of(item("fulfillments/create", fixture("fulfillments-create.json")))).get(0);

        // then
        assertThat(outcome).isEqualTo(new Delivered());
        assertThat(tokenLoads).hasValue(2);
        hubspot.verify(postRequestedFor(urlEqualTo(UPDATE)).withHeader("Authorization", equalTo("Bearer pat-na1-rotated-99999999")));
    }

    @Test
    void deliver_shouldSayToRotateTheToken_whenHubSpotKeepsAnswering401() {
        // given
        hubspot.stubFor(post(urlEqualTo(UPDATE)).willReturn(aResponse().withStatus(401).withBody(
                "{\"status\":\"error\",\"message\":\"Authentication credentials not found.\",\"category\":\"INVALID_AUTHENTICATION\"}")));

        // when
        DeliveryOutcome outcome = target.deliver(List.of(item("fulfillments/create", fixture("fulfillments-create.json")))).get(0);

        // then
        assertThat(((PermanentFailure) outcome).category()).isEqualTo("http-401");
        assertThat(((PermanentFailure) outcome).reason()).contains("rotate the token in Secrets Manager").doesNotContain(TOKEN);
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** A batch result as HubSpot writes it; {@code trace} null leaves objectWriteTraceId out. */
    private static String result(String trace, String objectId, String orderId) {
        return """
                {"id":"%s","archived":false,"createdAt":"2026-11-27T16:00:00.114Z","updatedAt":"2026-11-29T01:00:00.114Z",
                 %s"properties":{"hs_object_id":"%s","shopify_order_id":"%s","hs_lastmodifieddate":"2026-11-29T01:00:00.114Z"}}"""
                .formatted(objectId, trace == null ? "" : "\"objectWriteTraceId\":\"" + trace + "\",", objectId, orderId);
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer(String results) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                {"status":"COMPLETE","results":[%s],"requestedAt":"2026-11-29T01:00:00.001Z",
                 "startedAt":"2026-11-29T01:00:00.010Z","completedAt":"2026-11-29T01:00:00.140Z"}""".formatted(results));
    }

    /** HubSpot refusing a whole request for an id no order has (assumed: its documented Error shape, 404). */
    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder objectNotFound(String orderId) {
        return aResponse().withStatus(404).withHeader("Content-Type", "application/json").withBody("""
                {"status":"error","message":"Object not found.","correlationId":"5f4e3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c",
                 "category":"OBJECT_NOT_FOUND","context":{"ids":["%s"]}}""".formatted(orderId));
    }

    private DeliveryItem item(String topic, JsonNode payload) {
        Envelope envelope = new Envelope("fulfilment-to-crm", topic, SHOP, "6a0f1c52-4b1e-4d7e-9d1a-3f2e1d0c9b8" + (webhooks++),
                null, NOW, "2026-10", NOW, SHOP + "/order/" + payload.path("order_id").asText(), new Body.Inline(new byte[0]));
        return new DeliveryItem(envelope, payload);
    }

    private static ObjectNode fixture(String name) {
        return (ObjectNode) json(Fixtures.text("events/payloads/" + name));
    }

    /** Another order's fulfilment. */
    private static ObjectNode otherOrder() {
        ObjectNode fulfilment = fixture("fulfillments-create.json");
        fulfilment.put("order_id", Long.parseLong(OTHER_ORDER_ID));
        fulfilment.put("id", 255858046011252999L);
        return fulfilment;
    }

    private List<JsonNode> requests() {
        return hubspot.findAll(postRequestedFor(urlEqualTo(UPDATE))).stream().map(r -> json(r.getBodyAsString())).toList();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
