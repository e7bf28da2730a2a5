package io.shopsync.connectors.hubspot;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
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
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.RateLimiter;
import io.shopsync.connectors.RequestPermits;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.mapping.Mapping;
import io.shopsync.observability.Telemetry;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.FakeCrmApis;
import io.shopsync.testing.HttpWarmUp;
import io.shopsync.testkit.Fixtures;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HubSpotOrders against a local server answering as HubSpot's 2026-09 CRM API does. */
class HubSpotOrdersContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-27T16:00:00Z");
    private static final String CONTACTS = "/crm/objects/2026-09/contacts/batch/upsert";
    private static final String ORDERS = "/crm/objects/2026-09/orders/batch/upsert";
    private static final String ORDER_UPDATES = "/crm/objects/2026-09/orders/batch/update";
    private static final String ASSOCIATE = "/crm/associations/2026-09/orders/contacts/batch/associate/default";
    private static final String MAPPINGS = "functions/order-to-crm/src/main/resources/mappings/";

    private WireMockServer hubspot;
    private final CapturedLines log = new CapturedLines();
    private final AtomicInteger tokenLoads = new AtomicInteger();
    private String storedToken = "pat-na1-11111111-2222-3333-4444-555555555555";
    private String rotatedToken = storedToken;
    private HubSpotOrders target;
    private TargetHttp http;
    private CachedSecret token;

    @BeforeAll
    static void warmUp() throws Exception {
        HttpWarmUp.once();
    }

    @BeforeEach
    void start() {
        hubspot = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new FakeCrmApis.HubSpotBatchAnswers()));
        hubspot.start();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        http = new TargetHttp("hubspot", HttpTransport.of(HttpClient.newHttpClient()), Duration.ofSeconds(3), clock);
        token = new CachedSecret("HubSpot token", () -> {
            tokenLoads.incrementAndGet();
            String current = storedToken;
            storedToken = rotatedToken; // what Secrets Manager holds after the next rotation
            return current;
        }, Clock.systemUTC(), Duration.ZERO);
        target = orders(new RateLimiter(100, Duration.ofSeconds(10), clock));
    }

    private HubSpotOrders orders(RequestPermits limit) {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        HubSpotApi api = new HubSpotApi(http, hubspot.baseUrl(), token, limit, JSON, clock);
        return new HubSpotOrders(api, mapping("hubspot-contact", HubSpotSchemas.CONTACTS),
                mapping("hubspot-order", HubSpotSchemas.ORDERS), mapping("hubspot-refund", HubSpotSchemas.ORDERS),
                mapping("hubspot-customer", HubSpotSchemas.CONTACTS),
                new Telemetry(JSON, log, clock), "order-to-crm");
    }

    @AfterEach
    void stop() {
        hubspot.stop();
    }

    private static Mapping mapping(String name, io.shopsync.mapping.TargetSchema schema) {
        return Mapping.parse(name, Fixtures.text(MAPPINGS + name + ".json"), name, schema, JSON);
    }

    private static DeliveryItem item(String topic, JsonNode payload, String entityId) {
        Envelope envelope = new Envelope("order-to-crm", topic, "shopsync-demo.myshopify.com", "w-" + entityId, null,
                NOW, "2026-10", NOW, "shopsync-demo.myshopify.com/order/" + entityId, new Body.Inline(new byte[0]));
        return new DeliveryItem(envelope, payload);
    }

    private static DeliveryItem payload(String topic, String file) throws Exception {
        JsonNode payload = JSON.readTree(Fixtures.text("events/payloads/" + file));
        return item(topic, payload, payload.path(topic.startsWith("refunds/") ? "order_id" : "id").asText());
    }

    private static String batchAnswer(String... traceAndIds) {
        StringBuilder results = new StringBuilder();
        for (int i = 0; i < traceAndIds.length; i += 2) {
            results.append(i == 0 ? "" : ",").append("{\"id\":\"").append(traceAndIds[i + 1])
                    .append("\",\"new\":true,\"archived\":false,\"createdAt\":\"2026-11-27T16:00:00.114Z\",")
                    .append("\"updatedAt\":\"2026-11-27T16:00:00.114Z\",\"objectWriteTraceId\":\"").append(traceAndIds[i])
                    .append("\",\"properties\":{\"hs_object_id\":\"").append(traceAndIds[i + 1]).append("\"}}");
        }
        return "{\"status\":\"COMPLETE\",\"results\":[" + results + "],\"requestedAt\":\"2026-11-27T16:00:00.001Z\","
                + "\"startedAt\":\"2026-11-27T16:00:00.010Z\",\"completedAt\":\"2026-11-27T16:00:00.140Z\"}";
    }

    private void stubHappyPath() {
        hubspot.stubFor(post(urlEqualTo(CONTACTS)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(batchAnswer("contact-0", "91234567801"))));
        hubspot.stubFor(post(urlEqualTo(ORDERS)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(batchAnswer("order-0", "60112233445", "order-1", "60112233446"))));
        hubspot.stubFor(post(urlEqualTo(ASSOCIATE)).willReturn(aResponse().withStatus(200).withBody(
                "{\"status\":\"COMPLETE\",\"results\":[],\"startedAt\":\"2026-11-27T16:00:00Z\",\"completedAt\":\"2026-11-27T16:00:01Z\"}")));
    }

    private JsonNode requestBody(String url, int index) throws Exception {
        return JSON.readTree(hubspot.findAll(postRequestedFor(urlEqualTo(url))).get(index).getBodyAsString());
    }

    @Test
    void deliver_shouldUpsertTheContactByLowerCasedEmail_theOrderByShopifyOrderId_andAssociateThem() throws Exception {
        stubHappyPath();

        List<DeliveryOutcome> outcomes = target.deliver(List.of(payload("orders/create", "orders-create.json")));

        assertThat(outcomes).containsExactly(new DeliveryOutcome.Delivered());
        JsonNode contact = requestBody(CONTACTS, 0).path("inputs").get(0);
        assertThat(contact.path("idProperty").asText()).isEqualTo("email");
        assertThat(contact.path("id").asText()).isEqualTo("zoe.adams@example.com");
        assertThat(contact.path("properties").path("firstname").asText()).isEqualTo("Zoë");
        assertThat(contact.path("properties").path("shopify_customer_id").asText()).isEqualTo("706405506930370084");
        JsonNode order = requestBody(ORDERS, 0).path("inputs").get(0);
        assertThat(order.path("idProperty").asText()).isEqualTo("shopify_order_id");
        assertThat(order.path("id").asText()).isEqualTo("820982911946154508");
        assertThat(order.path("properties").path("hs_total_price").asText()).isEqualTo("171.31");
        assertThat(order.path("properties").path("hs_currency_code").asText()).isEqualTo("USD");
        assertThat(order.path("properties").path("hs_discount_codes").asText()).isEqualTo("WELCOME10");
        assertThat(order.path("properties").path("hs_fulfillment_status").asText()).isEqualTo("unfulfilled");
        assertThat(order.path("properties").path("hs_source_store").asText()).isEqualTo("shopsync-demo.myshopify.com");
        assertThat(order.path("properties").path("shopify_tags").asText()).isEqualTo("black-friday;newsletter");
        assertThat(order.path("properties").path("hs_external_created_date").asText()).isEqualTo("1795774542000");
        JsonNode association = requestBody(ASSOCIATE, 0).path("inputs").get(0);
        assertThat(association.path("from").path("id").asText()).isEqualTo("60112233445");
        assertThat(association.path("to").path("id").asText()).isEqualTo("91234567801");
        hubspot.verify(postRequestedFor(urlEqualTo(CONTACTS))
                .withHeader("Authorization", equalTo("Bearer pat-na1-11111111-2222-3333-4444-555555555555")));
    }

    @Test
    void deliver_shouldSendOneContact_forTwoOrdersByTheSamePersonWithDifferentlyCasedEmails() throws Exception {
        stubHappyPath();
        ObjectNode first = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-create.json"));
        ObjectNode second = first.deepCopy();
        second.put("id", 820982911946154999L);
        second.put("email", "  ZOE.ADAMS@example.COM ");

        List<DeliveryOutcome> outcomes = target.deliver(List.of(item("orders/create", first, "820982911946154508"),
                item("orders/create", second, "820982911946154999")));

        assertThat(outcomes).containsOnly(new DeliveryOutcome.Delivered());
        assertThat(requestBody(CONTACTS, 0).path("inputs")).hasSize(1);
        assertThat(requestBody(ORDERS, 0).path("inputs")).hasSize(2);
        JsonNode associations = requestBody(ASSOCIATE, 0).path("inputs");
        assertThat(associations).hasSize(2);
        assertThat(associations.findValuesAsText("id")).containsExactly("60112233445", "91234567801", "60112233446",
                "91234567801");
    }

    @Test
    void deliver_shouldDeliverAGuestOrderWithoutAContact_andCountIt() throws Exception {
        hubspot.stubFor(post(urlEqualTo(ORDERS)).willReturn(aResponse().withStatus(200)
                .withBody(batchAnswer("order-0", "60112233447"))));

        List<DeliveryOutcome> outcomes = target.deliver(List.of(payload("orders/create", "orders-guest-pos.json")));

        assertThat(outcomes).containsExactly(new DeliveryOutcome.Delivered());
        hubspot.verify(0, postRequestedFor(urlEqualTo(CONTACTS)));
        hubspot.verify(0, postRequestedFor(urlEqualTo(ASSOCIATE)));
        assertThat(requestBody(ORDERS, 0).path("inputs").get(0).path("id").asText()).isEqualTo("734281950317462958");
        assertThat(log.last().path("OrdersWithoutContact").asInt()).isEqualTo(1);
    }

    @Test
    void deliver_shouldFailOnlyTheOrderWhoseEmailHubSpotRejects_in207() throws Exception {
        ObjectNode good = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-create.json"));
        ObjectNode bad = good.deepCopy();
        bad.put("id", 820982911946154777L);
        bad.put("email", "zoe@@example");
        ((ObjectNode) bad.get("customer")).put("email", "zoe@@example");
        hubspot.stubFor(post(urlEqualTo(CONTACTS)).willReturn(aResponse().withStatus(207).withBody("""
                {"status":"COMPLETE","results":[{"id":"91234567801","new":false,"archived":false,
                 "createdAt":"2026-10-01T08:00:00Z","updatedAt":"2026-11-27T16:00:02Z","objectWriteTraceId":"contact-0",
                 "properties":{"email":"zoe.adams@example.com"}}],
                 "numErrors":1,
                 "errors":[{"status":"error","category":"VALIDATION_ERROR","message":"Property values were not valid",
                  "context":{"objectWriteTraceId":["contact-1"]},
                  "errors":[{"message":"Email address zoe@@example is invalid","code":"INVALID_EMAIL","in":"email"}],
                  "links":{}}],
                 "startedAt":"2026-11-27T16:00:01.990Z","completedAt":"2026-11-27T16:00:02.140Z"}""")));
        hubspot.stubFor(post(urlEqualTo(ORDERS)).willReturn(aResponse().withStatus(200).withBody(batchAnswer("order-0", "60112233445"))));
        hubspot.stubFor(post(urlEqualTo(ASSOCIATE)).willReturn(aResponse().withStatus(200).withBody("{\"results\":[]}")));

        List<DeliveryOutcome> outcomes = target.deliver(List.of(item("orders/create", good, "820982911946154508"),
                item("orders/create", bad, "820982911946154777")));

        assertThat(outcomes.get(0)).isEqualTo(new DeliveryOutcome.Delivered());
        assertThat(outcomes.get(1)).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
        DeliveryOutcome.PermanentFailure failure = (DeliveryOutcome.PermanentFailure) outcomes.get(1);
        assertThat(failure.reason()).contains("VALIDATION_ERROR").contains("INVALID_EMAIL").doesNotContain("zoe@@example");
        assertThat(failure.category()).isEqualTo("hubspot-contact-rejected");
        assertThat(requestBody(ORDERS, 0).path("inputs")).as("the rejected order is not sent on").hasSize(1);
    }

    @Test
    void deliver_shouldRetryAfterTheTenSecondWindow_whenHubSpotAnswers429WithoutRetryAfter() throws Exception {
        hubspot.stubFor(post(urlEqualTo(CONTACTS)).willReturn(aResponse().withStatus(429).withBody(
                "{\"status\":\"error\",\"message\":\"You have reached your ten_secondly_rolling limit.\",\"errorType\":"
                        + "\"RATE_LIMIT\",\"correlationId\":\"c0ffee00-1234-4abc-9def-0123456789ab\","
                        + "\"policyName\":\"TEN_SECONDLY_ROLLING\",\"groupName\":\"publicapi:private-app:123456\"}")));

        DeliveryOutcome outcome = target.deliver(List.of(payload("orders/create", "orders-create.json"))).get(0);

        assertThat(outcome).isInstanceOf(DeliveryOutcome.RetryLater.class);
        assertThat(((DeliveryOutcome.RetryLater) outcome).notBefore()).contains(NOW.plusSeconds(10));
        hubspot.verify(0, postRequestedFor(urlEqualTo(ORDERS)));
    }

    @Test
    void deliver_shouldHonourRetryAfter_andRetry5xxAndTimeouts() throws Exception {
        hubspot.stubFor(post(urlEqualTo(CONTACTS)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")));
        assertThat(((DeliveryOutcome.RetryLater) target.deliver(List.of(payload("orders/create", "orders-create.json")))
                .get(0)).notBefore()).contains(NOW.plusSeconds(30));

        hubspot.resetAll();
        hubspot.stubFor(post(urlEqualTo(CONTACTS)).willReturn(aResponse().withStatus(502)
                .withHeader("Content-Type", "text/html").withBody("<html><body>502 Bad Gateway</body></html>")));
        assertThat(target.deliver(List.of(payload("orders/create", "orders-create.json"))).get(0))
                .isInstanceOf(DeliveryOutcome.RetryLater.class);

        hubspot.resetAll();
        hubspot.stubFor(post(urlEqualTo(CONTACTS)).willReturn(aResponse().withStatus(200).withFixedDelay(5_000)));
        DeliveryOutcome timedOut = target.deliver(List.of(payload("orders/create", "orders-create.json"))).get(0);
        assertThat(((DeliveryOutcome.RetryLater) timedOut).reason()).contains("timed out");
    }

    @Test
    void deliver_shouldFailPermanently_onARequestLevelValidationError() throws Exception {
        hubspot.stubFor(post(urlEqualTo(CONTACTS)).willReturn(aResponse().withStatus(200).withBody(batchAnswer("contact-0", "91234567801"))));
        hubspot.stubFor(post(urlEqualTo(ORDERS)).willReturn(aResponse().withStatus(400).withBody(
                "{\"status\":\"error\",\"message\":\"Property values were not valid\",\"correlationId\":"
                        + "\"8a2b1c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d\",\"category\":\"VALIDATION_ERROR\",\"errors\":[{\"message\":"
                        + "\"Property \\\"shopify_order_id\\\" does not exist\",\"code\":\"PROPERTY_DOESNT_EXIST\"}]}")));

        DeliveryOutcome outcome = target.deliver(List.of(payload("orders/create", "orders-create.json"))).get(0);

        assertThat(outcome).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
        assertThat(((DeliveryOutcome.PermanentFailure) outcome).category()).isEqualTo("http-400");
        assertThat(((DeliveryOutcome.PermanentFailure) outcome).reason()).contains("PROPERTY_DOESNT_EXIST");
    }

    /** HubSpot refuses the stored token once (401); Secrets Manager holds a rotated one by then. */
    private void stubTokenRotation() {
        hubspot.stubFor(post(urlEqualTo(CONTACTS)).inScenario("rotation").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(401).withBody(
                        "{\"status\":\"error\",\"message\":\"Authentication credentials not found.\",\"category\":\"INVALID_AUTHENTICATION\"}"))
                .willSetStateTo("rotated"));
        hubspot.stubFor(post(urlEqualTo(CONTACTS)).inScenario("rotation").whenScenarioStateIs("rotated")
                .willReturn(aResponse().withStatus(200).withBody(batchAnswer("contact-0", "91234567801"))));
        rotatedToken = "pat-na1-rotated-99999999";
    }

    @Test
    void deliver_shouldReloadTheTokenOnce_on401_andSucceedWithTheRotatedOne() throws Exception {
        stubHappyPath();
        stubTokenRotation();

        DeliveryOutcome outcome = target.deliver(List.of(payload("orders/create", "orders-create.json"))).get(0);

        assertThat(outcome).isEqualTo(new DeliveryOutcome.Delivered());
        assertThat(tokenLoads).hasValue(2);
        hubspot.verify(postRequestedFor(urlEqualTo(CONTACTS)).withHeader("Authorization", equalTo("Bearer pat-na1-rotated-99999999")));
    }

    @Test
    void deliver_shouldTakeAPermitForEveryRequestHubSpotCounts_includingTheResendAfterA401() throws Exception {
        stubHappyPath();
        stubTokenRotation();
        AtomicInteger permits = new AtomicInteger();

        DeliveryOutcome outcome = orders(longestWait -> {
            permits.incrementAndGet();
            return java.util.Optional.empty();
        }).deliver(List.of(payload("orders/create", "orders-create.json"))).get(0);

        assertThat(outcome).isEqualTo(new DeliveryOutcome.Delivered());
        // HubSpot's limit counts the refused request too: contacts twice, the order, the association.
        assertThat(hubspot.getAllServeEvents()).hasSize(4);
        assertThat(permits).hasValue(4);
    }

    @Test
    void deliver_shouldSayToRotateTheToken_whenHubSpotKeepsAnswering401() throws Exception {
        hubspot.stubFor(post(urlEqualTo(CONTACTS)).willReturn(aResponse().withStatus(401).withBody(
                "{\"status\":\"error\",\"message\":\"Authentication credentials not found.\",\"category\":\"INVALID_AUTHENTICATION\"}")));

        DeliveryOutcome outcome = target.deliver(List.of(payload("orders/create", "orders-create.json"))).get(0);

        assertThat(outcome).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
        assertThat(((DeliveryOutcome.PermanentFailure) outcome).reason()).contains("rotate the token in Secrets Manager");
        assertThat(((DeliveryOutcome.PermanentFailure) outcome).category()).isEqualTo("http-401");
    }

    @Test
    void deliver_shouldUpdateTheOrderFromARefund_withoutTouchingTheContact_neverCreatingIt() throws Exception {
        hubspot.stubFor(post(urlEqualTo(ORDER_UPDATES)).willReturn(aResponse().withStatus(200)
                .withBody(batchAnswer("order-0", "60112233445"))));

        DeliveryOutcome outcome = target.deliver(List.of(payload("refunds/create", "refunds-create.json"))).get(0);

        assertThat(outcome).isEqualTo(new DeliveryOutcome.Delivered());
        hubspot.verify(0, postRequestedFor(urlEqualTo(CONTACTS)));
        hubspot.verify(0, postRequestedFor(urlEqualTo(ORDERS)));
        hubspot.verify(postRequestedFor(urlEqualTo(ORDER_UPDATES))
                .withRequestBody(matchingJsonPath("$.inputs[0].idProperty", equalTo("shopify_order_id")))
                .withRequestBody(matchingJsonPath("$.inputs[0].id", equalTo("820982911946154508")))
                .withRequestBody(matchingJsonPath("$.inputs[0].properties.shopify_last_refund_id", equalTo("509562969126743103"))));
    }

    @Test
    void deliver_shouldRetryLaterSayingTheOrderIsNotInHubSpotYet_whenARefundArrivesBeforeItsOrder() throws Exception {
        // given: the refund's order was never upserted; HubSpot's batch update names the missing id
        hubspot.stubFor(post(urlEqualTo(ORDER_UPDATES)).willReturn(aResponse().withStatus(207)
                .withHeader("Content-Type", "application/json").withBody("""
                {"status":"COMPLETE","results":[],"numErrors":1,
                 "errors":[{"status":"error","category":"OBJECT_NOT_FOUND",
                   "message":"Could not find orders with shopify_order_id values: 820982911946154508",
                   "context":{"ids":["820982911946154508"]},"errors":[],"links":{}}],
                 "startedAt":"2026-11-27T16:00:00.010Z","completedAt":"2026-11-27T16:00:00.140Z"}""")));

        // when
        DeliveryOutcome outcome = target.deliver(List.of(payload("refunds/create", "refunds-create.json"))).get(0);

        // then: no bare order holding only the refund fields is created; the runtime retries, then dead-letters
        assertThat(outcome).isInstanceOf(DeliveryOutcome.RetryLater.class);
        assertThat(((DeliveryOutcome.RetryLater) outcome).reason()).startsWith("the order is not in HubSpot yet");
        hubspot.verify(0, postRequestedFor(urlEqualTo(ORDERS)));
    }

    @Test
    void deliver_shouldUpsertOnlyTheContact_forACustomerWebhook() throws Exception {
        hubspot.stubFor(post(urlEqualTo(CONTACTS)).willReturn(aResponse().withStatus(200).withBody(batchAnswer("contact-0", "91234567801"))));
        JsonNode customer = JSON.readTree("""
                {"id":706405506930370084,"email":"Zoe.Adams@Example.com","first_name":"Zoë","last_name":"Adams",
                 "phone":"+16135550142","state":"enabled","verified_email":true,"currency":"USD",
                 "created_at":"2026-03-02T09:00:00-05:00","updated_at":"2026-11-27T05:15:40-05:00",
                 "default_address":{"city":"Ottawa","country":"Canada"}}""");
        DeliveryItem item = new DeliveryItem(new Envelope("order-to-crm", "customers/update", "shopsync-demo.myshopify.com",
                "w-c", null, NOW, "2026-10", NOW, "shopsync-demo.myshopify.com/customer/706405506930370084",
                new Body.Inline(new byte[0])), customer);

        assertThat(target.deliver(List.of(item))).containsExactly(new DeliveryOutcome.Delivered());

        JsonNode input = requestBody(CONTACTS, 0).path("inputs").get(0);
        assertThat(input.path("id").asText()).isEqualTo("zoe.adams@example.com");
        assertThat(input.path("properties").path("shopify_customer_id").asText()).isEqualTo("706405506930370084");
        assertThat(input.path("properties").path("city").asText()).isEqualTo("Ottawa");
        hubspot.verify(0, postRequestedFor(urlEqualTo(ORDERS)));
    }

    @Test
    void deliver_shouldSplitMoreThan100OrdersIntoBatchesOf100() throws Exception {
        List<DeliveryItem> items = new ArrayList<>();
        ObjectNode template = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-guest-pos.json"));
        List<String> traceAndIds = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            ObjectNode order = template.deepCopy();
            order.put("id", 734281950317462958L + i);
            items.add(item("orders/create", order, Long.toString(734281950317462958L + i)));
            traceAndIds.add("order-" + i);
            traceAndIds.add(Long.toString(60112233445L + i));
        }
        hubspot.stubFor(post(urlEqualTo(ORDERS)).willReturn(aResponse().withStatus(200)
                .withBody(batchAnswer(traceAndIds.toArray(String[]::new)))));

        List<DeliveryOutcome> outcomes = target.deliver(items);

        assertThat(outcomes).hasSize(150).containsOnly(new DeliveryOutcome.Delivered());
        assertThat(requestBody(ORDERS, 0).path("inputs")).hasSize(100);
        assertThat(requestBody(ORDERS, 1).path("inputs")).hasSize(50);
    }

    /** Two orders by two people: both contacts and both orders written, the association answer varies. */
    private List<DeliveryItem> twoOrdersByTwoPeople() throws Exception {
        ObjectNode first = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-create.json"));
        ObjectNode second = first.deepCopy();
        second.put("id", 820982911946154999L);
        second.put("email", "sam.lee@example.org");
        ((ObjectNode) second.get("customer")).put("id", 706405506930370999L).put("email", "sam.lee@example.org");
        hubspot.stubFor(post(urlEqualTo(CONTACTS)).willReturn(aResponse().withStatus(200)
                .withBody(batchAnswer("contact-0", "91234567801", "contact-1", "91234567802"))));
        hubspot.stubFor(post(urlEqualTo(ORDERS)).willReturn(aResponse().withStatus(200)
                .withBody(batchAnswer("order-0", "60112233445", "order-1", "60112233446"))));
        return List.of(item("orders/create", first, "820982911946154508"), item("orders/create", second, "820982911946154999"));
    }

    /** The association results for order → contact, both directions, as HubSpot's default association answers. */
    private static String associated(String orderId, String contactId) {
        return """
                {"from":{"id":"%1$s"},"to":{"id":"%2$s"},"associationSpec":{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":507}},
                {"from":{"id":"%2$s"},"to":{"id":"%1$s"},"associationSpec":{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":508}}"""
                .formatted(orderId, contactId);
    }

    @Test
    void deliver_shouldFailOnlyTheOrderWhoseContactLinkHubSpotRefuses_evenInA200() throws Exception {
        // given: BatchResponsePublicDefaultAssociation carries errors[] and numErrors on a 200 (2026-09 spec)
        List<DeliveryItem> items = twoOrdersByTwoPeople();
        hubspot.stubFor(post(urlEqualTo(ASSOCIATE)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("""
                {"status":"COMPLETE","results":[%s],"numErrors":1,
                 "errors":[{"status":"error","category":"VALIDATION_ERROR",
                   "subCategory":"crm.associations.INVALID_OBJECT_IDS","message":"Invalid object ids for the association",
                   "context":{"fromObjectId":["60112233446"]},"errors":[],"links":{}}],
                 "startedAt":"2026-11-27T16:00:01.000Z","completedAt":"2026-11-27T16:00:01.090Z"}"""
                        .formatted(associated("60112233445", "91234567801")))));

        // when
        List<DeliveryOutcome> outcomes = target.deliver(items);

        // then: the linked order is delivered; the other is not, with HubSpot's category and what was being done
        assertThat(outcomes.get(0)).isEqualTo(new DeliveryOutcome.Delivered());
        assertThat(outcomes.get(1)).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
        DeliveryOutcome.PermanentFailure failure = (DeliveryOutcome.PermanentFailure) outcomes.get(1);
        assertThat(failure.category()).isEqualTo("hubspot-association-rejected");
        assertThat(failure.reason()).contains("VALIDATION_ERROR").contains("associating the order with its contact");
    }

    @ParameterizedTest(name = "association error {0}")
    @ValueSource(strings = {"RATE_LIMITS", "CONFLICT", "LOCKED"})
    void deliver_shouldRetryTheOrder_whenItsContactLinkGetsARetryableErrorThatNamesNoInput(String category) throws Exception {
        // given: a 207 whose only error has a message and no context naming an input
        List<DeliveryItem> items = twoOrdersByTwoPeople();
        hubspot.stubFor(post(urlEqualTo(ASSOCIATE)).willReturn(aResponse().withStatus(207)
                .withHeader("Content-Type", "application/json").withBody("""
                {"status":"COMPLETE","results":[%s],"numErrors":1,
                 "errors":[{"status":"error","category":"%s","message":"The record is being updated, try again",
                   "context":{},"errors":[],"links":{}}],
                 "startedAt":"2026-11-27T16:00:01.000Z","completedAt":"2026-11-27T16:00:01.090Z"}"""
                        .formatted(associated("60112233445", "91234567801"), category))));

        // when
        List<DeliveryOutcome> outcomes = target.deliver(items);

        // then: the error is about the pair without a result, and it may pass later
        assertThat(outcomes.get(0)).isEqualTo(new DeliveryOutcome.Delivered());
        assertThat(outcomes.get(1)).isInstanceOf(DeliveryOutcome.RetryLater.class);
        assertThat(((DeliveryOutcome.RetryLater) outcomes.get(1)).reason()).contains(category);
    }

    /** A 207 writing the first person's contact and refusing the second's with {@code error}; the first linked. */
    private void stubFirstContactWrittenAndSecondRefused(String error) {
        hubspot.stubFor(post(urlEqualTo(CONTACTS)).willReturn(aResponse().withStatus(207)
                .withHeader("Content-Type", "application/json").withBody("""
                {"status":"COMPLETE","results":[{"id":"91234567801","new":false,"archived":false,
                   "createdAt":"2026-10-01T08:00:00Z","updatedAt":"2026-11-27T16:00:02Z","objectWriteTraceId":"contact-0",
                   "properties":{"email":"zoe.adams@example.com"}}],"numErrors":1,"errors":[%s],
                 "startedAt":"2026-11-27T16:00:01.990Z","completedAt":"2026-11-27T16:00:02.140Z"}""".formatted(error))));
        hubspot.stubFor(post(urlEqualTo(ASSOCIATE)).willReturn(aResponse().withStatus(200).withBody(
                "{\"status\":\"COMPLETE\",\"results\":[" + associated("60112233445", "91234567801") + "],"
                        + "\"startedAt\":\"2026-11-27T16:00:01Z\",\"completedAt\":\"2026-11-27T16:00:01Z\"}")));
    }

    @ParameterizedTest(name = "contact error {0}")
    @ValueSource(strings = {"RATE_LIMITS", "CONFLICT", "LOCKED"})
    void deliver_shouldRetryTheOrder_whenItsContactGetsARetryableCategoryIn207(String category) throws Exception {
        List<DeliveryItem> items = twoOrdersByTwoPeople();
        stubFirstContactWrittenAndSecondRefused("""
                {"status":"error","category":"%s","message":"Try again later",
                 "context":{"objectWriteTraceId":["contact-1"]},"errors":[],"links":{}}""".formatted(category));

        List<DeliveryOutcome> outcomes = target.deliver(items);

        assertThat(outcomes.get(0)).isEqualTo(new DeliveryOutcome.Delivered());
        assertThat(outcomes.get(1)).as("a %s on one input is worth retrying", category)
                .isInstanceOf(DeliveryOutcome.RetryLater.class);
    }

    @ParameterizedTest(name = "error context {0}")
    @ValueSource(strings = {"{\"objectWriteTraceId\":[\"contact-1\"]}", "{\"ids\":[\"sam.lee@example.org\"]}",
            "{\"id\":[\"sam.lee@example.org\"]}", "{\"email\":[\"SAM.LEE@example.org\"]}", "{}"})
    void deliver_shouldFailOnlyTheOrderWhoseContactHubSpotRejects_whicheverWayTheErrorNamesIt(String context)
            throws Exception {
        // given: StandardError.context is a map of string arrays whose keys the spec leaves open; a 2026-09
        // validation rule rejects the second person's contact
        List<DeliveryItem> items = twoOrdersByTwoPeople();
        stubFirstContactWrittenAndSecondRefused("""
                {"status":"error","category":"VALIDATION_ERROR","message":"Property values were not valid",
                 "context":%s,
                 "errors":[{"message":"The value does not pass a validation rule","code":"INVALID_EMAIL","in":"email"}],
                 "links":{}}""".formatted(context));

        // when
        List<DeliveryOutcome> outcomes = target.deliver(items);

        // then: HubSpot's own reason, permanently, for that order alone
        assertThat(outcomes.get(0)).isEqualTo(new DeliveryOutcome.Delivered());
        assertThat(outcomes.get(1)).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
        DeliveryOutcome.PermanentFailure failure = (DeliveryOutcome.PermanentFailure) outcomes.get(1);
        assertThat(failure.category()).isEqualTo("hubspot-contact-rejected");
        assertThat(failure.reason()).contains("VALIDATION_ERROR").contains("INVALID_EMAIL").doesNotContain("sam.lee");
        assertThat(requestBody(ORDERS, 0).path("inputs")).as("the rejected order is not sent on").hasSize(1);
    }

    /** Ten orders by ten people, one of whom typed an address HubSpot refuses. */
    private static List<DeliveryItem> tenOrdersOneWithAnInvalidEmail(int bad, String badEmail) throws Exception {
        ObjectNode template = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-create.json"));
        List<DeliveryItem> items = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ObjectNode order = template.deepCopy();
            long id = 820982911946154508L + i;
            String email = i == bad ? badEmail : "buyer" + i + "@example.com";
            order.put("id", id);
            order.put("email", email);
            ((ObjectNode) order.get("customer")).put("id", 706405506930370084L + i).put("email", email);
            items.add(item("orders/create", order, Long.toString(id)));
        }
        return items;
    }

    /** HubSpot refuses a whole batch with 400 when one input's e-mail is invalid (its documented Error shape). */
    private void stubWholeBatchRejectedFor(String badEmail, int priority) {
        hubspot.stubFor(post(urlEqualTo(CONTACTS)).atPriority(priority).withRequestBody(containing(badEmail))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json").withBody("""
                {"status":"error","message":"Property values were not valid","correlationId":"3f1e2d4c-5b6a-4789-8abc-def012345678",
                 "category":"VALIDATION_ERROR","errors":[{"message":"Email address is invalid","code":"INVALID_EMAIL",
                 "in":"email"}]}""")));
    }

    private void stubAnswersPerInput() {
        hubspot.stubFor(post(urlEqualTo(CONTACTS)).atPriority(5).willReturn(aResponse().withStatus(200)
                .withTransformers("hubspot-batch-answers")));
        hubspot.stubFor(post(urlEqualTo(ORDERS)).atPriority(5).willReturn(aResponse().withStatus(200)
                .withTransformers("hubspot-batch-answers")));
        hubspot.stubFor(post(urlEqualTo(ASSOCIATE)).atPriority(5).willReturn(aResponse().withStatus(200).withBody(
                "{\"status\":\"COMPLETE\",\"results\":[],\"startedAt\":\"2026-11-27T16:00:01Z\","
                        + "\"completedAt\":\"2026-11-27T16:00:01Z\"}")));
    }

    @Test
    void deliver_shouldSplitABatchHubSpotRefusesWith400_soOneInvalidEmailNeverFailsTheNineOthers() throws Exception {
        // given
        stubWholeBatchRejectedFor("buyer7@@example", 1);
        stubAnswersPerInput();

        // when
        List<DeliveryOutcome> outcomes = target.deliver(tenOrdersOneWithAnInvalidEmail(7, "buyer7@@example"));

        // then: nine delivered with their contact link; the bad one fails alone, with HubSpot's codes
        for (int i = 0; i < 10; i++) {
            if (i != 7) {
                assertThat(outcomes.get(i)).as("order %d", i).isEqualTo(new DeliveryOutcome.Delivered());
            }
        }
        assertThat(outcomes.get(7)).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
        DeliveryOutcome.PermanentFailure failure = (DeliveryOutcome.PermanentFailure) outcomes.get(7);
        assertThat(failure.reason()).contains("VALIDATION_ERROR").contains("INVALID_EMAIL").doesNotContain("buyer7");
        assertThat(requestBody(ORDERS, 0).path("inputs")).hasSize(9);
        assertThat(requestBody(ASSOCIATE, 0).path("inputs")).hasSize(9);
    }

    @Test
    void deliver_shouldSendTheInputsAgainOneByOne_whenA207HasErrorsThatNameNone() throws Exception {
        // given: the first answer has results for two inputs and two errors naming none; sent alone, HubSpot
        // refuses the bad ones with 400 and writes the others
        List<DeliveryItem> items = new ArrayList<>(tenOrdersOneWithAnInvalidEmail(2, "buyer2@@example").subList(0, 4));
        ObjectNode other = (ObjectNode) items.get(3).payload();
        other.put("email", "buyer3@@example");
        ((ObjectNode) other.get("customer")).put("email", "buyer3@@example");
        hubspot.stubFor(post(urlEqualTo(CONTACTS)).atPriority(1).inScenario("split").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(207).withHeader("Content-Type", "application/json").withBody("""
                {"status":"COMPLETE","results":[
                   {"id":"91234567801","new":false,"archived":false,"objectWriteTraceId":"contact-0","properties":{}},
                   {"id":"91234567802","new":false,"archived":false,"objectWriteTraceId":"contact-1","properties":{}}],
                 "numErrors":2,
                 "errors":[{"status":"error","category":"VALIDATION_ERROR","message":"Property values were not valid",
                            "context":{},"errors":[{"message":"Email address is invalid","code":"INVALID_EMAIL","in":"email"}],"links":{}},
                           {"status":"error","category":"VALIDATION_ERROR","message":"Property values were not valid",
                            "context":{},"errors":[{"message":"Email address is invalid","code":"INVALID_EMAIL","in":"email"}],"links":{}}],
                 "startedAt":"2026-11-27T16:00:01.990Z","completedAt":"2026-11-27T16:00:02.140Z"}"""))
                .willSetStateTo("answered"));
        stubWholeBatchRejectedFor("buyer2@@example", 2);
        stubWholeBatchRejectedFor("buyer3@@example", 2);
        stubAnswersPerInput();

        // when
        List<DeliveryOutcome> outcomes = target.deliver(items);

        // then
        assertThat(outcomes.subList(0, 2)).containsOnly(new DeliveryOutcome.Delivered());
        assertThat(outcomes.subList(2, 4)).allSatisfy(outcome -> assertThat(outcome)
                .isInstanceOf(DeliveryOutcome.PermanentFailure.class));
        assertThat(hubspot.findAll(postRequestedFor(urlEqualTo(CONTACTS)))).hasSize(3);
    }
}
