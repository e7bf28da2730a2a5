package io.shopsync.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.testing.InMemorySqs;
import io.shopsync.testing.MutableClock;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testkit.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The FIFO ids SqsFlowQueues sends, against the in-memory SQS that deduplicates as SQS does. */
class SqsFlowQueuesTest {

    private static final String SHOP = "shopsync-demo.myshopify.com";
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T16:00:00Z"));
    private final RecordingFlowQueues queues = new RecordingFlowQueues(clock);

    private static Envelope order() {
        return new Envelope("order-to-crm", "orders/create", SHOP, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
                "7f0ae9c1-e5d4-4ae4-b3b8-0e3a0d4f3f83", Instant.parse("2026-11-27T10:15:47.234647458Z"), "2026-10",
                Instant.parse("2026-11-27T10:15:48Z"), SHOP + "/order/820982911946154508",
                new Body.Inline(Fixtures.text("events/payloads/orders-create.json").getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shopifysRetryOfOneWebhook_isQueuedOnce_withinTheWindow_andAgainAfterIt() {
        queues.enqueue(order());
        clock.advance(Duration.ofMinutes(1));
        queues.enqueue(order());
        clock.advance(Duration.ofMinutes(5));
        queues.enqueue(order());

        assertThat(queues.sqs.messages(RecordingFlowQueues.WORK_QUEUE_URL)).hasSize(2)
                .extracting(InMemorySqs.Stored::deduplicationId)
                .containsOnly(SHOP + ":b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
        assertThat(queues.enqueued).hasSize(2);
    }

    @Test
    void aSecondDeliveryStageDeadLetterOfOneWebhook_withinTheWindow_isKept() {
        // The first attempt dead-letters it for HubSpot; the operator redrives it a minute later and it fails again.
        queues.deadLetter(order(), DeadLetterReason.atDelivery("hubspot: HTTP 400", "http-400", List.of("hubspot")));
        clock.advance(Duration.ofMinutes(1));
        queues.deadLetter(order(), DeadLetterReason.atDelivery("hubspot: HTTP 400", "http-400", List.of("hubspot")));

        assertThat(queues.sqs.messages(RecordingFlowQueues.DEAD_LETTER_QUEUE_URL)).hasSize(2)
                .extracting(InMemorySqs.Stored::deduplicationId).doesNotHaveDuplicates();
        assertThat(queues.deadLettered).hasSize(2);
    }

    @Test
    void anIntakeDeadLetter_isDeduplicatedLikeItsEnqueue_soShopifysRetryIsNotStoredTwice() {
        queues.deadLetter(order(), DeadLetterReason.atIntake("topic orders/create is not handled by flow x"));
        queues.deadLetter(order(), DeadLetterReason.atIntake("topic orders/create is not handled by flow x"));

        assertThat(queues.deadLettered).hasSize(1);
    }
}
