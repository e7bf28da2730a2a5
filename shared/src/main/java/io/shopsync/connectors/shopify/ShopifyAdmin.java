package io.shopsync.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.envelope.RawJson;
import io.shopsync.http.TargetHttp;
import io.shopsync.http.TargetResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Shopify's Admin GraphQL API, for what webhooks leave out (an inventory level's SKU and on-hand
 * quantity, a fulfilment's e-mail), what they missed (inventory changed in a window), and the REST read of a
 * resource whose webhook arrived as its id only. Cost-based
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
    private static final String ON_HAND = "query OnHand($item: ID!, $location: ID!) { inventoryItem(id: $item)"
            + " { inventoryLevel(locationId: $location) { quantities(names: [\"on_hand\"]) { name quantity } } } }";
    private static final String ORDER_EMAIL = "query OrderEmail($id: ID!) { order(id: $id) { email } }";

    private final AdminGraphql graphql;
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
        this.graphql = new AdminGraphql(http, baseUrlOverride, tokens, apiVersion, json, clock);
        this.apiVersion = apiVersion;
        this.json = json;
        this.clock = clock;
    }

    /**
     * The Admin GraphQL client these look-ups send through, with the same tokens: for jobs that query the shop
     * themselves (the reconciler, the webhook subscriptions' check).
     */
    public AdminGraphql graphql() {
        return graphql;
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
        ObjectNode variables = json.createObjectNode().put("id", "gid://shopify/InventoryItem/" + inventoryItemId);
        Answer answer = query(shop, INVENTORY_ITEM, variables, "the SKU look-up for inventory item " + inventoryItemId);
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
        ObjectNode variables = json.createObjectNode().put("id", "gid://shopify/Order/" + orderId);
        Answer answer = query(shop, ORDER_EMAIL, variables, "the e-mail look-up for order " + orderId);
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
        ObjectNode variables = json.createObjectNode().put("item", "gid://shopify/InventoryItem/" + inventoryItemId)
                .put("location", "gid://shopify/Location/" + locationId);
        Answer answer = query(shop, ON_HAND, variables, "the on-hand look-up for inventory item " + inventoryItemId
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
     * One inventory item with its level at the location asked for.
     *
     * @param sku null when the item has none
     * @param duplicateSkuCount how many other items share its SKU
     */
    public record ChangedItem(String inventoryItemId, String sku, boolean tracked, int duplicateSkuCount,
                              List<LevelAt> levels) {}

    /**
     * An item's level at one location, as Shopify holds it now.
     *
     * @param available null when Shopify did not return the quantity
     * @param onHand null when Shopify did not return the quantity
     * @param updatedAt the level's updatedAt exactly as Shopify wrote it (ISO-8601)
     */
    public record LevelAt(String locationId, Integer available, Integer onHand, String updatedAt) {}

    /** A page of {@link #inventoryLevels}, or what its failure means. */
    public sealed interface InventoryPage {
        /**
         * @param items one per level on the page, each with that single level
         * @param nextCursor the cursor of the next page, empty on the last
         * @param pause how long to wait before the next query so the bucket holds its cost (zero when it does)
         */
        record Page(List<ChangedItem> items, Optional<String> nextCursor, Duration pause) implements InventoryPage {}

        /** Retry later (THROTTLED says when), or a permanent reason. */
        record Failed(DeliveryOutcome outcome) implements InventoryPage {}
    }

    /**
     * Selects levels, not items: a sale, a restock or an adjustment moves the level's {@code updatedAt}
     * (InventoryLevel.updatedAt, "the date and time when the inventory level was updated"), while the inventory
     * item's {@code updated_at} moves only when the item itself (SKU, cost, tracking, customs data) is edited, so
     * an {@code inventoryItems(query: "updated_at:...")} scan misses every quantity-only change. Shopify's
     * {@code Location.inventoryLevels} connection takes a search {@code query} with an {@code updated_at} filter
     * (https://shopify.dev/docs/api/admin-graphql/latest/objects/Location#field-Location.fields.inventoryLevels,
     * https://shopify.dev/docs/api/admin-graphql/latest/objects/InventoryLevel).
     */
    public static final String INVENTORY_LEVELS = "query InventoryLevels($location: ID!, $first: Int!, $after: String,"
            + " $q: String) { location(id: $location) { inventoryLevels(first: $first, after: $after, query: $q) {"
            + " pageInfo { hasNextPage endCursor } nodes { updatedAt quantities(names: [\"available\", \"on_hand\"])"
            + " { name quantity } item { id sku tracked duplicateSkuCount } } } } }";

    /**
     * One page of the inventory levels at one location ({@code location(id:) { inventoryLevels }}, scope
     * {@code read_inventory}), each with its item: with a window, the levels whose {@code updated_at} is in
     * [{@code from}, {@code to}) (what stock drift compares); without ({@code from} and {@code to} null), every
     * level stocked at the location (what an initial import reads). About 2 + 3 × {@code first} points of cost.
     *
     * @param locationId a Shopify location id (digits)
     * @param after the previous page's cursor, null for the first page
     */
    public InventoryPage inventoryLevels(String shop, String locationId, Instant from, Instant to, int first,
                                         String after) {
        if (!locationId.matches("[1-9][0-9]*")) {
            throw new IllegalArgumentException("not a Shopify location id: " + locationId);
        }
        if ((from == null) != (to == null)) {
            throw new IllegalArgumentException("a window has a start and an end, or neither: " + from + " .. " + to);
        }
        ObjectNode variables = json.createObjectNode();
        variables.put("location", "gid://shopify/Location/" + locationId);
        if (from != null) {
            variables.put("q", "updated_at:>='" + from.truncatedTo(ChronoUnit.SECONDS) + "' AND updated_at:<'"
                    + to.truncatedTo(ChronoUnit.SECONDS) + "'");
        }
        variables.put("first", first);
        if (after != null) {
            variables.put("after", after);
        }
        Answer answer = query(shop, INVENTORY_LEVELS, variables, from == null
                ? "the inventory levels at location " + locationId
                : "the inventory levels at location " + locationId + " changed from " + from + " to " + to);
        if (answer instanceof Answer.Failed failed) {
            return new InventoryPage.Failed(failed.outcome());
        }
        Answer.Data data = (Answer.Data) answer;
        JsonNode location = data.data().path("location");
        if (!location.isObject()) {
            return new InventoryPage.Failed(new DeliveryOutcome.PermanentFailure("Shopify has no location " + locationId
                    + " in shop " + shop + ": fix LocationMapping (its keys are Shopify location ids; Settings >"
                    + " Locations shows them)", "location-not-found"));
        }
        JsonNode connection = location.path("inventoryLevels");
        List<ChangedItem> items = new ArrayList<>();
        for (JsonNode node : connection.path("nodes")) {
            JsonNode item = node.path("item");
            String gid = item.path("id").asText("");
            JsonNode sku = item.path("sku");
            LevelAt level = new LevelAt(locationId, quantity(node, "available"), quantity(node, "on_hand"),
                    node.path("updatedAt").asText(null));
            items.add(new ChangedItem(gid.substring(gid.lastIndexOf('/') + 1),
                    sku.isTextual() && !sku.asText().isBlank() ? sku.asText().trim() : null,
                    item.path("tracked").asBoolean(false), item.path("duplicateSkuCount").asInt(0), List.of(level)));
        }
        JsonNode pageInfo = connection.path("pageInfo");
        Optional<String> next = pageInfo.path("hasNextPage").asBoolean(false) && pageInfo.path("endCursor").isTextual()
                ? Optional.of(pageInfo.path("endCursor").asText()) : Optional.empty();
        JsonNode status = data.cost().path("throttleStatus");
        boolean bucketShort = status.has("currentlyAvailable")
                && status.path("currentlyAvailable").asDouble() < data.cost().path("requestedQueryCost").asDouble(0);
        return new InventoryPage.Page(List.copyOf(items), next, bucketShort ? AdminGraphql.refill(data.cost()) : Duration.ZERO);
    }

    private static Integer quantity(JsonNode level, String name) {
        for (JsonNode quantity : level.path("quantities")) {
            if (name.equals(quantity.path("name").asText()) && quantity.path("quantity").canConvertToInt()) {
                return quantity.path("quantity").asInt();
            }
        }
        return null;
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
        record Page(List<JsonNode> orders, boolean hasNextPage, String endCursor) implements OrderVersions {}

        /** The page could not be read: retry later (THROTTLED says when), or a permanent reason. */
        record Failed(DeliveryOutcome outcome) implements OrderVersions {}
    }

    /**
     * Orders whose {@code updated_at} is in [{@code from}, {@code to}), oldest update first.
     *
     * @param after the previous page's end cursor, or null for the first page
     */
    public OrderVersions orderVersions(String shop, Instant from, Instant to, int first, String after) {
        return versions(shop, ORDER_VERSIONS, from, to, first, after);
    }

    /** How many of an order's fulfilments the fulfilment scan lists. */
    static final int FULFILMENTS_PER_ORDER = 10;
    /**
     * The fulfilment check's scan: orders updated in a window, oldest update first, each with the id and
     * {@code updatedAt} of its first {@value #FULFILMENTS_PER_ORDER} fulfilments (about 2 + {@code first} x 11
     * points of query cost: keep {@code first} at 50 or less, under the 1,000-point limit). Scope {@code read_orders}.
     */
    static final String FULFILMENT_VERSIONS = "query FulfilmentVersions($first: Int!, $after: String, $query: String!) {"
            + " orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {"
            + " pageInfo { hasNextPage endCursor } nodes { legacyResourceId updatedAt"
            + " fulfillments(first: " + FULFILMENTS_PER_ORDER + ") { legacyResourceId updatedAt } } } }";

    /**
     * One fulfilment with what the fulfilment flow's mappings read (see
     * {@link io.shopsync.reconcile.FulfilmentPayload}): its order's id and e-mail, status, tracking, the latest
     * carrier event, and its first 50 line items. Scope {@code read_orders}; the e-mail is protected customer data.
     */
    static final String FULFILMENT = "query Fulfilment($id: ID!) { fulfillment(id: $id) {"
            + " legacyResourceId name status createdAt updatedAt"
            + " order { legacyResourceId email } location { legacyResourceId } service { handle }"
            + " trackingInfo(first: 10) { company number url }"
            + " events(first: 1, sortKey: HAPPENED_AT, reverse: true) { nodes { status } }"
            + " fulfillmentLineItems(first: 50) { pageInfo { hasNextPage } nodes { quantity lineItem {"
            + " legacyResourceId title name sku variantTitle vendor quantity unfulfilledQuantity"
            + " variant { legacyResourceId } product { legacyResourceId } } } } } }";

    /** Orders updated in the window with their fulfilments' versions ({@link #FULFILMENT_VERSIONS}), oldest update first. */
    public OrderVersions fulfilmentVersions(String shop, Instant from, Instant to, int first, String after) {
        return versions(shop, FULFILMENT_VERSIONS, from, to, first, after);
    }

    /** The fulfilment as Shopify holds it now ({@link #FULFILMENT}); {@link OrderState.NotFound} when it is gone. */
    public OrderState fulfilment(String shop, String fulfilmentId) {
        ObjectNode variables = json.createObjectNode().put("id", "gid://shopify/Fulfillment/" + fulfilmentId);
        Answer answer = query(shop, FULFILMENT, variables, "the fulfilment " + fulfilmentId);
        if (answer instanceof Answer.Failed failed) {
            return new OrderState.Failed(failed.outcome());
        }
        JsonNode fulfilment = ((Answer.Data) answer).data().path("fulfillment");
        return fulfilment.isObject() ? new OrderState.Found(fulfilment) : new OrderState.NotFound();
    }

    private OrderVersions versions(String shop, String query, Instant from, Instant to, int first, String after) {
        ObjectNode variables = json.createObjectNode().put("first", first)
                .put("query", "updated_at:>='" + from + "' updated_at:<'" + to + "'");
        if (after == null) {
            variables.putNull("after");
        } else {
            variables.put("after", after);
        }
        Answer answer = query(shop, query, variables, "the orders updated from " + from + " to " + to);
        if (answer instanceof Answer.Failed failed) {
            return new OrderVersions.Failed(failed.outcome());
        }
        JsonNode orders = ((Answer.Data) answer).data().path("orders");
        List<JsonNode> nodes = new ArrayList<>();
        orders.path("nodes").forEach(nodes::add);
        JsonNode pageInfo = orders.path("pageInfo");
        return new OrderVersions.Page(List.copyOf(nodes), pageInfo.path("hasNextPage").asBoolean(false),
                pageInfo.path("endCursor").isTextual() ? pageInfo.path("endCursor").asText() : null);
    }

    /** One order (or fulfilment) as Shopify holds it now. */
    public sealed interface OrderState {
        /** @param order the GraphQL {@code order} (or {@code fulfillment}) object */
        record Found(JsonNode order) implements OrderState {}

        /** The order is gone (deleted, or the id is unknown to the shop). */
        record NotFound() implements OrderState {}

        record Failed(DeliveryOutcome outcome) implements OrderState {}
    }

    /** The order with every field the order flow's mappings read ({@link #ORDER}). */
    public OrderState order(String shop, String orderId) {
        ObjectNode variables = json.createObjectNode().put("id", "gid://shopify/Order/" + orderId);
        Answer answer = query(shop, ORDER, variables, "the order " + orderId);
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
        /** @param cost {@code extensions.cost}: the query's cost and the bucket's state after it */
        record Data(JsonNode data, JsonNode cost) implements Answer {}

        record Failed(DeliveryOutcome outcome) implements Answer {}
    }

    /** Sends the query through {@link AdminGraphql}; a throttle becomes a retry once the bucket has refilled. */
    private Answer query(String shop, String query, ObjectNode variables, String what) {
        AdminGraphql.Answer answer = graphql.query(shop, query, variables, what);
        if (answer instanceof AdminGraphql.Answer.Throttled throttled) {
            return new Answer.Failed(new DeliveryOutcome.RetryLater("shopify Admin API throttled " + what,
                    Optional.of(clock.instant().plus(throttled.retryAfter()))));
        }
        if (answer instanceof AdminGraphql.Answer.Failed failed) {
            return new Answer.Failed(failed.outcome());
        }
        AdminGraphql.Answer.Data data = (AdminGraphql.Answer.Data) answer;
        return new Answer.Data(data.data(), data.cost());
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
        AdminGraphql.Sent sent = graphql.get(shop, version, path);
        if (sent instanceof AdminGraphql.Sent.NoToken none) {
            return new ResourceLookup.Failed(none.outcome());
        }
        AdminAccessTokens.Issued.Token token = ((AdminGraphql.Sent.Answered) sent).token();
        TargetResponse response = ((AdminGraphql.Sent.Answered) sent).response();
        if (response instanceof TargetResponse.Transient retry) {
            return new ResourceLookup.Failed(retry.outcome());
        }
        if (response instanceof TargetResponse.Permanent permanent && permanent.status() == 404) {
            return new ResourceLookup.NotFound();
        }
        if (response instanceof TargetResponse.Permanent permanent) {
            String advice = AdminGraphql.refusalAdvice(permanent.status());
            return new ResourceLookup.Failed(new DeliveryOutcome.PermanentFailure("shop " + token.configuredShop() + ", "
                    + what + ": " + permanent.reason() + advice, permanent.category()));
        }
        byte[] body = ((TargetResponse.Success) response).body().getBytes(StandardCharsets.UTF_8);
        Optional<byte[]> resource = RawJson.valueAt(body, json.getFactory(), root);
        if (resource.isEmpty() || resource.get().length == 0 || resource.get()[0] != '{') {
            return new ResourceLookup.Failed(new DeliveryOutcome.RetryLater("shopify answered " + what
                    + " without the " + root + " object"));
        }
        return new ResourceLookup.Found(resource.get());
    }
}
