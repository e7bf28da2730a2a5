package io.shopsync.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.queue.DeadLetterReason;
import io.shopsync.queue.FlowQueues;
import io.shopsync.queue.QueueUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps what would have been sent, and can be told to fail like an unavailable queue. Like SQS, it
 * refuses a message whose text (the envelope as the codec writes it) holds a character outside the
 * set SQS accepts, answering as SqsFlowQueues reports SQS's InvalidMessageContents.
 */
public final class RecordingFlowQueues implements FlowQueues {

    private static final EnvelopeCodec CODEC = new EnvelopeCodec(new ObjectMapper());

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
        refuseWhatSqsRefuses(envelope, "work queue");
        enqueued.add(envelope);
    }

    @Override
    public void deadLetter(Envelope envelope, DeadLetterReason reason) {
        failIfUnavailable("dead-letter queue");
        refuseIfTold();
        refuseWhatSqsRefuses(envelope, "dead-letter queue");
        deadLettered.add(new DeadLettered(envelope, reason));
    }

    @Override
    public void deadLetterUnreadable(String messageBody, String groupId, DeadLetterReason reason) {
        failIfUnavailable("dead-letter queue");
        refuseIfTold();
        refuseWhatSqsRefuses(messageBody, "dead-letter queue");
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

    private static void refuseWhatSqsRefuses(Envelope envelope, String queue) {
        refuseWhatSqsRefuses(CODEC.encode(envelope), queue);
    }

    /** SQS's rule for message text: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. */
    private static void refuseWhatSqsRefuses(String message, String queue) {
        for (int i = 0; i < message.length(); ) {
            int c = message.codePointAt(i);
            boolean allowed = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                    || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
            if (!allowed) {
                throw new QueueUnavailableException("cannot send to the test " + queue + " (SqsException: Invalid binary"
                        + " character '#x" + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + "' was found in"
                        + " the message body, the set of allowed characters is #x9 | #xA | #xD | #x20-#xD7FF |"
                        + " #xE000-#xFFFD | #x10000-#x10FFFF (Service: Sqs, Status Code: 400, error code:"
                        + " InvalidMessageContents))", new RuntimeException("InvalidMessageContents"));
            }
            i += Character.charCount(c);
        }
    }
}
