package io.shopsync.testing;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.lambda.FlowFunction;
import io.shopsync.lambda.LambdaEvents;
import io.shopsync.webhook.WebhookSignature;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Invokes a flow's real handler the way the Lambda runtime does: raw event bytes in, raw response out. */
public final class LambdaInvoker {

    /** The dev secret the events/ files are signed with (events/README.md). */
    public static final String DEV_SECRET = "shopsync-local-dev-secret";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LambdaEvents EVENTS = new LambdaEvents(JSON);

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
        APIGatewayV2HTTPEvent request = bind(event);
        String body = request.getBody();
        int digit = 0;
        while (!Character.isDigit(body.charAt(digit))) {
            digit++;
        }
        char changed = body.charAt(digit) == '9' ? '8' : (char) (body.charAt(digit) + 1);
        request.setBody(body.substring(0, digit) + changed + body.substring(digit + 1));
        return write(request);
    }

    /**
     * Another delivery on the same route and topic: this body, signed with the dev secret as Shopify
     * would, with its own webhook and event ids.
     */
    public static String withBody(String event, String body) {
        APIGatewayV2HTTPEvent request = bind(event);
        request.setBody(body);
        Map<String, String> headers = new LinkedHashMap<>(request.getHeaders());
        headers.put("x-shopify-hmac-sha256", WebhookSignature.sign(body.getBytes(StandardCharsets.UTF_8), DEV_SECRET));
        headers.put("x-shopify-webhook-id", java.util.UUID.randomUUID().toString());
        headers.put("x-shopify-event-id", java.util.UUID.randomUUID().toString());
        request.setHeaders(headers);
        return write(request);
    }

    /** Another delivery on the same route with another topic and body. */
    public static String withTopicAndBody(String event, String topic, String body) {
        APIGatewayV2HTTPEvent request = bind(withBody(event, body));
        Map<String, String> headers = new LinkedHashMap<>(request.getHeaders());
        headers.put("x-shopify-topic", topic);
        request.setHeaders(headers);
        return write(request);
    }

    /** An API Gateway event (Lambda's wire JSON, e.g. from events/) as aws-lambda-java-events' type. */
    private static APIGatewayV2HTTPEvent bind(String event) {
        try {
            return EVENTS.httpEvent(JSON.readTree(event));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String write(APIGatewayV2HTTPEvent event) {
        try {
            return new String(EVENTS.write(event), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same API Gateway event with its body base64-encoded, as API Gateway sends binary media types. */
    public static String base64Encoded(String event) {
        APIGatewayV2HTTPEvent request = bind(event);
        request.setBody(Base64.getEncoder().encodeToString(request.getBody().getBytes(StandardCharsets.UTF_8)));
        request.setIsBase64Encoded(true);
        return write(request);
    }
}
