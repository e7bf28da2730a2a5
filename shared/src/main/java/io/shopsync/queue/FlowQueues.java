package io.shopsync.queue;

import io.shopsync.envelope.Envelope;
import java.time.Duration;

/** A flow's work queue and dead-letter queue. */
public interface FlowQueues {

    /**
     * Stores the envelope on the work queue, in its entity's group, deduplicated by delivery.
     *
     * @throws QueueUnavailableException when it could not be stored (the caller must not acknowledge)
     */
    void enqueue(Envelope envelope);

    /**
     * Stores the envelope on the dead-letter queue with the reason as message attributes.
     *
     * @throws QueueUnavailableException when it could not be stored (the caller must not acknowledge)
     */
    void deadLetter(Envelope envelope, DeadLetterReason reason);

    /**
     * Stores a work-queue message that is not a readable envelope on the dead-letter queue as it is.
     *
     * @throws QueueUnavailableException when it could not be stored (the caller must not acknowledge)
     */
    void deadLetterUnreadable(String messageBody, String groupId, DeadLetterReason reason);

    /** Keeps a received work-queue message invisible for {@code delay}: the backoff before its next attempt. */
    void delayRetry(String receiptHandle, Duration delay);

    /** The dead-letter queue's name, for alerts and runbooks. */
    String deadLetterQueueName();
}
