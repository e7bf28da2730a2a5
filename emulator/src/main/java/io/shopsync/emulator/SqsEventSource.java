package io.shopsync.emulator;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * What Lambda's SQS event source mapping does, for tests and the local stack: receive a batch (up to
 * 10, with all attributes), invoke the handler with a real SQS event, delete the messages the handler
 * did not report as batch item failures. A handler that throws leaves the whole batch on the queue, as
 * a crashed invocation does. Visibility changes the handler makes (retry backoff) stand, because a
 * failed message is neither deleted nor touched.
 */
public final class SqsEventSource {

    /** What one poll did. */
    public record Poll(List<Message> received, Set<String> failed, Throwable crash) {
        public boolean empty() {
            return received.isEmpty();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueArn;
    private final RequestStreamHandler handler;

    public SqsEventSource(SqsClient sqs, String queueUrl, RequestStreamHandler handler) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.queueArn = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl)
                .attributeNamesWithStrings("QueueArn")).attributesAsStrings().get("QueueArn");
        this.handler = handler;
    }

    public Poll pollOnce() {
        return pollOnce(null);
    }

    /**
     * One poll, invoking the handler with this Lambda context (its remaining time, say), or none.
     */
    public Poll pollOnce(Context context) {
        List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL).messageAttributeNames("All")).messages();
        if (messages.isEmpty()) {
            return new Poll(messages, Set.of(), null);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(event(messages))), out, context);
        } catch (IOException | RuntimeException | Error e) {
            return new Poll(messages, Set.of(), e);
        }
        Set<String> failed = new HashSet<>();
        try {
            JsonNode response = JSON.readTree(out.toByteArray());
            response.path("batchItemFailures").forEach(f -> failed.add(f.path("itemIdentifier").asText()));
        } catch (IOException e) {
            throw new IllegalStateException("handler answered an SQS event with something that is not JSON", e);
        }
        for (Message message : messages) {
            if (!failed.contains(message.messageId())) {
                sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
            }
        }
        return new Poll(messages, failed, null);
    }

    private ObjectNode event(List<Message> messages) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Message message : messages) {
            ObjectNode record = records.addObject();
            record.put("messageId", message.messageId());
            record.put("receiptHandle", message.receiptHandle());
            record.put("body", message.body());
            ObjectNode attributes = record.putObject("attributes");
            message.attributesAsStrings().forEach(attributes::put);
            ObjectNode messageAttributes = record.putObject("messageAttributes");
            message.messageAttributes().forEach((name, value) -> messageAttributes.putObject(name)
                    .put("stringValue", value.stringValue()).put("dataType", value.dataType()));
            record.put("md5OfBody", message.md5OfBody());
            record.put("eventSource", "aws:sqs");
            record.put("eventSourceARN", queueArn);
            record.put("awsRegion", "us-east-1");
        }
        return event;
    }
}
