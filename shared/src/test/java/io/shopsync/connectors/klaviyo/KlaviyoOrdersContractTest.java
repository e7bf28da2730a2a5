package io.shopsync.connectors.klaviyo;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.DeliveryOutcome.Delivered;
import io.shopsync.delivery.DeliveryOutcome.PermanentFailure;
import io.shopsync.delivery.DeliveryOutcome.RetryLater;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.observability.Telemetry;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.HttpWarmUp;
import io.shopsync.testkit.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** KlaviyoOrders against a local server answering as Klaviyo's API (revision 2026-10-15) does. */
class KlaviyoOrdersContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-27T16:00:00Z");
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String KEY = "pk_live_0123456789abcdef0123456789abcdef01";
    private static final String ROTATED_KEY = "pk_live_fedcba9876543210fedcba9876543210fe";
    private static final String PROFILE_IMPORT = "/api/profile-import";
    private static final String EVENTS = "/api/events";
    private static final String BULK = "/api/event-bulk-create-jobs";
    private static final String ORDER_ID = "820982911946154508";
    private static final String ACCEPTED_PROFILE = """
            {"data":{"type":"profile","id":"01JD3Q8W0K2M5S7X9Y1Z3A5C7E","attributes":{"email":"zoe.adams@example.com",
             "created":"2025-03-02T19:21:08+00:00","updated":"2026-11-27T16:00:00+00:00"},
             "links":{"self":"https://a.klaviyo.com/api/profiles/01JD3Q8W0K2M5S7X9Y1Z3A5C7E/"}}}""";

    private WireMockServer klaviyo;
    private final CapturedLines log = new CapturedLines();
    private final Deque<String> storedKeys = new ArrayDeque<>(List.of(KEY));
    private final AtomicInteger keyLoads = new AtomicInteger();
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final KlaviyoMappings mappings = ShippedKlaviyoMappings.load(JSON);
    private int webhooks;

    @BeforeAll
    static void warmUp() throws Exception {
        HttpWarmUp.once();
    }

    @BeforeEach
    void start() {
        klaviyo = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        klaviyo.start();
    }

    @AfterEach
    void stop() {
        klaviyo.stop();
    }

    // ---- success paths --------------------------------------------------------------------------

    @Test
    void deliver_shouldImportTheProfile_withTheLowerCasedEmailUnicodeNamesAndExactCustomerId() {
        // given
        klaviyoAccepts();
        DeliveryItem paid = item("orders/paid", fixture("orders-paid.json"));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(paid));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        klaviyo.verify(1, postRequestedFor(urlEqualTo(PROFILE_IMPORT))
                .withHeader("Authorization", equalTo("Klaviyo-API-Key " + KEY))
                .withHeader("revision", equalTo("2026-10-15"))
                .withHeader("Content-Type", equalTo("application/vnd.api+json"))
                .withHeader("Accept", equalTo("application/vnd.api+json"))
                .withRequestBody(equalToJson("""
                        {"data": {"type": "profile", "attributes": {
                          "email": "zoe.adams@example.com",
                          "phone_number": "+13175550142",
                          "external_id": "706405506930370084",
                          "first_name": "Zoë",
                          "last_name": "Adams",
                          "locale": "en-US",
                          "location": {"address1": "1147 N Delaware St", "address2": "Apt 3B", "city": "Indianapolis",
                                       "region": "Indiana", "zip": "46202", "country": "United States"}}}}""")));
        assertThat(bodies(PROFILE_IMPORT).get(0)).contains("\"external_id\":\"706405506930370084\"");
    }

    @Test
    void deliver_shouldOnlyUpdateTheProfile_onOrdersPaidAndUpdated() {
        // given
        klaviyoAccepts();

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(
                item("orders/paid", fixture("orders-paid.json")), item("orders/updated", otherOrder("orders-updated.json"))));

        // then
        assertThat(outcomes).containsExactly(new Delivered(), new Delivered());
        klaviyo.verify(2, postRequestedFor(urlEqualTo(PROFILE_IMPORT)));
        klaviyo.verify(0, postRequestedFor(urlEqualTo(EVENTS)));
        klaviyo.verify(0, postRequestedFor(urlEqualTo(BULK)));
    }

    @Test
    void deliver_shouldSendPlacedOrderOncePerOrder_withTheOrderIdAsUniqueId() {
        // given
        klaviyoAccepts();

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("orders/create", fixture("orders-create.json"))));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        List<JsonNode> placed = events().stream().filter(e -> metric(e).equals("Placed Order")).toList();
        assertThat(placed).hasSize(1);
        JsonNode attributes = placed.get(0).path("data").path("attributes");
        assertThat(attributes.path("unique_id").asText()).isEqualTo("shopify-order-" + ORDER_ID);
        assertThat(attributes.path("value_currency").asText()).isEqualTo("USD");
        assertThat(attributes.path("time").asText()).isEqualTo("2026-11-27T10:15:42Z");
        assertThat(attributes.path("profile")).isEqualTo(json("""
                {"data": {"type": "profile", "attributes": {"email": "zoe.adams@example.com",
                 "phone_number": "+13175550142", "external_id": "706405506930370084"}}}"""));
        JsonNode properties = attributes.path("properties");
        assertThat(properties.path("OrderId").asText()).isEqualTo(ORDER_ID);
        assertThat(properties.path("OrderName").asText()).isEqualTo("#1001");
        assertThat(properties.path("ItemNames")).isEqualTo(json("[\"Merino Crew Sweater\", \"Organic Cotton Tee\", \"Wool Beanie\"]"));
        assertThat(properties.path("DiscountCodes")).isEqualTo(json("[\"WELCOME10\"]"));
        assertThat(properties.path("Items")).hasSize(3);
        assertThat(properties.path("Items").get(0).path("ProductID").asText()).isEqualTo("788032119674292922");
        String raw = bodies(EVENTS).stream().filter(b -> b.contains("\"Placed Order\"")).findFirst().orElseThrow();
        assertThat(raw).contains("\"value\":171.31").contains("\"DiscountValue\":16.90").contains("\"Quantity\":2");
    }

    @Test
    void deliver_shouldMarkEveryEventOfABackfilledOrderAsBackfill_soKlaviyoStartsNoFlow_andKeepItsOwnTime() {
        // given: an order from a store's history, as `scripts/shopsync reconcile` queues it
        klaviyoAccepts();
        ObjectNode history = (ObjectNode) fixture("orders-create.json");
        history.put("shopsync_source", "backfill");

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("orders/create", history)));

        // then: Placed Order and each Ordered Product are recorded at the order's time, with backfill: true
        assertThat(outcomes).containsExactly(new Delivered());
        List<JsonNode> sent = events();
        assertThat(sent).hasSize(4);
        assertThat(sent).allSatisfy(event -> {
            JsonNode attributes = event.path("data").path("attributes");
            assertThat(attributes.path("backfill").isBoolean() && attributes.path("backfill").asBoolean()).isTrue();
            assertThat(attributes.path("time").asText()).isEqualTo("2026-11-27T10:15:42Z");
        });
    }

    @Test
    void deliver_shouldNotMarkALiveOrdersEvents_asBackfill() {
        // given
        klaviyoAccepts();

        // when
        target(true).deliver(List.of(item("orders/create", fixture("orders-create.json"))));

        // then: live events start flows as before
        assertThat(events()).isNotEmpty().allSatisfy(event ->
                assertThat(event.path("data").path("attributes").has("backfill")).isFalse());
    }

    @Test
    void deliver_shouldSendOneOrderedProductPerLineItem_keyedByOrderAndLineItemId() {
        // given
        klaviyoAccepts();

        // when
        target(true).deliver(List.of(item("orders/create", fixture("orders-create.json"))));

        // then
        List<JsonNode> products = events().stream().filter(e -> metric(e).equals("Ordered Product")).toList();
        assertThat(products).extracting(e -> e.path("data").path("attributes").path("unique_id").asText()).containsExactly(
                "shopify-order-" + ORDER_ID + "-li-866550311766439020",
                "shopify-order-" + ORDER_ID + "-li-141249953214522974",
                "shopify-order-" + ORDER_ID + "-li-518995019011125512");
        JsonNode tee = products.get(1).path("data").path("attributes");
        assertThat(tee.path("properties")).isEqualTo(json("""
                {"OrderId": "820982911946154508", "OrderName": "#1001", "ProductID": "632910392137466105",
                 "VariantID": "808950810451539622", "SKU": "SS-OCT-BLK-M", "ProductName": "Organic Cotton Tee",
                 "VariantName": "Black / M", "Quantity": 2, "ItemPrice": 28.00, "ProductBrand": "Shopsync Demo Apparel"}"""));
        assertThat(tee.path("value").decimalValue()).isEqualByComparingTo("28.00");
        assertThat(tee.path("value_currency").asText()).isEqualTo("USD");
        assertThat(tee.path("time").asText()).isEqualTo("2026-11-27T10:15:42Z");
        klaviyo.verify(0, postRequestedFor(urlEqualTo(BULK)));
    }

    @Test
    void deliver_shouldSendCancelledOrder_withThePlacedOrdersUniqueIdAndTheReason() {
        // given
        klaviyoAccepts();

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("orders/cancelled", fixture("orders-cancelled.json"))));

        // then: the cancellation, and the refund the cancelled order carries
        assertThat(outcomes).containsExactly(new Delivered());
        assertThat(events()).hasSize(2);
        assertThat(metric(events().get(1))).isEqualTo("Refunded Order");
        assertThat(events().get(1).path("data").path("attributes").path("unique_id").asText())
                .isEqualTo("shopify-order-" + ORDER_ID + "-refund-509562969126743103");
        JsonNode attributes = events().get(0).path("data").path("attributes");
        assertThat(metric(events().get(0))).isEqualTo("Cancelled Order");
        assertThat(attributes.path("unique_id").asText()).isEqualTo("shopify-order-" + ORDER_ID);
        assertThat(attributes.path("time").asText()).isEqualTo("2026-11-27T15:03:27Z");
        assertThat(attributes.path("properties").path("Reason").asText()).isEqualTo("customer");
        assertThat(bodies(EVENTS).get(0)).contains("\"value\":171.31");
    }

    @Test
    void deliver_shouldSendRefundedOrderKeyedPerRefund_withTheRefundedAmount_whenTheRefundNamesACustomer() {
        // given
        klaviyoAccepts();
        ObjectNode refund = fixture("refunds-create.json");
        refund.put("email", "Zoe.Adams@Example.com"); // e.g. a flow that adds the order's e-mail to the refund

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("refunds/create", refund)));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        JsonNode attributes = events().get(0).path("data").path("attributes");
        assertThat(metric(events().get(0))).isEqualTo("Refunded Order");
        assertThat(attributes.path("unique_id").asText())
                .isEqualTo("shopify-order-" + ORDER_ID + "-refund-509562969126743103");
        assertThat(attributes.path("properties").path("RefundId").asText()).isEqualTo("509562969126743103");
        assertThat(attributes.path("value_currency").asText()).isEqualTo("USD");
        assertThat(bodies(EVENTS).get(0)).contains("\"value\":171.31");
    }

    @Test
    void deliver_shouldSendEachRefundOfAnUpdatedOrder_keyedPerRefund_soRepeatsAreDedupedByKlaviyo() {
        // given: Shopify's orders/updated after a refund carries the customer and refunds[]
        klaviyoAccepts();
        ObjectNode updated = fixture("orders-updated.json");
        updated.set("refunds", fixture("orders-cancelled.json").get("refunds"));

        // when
        List<DeliveryOutcome> first = target(true).deliver(List.of(item("orders/updated", updated)));
        List<DeliveryOutcome> again = target(true).deliver(List.of(item("orders/updated", updated)));

        // then: the same unique_id both times, so Klaviyo keeps one Refunded Order
        assertThat(first).containsExactly(new Delivered());
        assertThat(again).containsExactly(new Delivered());
        assertThat(events()).hasSize(2);
        assertThat(events()).extracting(e -> e.path("data").path("attributes").path("unique_id").asText())
                .containsOnly("shopify-order-" + ORDER_ID + "-refund-509562969126743103");
        assertThat(metric(events().get(0))).isEqualTo("Refunded Order");
    }

    @Test
    void deliver_shouldImportTheProfileOnly_forACustomerWebhook() {
        // given: a deployment that takes customers/* on the orders route
        klaviyoAccepts();
        JsonNode customer = json("""
                {"id":706405506930370084,"email":"Zoe.Adams@Example.com","first_name":"Zoë","last_name":"Adams",
                 "phone":"+16135550142","state":"enabled","updated_at":"2026-11-27T05:15:40-05:00",
                 "default_address":{"city":"Ottawa","country":"Canada","province":"Ontario","zip":"K2P 1L4"}}""");

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("customers/update", customer)));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        JsonNode profile = json(bodies(PROFILE_IMPORT).get(0)).path("data").path("attributes");
        assertThat(profile.path("email").asText()).isEqualTo("zoe.adams@example.com");
        assertThat(profile.path("external_id").asText()).isEqualTo("706405506930370084");
        assertThat(profile.path("location").path("city").asText()).isEqualTo("Ottawa");
        klaviyo.verify(0, postRequestedFor(urlEqualTo(EVENTS)));
    }

    @Test
    void deliver_shouldDeliverARefundWithoutACustomer_sendingNothing_andCountIt() {
        // given: a real refunds/create payload names no customer
        klaviyoAccepts();

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("refunds/create", fixture("refunds-create.json"))));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        klaviyo.verify(0, postRequestedFor(anyUrl()));
        assertThat(log.last().path("OrdersWithoutIdentifier").asInt()).isEqualTo(1);
        assertThat(log.last().path("orderId").asText()).isEqualTo(ORDER_ID);
    }

    // ---- guests, test orders, the switch ------------------------------------------------------------

    @Test
    void deliver_shouldImportAGuestKnownOnlyByPhone_withAnOrderScopedExternalId_neverByPhoneAlone() {
        // given: a guest POS order, no customer and no e-mail, only a phone; Klaviyo refuses a phone as the only
        // identifier unless the account has SMS set up
        klaviyoAccepts();

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("orders/create", fixture("orders-guest-pos.json"))));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        klaviyo.verify(postRequestedFor(urlEqualTo(PROFILE_IMPORT)).withRequestBody(equalToJson("""
                {"data":{"type":"profile","attributes":{"phone_number":"+13175550199",
                 "external_id":"shopify-order-734281950317462958","locale":"en"}}}""")));
        assertThat(events()).isNotEmpty().allSatisfy(event -> assertThat(event.path("data").path("attributes").path("profile"))
                .isEqualTo(json("""
                        {"data":{"type":"profile","attributes":{"phone_number":"+13175550199",
                         "external_id":"shopify-order-734281950317462958"}}}""")));
    }

    @Test
    void deliver_shouldKeepTheExternalIdAndDropThePhone_whenKlaviyoSaysAGuestsPhoneIsOnAnotherProfile() {
        // given
        klaviyoAccepts();
        klaviyo.stubFor(klaviyoPost(PROFILE_IMPORT).atPriority(1)
                .withRequestBody(matchingJsonPath("$.data.attributes.phone_number"))
                .withRequestBody(matchingJsonPath("$.data.attributes.external_id"))
                .willReturn(aResponse().withStatus(409).withHeader("Content-Type", "application/vnd.api+json").withBody("""
                        {"errors":[{"id":"bf03176f-c362-4731-8c90-3f5da9c30fc7","status":409,"code":"duplicate_profile",
                         "title":"Conflict.","detail":"A profile already exists with one of these identifiers.",
                         "source":{"pointer":"/data/attributes"},"links":{},
                         "meta":{"duplicate_profile_id":"01GDDKASAP8TKDDA2GRZDSVP4H"}}]}""")));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("orders/create", fixture("orders-guest-pos.json"))));

        // then: never a phone-only identity, not even on the fallback
        assertThat(outcomes).containsExactly(new Delivered());
        klaviyo.verify(2, postRequestedFor(urlEqualTo(PROFILE_IMPORT)));
        klaviyo.verify(postRequestedFor(urlEqualTo(PROFILE_IMPORT))
                .withRequestBody(matchingJsonPath("$.data.attributes.phone_number", absent()))
                .withRequestBody(matchingJsonPath("$.data.attributes.external_id",
                        equalTo("shopify-order-734281950317462958"))));
        assertThat(events()).isNotEmpty().allSatisfy(e -> assertThat(e.path("data").path("attributes").path("profile"))
                .isEqualTo(json("""
                        {"data":{"type":"profile","attributes":{"external_id":"shopify-order-734281950317462958"}}}""")));
    }

    @Test
    void deliver_shouldDeliverWithoutAnyCall_andCountIt_whenAnOrderHasNeitherEmailNorPhone() {
        // given
        klaviyoAccepts();
        ObjectNode order = fixture("orders-guest-pos.json");
        order.putNull("phone");

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("orders/create", order)));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        klaviyo.verify(0, postRequestedFor(anyUrl()));
        JsonNode line = log.last();
        assertThat(line.path("OrdersWithoutIdentifier").asInt()).isEqualTo(1);
        assertThat(line.path("orderId").asText()).isEqualTo("734281950317462958");
        assertThat(log.raw.get(0)).doesNotContain("+1317");
    }

    @Test
    void deliver_shouldSendNothingForATestOrder_andCountIt() {
        // given: Shopify's "send test notification" sample
        klaviyoAccepts();
        ObjectNode order = fixture("orders-cancelled.json");
        order.put("test", true);

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("orders/cancelled", order)));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        klaviyo.verify(0, postRequestedFor(anyUrl()));
        assertThat(log.last().path("TestOrdersSkipped").asInt()).isEqualTo(1);
    }

    @Test
    void deliver_shouldImportProfilesOnly_whenOrderEventsAreSwitchedOff() {
        // given
        klaviyoAccepts();

        // when
        List<DeliveryOutcome> outcomes = target(false).deliver(List.of(
                item("orders/create", fixture("orders-create.json")), item("orders/cancelled", otherOrder("orders-cancelled.json")),
                item("orders/create", withLineItems(orderNumbered(820982911946154510L), 30))));

        // then
        assertThat(outcomes).containsOnly(new Delivered());
        klaviyo.verify(3, postRequestedFor(urlEqualTo(PROFILE_IMPORT)));
        klaviyo.verify(0, postRequestedFor(urlEqualTo(EVENTS)));
        klaviyo.verify(0, postRequestedFor(urlEqualTo(BULK)));
    }

    // ---- batching -----------------------------------------------------------------------------------

    @Test
    void deliver_shouldSendAn250LineOrderThroughBulkCreate_inOneRequestGroupedPerProfile() {
        // given
        klaviyoAccepts();
        ObjectNode order = withLineItems(fixture("orders-create.json"), 250);

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("orders/create", order)));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        klaviyo.verify(0, postRequestedFor(urlEqualTo(EVENTS)));
        klaviyo.verify(1, postRequestedFor(urlEqualTo(BULK))
                .withHeader("revision", equalTo("2026-10-15"))
                .withRequestBody(matchingJsonPath("$.data.type", equalTo("event-bulk-create-job"))));
        JsonNode entries = bulkJobs().get(0).path("data").path("attributes").path("events-bulk-create").path("data");
        assertThat(entries).hasSize(1);
        JsonNode entry = entries.get(0);
        assertThat(entry.path("type").asText()).isEqualTo("event-bulk-create");
        assertThat(entry.path("attributes").path("profile").path("data").path("attributes").path("email").asText())
                .isEqualTo("zoe.adams@example.com");
        JsonNode events = entry.path("attributes").path("events").path("data");
        assertThat(events).hasSize(251);
        assertThat(events.get(0).path("attributes").path("metric").path("data").path("attributes").path("name").asText())
                .isEqualTo("Placed Order");
        assertThat(events.get(0).path("attributes").path("properties").path("Items")).hasSize(250);
        assertThat(events.get(250).path("attributes").path("unique_id").asText())
                .isEqualTo("shopify-order-" + ORDER_ID + "-li-" + lineItemId(249));
    }

    @Test
    void deliver_shouldSplitBulkRequestsAtOneThousandEvents() {
        // given: five orders of 250 lines, 1,255 events
        klaviyoAccepts();
        List<DeliveryItem> items = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ObjectNode order = withLineItems(fixture("orders-create.json"), 250);
            order.put("id", 820982911946154508L + i);
            items.add(item("orders/create", order));
        }

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(items);

        // then
        assertThat(outcomes).hasSize(5).containsOnly(new Delivered());
        List<JsonNode> jobs = bulkJobs();
        assertThat(jobs).hasSize(2);
        assertThat(jobs).extracting(KlaviyoOrdersContractTest::eventCount).containsExactly(1000, 255);
    }

    @Test
    void deliver_shouldWriteIdsAbove2To53Exactly() {
        // given: 2^53 + 1, which a double would round to 2^53
        klaviyoAccepts();
        ObjectNode order = fixture("orders-create.json");
        order.put("id", new BigInteger("9007199254740993"));
        ((ObjectNode) order.path("customer")).put("id", new BigInteger("9007199254740995"));
        ((ObjectNode) order.path("line_items").get(0)).put("id", new BigInteger("9007199254740997"));

        // when
        target(true).deliver(List.of(item("orders/create", order)));

        // then
        assertThat(bodies(PROFILE_IMPORT).get(0)).contains("\"external_id\":\"9007199254740995\"");
        String all = String.join("\n", bodies(EVENTS));
        assertThat(all).contains("\"unique_id\":\"shopify-order-9007199254740993\"")
                .contains("\"OrderId\":\"9007199254740993\"")
                .contains("\"unique_id\":\"shopify-order-9007199254740993-li-9007199254740997\"");
    }

    // ---- failures -----------------------------------------------------------------------------------

    @Test
    void deliver_shouldFailOnlyTheOrderKlaviyoRejects_withKlaviyosDetailAndNoEmail() {
        // given
        klaviyoAccepts();
        ObjectNode rejected = otherOrder("orders-paid.json");
        rejected.put("email", "zoe.adams@example");
        klaviyo.stubFor(klaviyoPost(PROFILE_IMPORT).atPriority(1)
                .withRequestBody(matchingJsonPath("$.data.attributes.email", equalTo("zoe.adams@example")))
                .willReturn(error(400, "invalid", "Invalid input.", "Invalid email address", "/data/attributes/email")));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(
                item("orders/paid", rejected), item("orders/create", fixture("orders-create.json"))));

        // then
        assertThat(outcomes.get(1)).isEqualTo(new Delivered());
        PermanentFailure failure = (PermanentFailure) outcomes.get(0);
        assertThat(failure.category()).isEqualTo("http-400");
        assertThat(failure.reason()).contains("errors.code=invalid").contains("errors.source.pointer=/data/attributes/email")
                .doesNotContain("Invalid email address")
                .contains("order 820982911946154509").contains("redrive").doesNotContain("zoe.adams@example");
        assertThat(events()).hasSize(4);
    }

    @Test
    void deliver_shouldFailTheOrder_withKlaviyosCodeAndPointerAndNoPhone_whenItsOnlyIdentifierIsAnInvalidPhone() {
        // given
        klaviyoAccepts();
        ObjectNode order = fixture("orders-guest-pos.json");
        order.put("phone", "317-555-0199");
        klaviyo.stubFor(klaviyoPost(PROFILE_IMPORT).atPriority(1).willReturn(error(400, "invalid", "Invalid input.",
                "Invalid phone number format (Example of a valid format: +12345678901)", "/data/attributes/phone_number")));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("orders/create", order)));

        // then
        PermanentFailure failure = (PermanentFailure) outcomes.get(0);
        assertThat(failure.reason()).contains("errors.source.pointer=/data/attributes/phone_number")
                .doesNotContain("Invalid phone number format").doesNotContain("3175550199").doesNotContain("317-555-0199");
        klaviyo.verify(0, postRequestedFor(urlEqualTo(EVENTS)));
    }

    @Test
    void deliver_shouldFailWithCategoryMapping_whenAPayloadCannotBeMapped() {
        // given
        klaviyoAccepts();
        ObjectNode order = fixture("orders-create.json");
        order.put("total_price", "a lot");

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("orders/create", order)));

        // then
        PermanentFailure failure = (PermanentFailure) outcomes.get(0);
        assertThat(failure.category()).isEqualTo("mapping");
        assertThat(failure.reason()).contains("not an amount").contains("klaviyo-placed-order").contains(ORDER_ID);
        klaviyo.verify(0, postRequestedFor(anyUrl()));
    }

    @Test
    void deliver_shouldImportByEmailOnly_whenKlaviyoSaysThePhoneIsOnAnotherProfile() {
        // given
        klaviyoAccepts();
        klaviyo.stubFor(klaviyoPost(PROFILE_IMPORT).atPriority(1)
                .withRequestBody(matchingJsonPath("$.data.attributes.phone_number"))
                .willReturn(aResponse().withStatus(409).withHeader("Content-Type", "application/vnd.api+json").withBody("""
                        {"errors":[{"id":"bf03176f-c362-4731-8c90-3f5da9c30fc7","status":409,"code":"duplicate_profile",
                         "title":"Conflict.","detail":"A profile already exists with one of these identifiers.",
                         "source":{"pointer":"/data/attributes"},"links":{},
                         "meta":{"duplicate_profile_id":"01GDDKASAP8TKDDA2GRZDSVP4H"}}]}""")));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("orders/create", fixture("orders-create.json"))));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        klaviyo.verify(2, postRequestedFor(urlEqualTo(PROFILE_IMPORT)));
        klaviyo.verify(postRequestedFor(urlEqualTo(PROFILE_IMPORT))
                .withRequestBody(matchingJsonPath("$.data.attributes.phone_number", absent()))
                .withRequestBody(matchingJsonPath("$.data.attributes.external_id", absent()))
                .withRequestBody(matchingJsonPath("$.data.attributes.email", equalTo("zoe.adams@example.com"))));
        assertThat(events()).isNotEmpty().allSatisfy(e -> assertThat(e.path("data").path("attributes").path("profile"))
                .isEqualTo(json("{\"data\":{\"type\":\"profile\",\"attributes\":{\"email\":\"zoe.adams@example.com\"}}}")));
        assertThat(log.last().path("ProfileIdentifierConflicts").asInt()).isEqualTo(1);
    }

    @Test
    void deliver_shouldRetryOnceWithTheRotatedKey_whenKlaviyoRejectsTheCachedOne() {
        // given: the key was rotated in Secrets Manager after this container cached it
        storedKeys.add(ROTATED_KEY);
        klaviyoAccepts(ROTATED_KEY);
        klaviyo.stubFor(klaviyoPost(PROFILE_IMPORT, KEY).willReturn(notAuthenticated()));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("orders/create", fixture("orders-create.json"))));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        assertThat(keyLoads.get()).isEqualTo(2);
        klaviyo.verify(4, postRequestedFor(urlEqualTo(EVENTS)).withHeader("Authorization", equalTo("Klaviyo-API-Key " + ROTATED_KEY)));
    }

    @Test
    void deliver_shouldFailTheWholeBatchPermanently_sayingRotateTheKey_whenTheReloadedKeyIsRejectedToo() {
        // given
        storedKeys.add(ROTATED_KEY);
        klaviyo.stubFor(post(anyUrl()).willReturn(notAuthenticated()));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(
                item("orders/create", fixture("orders-create.json")), item("orders/paid", otherOrder("orders-paid.json"))));

        // then
        assertThat(outcomes).hasSize(2).allSatisfy(outcome -> {
            PermanentFailure failure = (PermanentFailure) outcome;
            assertThat(failure.category()).isEqualTo("http-401");
            assertThat(failure.reason()).contains("rotate the Klaviyo private key in Secrets Manager")
                    .contains("Klaviyo private key (test secret shopsync/klaviyo)")
                    .doesNotContain(KEY).doesNotContain(ROTATED_KEY);
        });
        klaviyo.verify(2, postRequestedFor(anyUrl()));
    }

    @Test
    void deliver_shouldFailPermanentlySayingWhichScopesTheKeyNeeds_whenKlaviyoAnswers403() {
        // given: a key without events:write
        klaviyoAccepts();
        klaviyo.stubFor(klaviyoPost(EVENTS).atPriority(1).willReturn(error(403, "permission_denied",
                "You do not have permission to perform this action.",
                "You do not have permission to perform this action.", "/data/")));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("orders/cancelled", fixture("orders-cancelled.json"))));

        // then
        PermanentFailure failure = (PermanentFailure) outcomes.get(0);
        assertThat(failure.category()).isEqualTo("http-403");
        assertThat(failure.reason()).contains("lacks a scope").contains("events:write")
                .contains("rotate the Klaviyo private key in Secrets Manager");
    }

    @Test
    void deliver_shouldRetryLaterAtRetryAfter_andNotSendTheRestOfTheBatch_on429() {
        // given
        klaviyoAccepts();
        klaviyo.stubFor(klaviyoPost(PROFILE_IMPORT).atPriority(1).willReturn(throttled().withHeader("Retry-After", "7")));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(
                item("orders/create", fixture("orders-create.json")), item("orders/paid", otherOrder("orders-paid.json"))));

        // then
        assertThat(outcomes).hasSize(2).allSatisfy(outcome ->
                assertThat(((RetryLater) outcome).notBefore()).contains(NOW.plusSeconds(7)));
        klaviyo.verify(1, postRequestedFor(anyUrl()));
    }

    @Test
    void deliver_shouldRetryLaterWhenKlaviyoSaysItIsAvailable_on429WithoutRetryAfter() {
        // given
        klaviyoAccepts();
        klaviyo.stubFor(klaviyoPost(EVENTS).atPriority(1).willReturn(throttled()));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("orders/cancelled", fixture("orders-cancelled.json"))));

        // then
        RetryLater retry = (RetryLater) outcomes.get(0);
        assertThat(retry.notBefore()).contains(NOW.plusSeconds(3));
        assertThat(retry.reason()).contains("429").contains("Cancelled Order event");
    }

    @Test
    void deliver_shouldRetryLater_whenKlaviyoIsUnavailable() {
        // given
        klaviyoAccepts();
        klaviyo.stubFor(klaviyoPost(BULK).atPriority(1).willReturn(error(503, "service_unavailable",
                "Service unavailable.", "The service is temporarily unavailable.", "/data")));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(
                item("orders/create", withLineItems(fixture("orders-create.json"), 20))));

        // then
        RetryLater retry = (RetryLater) outcomes.get(0);
        assertThat(retry.reason()).contains("answered 503");
        assertThat(retry.notBefore()).isEmpty();
    }

    @Test
    void deliver_shouldRetryLater_whenKlaviyoTimesOut() {
        // given
        klaviyoAccepts();
        klaviyo.stubFor(klaviyoPost(EVENTS).atPriority(1).willReturn(aResponse().withStatus(202).withFixedDelay(6_000)));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("orders/cancelled", fixture("orders-cancelled.json"))));

        // then
        assertThat(((RetryLater) outcomes.get(0)).reason()).contains("timed out after 4000 ms");
    }

    @Test
    void deliver_shouldSendARejectedBulkJobsEventsOneByOne_soOnlyTheOrderAtFaultFails() {
        // given: two orders of ten lines (22 events, so bulk); the second has an event Klaviyo refuses
        klaviyoAccepts();
        ObjectNode good = withLineItems(fixture("orders-create.json"), 10);
        ObjectNode bad = withLineItems(otherOrder("orders-create.json"), 10);
        bad.put("currency", "DOLLARS");
        klaviyo.stubFor(klaviyoPost(BULK).atPriority(1).willReturn(error(400, "invalid", "Invalid input.",
                "'DOLLARS' is not a valid currency code.", "/data/attributes/events-bulk-create/data/1")));
        klaviyo.stubFor(klaviyoPost(EVENTS).atPriority(1)
                .withRequestBody(matchingJsonPath("$.data.attributes.value_currency", equalTo("DOLLARS")))
                .willReturn(error(400, "invalid", "Invalid input.", "'DOLLARS' is not a valid currency code.",
                        "/data/attributes/value_currency")));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(item("orders/create", good), item("orders/create", bad)));

        // then
        assertThat(outcomes.get(0)).isEqualTo(new Delivered());
        assertThat(((PermanentFailure) outcomes.get(1)).reason()).contains("Placed Order event")
                .contains("errors.source.pointer=/data/attributes/value_currency").doesNotContain("DOLLARS")
                .contains("klaviyo-placed-order");
        klaviyo.verify(1, postRequestedFor(urlEqualTo(BULK)));
        klaviyo.verify(11 + 1, postRequestedFor(urlEqualTo(EVENTS)));
    }

    // ---- helpers ------------------------------------------------------------------------------------

    // ---- an orders/create that its orders/updated overtook (issue #16, scenario 9) -------------------

    @Test
    void deliver_shouldSendTheCreatesEventsButNotItsProfile_whenKlaviyoHasANewerStateOfTheOrder() {
        // given: the order's orders/updated was delivered first, so this create's state is stale
        klaviyoAccepts();
        DeliveryItem create = item("orders/create", fixture("orders-create.json"));

        // when
        List<DeliveryOutcome> outcomes = target(true).deliver(List.of(new DeliveryItem(create.envelope(), create.payload(), true)));

        // then
        assertThat(outcomes).containsExactly(new Delivered());
        klaviyo.verify(0, postRequestedFor(urlEqualTo(PROFILE_IMPORT)));
        assertThat(events()).extracting(e -> metric(e))
                .containsExactly("Placed Order", "Ordered Product", "Ordered Product", "Ordered Product");
        assertThat(target(true).carriesEvents("orders/create")).isTrue();
        assertThat(target(true).carriesEvents("orders/cancelled")).isTrue();
        assertThat(target(true).carriesEvents("orders/updated")).as("its state is all it carries").isFalse();
        assertThat(target(false).carriesEvents("orders/create")).as("order events switched off").isFalse();
    }

    private KlaviyoOrders target(boolean sendOrderEvents) {
        TargetHttp http = new TargetHttp("klaviyo", HttpTransport.of(HttpClient.newHttpClient()), Duration.ofSeconds(4), clock);
        CachedSecret apiKey = new CachedSecret("Klaviyo private key (test secret shopsync/klaviyo)", () -> {
            keyLoads.incrementAndGet();
            return storedKeys.size() > 1 ? storedKeys.poll() : storedKeys.peek();
        }, clock, Duration.ZERO);
        return new KlaviyoOrders(http, klaviyo.baseUrl(), apiKey, mappings, sendOrderEvents,
                new Telemetry(JSON, log, clock), JSON, clock);
    }

    private void klaviyoAccepts() {
        klaviyoAccepts(KEY);
    }

    /**
     * Klaviyo's answers to valid requests; a request without the headers Klaviyo requires gets a 404 here. Like
     * an account without SMS set up, Klaviyo refuses a profile whose only identifier is a phone number.
     */
    private void klaviyoAccepts(String key) {
        klaviyo.stubFor(klaviyoPost(PROFILE_IMPORT, key).atPriority(3)
                .withRequestBody(containing("\"phone_number\""))
                .withRequestBody(notContaining("\"email\""))
                .withRequestBody(notContaining("\"external_id\""))
                .willReturn(error(400, "invalid", "Invalid input.", "One or more identifiers is required", "/data/attributes")));
        klaviyo.stubFor(klaviyoPost(PROFILE_IMPORT, key).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/vnd.api+json").withBody(ACCEPTED_PROFILE)));
        klaviyo.stubFor(klaviyoPost(EVENTS, key).willReturn(aResponse().withStatus(202)));
        klaviyo.stubFor(klaviyoPost(BULK, key).willReturn(aResponse().withStatus(202)));
    }

    private static MappingBuilder klaviyoPost(String path) {
        return klaviyoPost(path, KEY);
    }

    private static MappingBuilder klaviyoPost(String path, String key) {
        return post(urlEqualTo(path))
                .withHeader("Authorization", equalTo("Klaviyo-API-Key " + key))
                .withHeader("revision", equalTo("2026-10-15"))
                .withHeader("Content-Type", equalTo("application/vnd.api+json"))
                .withHeader("Accept", equalTo("application/vnd.api+json"));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder error(int status, String code,
            String title, String detail, String pointer) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/vnd.api+json").withBody("""
                {"errors":[{"id":"4f0e0bd2-2f5c-4d5e-9a55-0b4b8f0a7c11","status":%d,"code":"%s","title":"%s",
                 "detail":"%s","source":{"pointer":"%s"},"links":{},"meta":{}}]}""".formatted(status, code, title, detail, pointer));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder notAuthenticated() {
        return error(401, "not_authenticated", "Authentication credentials were not provided.",
                "Missing or invalid private key.", "/data/");
    }

    /** A real 429 body (klaviyo/klaviyo-api-node#66); Klaviyo sends no RateLimit headers with it. */
    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder throttled() {
        return aResponse().withStatus(429).withHeader("Content-Type", "application/vnd.api+json").withBody("""
                {"errors":[{"id":"8c8f4aea-7289-4a13-b697-5dd5dde38f1e","status":429,"code":"throttled",
                 "title":"Request was throttled.","detail":"Request was throttled. Expected available in 3 seconds.",
                 "source":{"pointer":"/data"},
                 "links":{"type":"https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling#rate-limits"},
                 "meta":{}}]}""");
    }

    private DeliveryItem item(String topic, JsonNode payload) {
        String webhookId = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd04" + (webhooks++);
        byte[] body = payload.toString().getBytes(StandardCharsets.UTF_8);
        Envelope envelope = new Envelope("order-to-crm", topic, SHOP, webhookId, null, NOW.minusSeconds(2), "2026-10",
                NOW.minusSeconds(1), SHOP + "/order/" + payload.path(topic.startsWith("refunds/") ? "order_id" : "id"),
                new Body.Inline(body));
        return new DeliveryItem(envelope, payload);
    }

    private static ObjectNode fixture(String name) {
        return (ObjectNode) json(Fixtures.text("events/payloads/" + name));
    }

    /** The fixture as another order (id + 1) of the same customer. */
    private static ObjectNode otherOrder(String name) {
        ObjectNode order = fixture(name);
        order.put("id", 820982911946154509L);
        return order;
    }

    private static ObjectNode orderNumbered(long id) {
        ObjectNode order = fixture("orders-create.json");
        order.put("id", id);
        return order;
    }

    /** The order with {@code count} line items, copies of its first with ids of their own. */
    private static ObjectNode withLineItems(ObjectNode order, int count) {
        JsonNode first = order.path("line_items").get(0);
        ArrayNode lines = order.putArray("line_items");
        for (int i = 0; i < count; i++) {
            ObjectNode line = first.deepCopy();
            line.put("id", lineItemId(i));
            line.put("title", "Merino Crew Sweater No. " + (i + 1));
            lines.add(line);
        }
        return order;
    }

    private static long lineItemId(int index) {
        return 866550311766439020L + index;
    }

    private List<String> bodies(String path) {
        return klaviyo.findAll(postRequestedFor(urlEqualTo(path))).stream().map(LoggedRequest::getBodyAsString).toList();
    }

    private List<JsonNode> events() {
        return bodies(EVENTS).stream().map(KlaviyoOrdersContractTest::json).toList();
    }

    private List<JsonNode> bulkJobs() {
        return bodies(BULK).stream().map(KlaviyoOrdersContractTest::json).toList();
    }

    private static int eventCount(JsonNode job) {
        int count = 0;
        for (JsonNode entry : job.path("data").path("attributes").path("events-bulk-create").path("data")) {
            count += entry.path("attributes").path("events").path("data").size();
        }
        return count;
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
