package io.shopsync.queue;

import io.shopsync.envelope.Envelope;

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
}
