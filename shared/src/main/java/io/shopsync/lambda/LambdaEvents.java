package io.shopsync.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.shopsync.delivery.QueueMessage;
import io.shopsync.intake.HttpRequest;
import io.shopsync.intake.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lambda's event shapes as aws-lambda-java-events' types: an API Gateway HTTP API (payload 2.0) event
 * and its response, an SQS event and its partial batch response ({@code ReportBatchItemFailures}). One
 * {@link ObjectMapper}, configured once, binds them from and writes them as Lambda's wire JSON: the
 * types' bean names differ from the wire's in two places ({@code Records}, {@code eventSourceARN}), which
 * mix-ins put right. Shopify's EventBridge deliveries are read by {@link EventBridgeEvents}, from the raw
 * event (the package's {@code ScheduledEvent} would parse the payload into a {@code Map}).
 *
 * <p>The HTTP body's bytes are taken exactly as API Gateway passed them: base64-decoded when
 * {@code isBase64Encoded}, else the UTF-8 bytes of the string, never re-serialised.
 */
public final class LambdaEvents {

    /** Which of the shapes an invocation event is, told from a few fields. */
    public enum Shape { HTTP_API, SQS, EVENT_BRIDGE, UNKNOWN }

    private final ObjectMapper json;

    /** @param base the application's mapper; copied, so its configuration is not changed */
    public LambdaEvents(ObjectMapper base) {
        this.json = base.copy()
                .addMixIn(SQSEvent.class, SqsEventWireNames.class)
                .addMixIn(SQSEvent.SQSMessage.class, SqsMessageWireNames.class)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false)
                .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    }

    public static Shape shape(JsonNode event) {
        if (event == null || !event.isObject()) {
            return Shape.UNKNOWN;
        }
        if (event.has("requestContext") && event.path("requestContext").has("http")
                && "2.0".equals(event.path("version").asText())) {
            return Shape.HTTP_API;
        }
        JsonNode records = event.get("Records");
        if (records != null && records.isArray() && records.size() > 0
                && "aws:sqs".equals(records.get(0).path("eventSource").asText())) {
            return Shape.SQS;
        }
        return EventBridgeEvents.isEventBridgeEvent(event) ? Shape.EVENT_BRIDGE : Shape.UNKNOWN;
    }

    public APIGatewayV2HTTPEvent httpEvent(JsonNode event) throws JsonProcessingException {
        return json.treeToValue(event, APIGatewayV2HTTPEvent.class);
    }

    public SQSEvent sqsEvent(JsonNode event) throws JsonProcessingException {
        return json.treeToValue(event, SQSEvent.class);
    }

    /** An event or response as Lambda's wire JSON. */
    public byte[] write(Object event) throws JsonProcessingException {
        return json.writeValueAsBytes(event);
    }

    /** A body that cannot be what was received: {@code isBase64Encoded} with text that is not base64. */
    public static final class UnreadableBodyException extends RuntimeException {
        UnreadableBodyException(String message) {
            super(message);
        }
    }

    /** @throws UnreadableBodyException when the event says the body is base64 and it is not */
    public static HttpRequest request(APIGatewayV2HTTPEvent event) {
        String text = event.getBody();
        byte[] body;
        if (text == null) {
            body = new byte[0];
        } else if (event.getIsBase64Encoded()) {
            try {
                body = Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                // API Gateway always sends valid base64: this event was made by someone else.
                throw new UnreadableBodyException("body is marked isBase64Encoded but is not base64");
            }
        } else {
            body = text.getBytes(StandardCharsets.UTF_8);
        }
        return new HttpRequest(headers(event), body);
    }

    public static Map<String, String> headers(APIGatewayV2HTTPEvent event) {
        return event.getHeaders() == null ? Map.of() : new LinkedHashMap<>(event.getHeaders());
    }

    public static APIGatewayV2HTTPResponse response(HttpResponse response) {
        APIGatewayV2HTTPResponse answer = new APIGatewayV2HTTPResponse();
        answer.setStatusCode(response.statusCode());
        answer.setHeaders(Map.of("content-type", "application/json"));
        answer.setBody(response.body());
        answer.setIsBase64Encoded(false);
        return answer;
    }

    public static List<QueueMessage> messages(SQSEvent event) {
        List<QueueMessage> messages = new ArrayList<>();
        for (SQSEvent.SQSMessage record : event.getRecords() == null ? List.<SQSEvent.SQSMessage>of() : event.getRecords()) {
            Map<String, String> attributes = new LinkedHashMap<>();
            if (record.getMessageAttributes() != null) {
                record.getMessageAttributes().forEach((name, value) -> {
                    if (value != null && value.getStringValue() != null) {
                        attributes.put(name, value.getStringValue());
                    }
                });
            }
            Map<String, String> system = record.getAttributes() == null ? Map.of() : record.getAttributes();
            messages.add(new QueueMessage(record.getMessageId(), record.getReceiptHandle(), record.getBody(),
                    receiveCount(system.get("ApproximateReceiveCount")), system.get("MessageGroupId"), attributes));
        }
        return messages;
    }

    private static int receiveCount(String value) {
        try {
            return value == null ? 1 : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    public static SQSBatchResponse batchResponse(List<String> failedMessageIds) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        failedMessageIds.forEach(id -> failures.add(new SQSBatchResponse.BatchItemFailure(id)));
        return new SQSBatchResponse(failures);
    }

    /** Lambda names the records {@code Records}; the bean property is {@code records}. */
    private abstract static class SqsEventWireNames {
        @JsonProperty("Records")
        abstract List<SQSEvent.SQSMessage> getRecords();

        @JsonProperty("Records")
        abstract void setRecords(List<SQSEvent.SQSMessage> records);
    }

    /** Lambda names the queue's ARN {@code eventSourceARN}; the bean property is {@code eventSourceArn}. */
    private abstract static class SqsMessageWireNames {
        @JsonProperty("eventSourceARN")
        abstract String getEventSourceArn();

        @JsonProperty("eventSourceARN")
        abstract void setEventSourceArn(String arn);
    }
}
