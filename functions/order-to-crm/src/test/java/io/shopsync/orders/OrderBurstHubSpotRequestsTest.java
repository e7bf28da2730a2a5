package io.shopsync.orders;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HubSpot requests per order in a burst (issue #12, goal at most 0.35 at full batches): 1,000 orders, each a
 * signed webhook through intake, delivered in SQS batches of 10 (the template's BatchSize) by the order flow's
 * real HubSpot connector, against the HubSpot stand-in of the contract tests. Prints the figures for
 * docs/performance.md.
 */
class OrderBurstHubSpotRequestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ORDERS = 1_000;
    private static final int BATCH = 10;

    private FakeCrmApis apis;
    private final RecordingFlowQueues queues = new RecordingFlowQueues();
    private OrderToCrm function;

    @BeforeEach
    void start() {
        apis = new FakeCrmApis();
        function = new OrderToCrm(TestEnvironments.delivering(queues, new RecordingAlerts(), Map.of(
                "CRM_TARGETS", "hubspot",
                "HUBSPOT_TOKEN", FakeCrmApis.HUBSPOT_TOKEN,
                "HUBSPOT_BASE_URL", apis.server.baseUrl(),
                // Requests per order is measured here, not the pace: the limit would defer most of the burst.
                "HUBSPOT_REQUESTS_PER_10S", "100000")));
    }

    @AfterEach
    void stop() {
        apis.close();
    }

    /** Order {@code n} of the burst: the orders/create sample with its own ids, name and customer. */
    private static String order(int n, String financialStatus, String updatedAt) throws Exception {
        ObjectNode order = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-create.json"));
        String email = "burst.customer." + n + "@example.com";
        order.put("id", 820982911946200000L + n).put("name", "#" + (5000 + n)).put("email", email)
                .put("contact_email", email).put("financial_status", financialStatus).put("updated_at", updatedAt);
        ((ObjectNode) order.path("customer")).put("id", 706405506930400000L + n).put("email", email);
        return JSON.writeValueAsString(order);
    }

    private Envelope received(String topic, String body) {
        String event = LambdaInvoker.withTopicAndBody(Fixtures.text("events/order-to-crm/orders-create.json"), topic, body);
        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);
        return queues.enqueued.get(queues.enqueued.size() - 1);
    }

    /** Delivers the queued envelopes in batches of 10, in queue order, and answers the HubSpot requests it took. */
    private int deliverInBatches(List<Envelope> queued) {
        for (int start = 0; start < queued.size(); start += BATCH) {
            List<Envelope> batch = queued.subList(start, Math.min(queued.size(), start + BATCH));
            assertThat(LambdaInvoker.invoke(function, QueueEvents.of(batch, 1)).path("batchItemFailures")).isEmpty();
        }
        assertThat(queues.deadLettered).isEmpty();
        return apis.server.getAllServeEvents().size();
    }

    private String byEndpoint() {
        return apis.server.getAllServeEvents().stream().collect(Collectors.groupingBy(
                e -> e.getRequest().getUrl().replaceAll(".*/associations/.*", "associations")
                        .replaceAll(".*/(contacts|orders)/(batch/[a-z]+).*", "$1 $2"), Collectors.counting())).toString();
    }

    @Test
    void aBurstOfNewOrders_inFullBatches_takesAtMostThirtyFiveHubSpotRequestsPerHundredOrders() throws Exception {
        List<Envelope> queued = new java.util.ArrayList<>();
        for (int n = 0; n < ORDERS; n++) {
            queued.add(received("orders/create", order(n, "pending", "2026-11-27T05:15:45-05:00")));
        }

        int requests = deliverInBatches(queued);

        double perOrder = (double) requests / ORDERS;
        System.out.printf("hubspot requests per order, %d orders/create in batches of %d: %.3f (%d requests: %s)%n",
                ORDERS, BATCH, perOrder, requests, byEndpoint());
        assertThat(apis.bodies(FakeCrmApis.HUBSPOT_ORDERS).stream().mapToInt(b -> b.path("inputs").size()).sum())
                .isEqualTo(ORDERS);
        assertThat(perOrder).isLessThanOrEqualTo(0.35);
    }

    /**
     * A paid checkout sends orders/create and orders/paid close together: one FIFO group (the order), so a batch
     * holding both delivers them in two rounds, each its own three requests. Measured and printed; the gap to the
     * goal is stated in docs/performance.md.
     */
    @Test
    void aBurstOfPaidCheckouts_createAndPaidInOneBatch_isMeasured() throws Exception {
        List<Envelope> queued = new java.util.ArrayList<>();
        for (int n = 0; n < ORDERS / 2; n++) {
            queued.add(received("orders/create", order(n, "pending", "2026-11-27T05:15:45-05:00")));
            queued.add(received("orders/paid", order(n, "paid", "2026-11-27T05:15:47-05:00")));
        }

        int requests = deliverInBatches(queued);

        System.out.printf("hubspot requests per order, %d paid checkouts (orders/create + orders/paid, %d webhooks) in"
                        + " batches of %d: %.3f per order, %.3f per webhook (%d requests: %s)%n", ORDERS / 2, queued.size(),
                BATCH, (double) requests / (ORDERS / 2), (double) requests / queued.size(), requests, byEndpoint());
        assertThat(apis.bodies(FakeCrmApis.HUBSPOT_ORDERS).stream().mapToInt(b -> b.path("inputs").size()).sum())
                .isEqualTo(ORDERS);
        // Two rounds per batch (the create, then the paid of the same five orders), three requests each.
        assertThat(requests).isEqualTo(queued.size() / BATCH * 2 * 3);
    }
}
