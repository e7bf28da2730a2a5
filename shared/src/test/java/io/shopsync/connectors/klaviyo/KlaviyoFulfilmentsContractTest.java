package io.shopsync.connectors.klaviyo;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome.Delivered;
import io.shopsync.delivery.DeliveryOutcome.PermanentFailure;
import io.shopsync.delivery.DeliveryOutcome.RetryLater;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.mapping.Mapping;
import io.shopsync.observability.Telemetry;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testkit.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** KlaviyoFulfilments against a local server answering as Klaviyo's API (revision 2026-10-15) does. */
class KlaviyoFulfilmentsContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-28T13:05:00Z");
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String KEY = "pk_live_0123456789abcdef0123456789abcdef01";
    private static final String ROTATED_KEY = "pk_live_fedcba9876543210fedcba9876543210fe";
    private static final String EVENTS = "/api/events";
    private static final String SHOPIFY_TOKEN = "shpat_0123456789abcdef0123456789abcdef";
    private static final String UPS = "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=";

    private WireMockServer klaviyo;
    private WireMockServer shopify;
    private final CapturedLines log = new CapturedLines();
    private final Deque<String> storedKeys = new ArrayDeque<>(List.of(KEY));
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private int webhooks;

    @BeforeEach
    void start() {
        klaviyo = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        klaviyo.start();
        shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        shopify.start();
    }

    @AfterEach
    void stop() {
        klaviyo.stop();
        shopify.stop();
    }

    // ---- what is sent -------------------------------------------------------------------------------

    @Test
    void deliver_shouldSendFulfilledOrder_keyedByTheFulfilmentId_forTheLowerCasedEmail() {
        // given
        klaviyo.stubFor(klaviyoPost(EVENTS).willReturn(aResponse().withStatus(202)));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("fulfillments/create", fixture("fulfillments-create.json"))));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        klaviyo.verify(1, postRequestedFor(urlEqualTo(EVENTS)).withRequestBody(equalToJson("""
                {"data": {"type": "event", "attributes": {
                  "metric": {"data": {"type": "metric", "attributes": {"name": "Fulfilled Order"}}},
                  "time": "2026-11-28T13:03:11Z",
                  "properties": {
                    "OrderId": "820982911946154508",
                    "FulfillmentId": "255858046011252993",
                    "FulfillmentName": "#1001.1",
                    "TrackingNumbers": ["1Z999AA10123456784"],
                    "TrackingNumber": "1Z999AA10123456784",
                    "TrackingUrls": ["%1$s1Z999AA10123456784"],
                    "TrackingUrl": "%1$s1Z999AA10123456784",
                    "TrackingCompany": "UPS",
                    "ItemNames": ["Merino Crew Sweater", "Organic Cotton Tee"],
                    "SKUs": ["SS-MCS-OAT-M", "SS-OCT-BLK-M"]},
                  "unique_id": "shopify-fulfillment-255858046011252993",
                  "profile": {"data": {"type": "profile", "attributes": {"email": "zoe.adams@example.com"}}}}}}"""
                .formatted(UPS))));
    }

    @Test
    void deliver_shouldSendFulfilledPartialOrder_whenALineStillHasUnitsToFulfil() {
        // given
        klaviyo.stubFor(klaviyoPost(EVENTS).willReturn(aResponse().withStatus(202)));
        ObjectNode partial = fixture("fulfillments-create.json");
        ((ObjectNode) partial.path("line_items").get(1)).put("quantity", 1).put("fulfillable_quantity", 1)
                .put("fulfillment_status", "partial");

        // when
        assertThat(target(true).deliver(List.of(item("fulfillments/create", partial)))).containsExactly(new Delivered());

        // then
        JsonNode attributes = events().get(0).path("data").path("attributes");
        assertThat(metric(events().get(0))).isEqualTo("Fulfilled Partial Order");
        assertThat(attributes.path("unique_id").asText()).isEqualTo("shopify-fulfillment-255858046011252993");
        assertThat(attributes.has("value")).as("no second revenue").isFalse();
    }

    @Test
    void deliver_shouldSendNothingForAnUpdate_orACancelledFulfilment() {
        // given
        klaviyo.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(202)));
        ObjectNode cancelled = fixture("fulfillments-update.json");
        cancelled.put("status", "cancelled");

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(
                item("fulfillments/update", fixture("fulfillments-update.json")), item("fulfillments/update", cancelled)));

        // then
        assertThat(outcomes).containsExactly(new Delivered(), new Delivered());
        klaviyo.verify(0, postRequestedFor(anyUrl()));
    }

    @Test
    void deliver_shouldSendNothing_whenOrderEventsAreSwitchedOff() {
        // given
        klaviyo.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(202)));

        // when
        List<DeliveryOutcome> outcomes = target(false).deliver(List.of(item("fulfillments/create", fixture("fulfillments-create.json"))));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        klaviyo.verify(0, postRequestedFor(anyUrl()));
    }

    /** Shopify's own fulfilment example (see shopify-reference/README.md) has no e-mail. */
    @Test
    void deliver_shouldDeadLetterWithAReason_whenTheFulfilmentHasNoEmail_andNoShopifyLookUpIsConfigured() {
        // given
        JsonNode example = reference("fulfillment-create.json");

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("fulfillments/create", example)));

        // then
        PermanentFailure failure = (PermanentFailure) outcomes.get(0);
        assertThat(failure.category()).isEqualTo("no-identifier");
        assertThat(failure.reason()).contains("1069019871").contains("SHOPIFY_ADMIN_TOKENS_SECRET_ID")
                .contains("read_orders").contains("redrive");
        klaviyo.verify(0, postRequestedFor(anyUrl()));
    }

    @Test
    void deliver_shouldSendFulfilledOrderToTheOrdersEmail_lookedUpInShopify_whenTheFulfilmentHasNone() {
        // given: Shopify's own example, no e-mail; Shopify knows the order's
        klaviyo.stubFor(klaviyoPost(EVENTS).willReturn(aResponse().withStatus(202)));
        shopifyOrderHasEmail("450789469", "\"Zoe.Adams@Example.com\"");

        // when
        List<DeliveryOutcome> outcomes = targetLookingUpOrders().deliver(List.of(item("fulfillments/create",
                reference("fulfillment-create.json"))));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        JsonNode attributes = events().get(0).path("data").path("attributes");
        assertThat(metric(events().get(0))).isEqualTo("Fulfilled Order");
        assertThat(attributes.path("unique_id").asText()).isEqualTo("shopify-fulfillment-1069019871");
        assertThat(attributes.path("profile").path("data").path("attributes").path("email").asText())
                .isEqualTo("zoe.adams@example.com");
        assertThat(log.last().path("FulfilmentEmailLookups").asInt()).isEqualTo(1);
    }

    @Test
    void deliver_shouldDeadLetterWithAReason_whenNeitherTheFulfilmentNorItsOrderHasAnEmail() {
        // given: a guest known only by phone
        shopifyOrderHasEmail("450789469", "null");

        // when
        List<DeliveryOutcome> outcomes = targetLookingUpOrders().deliver(List.of(item("fulfillments/create",
                reference("fulfillment-create.json"))));

        // then
        PermanentFailure failure = (PermanentFailure) outcomes.get(0);
        assertThat(failure.category()).isEqualTo("no-identifier");
        assertThat(failure.reason()).contains("order 450789469").contains("neither the fulfilment nor its order");
        klaviyo.verify(0, postRequestedFor(anyUrl()));
    }

    @Test
    void deliver_shouldRetryLater_whenShopifyThrottlesTheLookUp() {
        // given
        shopify.stubFor(post(urlEqualTo("/admin/api/2026-10/graphql.json")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("""
                {"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],
                 "extensions":{"cost":{"requestedQueryCost":1,"actualQueryCost":null,
                   "throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":0,"restoreRate":100.0}}}}""")));

        // when
        List<DeliveryOutcome> outcomes = targetLookingUpOrders().deliver(List.of(item("fulfillments/create",
                reference("fulfillment-create.json"))));

        // then
        RetryLater retry = (RetryLater) outcomes.get(0);
        assertThat(retry.reason()).contains("fulfilment 1069019871 of order 450789469").contains("throttled");
        assertThat(retry.notBefore()).contains(NOW.plusSeconds(1));
        klaviyo.verify(0, postRequestedFor(anyUrl()));
    }

    @Test
    void deliver_shouldWriteIdsAbove2To53Exactly() {
        // given
        klaviyo.stubFor(klaviyoPost(EVENTS).willReturn(aResponse().withStatus(202)));
        ObjectNode fulfilment = fixture("fulfillments-create.json");
        fulfilment.put("order_id", 9_007_199_254_740_993L);
        fulfilment.put("id", 9_007_199_254_740_995L);

        // when
        target(true).deliver(List.of(item("fulfillments/create", fulfilment)));

        // then
        JsonNode attributes = events().get(0).path("data").path("attributes");
        assertThat(attributes.path("unique_id").asText()).isEqualTo("shopify-fulfillment-9007199254740995");
        assertThat(attributes.path("properties").path("OrderId").asText()).isEqualTo("9007199254740993");
    }

    // ---- failures -----------------------------------------------------------------------------------

    @Test
    void deliver_shouldFailOnlyTheFulfilmentKlaviyoRejects_withKlaviyosPointerAndNoEmail() {
        // given
        ObjectNode bad = otherFulfilment();
        bad.put("email", "zoe@@example");
        klaviyo.stubFor(klaviyoPost(EVENTS).atPriority(1).withRequestBody(equalToJson(
                "{\"data\":{\"attributes\":{\"profile\":{\"data\":{\"attributes\":{\"email\":\"zoe@@example\"}}}}}}", true, true))
                .willReturn(error(400, "invalid", "Invalid input.", "Invalid email address zoe@@example", "/data/attributes/profile/data/attributes/email")));
        klaviyo.stubFor(klaviyoPost(EVENTS).atPriority(2).willReturn(aResponse().withStatus(202)));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("fulfillments/create", bad),
                item("fulfillments/create", fixture("fulfillments-create.json"))));

        // then
        PermanentFailure failure = (PermanentFailure) outcomes.get(0);
        assertThat(failure.category()).isEqualTo("http-400");
        assertThat(failure.reason()).contains("Fulfilled Order event of fulfilment 255858046011252999")
                .contains("errors.source.pointer=/data/attributes/profile/data/attributes/email")
                .doesNotContain("Invalid email address").contains("klaviyo-fulfilled-order").doesNotContain("zoe@@example");
        assertThat(outcomes.get(1)).isEqualTo(new Delivered());
    }

    @Test
    void deliver_shouldRetryLaterAtRetryAfter_andNotSendTheRestOfTheBatch_on429() {
        // given
        klaviyo.stubFor(klaviyoPost(EVENTS).willReturn(throttled().withHeader("Retry-After", "20")));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("fulfillments/create", fixture("fulfillments-create.json")),
                item("fulfillments/create", otherFulfilment())));

        // then
        assertThat(outcomes).hasSize(2).allSatisfy(o -> assertThat(((RetryLater) o).notBefore()).contains(NOW.plusSeconds(20)));
        assertThat(((RetryLater) outcomes.get(1)).reason()).startsWith("not sent: an earlier klaviyo request");
        klaviyo.verify(1, postRequestedFor(urlEqualTo(EVENTS)));
    }

    @Test
    void deliver_shouldRetryLaterWhenKlaviyoSaysItIsAvailable_on429WithoutRetryAfter() {
        // given
        klaviyo.stubFor(klaviyoPost(EVENTS).willReturn(throttled()));

        // when
        DeliveryOutcome outcome = target(true).deliver(List.of(item("fulfillments/create", fixture("fulfillments-create.json")))).get(0);

        // then
        assertThat(((RetryLater) outcome).notBefore()).contains(NOW.plusSeconds(3));
    }

    @Test
    void deliver_shouldRetryLater_whenKlaviyoIsUnavailable_orTimesOut() {
        // given
        klaviyo.stubFor(klaviyoPost(EVENTS).inScenario("outage").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(error(503, "service_unavailable", "Service unavailable.", "Please try again later.", "/data"))
                .willSetStateTo("slow"));
        klaviyo.stubFor(klaviyoPost(EVENTS).inScenario("outage").whenScenarioStateIs("slow")
                .willReturn(aResponse().withStatus(202).withFixedDelay(6_000)));

        // when
        DeliveryOutcome unavailable = target(true).deliver(List.of(item("fulfillments/create", fixture("fulfillments-create.json")))).get(0);
        DeliveryOutcome slow = target(true).deliver(List.of(item("fulfillments/create", fixture("fulfillments-create.json")))).get(0);

        // then
        assertThat(((RetryLater) unavailable).reason()).contains("answered 503");
        assertThat(((RetryLater) slow).reason()).contains("timed out");
    }

    @Test
    void deliver_shouldFailTheWholeBatchPermanently_sayingRotateTheKey_whenTheReloadedKeyIsRejectedToo() {
        // given: the key is rotated in Secrets Manager, and Klaviyo rejects the new one too
        storedKeys.add(ROTATED_KEY);
        klaviyo.stubFor(post(urlEqualTo(EVENTS)).willReturn(error(401, "not_authenticated",
                "Authentication credentials were not provided.", "Missing or invalid private key.", "/data/")));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("fulfillments/create", fixture("fulfillments-create.json")),
                item("fulfillments/create", otherFulfilment())));

        // then
        assertThat(outcomes).hasSize(2).allSatisfy(o -> {
            PermanentFailure failure = (PermanentFailure) o;
            assertThat(failure.category()).isEqualTo("http-401");
            assertThat(failure.reason()).contains("rotate the Klaviyo private key in Secrets Manager")
                    .doesNotContain(KEY).doesNotContain(ROTATED_KEY);
        });
        klaviyo.verify(2, postRequestedFor(urlEqualTo(EVENTS))); // once with each key
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private KlaviyoFulfilments target(boolean sendEvents) {
        return target(sendEvents, Optional.empty());
    }

    /** With the order e-mail look-up, against a local server answering as Shopify's Admin GraphQL API does. */
    private KlaviyoFulfilments targetLookingUpOrders() {
        return target(true, Optional.of(new ShopifyAdmin(new TargetHttp("shopify",
                HttpTransport.of(HttpClient.newHttpClient()), Duration.ofSeconds(5), clock), shopify.baseUrl(),
                CachedSecret.fixed("Shopify Admin API tokens", "{\"" + SHOP + "\": \"" + SHOPIFY_TOKEN + "\"}"),
                java.util.Set.of(), ShopifyAdmin.DEFAULT_API_VERSION, JSON, clock)));
    }

    /** Shopify answers the order's e-mail only to the query that asks for it, with the shop's token. */
    private void shopifyOrderHasEmail(String orderId, String emailJson) {
        shopify.stubFor(post(urlEqualTo("/admin/api/2026-10/graphql.json"))
                .withHeader("X-Shopify-Access-Token", equalTo(SHOPIFY_TOKEN))
                .withRequestBody(matchingJsonPath("$.query", containing("order(id: $id) { email }")))
                .withRequestBody(matchingJsonPath("$.variables.id", equalTo("gid://shopify/Order/" + orderId)))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                        {"data":{"order":{"email":%s}},"extensions":{"cost":{"requestedQueryCost":1,"actualQueryCost":1,
                         "throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1999,"restoreRate":100.0}}}}"""
                        .formatted(emailJson))));
    }

    private KlaviyoFulfilments target(boolean sendEvents, Optional<ShopifyAdmin> orders) {
        TargetHttp http = new TargetHttp("klaviyo", HttpTransport.of(HttpClient.newHttpClient()), Duration.ofSeconds(4), clock);
        CachedSecret apiKey = new CachedSecret("Klaviyo private key (test secret shopsync/klaviyo)",
                () -> storedKeys.size() > 1 ? storedKeys.poll() : storedKeys.peek(), clock, Duration.ZERO);
        String path = "functions/fulfilment-to-crm/src/main/resources/mappings/klaviyo-fulfilled-order.json";
        Mapping mapping = Mapping.parse("klaviyo-fulfilled-order", Fixtures.text(path), path, KlaviyoSchemas.EVENT, JSON);
        return new KlaviyoFulfilments(new KlaviyoApi(http, klaviyo.baseUrl(), apiKey, JSON, clock), orders, mapping, sendEvents,
                new Telemetry(JSON, log, clock), JSON);
    }

    /** Klaviyo's answers match only requests with the headers it requires. */
    private static MappingBuilder klaviyoPost(String path) {
        return post(urlEqualTo(path))
                .withHeader("Authorization", equalTo("Klaviyo-API-Key " + KEY))
                .withHeader("revision", equalTo("2026-10-15"))
                .withHeader("Content-Type", equalTo("application/vnd.api+json"))
                .withHeader("Accept", equalTo("application/vnd.api+json"));
    }

    private static ResponseDefinitionBuilder error(int status, String code, String title, String detail, String pointer) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/vnd.api+json").withBody("""
                {"errors":[{"id":"4f0e0bd2-2f5c-4d5e-9a55-0b4b8f0a7c11","status":%d,"code":"%s","title":"%s",
                 "detail":"%s","source":{"pointer":"%s"},"links":{},"meta":{}}]}""".formatted(status, code, title, detail, pointer));
    }

    /** A real 429 body (klaviyo/klaviyo-api-node#66). */
    private static ResponseDefinitionBuilder throttled() {
        return aResponse().withStatus(429).withHeader("Content-Type", "application/vnd.api+json").withBody("""
                {"errors":[{"id":"8c8f4aea-7289-4a13-b697-5dd5dde38f1e","status":429,"code":"throttled",
                 "title":"Request was throttled.","detail":"Request was throttled. Expected available in 3 seconds.",
                 "source":{"pointer":"/data"},"links":{},"meta":{}}]}""");
    }

    private DeliveryItem item(String topic, JsonNode payload) {
        Envelope envelope = new Envelope("fulfilment-to-crm", topic, SHOP, "0d3c5a7e-2f4b-4e6d-8a1c-9b7e5d3f1a2" + (webhooks++),
                null, NOW.minusSeconds(2), "2026-10", NOW.minusSeconds(1), SHOP + "/order/" + payload.path("order_id").asText(),
                new Body.Inline(new byte[0]));
        return new DeliveryItem(envelope, payload);
    }

    private static ObjectNode reference(String name) {
        return (ObjectNode) json(Fixtures.text("shared/src/test/resources/shopify-reference/" + name));
    }

    private static ObjectNode fixture(String name) {
        return (ObjectNode) json(Fixtures.text("events/payloads/" + name));
    }

    private static ObjectNode otherFulfilment() {
        ObjectNode fulfilment = fixture("fulfillments-create.json");
        fulfilment.put("id", 255858046011252999L);
        fulfilment.put("order_id", 820982911946154999L);
        return fulfilment;
    }

    private List<JsonNode> events() {
        return klaviyo.findAll(postRequestedFor(urlEqualTo(EVENTS))).stream().map(r -> json(r.getBodyAsString())).toList();
    }

    private static String metric(JsonNode event) {
        return event.path("data").path("attributes").path("metric").path("data").path("attributes").path("name").asText();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
