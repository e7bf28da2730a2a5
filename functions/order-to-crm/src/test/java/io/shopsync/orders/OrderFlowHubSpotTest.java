package io.shopsync.orders;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.shopsync.envelope.Envelope;
import io.shopsync.testing.FakeCrmApis;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testing.QueueEvents;
import io.shopsync.testing.RecordingAlerts;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testing.TestEnvironments;
import io.shopsync.testkit.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The order flow end to end in one JVM: signed webhooks through intake, their envelopes through the
 * delivery path, and a local server answering as HubSpot does (echoing ids for every input).
 */
class OrderFlowHubSpotTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTACTS = FakeCrmApis.HUBSPOT_CONTACTS;
    private static final String ORDERS = FakeCrmApis.HUBSPOT_ORDERS;
    private static final String ASSOCIATE = FakeCrmApis.HUBSPOT_ASSOCIATE;

    private FakeCrmApis apis;
    private WireMockServer hubspot;
    private final RecordingFlowQueues queues = new RecordingFlowQueues();
    private OrderToCrm function;

    @BeforeEach
    void start() {
        apis = new FakeCrmApis();
        hubspot = apis.server;
        function = new OrderToCrm(TestEnvironments.delivering(queues, new RecordingAlerts(), Map.of(
                "CRM_TARGETS", "hubspot",
                "HUBSPOT_TOKEN", FakeCrmApis.HUBSPOT_TOKEN,
                "HUBSPOT_BASE_URL", hubspot.baseUrl())));
    }

    @AfterEach
    void stop() {
        apis.close();
    }

    /** Posts a signed sample (optionally with another body) and returns the envelope intake queued. */
    private Envelope received(String eventFile, String replacementBody) {
        String event = Fixtures.text("events/order-to-crm/" + eventFile);
        if (replacementBody != null) {
            event = LambdaInvoker.withBody(event, replacementBody);
        }
        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);
        return queues.enqueued.get(queues.enqueued.size() - 1);
    }

    private JsonNode deliver(Envelope... envelopes) {
        return LambdaInvoker.invoke(function, QueueEvents.of(envelopes));
    }

    private List<JsonNode> bodies(String url) {
        return apis.bodies(url);
    }

    @Test
    void aGuestPosOrderWithNoCustomer_isDeliveredAsAnOrderWithoutAContact() throws Exception {
        JsonNode response = deliver(received("orders-guest-pos.json", null));

        assertThat(response.path("batchItemFailures")).isEmpty();
        hubspot.verify(0, postRequestedFor(urlEqualTo(CONTACTS)));
        assertThat(bodies(ORDERS).get(0).path("inputs").get(0).path("id").asText()).isEqualTo("734281950317462958");
        assertThat(queues.deadLettered).isEmpty();
    }

    @Test
    void twoOrdersBySameCustomer_withDifferentlyCasedEmails_upsertOneContact() throws Exception {
        ObjectNode second = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-create.json"));
        second.put("id", 820982911946155001L);
        second.put("name", "#1003");
        second.put("email", "ZOE.ADAMS@EXAMPLE.COM");

        deliver(received("orders-create.json", null));
        deliver(received("orders-create.json", JSON.writeValueAsString(second)));

        List<JsonNode> contacts = bodies(CONTACTS);
        assertThat(contacts).hasSize(2);
        assertThat(contacts).extracting(c -> c.path("inputs").get(0).path("id").asText())
                .containsOnly("zoe.adams@example.com");
        List<JsonNode> associations = bodies(ASSOCIATE);
        assertThat(associations.get(0).path("inputs").get(0).path("to").path("id").asText())
                .isEqualTo(associations.get(1).path("inputs").get(0).path("to").path("id").asText());
    }

    @Test
    void aCancellationAfterPayment_endsCancelled_andALatePaymentNeverReopensIt() throws Exception {
        Envelope paid = received("orders-paid.json", null);
        Envelope cancelled = received("orders-cancelled.json", null);

        deliver(paid);
        deliver(cancelled);
        deliver(paid); // Shopify's late redelivery of the older version

        List<JsonNode> orders = bodies(ORDERS);
        assertThat(orders).hasSize(2);
        JsonNode last = orders.get(1).path("inputs").get(0).path("properties");
        assertThat(last.path("hs_external_order_status").asText()).isEqualTo("refunded");
        assertThat(last.has("shopify_cancelled_at")).isTrue();
    }

    @Test
    void aRefund_updatesItsOrder_neverCreatingIt() throws Exception {
        deliver(received("refunds-create.json", null));

        JsonNode input = bodies(FakeCrmApis.HUBSPOT_ORDER_UPDATES).get(0).path("inputs").get(0);
        assertThat(bodies(ORDERS)).as("a refund never upserts (creates) an order").isEmpty();
        assertThat(input.path("id").asText()).isEqualTo("820982911946154508");
        assertThat(input.path("properties").path("shopify_last_refund_id").asText()).isEqualTo("509562969126743103");
        hubspot.verify(0, postRequestedFor(urlEqualTo(CONTACTS)));
    }

    @Test
    void anOrderWith250LineItems_andUnicodeNames_isDeliveredWithExactIds() throws Exception {
        ObjectNode order = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-create.json"));
        ArrayNode lines = order.putArray("line_items");
        for (int i = 0; i < 250; i++) {
            lines.addObject().put("id", 866550311766439020L + i).put("sku", "SKU-" + i)
                    .put("title", "Écharpe en laine n°" + i).put("quantity", 1).put("price", "12.00");
        }
        ((ObjectNode) order.get("customer")).put("first_name", "Łucja").put("last_name", "Nguyễn");

        JsonNode response = deliver(received("orders-create.json", JSON.writeValueAsString(order)));

        assertThat(response.path("batchItemFailures")).isEmpty();
        JsonNode contact = bodies(CONTACTS).get(0).path("inputs").get(0).path("properties");
        assertThat(contact.path("firstname").asText()).isEqualTo("Łucja");
        assertThat(contact.path("lastname").asText()).isEqualTo("Nguyễn");
        assertThat(bodies(ORDERS).get(0).path("inputs").get(0).path("properties").path("shopify_order_id").asText())
                .isEqualTo("820982911946154508");
    }

    /** Issue #16, scenario 10: contacts are versioned by the customer, not by whichever order arrives. */
    @Test
    void aRefundOnAnOldOrder_neverOverwritesTheContactWithTheOldOrdersAddress() throws Exception {
        // given: the customer moved to Chicago in December; their September order is refunded afterwards
        ObjectNode recent = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-create.json"));
        ObjectNode customerNow = (ObjectNode) recent.path("customer");
        customerNow.put("updated_at", "2026-12-01T09:00:00-05:00");
        ((ObjectNode) customerNow.path("default_address")).put("city", "Chicago").put("province", "Illinois");
        ObjectNode oldOrder = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-updated.json"));
        oldOrder.put("id", 820982911946100001L);
        oldOrder.put("name", "#0901");
        ((ObjectNode) oldOrder.path("customer")).put("updated_at", "2026-09-14T11:20:00-04:00");
        ((ObjectNode) oldOrder.path("customer").path("default_address")).put("city", "Indianapolis");
        ((ObjectNode) oldOrder.path("billing_address")).put("city", "Indianapolis");

        // when: the newer customer is delivered first, then the late update carrying the older customer copy
        deliver(received("orders-create.json", JSON.writeValueAsString(recent)));
        deliver(received("orders-updated.json", JSON.writeValueAsString(oldOrder)));

        // then
        List<JsonNode> contacts = bodies(CONTACTS);
        assertThat(contacts).hasSize(2);
        assertThat(contacts.get(0).path("inputs").get(0).path("properties").path("city").asText()).isEqualTo("Chicago");
        JsonNode late = contacts.get(1).path("inputs").get(0);
        assertThat(late.path("id").asText()).as("still found, to associate the old order").isEqualTo("zoe.adams@example.com");
        assertThat(late.path("properties").has("city")).as("no older address written").isFalse();
        assertThat(late.path("properties").has("firstname")).isFalse();
        assertThat(bodies(ORDERS)).hasSize(2);
        assertThat(bodies(ASSOCIATE)).hasSize(2);
    }

    @Test
    void aRevokedHubSpotToken_deadLettersTheOrderAtOnce_withTheFixInItsReason() {
        OrderToCrm revoked = new OrderToCrm(TestEnvironments.delivering(queues, new RecordingAlerts(), Map.of(
                "CRM_TARGETS", "hubspot",
                "HUBSPOT_TOKEN", "pat-na1-revoked",
                "HUBSPOT_BASE_URL", hubspot.baseUrl())));
        assertThat(LambdaInvoker.invoke(revoked, Fixtures.text("events/order-to-crm/orders-create.json"))
                .path("statusCode").asInt()).isEqualTo(200);

        JsonNode response = LambdaInvoker.invoke(revoked, QueueEvents.of(queues.enqueued.get(0)));

        assertThat(response.path("batchItemFailures")).as("not retried: a bad token does not heal").isEmpty();
        assertThat(queues.deadLettered).singleElement().satisfies(dead -> {
            assertThat(dead.reason().category()).isEqualTo("http-401");
            assertThat(dead.reason().reason()).contains("rotate the token");
        });
        hubspot.verify(0, postRequestedFor(urlEqualTo(ORDERS)));
    }

    @Test
    void hubSpotRateLimiting_retriesTheOrderNoSoonerThanRetryAfter_thenDeliversIt() {
        apis.answerNext(CONTACTS, 1, FakeCrmApis.hubspotRateLimited(7));
        Envelope order = received("orders-create.json", null);

        JsonNode first = LambdaInvoker.invoke(function, QueueEvents.of(List.of(order), 1));
        JsonNode second = LambdaInvoker.invoke(function, QueueEvents.of(List.of(order), 2));

        assertThat(first.path("batchItemFailures")).hasSize(1);
        assertThat(queues.delays).singleElement().satisfies(delay ->
                assertThat(delay.delay()).isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(7)));
        assertThat(second.path("batchItemFailures")).isEmpty();
        assertThat(bodies(ORDERS)).hasSize(1);
        assertThat(queues.deadLettered).isEmpty();
    }

    @Test
    void aHubSpotServerError_isRetried_neverDeadLettered() {
        apis.answerNext(ORDERS, 1, FakeCrmApis.hubspotServerError(503));

        JsonNode response = deliver(received("orders-create.json", null));

        assertThat(response.path("batchItemFailures")).hasSize(1);
        assertThat(queues.deadLettered).isEmpty();
    }

    @Test
    void anOrderHubSpotRejectsInA207_isDeadLettered_whileTheOtherOrderOfTheBatchIsDelivered() {
        apis.rejectHubSpotInput("734281950317462958", "VALIDATION_ERROR",
                "Property values were not valid: shopify_total_price");

        JsonNode response = deliver(received("orders-create.json", null), received("orders-guest-pos.json", null));

        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(queues.deadLettered).singleElement().satisfies(dead -> {
            assertThat(dead.envelope().entity()).endsWith("/order/734281950317462958");
            assertThat(dead.reason().reason()).contains("VALIDATION_ERROR");
        });
        hubspot.verify(1, postRequestedFor(urlEqualTo(ASSOCIATE)));
    }

    @Test
    void anOrderHubSpotRateLimitsInA207_isRetried_notDeadLettered() {
        apis.rejectHubSpotInput("734281950317462958", "RATE_LIMIT", "You have reached your secondly limit.");

        JsonNode response = deliver(received("orders-create.json", null), received("orders-guest-pos.json", null));

        assertThat(response.path("batchItemFailures")).hasSize(1);
        assertThat(queues.deadLettered).isEmpty();
        assertThat(bodies(ORDERS).get(0).path("inputs")).hasSize(2);
    }
}
