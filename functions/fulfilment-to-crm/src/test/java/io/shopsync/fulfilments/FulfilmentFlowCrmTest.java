package io.shopsync.fulfilments;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * The fulfilment flow in one JVM with both CRM targets on: signed webhooks through intake, their
 * envelopes through the delivery runtime, and a local server answering as HubSpot and Klaviyo do.
 */
class FulfilmentFlowCrmTest {

    static final String HUBSPOT_UPDATE = "/crm/objects/2026-09/orders/batch/update";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ORDER_ID = "820982911946154508";
    /** The delivery runtime's default maxReceiveCount: the queue's last attempt. */
    private static final int LAST_ATTEMPT = 8;

    private FakeCrmApis apis;
    private final RecordingFlowQueues queues = new RecordingFlowQueues();
    private final RecordingAlerts alerts = new RecordingAlerts();
    private FulfilmentToCrm function;

    @BeforeEach
    void start() {
        apis = new FakeCrmApis();
        orderIsInHubSpot();
        function = new FulfilmentToCrm(TestEnvironments.delivering(queues, alerts, Map.of(
                "CRM_TARGETS", "hubspot,klaviyo",
                "HUBSPOT_TOKEN", FakeCrmApis.HUBSPOT_TOKEN,
                "HUBSPOT_BASE_URL", apis.baseUrl(),
                "KLAVIYO_API_KEY", FakeCrmApis.KLAVIYO_API_KEY,
                "KLAVIYO_BASE_URL", apis.baseUrl())));
    }

    @AfterEach
    void stop() {
        apis.close();
    }

    @Test
    void aFulfilmentWithTwoParcels_updatesItsOrderWithBothTrackingNumbers_andSendsOneFulfilledOrder() throws Exception {
        // given: the update sample, arriving as a create (two parcels, in transit)
        String body = Fixtures.text("events/payloads/fulfillments-update.json");

        // when
        JsonNode response = deliver(received("fulfillments-create.json", body));

        // then
        assertThat(response.path("batchItemFailures")).isEmpty();
        JsonNode input = hubspotUpdates().get(0).path("inputs").get(0);
        assertThat(input.path("idProperty").asText()).isEqualTo("shopify_order_id");
        assertThat(input.path("id").asText()).isEqualTo(ORDER_ID);
        assertThat(input.path("properties").path("hs_shipping_tracking_number").asText())
                .isEqualTo("1Z999AA10123456784, 1Z999AA10123456793");
        assertThat(input.path("properties").path("shopify_shipment_status").asText()).isEqualTo("in_transit");
        JsonNode event = klaviyoEvents().get(0).path("data").path("attributes");
        assertThat(metric(klaviyoEvents().get(0))).isEqualTo("Fulfilled Order");
        assertThat(event.path("properties").path("TrackingNumbers")).hasSize(2);
        assertThat(apis.bodies(FakeCrmApis.HUBSPOT_ORDERS)).as("never an upsert: a fulfilment creates no order").isEmpty();
        assertThat(queues.deadLettered).isEmpty();
    }

    @Test
    void klaviyoThrottling_retriesOnlyKlaviyo_noSoonerThanItsRetryAfter_andSendsFulfilledOrderOnce() {
        apis.answerNext(FakeCrmApis.KLAVIYO_EVENTS, 1, FakeCrmApis.klaviyoThrottled(20));
        Envelope fulfilment = received("fulfillments-create.json", null);

        JsonNode first = deliver(List.of(fulfilment), 1);
        JsonNode second = deliver(List.of(fulfilment), 2);

        assertThat(first.path("batchItemFailures")).hasSize(1);
        assertThat(queues.delays).singleElement().satisfies(delay ->
                assertThat(delay.delay()).isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(20)));
        assertThat(second.path("batchItemFailures")).isEmpty();
        assertThat(klaviyoEvents()).as("the throttled attempt and the one that went through").hasSize(2);
        assertThat(hubspotUpdates()).as("HubSpot had it the first time").hasSize(1);
        assertThat(queues.deadLettered).isEmpty();
    }

    @Test
    void nullTrackingOnCreate_thenFilledByTheUpdate_bothDeliveredInOrder_andTheUpdatesTrackingWins() throws Exception {
        // given: created before the label was bought; the update brings two parcels
        Envelope created = received("fulfillments-create.json", withoutTracking("fulfillments-create.json"));
        Envelope updated = received("fulfillments-update.json", null);

        // when: both in one batch, as the FIFO queue hands them over
        JsonNode response = deliver(created, updated);

        // then
        assertThat(response.path("batchItemFailures")).isEmpty();
        List<JsonNode> updates = hubspotUpdates();
        assertThat(updates).hasSize(2);
        JsonNode first = updates.get(0).path("inputs").get(0).path("properties");
        assertThat(first.has("hs_shipping_tracking_number")).isFalse();
        assertThat(first.has("hs_shipping_status_url")).isFalse();
        JsonNode last = updates.get(1).path("inputs").get(0).path("properties");
        assertThat(last.path("hs_shipping_tracking_number").asText()).isEqualTo("1Z999AA10123456784, 1Z999AA10123456793");
        assertThat(last.path("hs_shipping_status_url").asText()).endsWith("trackNums=1Z999AA10123456784");
        assertThat(last.path("shopify_tracking_company").asText()).isEqualTo("UPS");
        // Klaviyo: one event per fulfilment, from the create; the update adds no second one
        assertThat(klaviyoEvents()).hasSize(1);
        assertThat(klaviyoEvents().get(0).path("data").path("attributes").path("properties").has("TrackingNumbers")).isFalse();
    }

    @Test
    void aCreateArrivingAfterItsUpdate_isStale_andNeverOverwritesTheUpdatesTracking() throws Exception {
        // given
        Envelope created = received("fulfillments-create.json", withoutTracking("fulfillments-create.json"));
        Envelope updated = received("fulfillments-update.json", null);

        // when: Shopify delivers the older version last
        deliver(updated);
        deliver(created);

        // then
        assertThat(hubspotUpdates()).hasSize(1);
        assertThat(hubspotUpdates().get(0).path("inputs").get(0).path("properties").path("shopify_shipment_status").asText())
                .isEqualTo("in_transit");
        assertThat(queues.deadLettered).isEmpty();
    }

    @Test
    void aCancelledFulfilment_isRecordedOnItsOrder_andSendsNoKlaviyoEvent() throws Exception {
        // given
        ObjectNode cancelled = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/fulfillments-update.json"));
        cancelled.put("status", "cancelled");
        cancelled.put("updated_at", "2026-11-29T09:12:40-05:00");

        // when
        deliver(received("fulfillments-create.json", null));
        deliver(received("fulfillments-update.json", JSON.writeValueAsString(cancelled)));

        // then
        JsonNode last = hubspotUpdates().get(1).path("inputs").get(0).path("properties");
        assertThat(last.has("hs_fulfillment_status")).isFalse(); // the order flow writes it from the order
        assertThat(last.path("shopify_fulfillment_status").asText()).isEqualTo("cancelled");
        assertThat(klaviyoEvents()).hasSize(1);
    }

    @Test
    void aFulfilmentBeforeItsOrder_isRetried_andDeliveredOnceTheOrderFlowHasWrittenTheOrder() throws Exception {
        // given
        orderIsNotInHubSpot();
        Envelope created = received("fulfillments-create.json", null);

        // when
        JsonNode first = deliver(List.of(created), 1);
        orderIsInHubSpot();
        JsonNode second = deliver(List.of(created), 2);

        // then
        assertThat(first.path("batchItemFailures")).hasSize(1);
        assertThat(queues.delays).hasSize(1);
        assertThat(second.path("batchItemFailures")).isEmpty();
        assertThat(hubspotUpdates()).hasSize(2);
        assertThat(klaviyoEvents()).as("Klaviyo was delivered on the first attempt, and not again").hasSize(1);
        assertThat(queues.deadLettered).isEmpty();
        assertThat(alerts.raised).isEmpty();
    }

    @Test
    void aFulfilmentWhoseOrderNeverReachesHubSpot_isDeadLetteredOnTheLastAttempt_withThatReason() throws Exception {
        // given
        orderIsNotInHubSpot();
        Envelope created = received("fulfillments-create.json", null);

        // when: every real attempt finds no order (only real calls count, so each receive is one here)
        for (int attempt = 1; attempt < LAST_ATTEMPT; attempt++) {
            assertThat(deliver(List.of(created), attempt).path("batchItemFailures")).hasSize(1);
        }
        JsonNode response = deliver(List.of(created), LAST_ATTEMPT);

        // then
        assertThat(hubspotUpdates()).hasSize(LAST_ATTEMPT);
        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(queues.deadLettered).singleElement().satisfies(dead -> {
            assertThat(dead.reason().reason()).startsWith("hubspot: retries exhausted after 8 attempts; last error: "
                    + "the order is not in HubSpot yet (its orders webhook has not been delivered)").contains(ORDER_ID);
            assertThat(dead.reason().category()).isEqualTo("retries-exhausted");
            assertThat(dead.reason().targets()).containsExactly("hubspot");
            assertThat(dead.envelope().entity()).isEqualTo("shopsync-demo.myshopify.com/order/" + ORDER_ID);
        });
        assertThat(alerts.raised).singleElement().satisfies(alert -> {
            assertThat(alert.target()).isEqualTo("hubspot");
            assertThat(alert.category()).isEqualTo("retries-exhausted");
            assertThat(alert.text(60)).as("the reason stays in the DLQ; the alert carries ids")
                    .doesNotContain("the order is not in HubSpot yet").contains(ORDER_ID).contains("hubspot");
        });
    }

    @Test
    void idsAbove2To53_reachBothTargetsExactly() throws Exception {
        // given: the payload's digits as Shopify writes them, never through a double
        String body = Fixtures.text("events/payloads/fulfillments-create.json")
                .replace("\"id\": 255858046011252993", "\"id\": 9007199254740995")
                .replace("\"order_id\": 820982911946154508", "\"order_id\": 9007199254740993");

        // when
        JsonNode response = deliver(received("fulfillments-create.json", body));

        // then
        assertThat(response.path("batchItemFailures")).isEmpty();
        JsonNode input = hubspotUpdates().get(0).path("inputs").get(0);
        assertThat(input.path("id").asText()).isEqualTo("9007199254740993");
        assertThat(input.path("properties").path("shopify_fulfillment_id").asText()).isEqualTo("9007199254740995");
        JsonNode event = klaviyoEvents().get(0).path("data").path("attributes");
        assertThat(event.path("unique_id").asText()).isEqualTo("shopify-fulfillment-9007199254740995");
        assertThat(event.path("properties").path("OrderId").asText()).isEqualTo("9007199254740993");
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** HubSpot's batch update finds every order: one result per input, its trace id echoed. */
    private void orderIsInHubSpot() {
        apis.server.stubFor(post(urlEqualTo(HUBSPOT_UPDATE)).willReturn(aResponse().withStatus(200)
                .withTransformers("hubspot-batch-answers")));
    }

    /** HubSpot's batch update finds no order (assumed shape: a StandardError of category OBJECT_NOT_FOUND). */
    private void orderIsNotInHubSpot() {
        apis.server.stubFor(post(urlEqualTo(HUBSPOT_UPDATE)).willReturn(aResponse().withStatus(207)
                .withHeader("Content-Type", "application/json").withBody("""
                {"status":"COMPLETE","results":[],"numErrors":1,
                 "errors":[{"status":"error","category":"OBJECT_NOT_FOUND",
                   "message":"Could not find orders with shopify_order_id values: 820982911946154508",
                   "context":{"ids":["820982911946154508"]},"errors":[],"links":{}}],
                 "startedAt":"2026-11-28T13:05:00.010Z","completedAt":"2026-11-28T13:05:00.140Z"}""")));
    }

    /** Posts a signed sample (optionally with another body) and returns the envelope intake queued. */
    private Envelope received(String eventFile, String replacementBody) {
        String event = Fixtures.text("events/fulfilment-to-crm/" + eventFile);
        if (replacementBody != null) {
            event = LambdaInvoker.withBody(event, replacementBody);
        }
        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);
        return queues.enqueued.get(queues.enqueued.size() - 1);
    }

    private JsonNode deliver(Envelope... envelopes) {
        return deliver(List.of(envelopes), 1);
    }

    private JsonNode deliver(List<Envelope> envelopes, int receiveCount) {
        return LambdaInvoker.invoke(function, QueueEvents.of(envelopes, receiveCount));
    }

    private static String withoutTracking(String payloadFile) throws Exception {
        ObjectNode payload = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/" + payloadFile));
        payload.putArray("tracking_numbers");
        payload.putArray("tracking_urls");
        payload.putNull("tracking_number");
        payload.putNull("tracking_url");
        return JSON.writeValueAsString(payload);
    }

    private List<JsonNode> hubspotUpdates() {
        return apis.bodies(HUBSPOT_UPDATE);
    }

    private List<JsonNode> klaviyoEvents() {
        return apis.bodies(FakeCrmApis.KLAVIYO_EVENTS);
    }

    private static String metric(JsonNode event) {
        return event.path("data").path("attributes").path("metric").path("data").path("attributes").path("name").asText();
    }
}
