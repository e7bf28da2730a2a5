package io.shopsync.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.http.ErrorCodes;
import io.shopsync.http.TargetHttp;
import io.shopsync.http.TargetResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Shopify's Admin GraphQL API, for what webhooks leave out (an inventory level's SKU). Cost-based
 * throttling: a THROTTLED answer becomes a retry after the time the bucket needs to refill.
 *
 * <p>Tokens: one Admin API access token per shop, stored as JSON {@code {"shop.myshopify.com": "shpat_..."}};
 * or, for a single-store deployment, the token alone.
 */
public final class ShopifyAdmin {

    public static final String DEFAULT_API_VERSION = "2026-10";
    private static final String INVENTORY_ITEM = "query InventoryItem($id: ID!) "
            + "{ inventoryItem(id: $id) { id sku tracked variant { id } } }";

    private final TargetHttp http;
    private final String baseUrlOverride;
    private final CachedSecret tokens;
    private final String apiVersion;
    private final ObjectMapper json;
    private final Clock clock;

    /** @param baseUrlOverride null for {@code https://<shop>}; a local server in tests */
    public ShopifyAdmin(TargetHttp http, String baseUrlOverride, CachedSecret tokens, String apiVersion,
                        ObjectMapper json, Clock clock) {
        this.http = http;
        this.baseUrlOverride = baseUrlOverride;
        this.tokens = tokens;
        this.apiVersion = apiVersion;
        this.json = json;
        this.clock = clock;
    }

    /** What Shopify says about an inventory item. */
    public sealed interface ItemLookup {
        /** @param sku null when the item has none; @param variantId numeric text, or null */
        record Found(String sku, boolean tracked, String variantId) implements ItemLookup {}

        record NotFound() implements ItemLookup {}

        /** The lookup failed: retry later, or a permanent reason. */
        record Failed(DeliveryOutcome outcome) implements ItemLookup {}
    }

    public ItemLookup inventoryItem(String shop, String inventoryItemId) {
        Optional<String> token = token(shop);
        if (token.isEmpty()) {
            return new ItemLookup.Failed(new DeliveryOutcome.PermanentFailure("no Shopify Admin API token for shop " + shop
                    + " in " + tokens.description() + ": add {\"" + shop + "\": \"shpat_...\"} (scope read_inventory), then redrive",
                    "shopify-token-missing"));
        }
        ObjectNode body = json.createObjectNode();
        body.put("query", INVENTORY_ITEM);
        body.putObject("variables").put("id", "gid://shopify/InventoryItem/" + inventoryItemId);
        TargetResponse response = post(shop, token.get(), body);
        if (response instanceof TargetResponse.Permanent permanent && permanent.status() == 401
                && tokens.refreshAfterRejection()) {
            response = post(shop, token(shop).orElse(token.get()), body);
        }
        if (response instanceof TargetResponse.Transient retry) {
            return new ItemLookup.Failed(retry.outcome());
        }
        if (response instanceof TargetResponse.Permanent permanent) {
            String advice = permanent.status() == 401 || permanent.status() == 403
                    ? " (rotate the shop's Admin API token or grant read_inventory)" : "";
            return new ItemLookup.Failed(new DeliveryOutcome.PermanentFailure(permanent.reason() + advice, permanent.category()));
        }
        return read(((TargetResponse.Success) response).body(), inventoryItemId);
    }

    private ItemLookup read(String text, String inventoryItemId) {
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (IOException e) {
            return new ItemLookup.Failed(new DeliveryOutcome.RetryLater("shopify answered GraphQL with a body that is not JSON"));
        }
        for (JsonNode error : root.path("errors")) {
            if ("THROTTLED".equals(error.path("extensions").path("code").asText())) {
                return new ItemLookup.Failed(new DeliveryOutcome.RetryLater("shopify Admin API throttled the SKU look-up",
                        Optional.of(clock.instant().plus(refill(root.path("extensions").path("cost"))))));
            }
        }
        if (root.path("errors").size() > 0) {
            return new ItemLookup.Failed(new DeliveryOutcome.PermanentFailure("shopify rejected the SKU look-up for inventory item "
                    + inventoryItemId + ": " + ErrorCodes.of(root.path("errors")), "shopify-graphql"));
        }
        JsonNode item = root.path("data").path("inventoryItem");
        if (item.isMissingNode() || item.isNull()) {
            return new ItemLookup.NotFound();
        }
        String sku = item.path("sku").isTextual() && !item.path("sku").asText().isBlank() ? item.path("sku").asText().trim() : null;
        String variantGid = item.path("variant").path("id").asText(null);
        String variantId = variantGid == null ? null : variantGid.substring(variantGid.lastIndexOf('/') + 1);
        return new ItemLookup.Found(sku, item.path("tracked").asBoolean(false), variantId);
    }

    /** Time for the bucket to hold the query's cost again, at its restore rate (at least a second). */
    private static Duration refill(JsonNode cost) {
        double requested = cost.path("requestedQueryCost").asDouble(1);
        JsonNode status = cost.path("throttleStatus");
        double available = status.path("currentlyAvailable").asDouble(0);
        double rate = status.path("restoreRate").asDouble(50);
        long millis = (long) Math.ceil(Math.max(0, requested - available) / Math.max(rate, 1) * 1000);
        return Duration.ofMillis(Math.max(1000, millis));
    }

    private Optional<String> token(String shop) {
        String stored = tokens.get();
        if (!stored.startsWith("{")) {
            return Optional.of(stored);
        }
        try {
            JsonNode all = json.readTree(stored);
            JsonNode token = all.get(shop);
            return token == null || !token.isTextual() ? Optional.empty() : Optional.of(token.asText());
        } catch (IOException e) {
            throw new IllegalStateException(tokens.description() + " must be JSON {\"shop.myshopify.com\": \"shpat_...\"}");
        }
    }

    private TargetResponse post(String shop, String token, ObjectNode body) {
        String base = baseUrlOverride != null ? baseUrlOverride : "https://" + shop;
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + "/admin/api/" + apiVersion + "/graphql.json"))
                    .header("X-Shopify-Access-Token", token)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a GraphQL request", e);
        }
    }
}
