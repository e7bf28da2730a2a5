package io.shopsync.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.envelope.RawJson;
import io.shopsync.http.ErrorCodes;
import io.shopsync.http.TargetHttp;
import io.shopsync.http.TargetResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Shopify's Admin GraphQL API, for what webhooks leave out (an inventory level's SKU and on-hand
 * quantity, a fulfilment's e-mail), and the REST read of a resource whose webhook arrived as its id only. Cost-based
 * throttling: a THROTTLED answer becomes a retry after the time the bucket needs to refill.
 *
 * <p>Tokens come from {@link AdminAccessTokens}: a static token or one obtained with a Dev Dashboard app's
 * client credentials, per shop. The request goes to {@code https://<configured shop>}: the shop of a
 * delivery only selects a configured shop, because Shopify does not sign the header it comes from.
 */
public final class ShopifyAdmin {

    public static final String DEFAULT_API_VERSION = "2026-10";
    /**
     * Only the fields the look-up uses: the SKU and whether the item is tracked. Nothing that needs a
     * scope beyond read_inventory (InventoryItem.variant is deprecated and needs read_products).
     */
    static final String INVENTORY_ITEM = "query InventoryItem($id: ID!) { inventoryItem(id: $id) { sku tracked } }";
    /**
     * GraphQL error codes that mean "our side failed, try again" although the HTTP status is 200. THROTTLED
     * is handled apart (it says when to retry); anything else (ACCESS_DENIED, SHOP_INACTIVE, a query the
     * schema refuses) will fail the same way again.
     */
    private static final Set<String> TRANSIENT_CODES = Set.of("INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT",
            "BAD_GATEWAY", "GATEWAY_TIMEOUT");
    private static final String ON_HAND = "query OnHand($item: ID!, $location: ID!) { inventoryItem(id: $item)"
            + " { inventoryLevel(locationId: $location) { quantities(names: [\"on_hand\"]) { name quantity } } } }";
    private static final String ORDER_EMAIL = "query OrderEmail($id: ID!) { order(id: $id) { email } }";

    private final TargetHttp http;
    private final String baseUrlOverride;
    private final AdminAccessTokens tokens;
    private final String apiVersion;
    private final ObjectMapper json;
    private final Clock clock;

    /**
     * Tokens from the secret shopify-admin-tokens, each shop's kind chosen by its entry's shape
     * ({@link StoredAdminAccessTokens}); tokens of Dev Dashboard apps are obtained through {@code http} too.
     *
     * @param baseUrlOverride null for {@code https://<configured shop>}; a local server in tests
     * @param allowedShops the shops this deployment serves (SHOPIFY_ALLOWED_SHOPS); a look-up for any other
     *     shop sends nothing. Empty: the keys of the token map are the shops served.
     */
    public ShopifyAdmin(TargetHttp http, String baseUrlOverride, CachedSecret tokens, Set<String> allowedShops,
                        String apiVersion, ObjectMapper json, Clock clock) {
        this(http, baseUrlOverride, new StoredAdminAccessTokens(tokens, allowedShops,
                new ClientCredentialsGrant(http, baseUrlOverride, json, clock), json, clock), apiVersion, json, clock);
    }

    /** @param baseUrlOverride null for {@code https://<configured shop>}; a local server in tests */
    public ShopifyAdmin(TargetHttp http, String baseUrlOverride, AdminAccessTokens tokens, String apiVersion,
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
        /** @param sku null when the item has none */
        record Found(String sku, boolean tracked) implements ItemLookup {}

        record NotFound() implements ItemLookup {}

        /** The lookup failed: retry later, or a permanent reason. */
        record Failed(DeliveryOutcome outcome) implements ItemLookup {}
    }

    public ItemLookup inventoryItem(String shop, String inventoryItemId) {
        ObjectNode body = json.createObjectNode();
        body.put("query", INVENTORY_ITEM);
        body.putObject("variables").put("id", "gid://shopify/InventoryItem/" + inventoryItemId);
        Answer answer = query(shop, body, "the SKU look-up for inventory item " + inventoryItemId);
        if (answer instanceof Answer.Failed failed) {
            return new ItemLookup.Failed(failed.outcome());
        }
        JsonNode item = ((Answer.Data) answer).data().path("inventoryItem");
        if (item.isMissingNode() || item.isNull()) {
            return new ItemLookup.NotFound();
        }
        String sku = item.path("sku").isTextual() && !item.path("sku").asText().isBlank() ? item.path("sku").asText().trim() : null;
        return new ItemLookup.Found(sku, item.path("tracked").asBoolean(false));
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
        Answer answer = query(shop, body, "the e-mail look-up for order " + orderId);
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
        Answer answer = query(shop, body, "the on-hand look-up for inventory item " + inventoryItemId
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

    /**
     * Sends a query to the configured shop the delivery's shop names, with its token (reloaded once after
     * a 401). Nothing is sent for a shop this deployment does not serve.
     */
    private Answer query(String shop, ObjectNode body, String what) {
        Exchanged exchanged = exchange(shop, token -> post(token, body), what);
        if (exchanged instanceof Exchanged.Failed failed) {
            return new Answer.Failed(failed.outcome());
        }
        TargetResponse response = ((Exchanged.Answered) exchanged).response();
        if (response instanceof TargetResponse.Permanent notFound) {
            return new Answer.Failed(new DeliveryOutcome.PermanentFailure("shopify answered " + what + ": "
                    + notFound.reason(), notFound.category()));
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
            JsonNode error = root.path("errors").get(0);
            String code = error.path("extensions").path("code").asText("no code");
            String requestId = error.path("extensions").path("requestId").asText(null);
            String answered = "shopify answered " + what + " with " + code
                    + (requestId == null ? "" : " (request id " + requestId + ")");
            if (TRANSIENT_CODES.contains(code)) {
                return new Answer.Failed(new DeliveryOutcome.RetryLater(answered));
            }
            String advice = "ACCESS_DENIED".equals(code) ? " (grant the app the scopes listed in the README, Deploy)" : "";
            return new Answer.Failed(new DeliveryOutcome.PermanentFailure(answered + advice, "shopify-graphql"));
        }
        return new Answer.Data(root.path("data"));
    }

    /** A request's answer after the token dance: a 2xx (or a 404 to interpret), or what its failure means. */
    private sealed interface Exchanged {
        record Answered(TargetResponse response) implements Exchanged {}

        record Failed(DeliveryOutcome outcome) implements Exchanged {}
    }

    /**
     * Sends a request to the configured shop the delivery's shop names, with its token (reloaded once after
     * a 401). Nothing is sent for a shop this deployment does not serve. A 404 is handed back as answered.
     */
    private Exchanged exchange(String shop, java.util.function.Function<AdminAccessTokens.Issued.Token, TargetResponse> send,
                               String what) {
        AdminAccessTokens.Issued issued = tokens.token(shop);
        if (issued instanceof AdminAccessTokens.Issued.Failed failed) {
            return new Exchanged.Failed(failed.outcome());
        }
        AdminAccessTokens.Issued.Token token = (AdminAccessTokens.Issued.Token) issued;
        TargetResponse response = send.apply(token);
        if (response instanceof TargetResponse.Permanent permanent && permanent.status() == 401 && tokens.rejected(token)) {
            AdminAccessTokens.Issued again = tokens.token(shop);
            if (again instanceof AdminAccessTokens.Issued.Failed failed) {
                return new Exchanged.Failed(failed.outcome());
            }
            response = send.apply((AdminAccessTokens.Issued.Token) again);
        }
        if (response instanceof TargetResponse.Transient retry) {
            return new Exchanged.Failed(retry.outcome());
        }
        if (response instanceof TargetResponse.Permanent permanent && permanent.status() != 404) {
            String advice = permanent.status() == 401 || permanent.status() == 403
                    ? " (rotate the shop's Admin API token, or for a Dev Dashboard app check that it is still installed;"
                    + " or grant the scopes the README's Deploy section lists)" : "";
            return new Exchanged.Failed(new DeliveryOutcome.PermanentFailure("shop " + token.configuredShop() + ", " + what
                    + ": " + permanent.reason() + advice, permanent.category()));
        }
        return new Exchanged.Answered(response);
    }

    /** What Shopify holds for the resource behind an id-only webhook payload. */
    public sealed interface ResourceLookup {
        /** @param json the resource object, in the REST (webhook) shape, numbers exactly as Shopify wrote them */
        record Found(byte[] json) implements ResourceLookup {}

        record NotFound() implements ResourceLookup {}

        /** The read failed: retry later, or a permanent reason. */
        record Failed(DeliveryOutcome outcome) implements ResourceLookup {}
    }

    /**
     * A resource as the REST Admin API serves it, which is the shape of its webhook payload:
     * {@code GET /admin/api/<apiVersion>/<path>}, answered {@code {"<root>": {...}}}. Used to complete a
     * payload Shopify sent as {@code {"id": ...}} only (over the event bus's size limit).
     *
     * @param apiVersion the version the webhook was serialised with, so the resource has the same shape;
     *     null or malformed: the configured version
     */
    public ResourceLookup restResource(String shop, String path, String root, String apiVersion) {
        String version = apiVersion != null && apiVersion.matches("\\d{4}-\\d{2}") ? apiVersion : this.apiVersion;
        String what = "the read of " + path;
        Exchanged exchanged = exchange(shop, token -> http.send(HttpRequest.newBuilder(URI.create(
                        (baseUrlOverride != null ? baseUrlOverride : "https://" + token.configuredShop())
                                + "/admin/api/" + version + "/" + path))
                .header("X-Shopify-Access-Token", token.value())
                .header("Accept", "application/json")
                .GET()), what);
        if (exchanged instanceof Exchanged.Failed failed) {
            return new ResourceLookup.Failed(failed.outcome());
        }
        TargetResponse response = ((Exchanged.Answered) exchanged).response();
        if (response instanceof TargetResponse.Permanent) {
            return new ResourceLookup.NotFound();
        }
        byte[] body = ((TargetResponse.Success) response).body().getBytes(StandardCharsets.UTF_8);
        Optional<byte[]> resource = RawJson.valueAt(body, json.getFactory(), root);
        if (resource.isEmpty() || resource.get().length == 0 || resource.get()[0] != '{') {
            return new ResourceLookup.Failed(new DeliveryOutcome.RetryLater("shopify answered " + what
                    + " without the " + root + " object"));
        }
        return new ResourceLookup.Found(resource.get());
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

    private TargetResponse post(AdminAccessTokens.Issued.Token token, ObjectNode body) {
        String base = baseUrlOverride != null ? baseUrlOverride : "https://" + token.configuredShop();
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + "/admin/api/" + apiVersion + "/graphql.json"))
                    .header("X-Shopify-Access-Token", token.value())
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a GraphQL request", e);
        }
    }
}
