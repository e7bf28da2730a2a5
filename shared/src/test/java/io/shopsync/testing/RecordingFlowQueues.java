package io.shopsync.testing;

import io.shopsync.envelope.Envelope;
import io.shopsync.queue.DeadLetterReason;
import io.shopsync.queue.FlowQueues;
import io.shopsync.queue.QueueUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Keeps what would have been sent, and can be told to fail like an unavailable queue. */
public final class RecordingFlowQueues implements FlowQueues {

    public record DeadLettered(Envelope envelope, DeadLetterReason reason) {}

    public record Unreadable(String messageBody, DeadLetterReason reason) {}

    public record Delay(String receiptHandle, Duration delay) {}

    public final List<Envelope> enqueued = new ArrayList<>();
    public final List<DeadLettered> deadLettered = new ArrayList<>();
    public final List<Unreadable> unreadable = new ArrayList<>();
    public final List<Delay> delays = new ArrayList<>();
    private boolean unavailable;
    private boolean deadLettersRefused;

    public RecordingFlowQueues failing() {
        this.unavailable = true;
        return this;
    }

    /** The dead-letter queue refuses sends (throttled, KMS or permission error); the work queue works. */
    public RecordingFlowQueues refusingDeadLetters(boolean refused) {
        this.deadLettersRefused = refused;
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
        refuseIfTold();
        deadLettered.add(new DeadLettered(envelope, reason));
    }

    @Override
    public void deadLetterUnreadable(String messageBody, String groupId, DeadLetterReason reason) {
        failIfUnavailable("dead-letter queue");
        refuseIfTold();
        unreadable.add(new Unreadable(messageBody, reason));
    }

    @Override
    public void delayRetry(String receiptHandle, Duration delay) {
        delays.add(new Delay(receiptHandle, delay));
    }

    @Override
    public String deadLetterQueueName() {
        return "test-flow-dlq.fifo";
    }

    private void refuseIfTold() {
        if (deadLettersRefused) {
            throw new QueueUnavailableException("cannot send to the test dead-letter queue (KmsThrottled)",
                    new RuntimeException("KMS.ThrottlingException"));
        }
    }

    private void failIfUnavailable(String queue) {
        if (unavailable) {
            throw new QueueUnavailableException("test " + queue + " is unavailable",
                    new RuntimeException("connection refused"));
        }
    }
}
