package io.shopsync.fulfilments;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopsync.testing.FakeTarget;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testing.RecordingAlerts;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testing.TestEnvironments;
import io.shopsync.testkit.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FulfilmentToCrmTest {

    private final RecordingFlowQueues queues = new RecordingFlowQueues();
    private final FulfilmentToCrm function = new FulfilmentToCrm(TestEnvironments.recording(queues));

    @ParameterizedTest
    @ValueSource(strings = {"fulfillments-create", "fulfillments-update"})
    void handleRequest_shouldGroupAFulfilmentWithItsOrder(String file) {
        String event = Fixtures.text("events/fulfilment-to-crm/" + file + ".json");

        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);

        assertThat(queues.enqueued).singleElement().satisfies(e -> assertThat(e.entity())
                .isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508"));
    }

    @Test
    void handleRequest_shouldQueueTheEventBridgeSample_withItsOrder() {
        String event = Fixtures.text("events/eventbridge/fulfilment-to-crm.json");

        assertThat(LambdaInvoker.invoke(function, event).path("status").asText()).isEqualTo("Enqueued");

        assertThat(queues.enqueued).singleElement().satisfies(e -> {
            assertThat(e.topic()).isEqualTo("fulfillments/create");
            assertThat(e.entity()).isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
        });
    }

    @Test
    void handleRequest_shouldDeadLetterAFulfilmentWithoutAnOrderId() {
        String event = LambdaInvoker.withBody(Fixtures.text("events/fulfilment-to-crm/fulfillments-create.json"),
                "{\"id\":255858046011252993,\"status\":\"success\",\"tracking_numbers\":[]}");

        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);

        assertThat(queues.enqueued).isEmpty();
        assertThat(queues.deadLettered).singleElement()
                .satisfies(dead -> assertThat(dead.reason().reason()).isEqualTo("payload has no order_id"));
    }

    @Test
    void handleRequest_shouldAnswer401_forATamperedFulfilment() {
        String event = LambdaInvoker.tampered(Fixtures.text("events/fulfilment-to-crm/fulfillments-update.json"));

        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(401);
        assertThat(queues.enqueued).isEmpty();
    }

    @Test
    void handleRequest_shouldDeliverTheSampleQueueEvent_toTheFlowsTargets() {
        FakeTarget target = new FakeTarget("fake");
        RecordingFlowQueues delivered = new RecordingFlowQueues();
        FulfilmentToCrm withTarget = new FulfilmentToCrm(TestEnvironments.delivering(delivered, new RecordingAlerts(), target));

        var response = LambdaInvoker.invoke(withTarget, Fixtures.text("events/fulfilment-to-crm/sqs-delivery.json"));

        assertThat(response.toString()).isEqualTo("{\"batchItemFailures\":[]}");
        assertThat(target.effects).singleElement()
                .satisfies(item -> assertThat(item.envelope().entity()).isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508"));
        assertThat(delivered.deadLettered).isEmpty();
    }
}
