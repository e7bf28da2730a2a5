package io.shopsync.emulator;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one of template.yaml's EventBridge rules and Lambda's asynchronous invocation do, for tests and the
 * local stack: an event with {@code detail-type} {@code shopifyWebhook} whose {@code detail.metadata} names
 * one of the flow's topics (under the key spellings the rules list) invokes the handler with the event's
 * bytes unchanged; an invocation that throws is retried twice, as Lambda does, and then reported as what
 * would go to the flow's events dead-letter queue.
 */
public final class EventBridgeRule {

    /** The metadata keys the template's rules match the topic under. */
    public static final List<String> TOPIC_KEYS = List.of("X-Shopify-Topic", "x-shopify-topic", "shopify-topic");
    /** Lambda's default for asynchronous invocations, and the template's EventInvokeConfig. */
    public static final int ATTEMPTS = 3;

    /** One event's fate: the handler's answer, or the failure of its last attempt (then in the events DLQ). */
    public record Invocation(int attempts, String answer, Throwable failure) {
        public boolean deadLettered() {
            return failure != null;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Set<String> topics;
    private final RequestStreamHandler handler;

    public EventBridgeRule(Set<String> topics, RequestStreamHandler handler) {
        this.topics = Set.copyOf(topics);
        this.handler = handler;
    }

    /** The topic a rule would route the event by, if it is a Shopify webhook event that names one. */
    public static Optional<String> topicOf(byte[] event) {
        JsonNode node;
        try {
            node = JSON.readTree(event);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (node == null || !"shopifyWebhook".equals(node.path("detail-type").asText())) {
            return Optional.empty();
        }
        JsonNode metadata = node.path("detail").path("metadata");
        return TOPIC_KEYS.stream().map(metadata::path).filter(JsonNode::isTextual).map(JsonNode::asText).findFirst();
    }

    public boolean matches(byte[] event) {
        return topicOf(event).filter(topics::contains).isPresent();
    }

    public Invocation invoke(byte[] event) {
        Throwable failure = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                handler.handleRequest(new ByteArrayInputStream(event), out, null);
                return new Invocation(attempt, out.toString(StandardCharsets.UTF_8), null);
            } catch (IOException | RuntimeException e) {
                failure = e;
            }
        }
        return new Invocation(ATTEMPTS, null, failure);
    }
}
