package io.shopsync.lambda;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import io.shopsync.envelope.RawJson;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads Shopify's Amazon EventBridge deliveries as Lambda receives them from a rule: {@code detail-type}
 * {@code shopifyWebhook}, the webhook body as a JSON value in {@code detail.payload}, and the
 * {@code X-Shopify-*} headers in {@code detail.metadata} (any key casing; {@link io.shopsync.webhook.ShopifyHeaders}
 * looks them up case-insensitively, with or without the {@code X-} prefix).
 *
 * <p>The payload's bytes are cut out of the event exactly as Lambda passed it ({@link RawJson}).
 */
public final class EventBridgeEvents {

    /** What Shopify sets as {@code detail-type} on every webhook it puts on a partner event bus. */
    public static final String SHOPIFY_DETAIL_TYPE = "shopifyWebhook";

    private EventBridgeEvents() {}

    /** One Shopify webhook delivered through EventBridge: its headers and its exact payload bytes. */
    public record Delivery(Map<String, String> metadata, byte[] payload) {
        public Delivery {
            metadata = Map.copyOf(metadata);
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }
    }

    /**
     * A message of a flow's EventBridge dead-letter queue and the Shopify delivery it keeps.
     *
     * @param source {@code rule} when the rule's target dead-lettered it (the body is the event, the reason in
     *     the {@code ERROR_*} message attributes), {@code lambda} for Lambda's invocation record (the event in
     *     {@code requestPayload}, the reason in {@code requestContext.condition} and {@code responsePayload})
     * @param error what failed, as the record says it ({@code null} for the rule's: its attributes say it)
     */
    public record DeadLetter(String source, String eventId, String error, Delivery delivery) {}

    /**
     * Reads an events dead-letter message into the same {@link Delivery} {@code FlowFunction} makes of the
     * event, so a redrive queues exactly what the function would have: the payload's bytes are cut out of the
     * message as it is stored, never re-serialised.
     *
     * @throws IllegalArgumentException when the message holds no Shopify EventBridge event (the message says why)
     */
    public static DeadLetter deadLetter(byte[] messageBody, ObjectMapper json) {
        JsonNode message;
        try {
            message = json.readTree(messageBody);
        } catch (IOException e) {
            throw new IllegalArgumentException("the message is not JSON (" + e.getClass().getSimpleName() + ")");
        }
        if (message == null || !message.isObject()) {
            throw new IllegalArgumentException("the message is not a JSON object");
        }
        if (message.has("requestPayload") && message.has("requestContext")) {
            JsonNode event = message.get("requestPayload");
            if (!isEventBridgeEvent(event)) {
                throw new IllegalArgumentException("Lambda's invocation record holds no EventBridge event in requestPayload");
            }
            byte[] raw = RawJson.valueAt(messageBody, json.getFactory(), "requestPayload").orElseThrow(() ->
                    new IllegalStateException("requestPayload not found where the tree had it"));
            String error = message.path("requestContext").path("condition").asText("unknown condition");
            JsonNode response = message.path("responsePayload");
            if (response.hasNonNull("errorMessage")) {
                error += ": " + response.get("errorMessage").asText();
            }
            return new DeadLetter("lambda", event.path("id").asText(null), error, delivery(raw, event, json.getFactory()));
        }
        if (!isEventBridgeEvent(message)) {
            throw new IllegalArgumentException("the message is neither an EventBridge event nor Lambda's invocation record");
        }
        return new DeadLetter("rule", message.path("id").asText(null), null,
                delivery(messageBody, message, json.getFactory()));
    }

    public static boolean isEventBridgeEvent(JsonNode event) {
        return event.isObject() && event.has("detail-type") && event.has("source") && event.has("detail");
    }

    /**
     * @param rawEvent the invocation's bytes, exactly as Lambda passed them
     * @param event the same bytes read as a tree
     * @throws IllegalArgumentException when the event is not a Shopify webhook (another detail-type: the
     *     rule's pattern should never have sent it here)
     */
    public static Delivery delivery(byte[] rawEvent, JsonNode event, JsonFactory factory) {
        String detailType = event.path("detail-type").asText();
        if (!SHOPIFY_DETAIL_TYPE.equals(detailType)) {
            throw new IllegalArgumentException("EventBridge event " + event.path("id").asText("without id")
                    + " from " + event.path("source").asText() + " has detail-type \"" + detailType + "\", not \""
                    + SHOPIFY_DETAIL_TYPE + "\": check the rule's event pattern in template.yaml");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        event.path("detail").path("metadata").fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                metadata.put(e.getKey(), e.getValue().asText());
            }
        });
        JsonNode payload = event.path("detail").get("payload");
        byte[] bytes;
        if (payload == null || payload.isNull()) {
            bytes = new byte[0];
        } else if (payload.isTextual()) {
            // A bus that carries the body as a JSON string: the string is the document.
            bytes = payload.asText().getBytes(StandardCharsets.UTF_8);
        } else {
            bytes = RawJson.valueAt(rawEvent, factory, "detail", "payload").orElseThrow(() ->
                    new IllegalStateException("detail.payload not found where the tree had it"));
        }
        return new Delivery(metadata, bytes);
    }
}
