package io.shopsync.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A shop's Admin GraphQL API as the reconciler's checks read it, served by the local stack at
 * {@code POST /admin/api/<version>/graphql.json}, in Shopify's GraphQL shape (camelCase, MoneyBags, enum values in
 * capitals, DateTimes in UTC, {@code null} for an unknown id) and with {@code extensions.cost} as Shopify sends it:
 * <ul>
 *   <li>orders: the scan {@code query OrderVersions(} ({@code orders(first:, after:, sortKey: UPDATED_AT,
 *       query: "updated_at:>='..' updated_at:<'..'")}, each order's {@code legacyResourceId} and {@code updatedAt})
 *       and {@code query Order(} with the fields {@link io.shopsync.connectors.shopify.ShopifyAdmin#order} asks for;</li>
 *   <li>fulfilments: the scan {@code query FulfilmentVersions(} (the same orders, each with its fulfilments' ids and
 *       {@code updatedAt}) and {@code query Fulfilment(} ({@code fulfillment(id:)});</li>
 *   <li>stock: {@code query InventoryLevels(} ({@code location(id:) { inventoryLevels(first:, after:, query:) }}: the
 *       levels at a location, with {@code updated_at:>='..' AND updated_at:<'..'} those changed in a window), each
 *       with its {@code available} and {@code on_hand} quantities and its item ({@code sku tracked duplicateSkuCount});
 *       and the trace's SKU search {@code query ItemsBySku(} ({@code inventoryItems(query: "sku:\"..\"")}, each item
 *       with the locations it has a level at) and order search {@code query OrderByName(} ({@code orders(query:
 *       "name:\"..\"")}).</li>
 * </ul>
 *
 * <p>The shop comes from a fixture directory of REST-shaped webhook payloads (events/payloads by default), each
 * {@code *.json} read by its {@code admin_graphql_api_id}: orders ({@code gid://shopify/Order/..}), fulfilments
 * ({@code Fulfillment}), inventory levels ({@code InventoryLevel}, from inventory_levels/update) and inventory items
 * ({@code InventoryItem}: a level's SKU and tracking). For a resource in several files, the one with the latest
 * {@code updated_at} is the resource as Shopify holds it now. What the payloads do not carry is answered as
 * follows: a level's {@code on_hand} equals its {@code available} (a webhook gives only {@code available}); a level
 * whose item has no payload has SKU {@code null}, which the stock check counts as not comparable. An order's
 * {@code updatedAt} is its payload's, even when a fulfilment of it is newer (Shopify would move it). Subscriptions
 * ({@code webhookSubscriptions}) are not served: the local reconciler leaves that check out and says why.
 *
 * <p>A request without the shop's access token is answered 401 as Shopify answers it; a query the stand-in does
 * not know is refused with a GraphQL error, so a new query cannot pass unnoticed. Local-only: never in a function jar.
 */
final class ShopifyAdminStandIn implements HttpHandler {

    /** The bucket Shopify gives a standard plan: 2,000 points, refilled at 100 a second. */
    private static final double MAXIMUM_AVAILABLE = 2000.0;
    private static final double RESTORE_RATE = 100.0;
    private static final Pattern FROM = Pattern.compile("updated_at:>='([^']+)'");
    private static final Pattern TO = Pattern.compile("updated_at:<'([^']+)'");
    private static final Pattern PATH = Pattern.compile("/admin/api/\\d{4}-\\d{2}/graphql\\.json");
    private static final Pattern LEVELS_WINDOW = Pattern.compile("updated_at:>='([^']+)' AND updated_at:<'([^']+)'");
    private static final Pattern SKU_SEARCH = Pattern.compile("sku:\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern NAME_SEARCH = Pattern.compile("name:\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final String ORDER_GID = "gid://shopify/Order/";
    private static final String FULFILMENT_GID = "gid://shopify/Fulfillment/";
    private static final String LEVEL_GID = "gid://shopify/InventoryLevel/";
    private static final String ITEM_GID = "gid://shopify/InventoryItem/";
    private static final String LOCATION_GID = "gid://shopify/Location/";
    /** How many of an order's fulfilments the scan lists, as the reconciler asks ({@code fulfillments(first: 10)}). */
    private static final int FULFILMENTS_PER_ORDER = 10;

    private final Path fixture;
    private final String token;
    private final ObjectMapper json;
    /** Each order in GraphQL shape, by legacy id. */
    private final Map<String, ObjectNode> orders;
    /** Each fulfilment in the GraphQL shape of the reconciler's {@code Fulfilment} query, by legacy id. */
    private final Map<String, ObjectNode> fulfilments;
    /** Each inventory level in the GraphQL shape of an {@code inventoryLevels} node, by location id, then item id. */
    private final Map<String, Map<String, ObjectNode>> levels;
    /** Each inventory item's SKU (null when it has none), by item id. */
    private final Map<String, String> skus;

    private ShopifyAdminStandIn(Path fixture, String token, ObjectMapper json, Map<String, ObjectNode> orders,
                                Map<String, ObjectNode> fulfilments, Map<String, Map<String, ObjectNode>> levels,
                                Map<String, String> skus) {
        this.fixture = fixture;
        this.token = token;
        this.json = json;
        this.orders = orders;
        this.fulfilments = fulfilments;
        this.levels = levels;
        this.skus = skus;
    }

    /**
     * @param token the Admin API access token requests must carry (X-Shopify-Access-Token)
     * @throws IllegalArgumentException when the directory is missing or holds no order
     */
    static ShopifyAdminStandIn fromFixture(Path dir, String token, ObjectMapper json) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("the Shopify fixture directory " + dir.toAbsolutePath() + " does not exist:"
                    + " pass --shopify-fixture DIR with REST-shaped order payloads (like events/payloads)");
        }
        Map<String, JsonNode> latest = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> listed = Files.list(dir)) {
            files = listed.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list the Shopify fixture directory " + dir + ": " + e.getMessage(), e);
        }
        for (Path file : files) {
            JsonNode resource;
            try {
                resource = json.readTree(file.toFile());
            } catch (IOException e) {
                throw new IllegalArgumentException("Shopify fixture " + file + " is not JSON: " + e.getMessage(), e);
            }
            String gid = resource.path("admin_graphql_api_id").asText("");
            if (!gid.startsWith(ORDER_GID) && !gid.startsWith(FULFILMENT_GID) && !gid.startsWith(LEVEL_GID)
                    && !gid.startsWith(ITEM_GID)) {
                continue; // a refund or customer payload: not something the reconciler reads
            }
            // The level's gid names its location and item; the others, the resource.
            Instant updated = instant(resource.path("updated_at").asText(""), file + " updated_at");
            JsonNode known = latest.get(gid);
            if (known == null || updated.isAfter(instant(known.path("updated_at").asText(), gid + " updated_at"))) {
                latest.put(gid, resource);
            }
        }
        Map<String, ObjectNode> orders = new LinkedHashMap<>();
        latest.forEach((gid, rest) -> {
            if (gid.startsWith(ORDER_GID)) {
                orders.put(rest.path("id").asText(), new GraphqlOrder(json).of(rest));
            }
        });
        if (orders.isEmpty()) {
            throw new IllegalArgumentException("no order payload (admin_graphql_api_id gid://shopify/Order/...) in the "
                    + "Shopify fixture directory " + dir.toAbsolutePath());
        }
        Map<String, ObjectNode> fulfilments = new LinkedHashMap<>();
        latest.forEach((gid, rest) -> {
            if (gid.startsWith(FULFILMENT_GID)) {
                fulfilments.put(rest.path("id").asText(), graphqlFulfilment(rest, orders, json));
            }
        });
        Map<String, JsonNode> items = new LinkedHashMap<>();
        latest.forEach((gid, rest) -> {
            if (gid.startsWith(ITEM_GID)) {
                items.put(rest.path("id").asText(), rest);
            }
        });
        Map<String, Map<String, ObjectNode>> levels = new java.util.TreeMap<>();
        latest.forEach((gid, rest) -> {
            if (gid.startsWith(LEVEL_GID)) {
                levels.computeIfAbsent(rest.path("location_id").asText(), location -> new java.util.TreeMap<>(
                        Comparator.comparing(java.math.BigInteger::new)))
                        .put(rest.path("inventory_item_id").asText(), graphqlLevel(rest, items, json));
            }
        });
        Map<String, String> skus = new LinkedHashMap<>();
        items.forEach((id, rest) -> skus.put(id, rest.path("sku").isTextual() ? rest.path("sku").asText() : null));
        return new ShopifyAdminStandIn(dir, token, json, orders, fulfilments, levels, skus);
    }

    /**
     * A fulfillments/* payload as the reconciler's {@code Fulfilment} query answers it. The order line's own
     * quantity is the order's (when the fixture has the order), else the fulfilled quantity.
     */
    private static ObjectNode graphqlFulfilment(JsonNode rest, Map<String, ObjectNode> orders, ObjectMapper json) {
        GraphqlOrder shape = new GraphqlOrder(json);
        ObjectNode out = json.createObjectNode();
        out.put("legacyResourceId", rest.path("id").asText());
        shape.text(out, "name", rest.path("name"));
        shape.upper(out, "status", rest.path("status"));
        shape.time(out, "createdAt", rest.path("created_at"));
        shape.time(out, "updatedAt", rest.path("updated_at"));
        ObjectNode order = out.putObject("order");
        order.put("legacyResourceId", rest.path("order_id").asText());
        shape.text(order, "email", rest.path("email"));
        out.set("location", rest.path("location_id").isNumber()
                ? json.createObjectNode().put("legacyResourceId", rest.path("location_id").asText()) : json.nullNode());
        out.set("service", rest.path("service").isTextual()
                ? json.createObjectNode().put("handle", rest.path("service").asText()) : json.nullNode());
        ArrayNode tracking = out.putArray("trackingInfo");
        JsonNode numbers = rest.path("tracking_numbers");
        for (int i = 0; i < Math.min(10, numbers.size()); i++) {
            ObjectNode info = tracking.addObject();
            shape.text(info, "company", rest.path("tracking_company"));
            shape.text(info, "number", numbers.get(i));
            shape.text(info, "url", rest.path("tracking_urls").path(i));
        }
        ArrayNode events = out.putObject("events").putArray("nodes");
        if (rest.path("shipment_status").isTextual()) {
            shape.upper(events.addObject(), "status", rest.path("shipment_status"));
        }
        ObjectNode lineItems = out.putObject("fulfillmentLineItems");
        JsonNode restLines = rest.path("line_items");
        lineItems.putObject("pageInfo").put("hasNextPage", restLines.size() > 50);
        ArrayNode nodes = lineItems.putArray("nodes");
        JsonNode orderLines = orders.containsKey(rest.path("order_id").asText())
                ? orders.get(rest.path("order_id").asText()).path("lineItems").path("nodes") : json.createArrayNode();
        for (int i = 0; i < Math.min(50, restLines.size()); i++) {
            JsonNode line = restLines.get(i);
            ObjectNode node = nodes.addObject();
            node.put("quantity", line.path("quantity").asInt());
            ObjectNode item = node.putObject("lineItem");
            item.put("legacyResourceId", line.path("id").asText());
            shape.text(item, "title", line.path("title"));
            shape.text(item, "name", line.path("name"));
            shape.text(item, "sku", line.path("sku"));
            shape.text(item, "variantTitle", line.path("variant_title"));
            shape.text(item, "vendor", line.path("vendor"));
            int ordered = line.path("quantity").asInt();
            for (JsonNode orderLine : orderLines) {
                if (orderLine.path("id").asText().equals("gid://shopify/LineItem/" + line.path("id").asText())) {
                    ordered = orderLine.path("quantity").asInt();
                }
            }
            item.put("quantity", ordered);
            if (line.path("fulfillable_quantity").canConvertToInt()) {
                item.put("unfulfilledQuantity", line.path("fulfillable_quantity").asInt());
            } else {
                item.putNull("unfulfilledQuantity");
            }
            item.set("variant", line.path("variant_id").isNumber()
                    ? json.createObjectNode().put("legacyResourceId", line.path("variant_id").asText()) : json.nullNode());
            item.set("product", line.path("product_id").isNumber()
                    ? json.createObjectNode().put("legacyResourceId", line.path("product_id").asText()) : json.nullNode());
        }
        return out;
    }

    /**
     * An inventory_levels/update payload as an {@code inventoryLevels} node: its quantities ({@code on_hand} as
     * {@code available}: the payload has no other) and its item from the inventory item payloads.
     */
    private static ObjectNode graphqlLevel(JsonNode rest, Map<String, JsonNode> items, ObjectMapper json) {
        GraphqlOrder shape = new GraphqlOrder(json);
        ObjectNode out = json.createObjectNode();
        shape.time(out, "updatedAt", rest.path("updated_at"));
        ArrayNode quantities = out.putArray("quantities");
        for (String name : new String[] {"available", "on_hand"}) {
            ObjectNode quantity = quantities.addObject().put("name", name);
            if (rest.path("available").canConvertToInt()) {
                quantity.put("quantity", rest.path("available").asInt());
            } else {
                quantity.putNull("quantity");
            }
        }
        String itemId = rest.path("inventory_item_id").asText();
        JsonNode item = items.get(itemId);
        ObjectNode node = out.putObject("item");
        node.put("id", ITEM_GID + itemId);
        node.set("sku", item != null && item.path("sku").isTextual() ? item.path("sku") : json.nullNode());
        node.put("tracked", item == null || item.path("tracked").asBoolean(false));
        long sameSku = item == null || !item.path("sku").isTextual() ? 0 : items.values().stream()
                .filter(other -> other.path("sku").asText("").equals(item.path("sku").asText())).count() - 1;
        node.put("duplicateSkuCount", sameSku);
        return out;
    }

    Path fixture() {
        return fixture;
    }

    int orderCount() {
        return orders.size();
    }

    int fulfilmentCount() {
        return fulfilments.size();
    }

    int levelCount() {
        return levels.values().stream().mapToInt(Map::size).sum();
    }

    /**
     * The oldest {@code updatedAt} of the shop's orders, fulfilments and inventory levels: a local reconciler's first
     * window reaches back to it.
     */
    Instant oldestUpdate() {
        return Stream.of(orders.values().stream(), fulfilments.values().stream(),
                        levels.values().stream().flatMap(byItem -> byItem.values().stream()))
                .flatMap(s -> s).map(o -> Instant.parse(o.path("updatedAt").asText()))
                .min(Comparator.naturalOrder()).orElseThrow();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!PATH.matcher(exchange.getRequestURI().getPath()).matches()
                    || !"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 404, json.createObjectNode().put("errors", "Not Found"));
                return;
            }
            if (!token.equals(exchange.getRequestHeaders().getFirst("X-Shopify-Access-Token"))) {
                // Shopify's answer to a missing or unknown token.
                send(exchange, 401, json.createObjectNode().put("errors",
                        "[API] Invalid API key or access token (unrecognized login or wrong password)"));
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            JsonNode request;
            try {
                request = json.readTree(body);
            } catch (IOException e) {
                send(exchange, 400, graphqlError("Parse error on request body", "badRequest"));
                return;
            }
            send(exchange, 200, answer(request.path("query").asText(""), request.path("variables")));
        }
    }

    /** The answer to one GraphQL request, as Shopify gives it (HTTP 200, {@code data} or {@code errors}). */
    ObjectNode answer(String query, JsonNode variables) {
        if (query.startsWith("query OrderVersions(")) {
            return orderVersions(variables, false);
        }
        if (query.startsWith("query FulfilmentVersions(")) {
            return orderVersions(variables, true);
        }
        if (query.startsWith("query Fulfilment(")) {
            String gid = variables.path("id").asText("");
            ObjectNode fulfilment = gid.startsWith(FULFILMENT_GID) ? fulfilments.get(gid.substring(FULFILMENT_GID.length()))
                    : null;
            ObjectNode answer = json.createObjectNode();
            answer.putObject("data").set("fulfillment", fulfilment == null ? json.nullNode() : fulfilment.deepCopy());
            cost(answer, 14, 14);
            return answer;
        }
        if (query.startsWith("query InventoryLevels(")) {
            return inventoryLevels(variables);
        }
        if (query.startsWith("query ItemsBySku(")) {
            return itemsBySku(variables);
        }
        if (query.startsWith("query OrderByName(")) {
            return ordersByName(variables);
        }
        if (query.startsWith("query Order(")) {
            String gid = variables.path("id").asText("");
            String id = gid.startsWith("gid://shopify/Order/") ? gid.substring("gid://shopify/Order/".length()) : "";
            ObjectNode answer = json.createObjectNode();
            ObjectNode order = orders.get(id);
            answer.putObject("data").set("order", order == null ? json.nullNode() : order.deepCopy());
            cost(answer, 12, 12);
            return answer;
        }
        return graphqlError("the local Shopify stand-in answers only the reconciler's OrderVersions, Order,"
                + " FulfilmentVersions, Fulfilment and InventoryLevels queries and the trace's ItemsBySku and OrderByName; add the query to "
                + ShopifyAdminStandIn.class.getSimpleName() + " to use it locally", "undefinedField");
    }

    /**
     * The trace's SKU search ({@code inventoryItems(first:, query: "sku:\"...\"")}), each item with the locations it
     * has a level at. Shopify's search matches SKUs loosely; this one exactly, which the trace's own filter accepts.
     */
    private ObjectNode itemsBySku(JsonNode variables) {
        Matcher search = SKU_SEARCH.matcher(variables.path("query").asText(""));
        if (!search.matches()) {
            return graphqlError("inventoryItems needs a query sku:\"<SKU>\", got \"" + variables.path("query").asText("")
                    + "\"", "argumentLiteralsIncompatible");
        }
        String sku = search.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
        ObjectNode answer = json.createObjectNode();
        ArrayNode nodes = answer.putObject("data").putObject("inventoryItems").putArray("nodes");
        skus.forEach((id, itemSku) -> {
            if (!sku.equals(itemSku)) {
                return;
            }
            ObjectNode item = nodes.addObject().put("id", ITEM_GID + id).put("sku", itemSku);
            ArrayNode at = item.putObject("inventoryLevels").putArray("nodes");
            levels.forEach((location, byItem) -> {
                if (byItem.containsKey(id)) {
                    at.addObject().putObject("location").put("id", LOCATION_GID + location);
                }
            });
        });
        cost(answer, 517, 3 + 2 * nodes.size());
        return answer;
    }

    /** The trace's order search by name ({@code orders(first:, query: "name:\"#1001\"")}): id and name of each match. */
    private ObjectNode ordersByName(JsonNode variables) {
        Matcher search = NAME_SEARCH.matcher(variables.path("query").asText(""));
        if (!search.matches()) {
            return graphqlError("orders needs a query name:\"<name>\", got \"" + variables.path("query").asText("") + "\"",
                    "argumentLiteralsIncompatible");
        }
        String name = search.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
        ObjectNode answer = json.createObjectNode();
        ArrayNode nodes = answer.putObject("data").putObject("orders").putArray("nodes");
        orders.values().stream().filter(order -> name.equals(order.path("name").asText(null)))
                .forEach(order -> nodes.addObject().put("legacyResourceId", order.path("legacyResourceId").asText())
                        .put("name", name));
        cost(answer, 7, 3);
        return answer;
    }

    /** The levels at one location, optionally those changed in a window, by item id, a page at a time. */
    private ObjectNode inventoryLevels(JsonNode variables) {
        String gid = variables.path("location").asText("");
        int first = variables.path("first").asInt(0);
        String search = variables.path("q").asText("");
        Matcher window = LEVELS_WINDOW.matcher(search);
        if (!gid.startsWith(LOCATION_GID) || first < 1 || first > 250 || (!search.isEmpty() && !window.matches())) {
            return graphqlError("inventoryLevels needs a location gid, first (1..250) and at most a query"
                    + " updated_at:>='..' AND updated_at:<'..', got location \"" + gid + "\", first " + first
                    + ", query \"" + search + "\"", "argumentLiteralsIncompatible");
        }
        ObjectNode answer = json.createObjectNode();
        Map<String, ObjectNode> atLocation = levels.get(gid.substring(LOCATION_GID.length()));
        if (atLocation == null) {
            answer.putObject("data").putNull("location"); // Shopify's answer for a location the shop does not have
            cost(answer, 2 + 3 * first, 1);
            return answer;
        }
        Instant start = search.isEmpty() ? null : instant(window.group(1), "updated_at:>=");
        Instant end = search.isEmpty() ? null : instant(window.group(2), "updated_at:<");
        List<ObjectNode> matching = atLocation.values().stream().filter(level -> {
            Instant updated = Instant.parse(level.path("updatedAt").asText());
            return start == null || (!updated.isBefore(start) && updated.isBefore(end));
        }).toList();
        int offset = variables.path("after").isTextual() ? cursorOffset(variables.path("after").asText()) : 0;
        List<ObjectNode> page = matching.subList(Math.min(offset, matching.size()), Math.min(offset + first, matching.size()));
        ObjectNode connection = answer.putObject("data").putObject("location").putObject("inventoryLevels");
        pageInfo(connection, offset, page.size(), matching.size());
        ArrayNode nodes = connection.putArray("nodes");
        page.forEach(level -> nodes.add(level.deepCopy()));
        cost(answer, 2 + 3 * first, 2 + 3 * page.size());
        return answer;
    }

    private void pageInfo(ObjectNode connection, int offset, int size, int total) {
        ObjectNode pageInfo = connection.putObject("pageInfo");
        pageInfo.put("hasNextPage", offset + size < total);
        if (size == 0) {
            pageInfo.putNull("endCursor");
        } else {
            pageInfo.put("endCursor", cursor(offset + size));
        }
    }

    /** The order scan; {@code withFulfilments}: each order with its first fulfilments' ids and versions. */
    private ObjectNode orderVersions(JsonNode variables, boolean withFulfilments) {
        String search = variables.path("query").asText("");
        Matcher from = FROM.matcher(search);
        Matcher to = TO.matcher(search);
        int first = variables.path("first").asInt(0);
        if (!from.find() || !to.find() || first < 1 || first > 250) {
            return graphqlError("the scan must give first (1..250) and a query updated_at:>='..' updated_at:<'..', got first "
                    + first + ", query \"" + search + "\"", "argumentLiteralsIncompatible");
        }
        Instant start = instant(from.group(1), "updated_at:>=");
        Instant end = instant(to.group(1), "updated_at:<");
        List<ObjectNode> matching = orders.values().stream().filter(order -> {
            Instant updated = Instant.parse(order.path("updatedAt").asText());
            return !updated.isBefore(start) && updated.isBefore(end);
        }).sorted(Comparator.comparing((ObjectNode o) -> Instant.parse(o.path("updatedAt").asText()))
                .thenComparing(o -> o.path("legacyResourceId").asText())).toList();
        int offset = variables.path("after").isTextual() ? cursorOffset(variables.path("after").asText()) : 0;
        List<ObjectNode> page = matching.subList(Math.min(offset, matching.size()), Math.min(offset + first, matching.size()));
        ObjectNode answer = json.createObjectNode();
        ObjectNode connection = answer.putObject("data").putObject("orders");
        pageInfo(connection, offset, page.size(), matching.size());
        ArrayNode nodes = connection.putArray("nodes");
        for (ObjectNode order : page) {
            ObjectNode node = nodes.addObject().put("legacyResourceId", order.path("legacyResourceId").asText())
                    .put("updatedAt", order.path("updatedAt").asText());
            if (withFulfilments) {
                ArrayNode listed = node.putArray("fulfillments");
                fulfilments.values().stream()
                        .filter(f -> f.path("order").path("legacyResourceId").asText().equals(order.path("legacyResourceId").asText()))
                        .sorted(Comparator.comparing((ObjectNode f) -> new java.math.BigInteger(f.path("legacyResourceId").asText())))
                        .limit(FULFILMENTS_PER_ORDER)
                        .forEach(f -> listed.addObject().put("legacyResourceId", f.path("legacyResourceId").asText())
                                .put("updatedAt", f.path("updatedAt").asText()));
            }
        }
        int perOrder = withFulfilments ? 1 + FULFILMENTS_PER_ORDER : 1;
        cost(answer, 2 + first * perOrder, 2 + page.size() * perOrder);
        return answer;
    }

    /** Shopify's {@code extensions.cost}; the local bucket never runs low. */
    private void cost(ObjectNode answer, int requested, int actual) {
        answer.putObject("extensions").putObject("cost").put("requestedQueryCost", requested)
                .put("actualQueryCost", actual).putObject("throttleStatus").put("maximumAvailable", MAXIMUM_AVAILABLE)
                .put("currentlyAvailable", (int) MAXIMUM_AVAILABLE - actual).put("restoreRate", RESTORE_RATE);
    }

    private ObjectNode graphqlError(String message, String code) {
        ObjectNode answer = json.createObjectNode();
        answer.putArray("errors").addObject().put("message", message).putObject("extensions").put("code", code);
        return answer;
    }

    /** An opaque cursor, as Shopify's are: the position after the page. */
    private static String cursor(int offset) {
        return Base64.getEncoder().encodeToString(("{\"offset\":" + offset + "}").getBytes(StandardCharsets.UTF_8));
    }

    private static int cursorOffset(String cursor) {
        try {
            String text = new String(Base64.getDecoder().decode(cursor), StandardCharsets.UTF_8);
            return Integer.parseInt(text.replaceAll("[^0-9]", ""));
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    private static Instant instant(String text, String where) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(where + " is not an ISO-8601 time: " + text, e);
        }
    }

    private void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("content-type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * A REST order payload in the GraphQL shape of the reconciler's {@code Order} query: what Shopify's GraphQL
     * Admin API answers for the same order.
     */
    static final class GraphqlOrder {
        private static final String[][] MONEY = {
            {"total_price_set", "totalPriceSet"}, {"subtotal_price_set", "subtotalPriceSet"},
            {"total_tax_set", "totalTaxSet"}, {"total_discounts_set", "totalDiscountsSet"},
            {"total_shipping_price_set", "totalShippingPriceSet"}, {"current_total_price_set", "currentTotalPriceSet"},
            {"current_subtotal_price_set", "currentSubtotalPriceSet"}, {"current_total_tax_set", "currentTotalTaxSet"},
            {"current_total_discounts_set", "currentTotalDiscountsSet"}};

        private final ObjectMapper json;

        GraphqlOrder(ObjectMapper json) {
            this.json = json;
        }

        ObjectNode of(JsonNode rest) {
            ObjectNode out = json.createObjectNode();
            out.put("legacyResourceId", rest.path("id").asText());
            text(out, "name", rest.path("name"));
            text(out, "email", rest.path("email"));
            text(out, "phone", rest.path("phone"));
            out.put("test", rest.path("test").asBoolean(false));
            time(out, "createdAt", rest.path("created_at"));
            time(out, "updatedAt", rest.path("updated_at"));
            time(out, "processedAt", rest.path("processed_at"));
            time(out, "cancelledAt", rest.path("cancelled_at"));
            upper(out, "cancelReason", rest.path("cancel_reason"));
            time(out, "closedAt", rest.path("closed_at"));
            upper(out, "displayFinancialStatus", rest.path("financial_status"));
            out.put("displayFulfillmentStatus", fulfillmentStatus(rest.path("fulfillment_status")));
            text(out, "currencyCode", rest.path("currency"));
            text(out, "presentmentCurrencyCode", rest.path("presentment_currency"));
            ArrayNode tags = out.putArray("tags");
            for (String tag : rest.path("tags").asText("").split(",")) {
                if (!tag.isBlank()) {
                    tags.add(tag.trim());
                }
            }
            text(out, "note", rest.path("note"));
            text(out, "sourceName", rest.path("source_name"));
            text(out, "customerLocale", rest.path("customer_locale"));
            ArrayNode codes = out.putArray("discountCodes");
            rest.path("discount_codes").forEach(code -> codes.add(code.path("code").asText()));
            for (String[] money : MONEY) {
                out.set(money[1], moneyBag(rest.path(money[0])));
            }
            out.set("customer", customer(rest.path("customer")));
            out.set("billingAddress", address(rest.path("billing_address")));
            out.set("shippingAddress", address(rest.path("shipping_address")));
            ObjectNode lineItems = out.putObject("lineItems");
            JsonNode restLines = rest.path("line_items");
            lineItems.putObject("pageInfo").put("hasNextPage", restLines.size() > 100);
            ArrayNode lines = lineItems.putArray("nodes");
            for (int i = 0; i < Math.min(100, restLines.size()); i++) {
                lines.add(lineItem(restLines.get(i)));
            }
            ArrayNode refunds = out.putArray("refunds");
            for (int i = 0; i < Math.min(20, rest.path("refunds").size()); i++) {
                refunds.add(refund(rest.path("refunds").get(i)));
            }
            return out;
        }

        private JsonNode customer(JsonNode rest) {
            if (!rest.isObject()) {
                return json.nullNode();
            }
            ObjectNode out = json.createObjectNode();
            out.put("legacyResourceId", rest.path("id").asText());
            text(out, "firstName", rest.path("first_name"));
            text(out, "lastName", rest.path("last_name"));
            time(out, "createdAt", rest.path("created_at"));
            time(out, "updatedAt", rest.path("updated_at"));
            out.set("defaultEmailAddress", rest.path("email").isTextual()
                    ? json.createObjectNode().put("emailAddress", rest.path("email").asText()) : json.nullNode());
            out.set("defaultPhoneNumber", rest.path("phone").isTextual()
                    ? json.createObjectNode().put("phoneNumber", rest.path("phone").asText()) : json.nullNode());
            out.set("defaultAddress", address(rest.path("default_address")));
            return out;
        }

        private JsonNode address(JsonNode rest) {
            if (!rest.isObject()) {
                return json.nullNode();
            }
            ObjectNode out = json.createObjectNode();
            String[][] fields = {{"first_name", "firstName"}, {"last_name", "lastName"}, {"name", "name"},
                {"company", "company"}, {"address1", "address1"}, {"address2", "address2"}, {"city", "city"},
                {"province", "province"}, {"province_code", "provinceCode"}, {"country", "country"},
                {"country_code", "countryCodeV2"}, {"zip", "zip"}, {"phone", "phone"}};
            for (String[] field : fields) {
                text(out, field[1], rest.path(field[0]));
            }
            return out;
        }

        private JsonNode lineItem(JsonNode rest) {
            ObjectNode out = json.createObjectNode();
            out.put("id", rest.path("admin_graphql_api_id").asText("gid://shopify/LineItem/" + rest.path("id").asText()));
            out.put("quantity", rest.path("quantity").asInt());
            if (rest.path("current_quantity").canConvertToInt()) {
                out.put("currentQuantity", rest.path("current_quantity").asInt());
            }
            text(out, "title", rest.path("title"));
            text(out, "name", rest.path("name"));
            text(out, "sku", rest.path("sku"));
            text(out, "variantTitle", rest.path("variant_title"));
            text(out, "vendor", rest.path("vendor"));
            out.set("originalUnitPriceSet", moneyBag(rest.path("price_set")));
            out.set("variant", rest.path("variant_id").isNumber()
                    ? json.createObjectNode().put("legacyResourceId", rest.path("variant_id").asText()) : json.nullNode());
            out.set("product", rest.path("product_id").isNumber()
                    ? json.createObjectNode().put("legacyResourceId", rest.path("product_id").asText()) : json.nullNode());
            return out;
        }

        private JsonNode refund(JsonNode rest) {
            ObjectNode out = json.createObjectNode();
            out.put("legacyResourceId", rest.path("id").asText());
            time(out, "createdAt", rest.path("created_at"));
            text(out, "note", rest.path("note"));
            ArrayNode lines = out.putObject("refundLineItems").putArray("nodes");
            for (JsonNode line : rest.path("refund_line_items")) {
                ObjectNode item = lines.addObject();
                item.put("quantity", line.path("quantity").asInt());
                upper(item, "restockType", line.path("restock_type"));
                ObjectNode lineItem = item.putObject("lineItem");
                text(lineItem, "title", line.path("line_item").path("title"));
                item.set("subtotalSet", moneyBag(line.path("subtotal_set")));
            }
            ArrayNode transactions = out.putObject("transactions").putArray("nodes");
            for (JsonNode transaction : rest.path("transactions")) {
                ObjectNode item = transactions.addObject();
                upper(item, "kind", transaction.path("kind"));
                upper(item, "status", transaction.path("status"));
                time(item, "processedAt", transaction.path("processed_at"));
                item.putObject("amountSet").putObject("shopMoney").put("amount", transaction.path("amount").asText())
                        .put("currencyCode", transaction.path("currency").asText());
            }
            return out;
        }

        private JsonNode moneyBag(JsonNode set) {
            JsonNode shopMoney = set.path("shop_money");
            if (!shopMoney.isObject()) {
                return json.nullNode();
            }
            ObjectNode out = json.createObjectNode();
            out.putObject("shopMoney").put("amount", shopMoney.path("amount").asText())
                    .put("currencyCode", shopMoney.path("currency_code").asText());
            return out;
        }

        /** REST's null fulfilment status is GraphQL's UNFULFILLED; {@code partial} is PARTIALLY_FULFILLED. */
        private static String fulfillmentStatus(JsonNode rest) {
            if (!rest.isTextual()) {
                return "UNFULFILLED";
            }
            return "partial".equals(rest.asText()) ? "PARTIALLY_FULFILLED" : rest.asText().toUpperCase(Locale.ROOT);
        }

        private void text(ObjectNode out, String field, JsonNode value) {
            out.set(field, value.isTextual() ? value : json.nullNode());
        }

        /** GraphQL's DateTime: UTC with a Z, where REST writes the shop's offset. */
        private void time(ObjectNode out, String field, JsonNode value) {
            Optional<Instant> at = value.isTextual() ? Optional.of(instant(value.asText(), field)) : Optional.empty();
            out.set(field, at.<JsonNode>map(i -> json.getNodeFactory().textNode(i.toString())).orElse(json.nullNode()));
        }

        private void upper(ObjectNode out, String field, JsonNode value) {
            out.set(field, value.isTextual() ? json.getNodeFactory().textNode(value.asText().toUpperCase(Locale.ROOT))
                    : json.nullNode());
        }
    }

    /** For callers that want the orders as listed (tests, status). */
    List<String> orderIds() {
        return new ArrayList<>(orders.keySet());
    }
}
