package io.shopsync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.webhook.ShopifyHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One file to replay, read into the webhook it describes. Two kinds of file are understood:
 * <ul>
 *   <li>an API Gateway HTTP API event, as in events/&lt;flow&gt;/*.json: its body (base64-decoded when
 *   flagged), its Shopify headers and its route;</li>
 *   <li>a raw Shopify payload: its exact bytes are the body; the topic comes from a sidecar file
 *   {@code <file>.topic} or {@code --topic}, the shop from {@code --shop}, the route from the flow that
 *   takes the topic.</li>
 * </ul>
 * An SQS delivery event (events/&lt;flow&gt;/sqs-delivery.json) is not a webhook: it is skipped; so is a
 * Shopify EventBridge event (events/eventbridge/), which no HTTPS route takes.
 *
 * @param route the path to post to (from the event), or empty to take the topic's flow's route
 * @param headers the headers to send, without signature, webhook id and event id (set per post)
 * @param triggeredAt from X-Shopify-Triggered-At, for ordering; empty for raw payloads
 */
record WebhookFile(Path file, String topic, String shop, Optional<String> route, byte[] body,
                   Map<String, String> headers, Optional<Instant> triggeredAt) {

    /** What the command line says about raw payloads (and the shop, which overrides an event's). */
    record Defaults(String topic, String shop, String apiVersion) {}

    /** A file that is not a webhook to post, and why. */
    static final class NotAWebhook extends Exception {
        private static final long serialVersionUID = 1L;

        NotAWebhook(String reason) {
            super(reason);
        }
    }

    /** A raw payload with no topic given: an error for a file named on the command line, skipped in a directory. */
    static final class MissingTopic extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        MissingTopic(String message) {
            super(message);
        }
    }

    /** Headers only API Gateway or the HTTP client set; they are not forwarded. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection", "expect",
            "upgrade", "x-amzn-trace-id", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto");
    private static final ObjectMapper JSON = new ObjectMapper();

    WebhookFile {
        headers = Map.copyOf(headers);
    }

    /**
     * Reads a file.
     *
     * @throws NotAWebhook for an SQS delivery event
     * @throws MissingTopic for a raw payload whose topic is neither in a sidecar nor given
     * @throws IllegalArgumentException when the file cannot be posted as it is; the message says what to change
     */
    static WebhookFile read(Path file, Defaults defaults) throws NotAWebhook {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read it: " + e.getMessage());
        }
        JsonNode root = parse(bytes);
        if (root != null && root.isObject() && root.path("Records").isArray()) {
            throw new NotAWebhook("SQS delivery events (what the queue trigger gets), not webhooks");
        }
        if (root != null && root.isObject() && root.has("detail-type") && root.path("detail").isObject()) {
            throw new NotAWebhook("EventBridge events, which go to the partner event bus, not an HTTPS route"
                    + " (scripts/local --inject-eventbridge puts them on the local stack's)");
        }
        if (root != null && root.isObject() && root.path("body").isTextual() && root.path("headers").isObject()) {
            return fromApiGatewayEvent(file, root, defaults);
        }
        return fromPayload(file, bytes, defaults);
    }

    private static WebhookFile fromApiGatewayEvent(Path file, JsonNode event, Defaults defaults) {
        String text = event.path("body").asText();
        byte[] body;
        try {
            body = event.path("isBase64Encoded").asBoolean(false) ? Base64.getDecoder().decode(text)
                    : text.getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("its body is flagged isBase64Encoded but is not base64");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        event.path("headers").properties().forEach(header -> {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(name) && header.getValue().isValueNode()) {
                headers.put(header.getKey(), header.getValue().asText());
            }
        });
        remove(headers, "hmac-sha256");
        ShopifyHeaders shopify = ShopifyHeaders.of(headers);
        String topic = shopify.topic();
        if (topic == null) {
            throw new IllegalArgumentException("the event has no x-shopify-topic header: add it, or replay its body as a "
                    + "raw payload with --topic");
        }
        String shop = defaults.shop() != null ? defaults.shop() : shopify.shopDomain();
        if (shop == null) {
            throw new IllegalArgumentException("the event has no x-shopify-shop-domain header: pass --shop");
        }
        if (defaults.shop() != null) {
            remove(headers, "shop-domain");
            headers.put("X-Shopify-Shop-Domain", shop);
        }
        String path = event.path("rawPath").asText(event.path("requestContext").path("http").path("path").asText(""));
        Optional<Instant> triggeredAt = Optional.ofNullable(shopify.get("triggered-at")).flatMap(WebhookFile::instant);
        return new WebhookFile(file, topic, shop, Optional.of(path).filter(p -> p.startsWith("/")), body, headers,
                triggeredAt);
    }

    private static WebhookFile fromPayload(Path file, byte[] body, Defaults defaults) {
        Path sidecar = file.resolveSibling(file.getFileName() + ".topic");
        String topic;
        if (Files.isRegularFile(sidecar)) {
            try {
                topic = Files.readString(sidecar).trim().toLowerCase(Locale.ROOT);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read its topic file " + sidecar + ": " + e.getMessage());
            }
            if (topic.isEmpty()) {
                throw new IllegalArgumentException("its topic file " + sidecar + " is empty: write the topic in it, "
                        + "e.g. orders/create");
            }
        } else if (defaults.topic() != null) {
            topic = defaults.topic().trim().toLowerCase(Locale.ROOT);
        } else {
            throw new MissingTopic("a raw payload needs its topic: write it to " + sidecar.getFileName()
                    + " beside it (e.g. orders/create), or pass --topic");
        }
        if (defaults.shop() == null) {
            throw new IllegalArgumentException("a raw payload needs the shop it comes from: pass --shop "
                    + "your-store.myshopify.com");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-Shopify-Topic", topic);
        headers.put("X-Shopify-Shop-Domain", defaults.shop());
        headers.put("X-Shopify-API-Version", defaults.apiVersion());
        return new WebhookFile(file, topic, defaults.shop(), Optional.empty(), body, headers, Optional.empty());
    }

    /** Removes a Shopify header under its classic and its newer name, whatever the case. */
    static void remove(Map<String, String> headers, String suffix) {
        headers.keySet().removeIf(name -> {
            String lower = name.toLowerCase(Locale.ROOT);
            return lower.equals("x-shopify-" + suffix) || lower.equals("shopify-" + suffix);
        });
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            return null; // not JSON: a raw payload (intake dead-letters it as invalid JSON, which may be the point)
        }
    }

    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
