package io.shopsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.SqsException;

/** The stand-in keeps SQS FIFO's rules, or the tests built on it prove nothing about ids. */
class InMemorySqsTest {

    private static final String WORK = "https://sqs.us-east-1.amazonaws.com/123456789012/shopsync-orders.fifo";
    private static final String DLQ = "https://sqs.us-east-1.amazonaws.com/123456789012/shopsync-orders-dlq.fifo";
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T16:00:00Z"));
    private final InMemorySqs sqs = new InMemorySqs(clock);

    private void send(String queue, String deduplicationId) {
        sqs.sendMessage(r -> r.queueUrl(queue).messageBody("{}").messageGroupId("shop/order/1")
                .messageDeduplicationId(deduplicationId));
    }

    @Test
    void aDeduplicationIdSeenWithinFiveMinutes_isAcceptedButNotDelivered_perQueue() {
        send(WORK, "shop:w-1");
        clock.advance(Duration.ofMinutes(4).plusSeconds(59));
        send(WORK, "shop:w-1");
        send(DLQ, "shop:w-1");

        assertThat(sqs.messages(WORK)).hasSize(1);
        assertThat(sqs.messages(DLQ)).hasSize(1);
    }

    @Test
    void aDeduplicationIdIsDeliveredAgain_fiveMinutesAfterItWasFirstAccepted() {
        send(WORK, "shop:w-1");
        clock.advance(Duration.ofMinutes(3));
        send(WORK, "shop:w-1"); // dropped, and it does not restart the interval
        clock.advance(Duration.ofMinutes(2));
        send(WORK, "shop:w-1");

        assertThat(sqs.messages(WORK)).extracting(InMemorySqs.Stored::sentAt)
                .containsExactly(Instant.parse("2026-11-27T16:00:00Z"), Instant.parse("2026-11-27T16:05:00Z"));
    }

    @Test
    void aFifoSendWithoutGroupOrDeduplicationId_isRefusedAsSqsRefusesIt() {
        assertThatThrownBy(() -> sqs.sendMessage(r -> r.queueUrl(WORK).messageBody("{}").messageDeduplicationId("d")))
                .isInstanceOf(SqsException.class).hasMessageContaining("MessageGroupId");
        assertThatThrownBy(() -> sqs.sendMessage(r -> r.queueUrl(WORK).messageBody("{}").messageGroupId("g")))
                .isInstanceOf(SqsException.class).hasMessageContaining("MessageDeduplicationId");
        assertThatThrownBy(() -> send(WORK, "x".repeat(129)))
                .isInstanceOf(SqsException.class).hasMessageContaining("1 to 128 in length");
        assertThat(sqs.messages(WORK)).isEmpty();
    }
}
