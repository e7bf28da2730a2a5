package io.shopsync.orders;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopsync.delivery.DeliveryOutcome.PermanentFailure;
import io.shopsync.delivery.DeliveryOutcome.RetryLater;
import io.shopsync.envelope.Envelope;
import io.shopsync.testing.FakeTarget;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testing.QueueEvents;
import io.shopsync.testing.RecordingAlerts;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testing.TestEnvironments;
import io.shopsync.testkit.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Dead letters of the order flow through the recording queues, which send through the real
 * SqsFlowQueues to a stand-in that deduplicates as SQS FIFO does.
 */
class OrderDeadLettersTest {

    private final RecordingFlowQueues queues = new RecordingFlowQueues();
    private final FakeTarget hubspot = new FakeTarget("hubspot");
    private final FakeTarget klaviyo = new FakeTarget("klaviyo");
    private final OrderToCrm function = new OrderToCrm(TestEnvironments.delivering(queues, new RecordingAlerts(),
            hubspot, klaviyo));

    @Test
    void oneOrderRefusedByEachTargetOnSuccessiveAttempts_leavesOneDeadLetterPerTarget() {
        assertThat(LambdaInvoker.invoke(function, Fixtures.text("events/order-to-crm/orders-create.json"))
                .path("statusCode").asInt()).isEqualTo(200);
        Envelope order = queues.enqueued.get(0);
        hubspot.thenAnswer(new PermanentFailure("HubSpot answered 400: INVALID_EMAIL", "http-400"));
        klaviyo.thenAnswer(new RetryLater("Klaviyo answered 503"),
                new PermanentFailure("Klaviyo answered 400: invalid phone_number", "http-400"));

        LambdaInvoker.invoke(function, QueueEvents.of(List.of(order), 1));
        LambdaInvoker.invoke(function, QueueEvents.of(List.of(order), 2)); // seconds later, SQS's retry

        assertThat(klaviyo.calls).hasSize(2);
        assertThat(queues.deadLettered).as("the second dead letter of one webhook within SQS's 5-minute window")
                .extracting(dead -> dead.reason().targets()).containsExactly(List.of("hubspot"), List.of("klaviyo"));
    }
}
