package io.shopsync.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The secrets a delivery may be signed with: the app's client secret(s), current and previous
 * during a rotation, and per-shop signing keys for webhooks created in a store's admin.
 *
 * <p>Stored form (Secrets Manager secret string, or {@code SHOPIFY_WEBHOOK_SECRET} locally): either a
 * comma-separated list of client secrets, or JSON
 * {@code {"clientSecrets": ["current", "previous"], "shopSigningKeys": {"shop.myshopify.com": "key"}}}.
 */
public final class SigningSecrets {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<WebhookSignature> clientSecrets;
    private final Map<String, WebhookSignature> shopSigningKeys;

    private SigningSecrets(List<WebhookSignature> clientSecrets, Map<String, WebhookSignature> shopSigningKeys) {
        this.clientSecrets = List.copyOf(clientSecrets);
        this.shopSigningKeys = Map.copyOf(shopSigningKeys);
    }

    public static SigningSecrets of(List<String> clientSecrets, Map<String, String> shopSigningKeys) {
        List<WebhookSignature> clients = new ArrayList<>();
        clientSecrets.forEach(secret -> clients.add(WebhookSignature.forSecret(secret)));
        Map<String, WebhookSignature> shops = new LinkedHashMap<>();
        shopSigningKeys.forEach((shop, key) ->
                shops.put(shop.trim().toLowerCase(Locale.ROOT), WebhookSignature.forSecret(key)));
        if (clients.isEmpty() && shops.isEmpty()) {
            throw new IllegalArgumentException("no webhook signing secret configured: give at least one client "
                    + "secret (the app's client secret from the Shopify Dev Dashboard) or one shop signing key");
        }
        return new SigningSecrets(clients, shops);
    }

    /** Parses the stored form described on the class. Errors name the problem, never the secret. */
    public static SigningSecrets parse(String stored, String source) {
        String text = text(stored, source);
        if (!text.startsWith("{")) {
            return of(commaSeparated(text), Map.of());
        }
        JsonNode root = json(text, source);
        return of(clientSecrets(root, source), shopSigningKeys(root, source));
    }

    /**
     * The first app client secret of the stored form: what a tool signs sample deliveries with so the
     * stack accepts them (shop signing keys apply to one shop only).
     */
    public static String firstClientSecret(String stored, String source) {
        String text = text(stored, source);
        List<String> clients = text.startsWith("{") ? clientSecrets(json(text, source), source) : commaSeparated(text);
        if (clients.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no client secret (\"clientSecrets\" in its JSON form)");
        }
        return clients.get(0);
    }

    private static String text(String stored, String source) {
        if (stored == null || stored.isBlank()) {
            throw new IllegalArgumentException(source + " is empty: store the Shopify app client secret there");
        }
        return stored.trim();
    }

    private static List<String> commaSeparated(String text) {
        List<String> secrets = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                secrets.add(part.trim());
            }
        }
        return secrets;
    }

    private static JsonNode json(String text, String source) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(source + " is not valid JSON; expected "
                    + "{\"clientSecrets\": [...], \"shopSigningKeys\": {...}} or a comma-separated list");
        }
    }

    private static List<String> clientSecrets(JsonNode root, String source) {
        List<String> clients = new ArrayList<>();
        JsonNode clientNode = root.path("clientSecrets");
        if (clientNode.isTextual()) {
            clients.add(clientNode.asText());
        } else if (clientNode.isArray()) {
            clientNode.forEach(n -> {
                if (!n.isTextual() || n.asText().isBlank()) {
                    throw new IllegalArgumentException(source + ": clientSecrets must hold non-empty strings");
                }
                clients.add(n.asText());
            });
        } else if (!clientNode.isMissingNode()) {
            throw new IllegalArgumentException(source + ": clientSecrets must be a string or a list of strings");
        }
        return clients;
    }

    private static Map<String, String> shopSigningKeys(JsonNode root, String source) {
        Map<String, String> shops = new LinkedHashMap<>();
        JsonNode shopNode = root.path("shopSigningKeys");
        if (shopNode.isObject()) {
            shopNode.fields().forEachRemaining(e -> {
                if (!e.getValue().isTextual() || e.getValue().asText().isBlank()) {
                    throw new IllegalArgumentException(source + ": shopSigningKeys." + e.getKey()
                            + " must be a non-empty string");
                }
                shops.put(e.getKey(), e.getValue().asText());
            });
        } else if (!shopNode.isMissingNode()) {
            throw new IllegalArgumentException(source + ": shopSigningKeys must map shop domains to keys");
        }
        return shops;
    }

    /** The signatures a delivery from this shop may carry: the shop's own key first, then the app's. */
    public List<WebhookSignature> candidatesFor(String shopDomain) {
        WebhookSignature shopKey = shopDomain == null ? null : shopSigningKeys.get(shopDomain);
        if (shopKey == null) {
            return clientSecrets;
        }
        List<WebhookSignature> candidates = new ArrayList<>(clientSecrets.size() + 1);
        candidates.add(shopKey);
        candidates.addAll(clientSecrets);
        return candidates;
    }

    public int size() {
        return clientSecrets.size() + shopSigningKeys.size();
    }
}
