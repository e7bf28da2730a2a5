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
                "HUBSPOT_TOKEN", "pat-na1-test",
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
}
