package io.shopsync.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * The envelope's JSON form on the queue. A UTF-8 body (every real Shopify body) travels as a JSON
 * string, which round-trips to the exact bytes; anything else travels as base64, so no byte is ever
 * changed between intake and delivery. Characters SQS refuses as text (U+FFFE, U+FFFF, unpaired
 * surrogates: see {@link QueueText}) are written as JSON escapes, which decode to the same characters,
 * so every authentic webhook can be queued and its bytes still verify.
 */
public final class EnvelopeCodec {

    /** Format version, so a later reader can tell old messages from new ones. */
    public static final int VERSION = 1;

    private final ObjectMapper json;

    public EnvelopeCodec(ObjectMapper json) {
        this.json = json;
    }

    public String encode(Envelope envelope) {
        ObjectNode node = json.createObjectNode();
        node.put("v", VERSION);
        node.put("flow", envelope.flow());
        putIfPresent(node, "topic", envelope.topic());
        putIfPresent(node, "shop", envelope.shop());
        putIfPresent(node, "webhookId", envelope.webhookId());
        putIfPresent(node, "eventId", envelope.eventId());
        if (envelope.triggeredAt() != null) {
            node.put("triggeredAt", envelope.triggeredAt().toString());
        }
        putIfPresent(node, "apiVersion", envelope.apiVersion());
        node.put("receivedAt", envelope.receivedAt().toString());
        putIfPresent(node, "entity", envelope.entity());
        if (envelope.body() instanceof Body.Inline inline) {
            byte[] bytes = inline.bytes();
            String text = strictUtf8(bytes);
            if (text != null) {
                node.put("body", text);
            } else {
                node.put("bodyBase64", Base64.getEncoder().encodeToString(bytes));
            }
        } else if (envelope.body() instanceof Body.ClaimCheck check) {
            ObjectNode ref = node.putObject("claimCheck");
            ref.put("bucket", check.bucket());
            ref.put("key", check.key());
            ref.put("sha256", check.sha256());
            ref.put("size", check.size());
        }
        try {
            return QueueText.escapeForJson(json.writeValueAsString(node));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode envelope", e);
        }
    }

    /** @throws MalformedEnvelopeException when the message is not an envelope this version can read */
    public Envelope decode(String message) {
        JsonNode node;
        try {
            node = json.readTree(message);
        } catch (IOException e) {
            throw new MalformedEnvelopeException("queue message is not JSON (" + e.getClass().getSimpleName() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new MalformedEnvelopeException("queue message is not a JSON object");
        }
        int version = node.path("v").asInt(-1);
        if (version != VERSION) {
            throw new MalformedEnvelopeException("unknown envelope version " + node.path("v")
                    + " (this build reads version " + VERSION + ")");
        }
        Body body;
        if (node.hasNonNull("body")) {
            body = new Body.Inline(node.get("body").asText().getBytes(StandardCharsets.UTF_8));
        } else if (node.hasNonNull("bodyBase64")) {
            body = new Body.Inline(Base64.getDecoder().decode(node.get("bodyBase64").asText()));
        } else if (node.hasNonNull("claimCheck")) {
            JsonNode ref = node.get("claimCheck");
            body = new Body.ClaimCheck(required(ref, "bucket"), required(ref, "key"), required(ref, "sha256"),
                    ref.path("size").asLong());
        } else {
            throw new MalformedEnvelopeException("envelope has no body, bodyBase64 or claimCheck");
        }
        Instant receivedAt = instant(node, "receivedAt");
        if (receivedAt == null) {
            throw new MalformedEnvelopeException("envelope has no receivedAt");
        }
        return new Envelope(required(node, "flow"), text(node, "topic"), text(node, "shop"), text(node, "webhookId"),
                text(node, "eventId"), instant(node, "triggeredAt"), text(node, "apiVersion"),
                receivedAt, text(node, "entity"), body);
    }

    private static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String required(JsonNode node, String field) {
        String value = text(node, field);
        if (value == null) {
            throw new MalformedEnvelopeException("envelope has no " + field);
        }
        return value;
    }

    private static Instant instant(JsonNode node, String field) {
        String value = text(node, field);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new MalformedEnvelopeException("envelope " + field + " is not an ISO-8601 instant: " + value);
        }
    }
}
