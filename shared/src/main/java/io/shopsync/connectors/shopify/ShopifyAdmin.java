package io.shopsync.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.http.TargetHttp;
import io.shopsync.http.TargetResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Shopify's Admin GraphQL API, for what webhooks leave out (an inventory level's SKU and on-hand
 * quantity, a fulfilment's e-mail). Cost-based
 * throttling: a THROTTLED answer becomes a retry after the time the bucket needs to refill.
 *
 * <p>Tokens: one Admin API access token per shop, stored as JSON {@code {"shop.myshopify.com": "shpat_..."}};
 * or, for a single-store deployment, the token alone.
 */
public final class ShopifyAdmin {

    public static final String DEFAULT_API_VERSION = "2026-10";
    private static final String INVENTORY_ITEM = "query InventoryItem($id: ID!) "
            + "{ inventoryItem(id: $id) { id sku tracked variant { id } } }";
    private static final String ON_HAND = "query OnHand($item: ID!, $location: ID!) { inventoryItem(id: $item)"
            + " { inventoryLevel(locationId: $location) { quantities(names: [\"on_hand\"]) { name quantity } } } }";
    private static final String ORDER_EMAIL = "query OrderEmail($id: ID!) { order(id: $id) { email } }";

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
        ObjectNode body = json.createObjectNode();
        body.put("query", INVENTORY_ITEM);
        body.putObject("variables").put("id", "gid://shopify/InventoryItem/" + inventoryItemId);
        Answer answer = query(shop, body, "read_inventory", "the SKU look-up for inventory item " + inventoryItemId);
        if (answer instanceof Answer.Failed failed) {
            return new ItemLookup.Failed(failed.outcome());
        }
        JsonNode item = ((Answer.Data) answer).data().path("inventoryItem");
        if (item.isMissingNode() || item.isNull()) {
            return new ItemLookup.NotFound();
        }
        String sku = item.path("sku").isTextual() && !item.path("sku").asText().isBlank() ? item.path("sku").asText().trim() : null;
        String variantGid = item.path("variant").path("id").asText(null);
        String variantId = variantGid == null ? null : variantGid.substring(variantGid.lastIndexOf('/') + 1);
        return new ItemLookup.Found(sku, item.path("tracked").asBoolean(false), variantId);
    }

    /** What Shopify says about an order's e-mail. */
    public sealed interface OrderLookup {
        /** @param email the order's e-mail as Shopify holds it, or null when it has none */
        record Found(String email) implements OrderLookup {}

        record NotFound() implements OrderLookup {}

        /** The lookup failed: retry later, or a permanent reason. */
        record Failed(DeliveryOutcome outcome) implements OrderLookup {}
    }

    /**
     * The order's e-mail ({@code order(id) { email }}; scope {@code read_orders}, and
     * {@code read_all_orders} for orders older than 60 days; the e-mail is protected customer data).
     */
    public OrderLookup orderEmail(String shop, String orderId) {
        ObjectNode body = json.createObjectNode();
        body.put("query", ORDER_EMAIL);
        body.putObject("variables").put("id", "gid://shopify/Order/" + orderId);
        Answer answer = query(shop, body, "read_orders", "the e-mail look-up for order " + orderId);
        if (answer instanceof Answer.Failed failed) {
            return new OrderLookup.Failed(failed.outcome());
        }
        JsonNode order = ((Answer.Data) answer).data().path("order");
        if (order.isMissingNode() || order.isNull()) {
            return new OrderLookup.NotFound();
        }
        JsonNode email = order.path("email");
        return new OrderLookup.Found(email.isTextual() && !email.asText().isBlank() ? email.asText() : null);
    }

    /** What Shopify says about an inventory level's on-hand quantity. */
    public sealed interface QuantityLookup {
        record Found(int quantity) implements QuantityLookup {}

        /** The item is not stocked at the location (or either is gone). */
        record NotFound() implements QuantityLookup {}

        record Failed(DeliveryOutcome outcome) implements QuantityLookup {}
    }

    /** The level's {@code on_hand} quantity now (scope {@code read_inventory}). */
    public QuantityLookup onHand(String shop, String inventoryItemId, String locationId) {
        ObjectNode body = json.createObjectNode();
        body.put("query", ON_HAND);
        body.putObject("variables").put("item", "gid://shopify/InventoryItem/" + inventoryItemId)
                .put("location", "gid://shopify/Location/" + locationId);
        Answer answer = query(shop, body, "read_inventory", "the on-hand look-up for inventory item " + inventoryItemId
                + " at location " + locationId);
        if (answer instanceof Answer.Failed failed) {
            return new QuantityLookup.Failed(failed.outcome());
        }
        for (JsonNode quantity : ((Answer.Data) answer).data().path("inventoryItem").path("inventoryLevel")
                .path("quantities")) {
            if ("on_hand".equals(quantity.path("name").asText()) && quantity.path("quantity").canConvertToInt()) {
                return new QuantityLookup.Found(quantity.path("quantity").asInt());
            }
        }
        return new QuantityLookup.NotFound();
    }

    /** A GraphQL answer's {@code data}, or what its failure means for the delivery. */
    private sealed interface Answer {
        record Data(JsonNode data) implements Answer {}

        record Failed(DeliveryOutcome outcome) implements Answer {}
    }

    /** Sends a query with the shop's token (reloaded once after a 401); {@code scope} names what it needs. */
    private Answer query(String shop, ObjectNode body, String scope, String what) {
        Optional<String> token = token(shop);
        if (token.isEmpty()) {
            return new Answer.Failed(new DeliveryOutcome.PermanentFailure("no Shopify Admin API token for shop " + shop
                    + " in " + tokens.description() + ": add {\"" + shop + "\": \"shpat_...\"} (scope " + scope
                    + "), then redrive", "shopify-token-missing"));
        }
        TargetResponse response = post(shop, token.get(), body);
        if (response instanceof TargetResponse.Permanent permanent && permanent.status() == 401
                && tokens.refreshAfterRejection()) {
            response = post(shop, token(shop).orElse(token.get()), body);
        }
        if (response instanceof TargetResponse.Transient retry) {
            return new Answer.Failed(retry.outcome());
        }
        if (response instanceof TargetResponse.Permanent permanent) {
            String advice = permanent.status() == 401 || permanent.status() == 403
                    ? " (rotate the shop's Admin API token or grant " + scope + ")" : "";
            return new Answer.Failed(new DeliveryOutcome.PermanentFailure(permanent.reason() + advice, permanent.category()));
        }
        JsonNode root;
        try {
            root = json.readTree(((TargetResponse.Success) response).body());
        } catch (IOException e) {
            return new Answer.Failed(new DeliveryOutcome.RetryLater("shopify answered GraphQL with a body that is not JSON"));
        }
        for (JsonNode error : root.path("errors")) {
            if ("THROTTLED".equals(error.path("extensions").path("code").asText())) {
                return new Answer.Failed(new DeliveryOutcome.RetryLater("shopify Admin API throttled " + what,
                        Optional.of(clock.instant().plus(refill(root.path("extensions").path("cost"))))));
            }
        }
        if (root.path("errors").size() > 0) {
            return new Answer.Failed(new DeliveryOutcome.PermanentFailure("shopify rejected " + what + ": "
                    + root.path("errors").get(0).path("message").asText(), "shopify-graphql"));
        }
        return new Answer.Data(root.path("data"));
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
