package io.shopsync.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads Lambda SQS events and writes the partial batch response ({@code ReportBatchItemFailures}). */
public final class SqsEvents {

    private SqsEvents() {}

    public static boolean isSqsEvent(JsonNode event) {
        JsonNode records = event.get("Records");
        return records != null && records.isArray() && records.size() > 0
                && "aws:sqs".equals(records.get(0).path("eventSource").asText());
    }

    public static List<QueueMessage> messages(JsonNode event) {
        List<QueueMessage> messages = new ArrayList<>();
        for (JsonNode record : event.path("Records")) {
            Map<String, String> attributes = new LinkedHashMap<>();
            record.path("messageAttributes").fields().forEachRemaining(e -> {
                JsonNode value = e.getValue().get("stringValue");
                if (value != null && !value.isNull()) {
                    attributes.put(e.getKey(), value.asText());
                }
            });
            JsonNode system = record.path("attributes");
            messages.add(new QueueMessage(record.path("messageId").asText(), record.path("receiptHandle").asText(),
                    record.path("body").asText(), system.path("ApproximateReceiveCount").asInt(1),
                    system.path("MessageGroupId").asText(null), attributes));
        }
        return messages;
    }

    public static ObjectNode batchResponse(ObjectMapper json, List<String> failedMessageIds) {
        ObjectNode response = json.createObjectNode();
        ArrayNode failures = response.putArray("batchItemFailures");
        failedMessageIds.forEach(id -> failures.addObject().put("itemIdentifier", id));
        return response;
    }
}
