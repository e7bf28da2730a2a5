package io.shopsync.delivery;

import java.util.Map;
import java.util.Optional;

/**
 * One SQS record of a Lambda SQS event.
 *
 * @param messageId what batch item failures name
 * @param receiptHandle what a visibility change needs
 * @param body the envelope, as intake wrote it
 * @param receiveCount ApproximateReceiveCount: 1 on the first attempt
 * @param groupId the FIFO message group (the entity)
 * @param attributes string message attributes (a redriven dead letter carries {@code target})
 */
public record QueueMessage(String messageId, String receiptHandle, String body, int receiveCount, String groupId,
                           Map<String, String> attributes) {

    public QueueMessage {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    public Optional<String> attribute(String name) {
        return Optional.ofNullable(attributes.get(name));
    }
}
