package io.shopsync.testing;

import io.shopsync.envelope.Envelope;
import io.shopsync.queue.DeadLetterReason;
import io.shopsync.queue.FlowQueues;
import io.shopsync.queue.QueueUnavailableException;
import java.util.ArrayList;
import java.util.List;

/** Keeps what would have been sent, and can be told to fail like an unavailable queue. */
public final class RecordingFlowQueues implements FlowQueues {

    public record DeadLettered(Envelope envelope, DeadLetterReason reason) {}

    public final List<Envelope> enqueued = new ArrayList<>();
    public final List<DeadLettered> deadLettered = new ArrayList<>();
    private boolean unavailable;

    public RecordingFlowQueues failing() {
        this.unavailable = true;
        return this;
    }

    @Override
    public void enqueue(Envelope envelope) {
        failIfUnavailable("work queue");
        enqueued.add(envelope);
    }

    @Override
    public void deadLetter(Envelope envelope, DeadLetterReason reason) {
        failIfUnavailable("dead-letter queue");
        deadLettered.add(new DeadLettered(envelope, reason));
    }

    private void failIfUnavailable(String queue) {
        if (unavailable) {
            throw new QueueUnavailableException("test " + queue + " is unavailable",
                    new RuntimeException("connection refused"));
        }
    }
}
