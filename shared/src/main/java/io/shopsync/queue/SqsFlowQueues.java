package io.shopsync.queue;

import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.envelope.QueueText;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * A flow's FIFO work queue and FIFO dead-letter queue on SQS. Envelopes larger than the threshold
 * have their body claim-checked first, so no delivery is lost to the message size limit.
 */
public final class SqsFlowQueues implements FlowQueues {

    /** Room for attributes under SQS's 256 KiB message limit (the older, smaller limit, kept on purpose). */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 250_000;

    private final SqsClient sqs;
    private final String workQueueUrl;
    private final String deadLetterQueueUrl;
    private final ClaimCheckStore claimChecks;
    private final EnvelopeCodec codec;
    private final int maxMessageBytes;

    public SqsFlowQueues(SqsClient sqs, String workQueueUrl, String deadLetterQueueUrl, ClaimCheckStore claimChecks,
                         EnvelopeCodec codec, int maxMessageBytes) {
        this.sqs = sqs;
        this.workQueueUrl = workQueueUrl;
        this.deadLetterQueueUrl = deadLetterQueueUrl;
        this.claimChecks = claimChecks;
        this.codec = codec;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public void enqueue(Envelope envelope) {
        send(workQueueUrl, "work queue", envelope, attributes(envelope), null);
    }

    @Override
    public void deadLetter(Envelope envelope, DeadLetterReason reason) {
        Map<String, MessageAttributeValue> attributes = attributes(envelope);
        attributes.putAll(reasonAttributes(reason));
        if (envelope.entity() == null && reason.entity() != null && !reason.entity().isEmpty()) {
            // Dead-lettered at intake, unclassified: the entity its body names, so a trace by it finds this letter.
            attributes.put("entity", text(reason.entity()));
        }
        send(deadLetterQueueUrl, "dead-letter queue", envelope, attributes, reason);
    }

    @Override
    public void deadLetterUnreadable(String messageBody, String groupId, DeadLetterReason reason) {
        // Unique: each unreadable message is its own dead letter, whatever SQS's 5-minute dedup window holds.
        String deduplicationId = "unreadable-" + UUID.randomUUID();
        sendRaw(deadLetterQueueUrl, "dead-letter queue", "unknown", messageBody,
                groupId == null ? "unreadable" : groupId, deduplicationId, reasonAttributes(reason));
    }

    /** SQS counts visibility in whole seconds: the delay is rounded up, never down to "at once". */
    @Override
    public void delayRetry(String receiptHandle, Duration delay) {
        sqs.changeMessageVisibility(r -> r.queueUrl(workQueueUrl).receiptHandle(receiptHandle)
                .visibilityTimeout((int) Math.max(0, Math.min(43_200, (delay.toMillis() + 999) / 1000))));
    }

    @Override
    public String deadLetterQueueName() {
        return deadLetterQueueUrl.substring(deadLetterQueueUrl.lastIndexOf('/') + 1);
    }

    private void send(String queueUrl, String queueRole, Envelope envelope,
                      Map<String, MessageAttributeValue> attributes, DeadLetterReason reason) {
        byte[] body = envelope.body() instanceof Body.Inline inline ? inline.bytes() : new byte[0];
        String message = codec.encode(envelope);
        if (message.getBytes(StandardCharsets.UTF_8).length > maxMessageBytes) {
            message = codec.encode(envelope.withBody(claimChecks.store(envelope, body)));
        }
        String deduplicationId = SqsIds.deduplicationId(envelope, body);
        if (reason != null && !"intake".equals(reason.stage())) {
            // A delivery-stage dead letter may follow an earlier one for the same webhook (another target,
            // a redrive that failed again) within SQS's 5-minute dedup window: it must not be dropped.
            deduplicationId = SqsIds.fit(deduplicationId + ":" + UUID.randomUUID());
        }
        sendRaw(queueUrl, queueRole, envelope.flow(), message, SqsIds.groupId(envelope), deduplicationId, attributes);
    }

    private void sendRaw(String queueUrl, String queueRole, String flow, String message, String groupId,
                         String deduplicationId, Map<String, MessageAttributeValue> attributes) {
        try {
            sqs.sendMessage(r -> r.queueUrl(queueUrl)
                    .messageBody(message)
                    .messageGroupId(groupId)
                    .messageDeduplicationId(deduplicationId)
                    .messageAttributes(attributes));
        } catch (SdkException e) {
            throw new QueueUnavailableException("cannot send to the " + flow + " " + queueRole + " "
                    + queueUrl + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }

    private static Map<String, MessageAttributeValue> reasonAttributes(DeadLetterReason reason) {
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        attributes.put("reason", text(truncate(reason.reason(), 1024)));
        attributes.put("stage", text(reason.stage()));
        attributes.put("category", text(reason.category()));
        if (!reason.targets().isEmpty()) {
            attributes.put("target", text(String.join(",", reason.targets())));
        }
        return attributes;
    }

    private static Map<String, MessageAttributeValue> attributes(Envelope envelope) {
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        attributes.put("flow", text(envelope.flow()));
        putIfPresent(attributes, "shop", envelope.shop());
        putIfPresent(attributes, "topic", envelope.topic());
        putIfPresent(attributes, "webhookId", envelope.webhookId());
        putIfPresent(attributes, "entity", envelope.entity());
        return attributes;
    }

    private static void putIfPresent(Map<String, MessageAttributeValue> attributes, String name, String value) {
        if (value != null && !value.isEmpty()) {
            attributes.put(name, text(value));
        }
    }

    /** Attributes only inform (the envelope holds the exact values): a character SQS refuses must not lose the message. */
    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(QueueText.replaceRefused(value)).build();
    }

    private static String truncate(String value, int max) {
        return value.length() <= max ? value : value.substring(0, max - 3) + "...";
    }
}
