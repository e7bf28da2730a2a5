package io.shopsync.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.queue.ClaimCheckStore;
import io.shopsync.queue.DeadLetterReason;
import io.shopsync.queue.FlowQueues;
import io.shopsync.queue.QueueUnavailableException;
import io.shopsync.queue.SqsFlowQueues;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps what would have been sent, and can be told to fail like an unavailable queue. Every send
 * goes through the real {@link SqsFlowQueues} to an {@link InMemorySqs} with SQS FIFO's rules, so
 * the ids the code computes are checked as SQS checks them: a message SQS would accept and then
 * drop as a duplicate within its five-minute window is not recorded either, and text SQS refuses
 * (InvalidMessageContents) fails the send as it would.
 */
public final class RecordingFlowQueues implements FlowQueues {

    public static final String WORK_QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/test-flow.fifo";
    public static final String DEAD_LETTER_QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/test-flow-dlq.fifo";

    public record DeadLettered(Envelope envelope, DeadLetterReason reason) {}

    public record Unreadable(String messageBody, DeadLetterReason reason) {}

    public record Delay(String receiptHandle, Duration delay) {}

    public final List<Envelope> enqueued = new ArrayList<>();
    public final List<DeadLettered> deadLettered = new ArrayList<>();
    public final List<Unreadable> unreadable = new ArrayList<>();
    public final List<Delay> delays = new ArrayList<>();
    /** The queues as SQS would hold them (ids, groups, attributes). */
    public final InMemorySqs sqs;
    private final SqsFlowQueues queues;
    private boolean unavailable;
    private boolean deadLettersRefused;

    /** Deduplicates by the system clock, as SQS does. */
    public RecordingFlowQueues() {
        this(Clock.systemUTC());
    }

    /** Deduplicates by {@code clock}: a test moves it past SQS's five-minute window. */
    public RecordingFlowQueues(Clock clock) {
        this.sqs = new InMemorySqs(clock);
        this.queues = new SqsFlowQueues(sqs, WORK_QUEUE_URL, DEAD_LETTER_QUEUE_URL, new InMemoryClaimChecks(),
                new EnvelopeCodec(new ObjectMapper()), SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES);
    }

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
        if (stored(WORK_QUEUE_URL, () -> queues.enqueue(envelope))) {
            enqueued.add(envelope);
        }
    }

    @Override
    public void deadLetter(Envelope envelope, DeadLetterReason reason) {
        failIfUnavailable("dead-letter queue");
        refuseIfTold();
        if (stored(DEAD_LETTER_QUEUE_URL, () -> queues.deadLetter(envelope, reason))) {
            deadLettered.add(new DeadLettered(envelope, reason));
        }
    }

    @Override
    public void deadLetterUnreadable(String messageBody, String groupId, DeadLetterReason reason) {
        failIfUnavailable("dead-letter queue");
        refuseIfTold();
        if (stored(DEAD_LETTER_QUEUE_URL, () -> queues.deadLetterUnreadable(messageBody, groupId, reason))) {
            unreadable.add(new Unreadable(messageBody, reason));
        }
    }

    @Override
    public void delayRetry(String receiptHandle, Duration delay) {
        delays.add(new Delay(receiptHandle, delay));
    }

    @Override
    public String deadLetterQueueName() {
        return queues.deadLetterQueueName();
    }

    /** True when SQS kept the message, false when it deduplicated it. */
    private boolean stored(String queueUrl, Runnable send) {
        int before = sqs.messages(queueUrl).size();
        send.run();
        return sqs.messages(queueUrl).size() > before;
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

    /** Claim checks kept in memory, so an oversized body is stored as SqsFlowQueues would store it. */
    private static final class InMemoryClaimChecks implements ClaimCheckStore {
        private final Map<String, byte[]> objects = new HashMap<>();

        @Override
        public Body.ClaimCheck store(Envelope envelope, byte[] body) {
            String key = envelope.flow() + "/" + Body.ClaimCheck.sha256Hex(body);
            objects.put(key, body.clone());
            return new Body.ClaimCheck("test-claims", key, Body.ClaimCheck.sha256Hex(body), body.length);
        }

        @Override
        public byte[] fetch(Body.ClaimCheck claimCheck) {
            return objects.get(claimCheck.key()).clone();
        }
    }
}
