package io.shopsync.lambda;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
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
