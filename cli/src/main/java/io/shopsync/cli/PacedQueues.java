package io.shopsync.cli;

import io.shopsync.envelope.Envelope;
import io.shopsync.queue.DeadLetterReason;
import io.shopsync.queue.FlowQueues;
import java.time.Duration;

/**
 * A flow's queues that take at most {@code perSecond} envelopes a second: a backfill queues as fast as Shopify
 * lists orders, and the delivery function would pass that burst on to a CRM with a rate limit of its own.
 */
final class PacedQueues implements FlowQueues {

    private final FlowQueues queues;
    private final long intervalNanos;
    private final CliContext context;
    private long next = Long.MIN_VALUE;

    PacedQueues(FlowQueues queues, double perSecond, CliContext context) {
        this.queues = queues;
        this.intervalNanos = (long) (1_000_000_000L / perSecond);
        this.context = context;
    }

    @Override
    public void enqueue(Envelope envelope) {
        long now = System.nanoTime();
        if (next != Long.MIN_VALUE && now < next) {
            context.sleep(Duration.ofNanos(next - now));
            now = System.nanoTime();
        }
        queues.enqueue(envelope);
        next = Math.max(now, next == Long.MIN_VALUE ? now : next) + intervalNanos;
    }

    @Override
    public void deadLetter(Envelope envelope, DeadLetterReason reason) {
        queues.deadLetter(envelope, reason);
    }

    @Override
    public void deadLetterUnreadable(String messageBody, String groupId, DeadLetterReason reason) {
        queues.deadLetterUnreadable(messageBody, groupId, reason);
    }

    @Override
    public void delayRetry(String receiptHandle, Duration delay) {
        queues.delayRetry(receiptHandle, delay);
    }

    @Override
    public String deadLetterQueueName() {
        return queues.deadLetterQueueName();
    }
}
