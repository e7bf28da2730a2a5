package io.shopsync.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.lambda.FlowFunction;
import io.shopsync.webhook.WebhookSignature;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Invokes a flow's real handler the way the Lambda runtime does: raw event bytes in, raw response out. */
public final class LambdaInvoker {

    /** The dev secret the events/ files are signed with (events/README.md). */
    public static final String DEV_SECRET = "shopsync-local-dev-secret";

    private static final ObjectMapper JSON = new ObjectMapper();

    private LambdaInvoker() {}

    public static JsonNode invoke(FlowFunction function, String event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            function.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
            return JSON.readTree(out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same API Gateway event with the first digit of its body changed (an id) and the signature kept. */
    public static String tampered(String event) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(event);
            String body = node.get("body").asText();
            int digit = 0;
            while (!Character.isDigit(body.charAt(digit))) {
                digit++;
            }
            char changed = body.charAt(digit) == '9' ? '8' : (char) (body.charAt(digit) + 1);
            node.put("body", body.substring(0, digit) + changed + body.substring(digit + 1));
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Another delivery on the same route and topic: this body, signed with the dev secret as Shopify
     * would, with its own webhook and event ids.
     */
    public static String withBody(String event, String body) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(event);
            node.put("body", body);
            ObjectNode headers = (ObjectNode) node.get("headers");
            headers.put("x-shopify-hmac-sha256", WebhookSignature.sign(body.getBytes(StandardCharsets.UTF_8), DEV_SECRET));
            headers.put("x-shopify-webhook-id", java.util.UUID.randomUUID().toString());
            headers.put("x-shopify-event-id", java.util.UUID.randomUUID().toString());
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Another delivery on the same route with another topic and body. */
    public static String withTopicAndBody(String event, String topic, String body) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(withBody(event, body));
            ((ObjectNode) node.get("headers")).put("x-shopify-topic", topic);
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same API Gateway event with its body base64-encoded, as API Gateway sends binary media types. */
    public static String base64Encoded(String event) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(event);
            node.put("body", Base64.getEncoder().encodeToString(node.get("body").asText().getBytes(StandardCharsets.UTF_8)));
            node.put("isBase64Encoded", true);
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
