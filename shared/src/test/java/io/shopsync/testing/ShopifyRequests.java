package io.shopsync.testing;

import io.shopsync.intake.HttpRequest;
import io.shopsync.webhook.WebhookSignature;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Builds webhook requests as Shopify sends them (HTTP API lower-cases the header names). */
public final class ShopifyRequests {

    public static final String SHOP = "shopsync-demo.myshopify.com";
    public static final String SECRET = "shopsync-test-secret";

    private final Map<String, String> headers = new LinkedHashMap<>();
    private byte[] body;
    private String secret = SECRET;
    private boolean signed = true;

    private ShopifyRequests(String topic, byte[] body) {
        this.body = body;
        headers.put("content-type", "application/json");
        headers.put("x-shopify-topic", topic);
        headers.put("x-shopify-shop-domain", SHOP);
        headers.put("x-shopify-api-version", "2026-10");
        headers.put("x-shopify-webhook-id", UUID.randomUUID().toString());
        headers.put("x-shopify-event-id", UUID.randomUUID().toString());
        headers.put("x-shopify-triggered-at", "2026-11-27T10:15:47.234647458Z");
    }

    public static ShopifyRequests webhook(String topic, String json) {
        return new ShopifyRequests(topic, json.getBytes(StandardCharsets.UTF_8));
    }

    public static ShopifyRequests webhook(String topic, byte[] body) {
        return new ShopifyRequests(topic, body);
    }

    public ShopifyRequests header(String name, String value) {
        if (value == null) {
            headers.remove(name);
        } else {
            headers.put(name, value);
        }
        return this;
    }

    public ShopifyRequests signedWith(String signingSecret) {
        this.secret = signingSecret;
        return this;
    }

    public ShopifyRequests unsigned() {
        this.signed = false;
        return this;
    }

    /** Signs the current body, then replaces it: what an attacker altering a payload in flight produces. */
    public HttpRequest tamperedTo(String newBody) {
        HttpRequest original = build();
        return new HttpRequest(original.headers(), newBody.getBytes(StandardCharsets.UTF_8));
    }

    public HttpRequest build() {
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (signed) {
            all.put("x-shopify-hmac-sha256", WebhookSignature.sign(body, secret));
        }
        return new HttpRequest(all, body);
    }

    public String webhookId() {
        return headers.get("x-shopify-webhook-id");
    }
}
