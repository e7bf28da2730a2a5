package io.shopsync.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.intake.HttpRequest;
import io.shopsync.intake.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads API Gateway HTTP API (payload format 2.0) events and writes their responses. The body's
 * bytes are taken exactly as API Gateway passed them: base64-decoded when {@code isBase64Encoded},
 * else the UTF-8 bytes of the string, never re-serialised.
 */
public final class HttpApiEvents {

    private HttpApiEvents() {}

    public static boolean isHttpApiEvent(JsonNode event) {
        return event.has("requestContext") && event.path("requestContext").has("http")
                && "2.0".equals(event.path("version").asText());
    }

    /** A body that cannot be what was received: {@code isBase64Encoded} with text that is not base64. */
    public static final class UnreadableBodyException extends RuntimeException {
        UnreadableBodyException(String message) {
            super(message);
        }
    }

    /** @throws UnreadableBodyException when the event says the body is base64 and it is not */
    public static HttpRequest request(JsonNode event) {
        Map<String, String> headers = headers(event);
        JsonNode bodyNode = event.get("body");
        byte[] body;
        if (bodyNode == null || bodyNode.isNull()) {
            body = new byte[0];
        } else if (event.path("isBase64Encoded").asBoolean(false)) {
            try {
                body = Base64.getDecoder().decode(bodyNode.asText());
            } catch (IllegalArgumentException e) {
                // API Gateway always sends valid base64: this event was made by someone else.
                throw new UnreadableBodyException("body is marked isBase64Encoded but is not base64");
            }
        } else {
            body = bodyNode.asText().getBytes(StandardCharsets.UTF_8);
        }
        return new HttpRequest(headers, body);
    }

    public static Map<String, String> headers(JsonNode event) {
        Map<String, String> headers = new LinkedHashMap<>();
        event.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        return headers;
    }

    public static ObjectNode response(ObjectMapper json, HttpResponse response) {
        ObjectNode node = json.createObjectNode();
        node.put("statusCode", response.statusCode());
        node.putObject("headers").put("content-type", "application/json");
        node.put("body", response.body());
        node.put("isBase64Encoded", false);
        return node;
    }
}
