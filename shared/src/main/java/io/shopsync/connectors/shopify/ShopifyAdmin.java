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
import java.util.Set;

/**
 * Shopify's Admin GraphQL API, for what webhooks leave out (an inventory level's SKU and on-hand
 * quantity, a fulfilment's e-mail). Cost-based
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

    /**
     * The reconciler's scan: orders updated in a window, oldest update first, only their ids and
     * {@code updatedAt} (about 2 + {@code first} points of query cost). Scope {@code read_orders}, and
     * {@code read_all_orders} for a window older than 60 days.
     */
    static final String ORDER_VERSIONS = "query OrderVersions($first: Int!, $after: String, $query: String!) {"
            + " orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {"
            + " pageInfo { hasNextPage endCursor } nodes { legacyResourceId updatedAt } } }";

    private static final String ADDRESS = "{ firstName lastName name company address1 address2 city province provinceCode"
            + " country countryCodeV2 zip phone }";
    private static final String MONEY = "{ shopMoney { amount currencyCode } }";
    /**
     * One order with what the order flow's mappings read (see {@link io.shopsync.reconcile.OrderPayload}). Scopes
     * {@code read_orders}, {@code read_customers} (the customer) and {@code read_products} (line items' product
     * and variant ids); the e-mail, name, phone and addresses are protected customer data the app must be
     * approved for. At most 100 line items and 20 refunds, so the query stays far under the 1,000-point limit.
     */
    static final String ORDER = "query Order($id: ID!) { order(id: $id) {"
            + " legacyResourceId name email phone test createdAt updatedAt processedAt cancelledAt cancelReason closedAt"
            + " displayFinancialStatus displayFulfillmentStatus currencyCode presentmentCurrencyCode tags note sourceName"
            + " customerLocale discountCodes"
            + " totalPriceSet " + MONEY + " subtotalPriceSet " + MONEY + " totalTaxSet " + MONEY
            + " totalDiscountsSet " + MONEY + " totalShippingPriceSet " + MONEY + " currentTotalPriceSet " + MONEY
            + " currentSubtotalPriceSet " + MONEY + " currentTotalTaxSet " + MONEY + " currentTotalDiscountsSet " + MONEY
            + " customer { legacyResourceId firstName lastName createdAt updatedAt"
            + " defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } defaultAddress " + ADDRESS + " }"
            + " billingAddress " + ADDRESS + " shippingAddress " + ADDRESS
            + " lineItems(first: 100) { pageInfo { hasNextPage } nodes { id quantity currentQuantity title name sku"
            + " variantTitle vendor originalUnitPriceSet " + MONEY + " variant { legacyResourceId } product { legacyResourceId } } }"
            + " refunds(first: 20) { legacyResourceId createdAt note"
            + " refundLineItems(first: 50) { nodes { quantity restockType lineItem { title } subtotalSet " + MONEY + " } }"
            + " transactions(first: 20) { nodes { kind status processedAt amountSet " + MONEY + " } } } } }";

    /** One page of the scan: each order's id and update time, oldest first. */
    public sealed interface OrderVersions {
        /** @param orders each {@code {"legacyResourceId": "...", "updatedAt": "..."}} as Shopify answered it */
        record Page(java.util.List<JsonNode> orders, boolean hasNextPage, String endCursor) implements OrderVersions {}

        /** The page could not be read: retry later (THROTTLED says when), or a permanent reason. */
        record Failed(DeliveryOutcome outcome) implements OrderVersions {}
    }

    /**
     * Orders whose {@code updated_at} is in [{@code from}, {@code to}), oldest update first.
     *
     * @param after the previous page's end cursor, or null for the first page
     */
    public OrderVersions orderVersions(String shop, java.time.Instant from, java.time.Instant to, int first, String after) {
        ObjectNode body = json.createObjectNode();
        body.put("query", ORDER_VERSIONS);
        ObjectNode variables = body.putObject("variables").put("first", first)
                .put("query", "updated_at:>='" + from + "' updated_at:<'" + to + "'");
        if (after == null) {
            variables.putNull("after");
        } else {
            variables.put("after", after);
        }
        Answer answer = query(shop, body, "the orders updated from " + from + " to " + to);
        if (answer instanceof Answer.Failed failed) {
            return new OrderVersions.Failed(failed.outcome());
        }
        JsonNode orders = ((Answer.Data) answer).data().path("orders");
        java.util.List<JsonNode> nodes = new java.util.ArrayList<>();
        orders.path("nodes").forEach(nodes::add);
        JsonNode pageInfo = orders.path("pageInfo");
        return new OrderVersions.Page(java.util.List.copyOf(nodes), pageInfo.path("hasNextPage").asBoolean(false),
                pageInfo.path("endCursor").isTextual() ? pageInfo.path("endCursor").asText() : null);
    }

    /** One order as Shopify holds it now. */
    public sealed interface OrderState {
        /** @param order the GraphQL {@code order} object */
        record Found(JsonNode order) implements OrderState {}

        /** The order is gone (deleted, or the id is unknown to the shop). */
        record NotFound() implements OrderState {}

        record Failed(DeliveryOutcome outcome) implements OrderState {}
    }

    /** The order with every field the order flow's mappings read ({@link #ORDER}). */
    public OrderState order(String shop, String orderId) {
        ObjectNode body = json.createObjectNode();
        body.put("query", ORDER);
        body.putObject("variables").put("id", "gid://shopify/Order/" + orderId);
        Answer answer = query(shop, body, "the order " + orderId);
        if (answer instanceof Answer.Failed failed) {
            return new OrderState.Failed(failed.outcome());
        }
        JsonNode order = ((Answer.Data) answer).data().path("order");
        return order.isObject() ? new OrderState.Found(order) : new OrderState.NotFound();
    }

    /** The Admin API version requests are sent with (the reconciler's envelopes carry it as their API version). */
    public String apiVersion() {
        return apiVersion;
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
        AdminAccessTokens.Issued issued = tokens.token(shop);
        if (issued instanceof AdminAccessTokens.Issued.Failed failed) {
            return new Answer.Failed(failed.outcome());
        }
        AdminAccessTokens.Issued.Token token = (AdminAccessTokens.Issued.Token) issued;
        TargetResponse response = post(token, body);
        if (response instanceof TargetResponse.Permanent permanent && permanent.status() == 401 && tokens.rejected(token)) {
            AdminAccessTokens.Issued again = tokens.token(shop);
            if (again instanceof AdminAccessTokens.Issued.Failed failed) {
                return new Answer.Failed(failed.outcome());
            }
            response = post((AdminAccessTokens.Issued.Token) again, body);
        }
        if (response instanceof TargetResponse.Transient retry) {
            return new Answer.Failed(retry.outcome());
        }
        if (response instanceof TargetResponse.Permanent permanent) {
            String advice = permanent.status() == 401 || permanent.status() == 403
                    ? " (rotate the shop's Admin API token, or for a Dev Dashboard app check that it is still installed;"
                    + " or grant the scopes the README's Deploy section lists)" : "";
            return new Answer.Failed(new DeliveryOutcome.PermanentFailure("shop " + token.configuredShop() + ", " + what
                    + ": " + permanent.reason() + advice, permanent.category()));
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
