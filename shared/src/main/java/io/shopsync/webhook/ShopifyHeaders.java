package io.shopsync.webhook;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The Shopify headers of one delivery, looked up case-insensitively under both the classic
 * {@code X-Shopify-*} names and the newer unprefixed {@code shopify-*} names.
 * Only the HMAC is needed to authenticate; every other header is optional here.
 */
public final class ShopifyHeaders {

    private final Map<String, String> headers;

    private ShopifyHeaders(Map<String, String> headers) {
        this.headers = headers;
    }

    public static ShopifyHeaders of(Map<String, String> raw) {
        Map<String, String> normalised = new TreeMap<>();
        if (raw != null) {
            raw.forEach((name, value) -> {
                if (name != null && value != null) {
                    normalised.put(name.toLowerCase(Locale.ROOT), value);
                }
            });
        }
        return new ShopifyHeaders(normalised);
    }

    /**
     * Value of {@code X-Shopify-<suffix>} or {@code shopify-<suffix>} without the spaces and tabs HTTP allows
     * around it, or null. Control characters are kept, so a value carrying them never matches a shop.
     */
    private static final Pattern OPTIONAL_WHITESPACE = Pattern.compile("^[ \\t]+|[ \\t]+$");

    public String get(String suffix) {
        String key = suffix.toLowerCase(Locale.ROOT);
        String value = headers.get("x-shopify-" + key);
        if (value == null) {
            value = headers.get("shopify-" + key);
        }
        if (value == null) {
            return null;
        }
        String trimmed = OPTIONAL_WHITESPACE.matcher(value).replaceAll("");
        return trimmed.isEmpty() ? null : trimmed;
    }

    public String hmac() {
        return get("hmac-sha256");
    }

    public String topic() {
        String topic = get("topic");
        return topic == null ? null : topic.toLowerCase(Locale.ROOT);
    }

    public String shopDomain() {
        String shop = get("shop-domain");
        return shop == null ? null : shop.toLowerCase(Locale.ROOT);
    }

    public String apiVersion() {
        return get("api-version");
    }

    public String webhookId() {
        return get("webhook-id");
    }

    public String eventId() {
        return get("event-id");
    }

    /** X-Shopify-Triggered-At as an instant (nanosecond precision kept), if present and well formed. */
    public Optional<Instant> triggeredAt() {
        String value = get("triggered-at");
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
