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
 * A shop's Admin GraphQL API as the reconciler reads it, served by the local stack at
 * {@code POST /admin/api/<version>/graphql.json}: the scan {@code orders(first:, after:, sortKey: UPDATED_AT,
 * query: "updated_at:>='..' updated_at:<'..'")} with each order's {@code legacyResourceId} and {@code updatedAt},
 * and {@code order(id:)} with the fields {@link io.shopsync.connectors.shopify.ShopifyAdmin#order} asks for, in
 * Shopify's GraphQL shape (camelCase, MoneyBags, enum values in capitals, DateTimes in UTC, {@code null} for an
 * unknown id) and with {@code extensions.cost} as Shopify sends it.
 *
 * <p>The shop's orders come from a fixture directory of REST-shaped order payloads (events/payloads by
 * default): every {@code *.json} that is an order ({@code admin_graphql_api_id} {@code gid://shopify/Order/..});
 * for an order in several files, the one with the latest {@code updated_at} is the order as Shopify holds it
 * now. A request without the shop's access token is answered 401 as Shopify answers it; a query the stand-in
 * does not know is refused with a GraphQL error, so a new query cannot pass unnoticed. Local-only: never in a
 * function jar.
 */
final class ShopifyAdminStandIn implements HttpHandler {

    /** The bucket Shopify gives a standard plan: 2,000 points, refilled at 100 a second. */
    private static final double MAXIMUM_AVAILABLE = 2000.0;
    private static final double RESTORE_RATE = 100.0;
    private static final Pattern FROM = Pattern.compile("updated_at:>='([^']+)'");
    private static final Pattern TO = Pattern.compile("updated_at:<'([^']+)'");
    private static final Pattern PATH = Pattern.compile("/admin/api/\\d{4}-\\d{2}/graphql\\.json");

    private final Path fixture;
    private final String token;
    private final ObjectMapper json;
    /** Each order in GraphQL shape, by legacy id. */
    private final Map<String, ObjectNode> orders;

    private ShopifyAdminStandIn(Path fixture, String token, ObjectMapper json, Map<String, ObjectNode> orders) {
        this.fixture = fixture;
        this.token = token;
        this.json = json;
        this.orders = orders;
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
        Map<String, ObjectNode> latest = new LinkedHashMap<>();
        Map<String, Instant> versions = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> listed = Files.list(dir)) {
            files = listed.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list the Shopify fixture directory " + dir + ": " + e.getMessage(), e);
        }
        for (Path file : files) {
            JsonNode order;
            try {
                order = json.readTree(file.toFile());
            } catch (IOException e) {
                throw new IllegalArgumentException("Shopify fixture " + file + " is not JSON: " + e.getMessage(), e);
            }
            if (!order.path("admin_graphql_api_id").asText("").startsWith("gid://shopify/Order/")) {
                continue; // a refund, fulfilment or inventory payload: not an order
            }
            String id = order.path("id").asText();
            Instant updated = instant(order.path("updated_at").asText(""), file + " updated_at");
            if (!versions.containsKey(id) || updated.isAfter(versions.get(id))) {
                versions.put(id, updated);
                latest.put(id, new GraphqlOrder(json).of(order));
            }
        }
        if (latest.isEmpty()) {
            throw new IllegalArgumentException("no order payload (admin_graphql_api_id gid://shopify/Order/...) in the "
                    + "Shopify fixture directory " + dir.toAbsolutePath());
        }
        return new ShopifyAdminStandIn(dir, token, json, latest);
    }

    Path fixture() {
        return fixture;
    }

    int orderCount() {
        return orders.size();
    }

    /** The oldest {@code updatedAt} of the shop's orders: a local reconciler's first window reaches back to it. */
    Instant oldestUpdate() {
        return orders.values().stream().map(o -> Instant.parse(o.path("updatedAt").asText()))
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
            return orderVersions(variables);
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
        return graphqlError("the local Shopify stand-in answers only the reconciler's OrderVersions and Order queries;"
                + " add the query to " + ShopifyAdminStandIn.class.getSimpleName() + " to use it locally", "undefinedField");
    }

    private ObjectNode orderVersions(JsonNode variables) {
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
        ObjectNode pageInfo = connection.putObject("pageInfo");
        pageInfo.put("hasNextPage", offset + page.size() < matching.size());
        if (page.isEmpty()) {
            pageInfo.putNull("endCursor");
        } else {
            pageInfo.put("endCursor", cursor(offset + page.size()));
        }
        ArrayNode nodes = connection.putArray("nodes");
        page.forEach(order -> nodes.addObject().put("legacyResourceId", order.path("legacyResourceId").asText())
                .put("updatedAt", order.path("updatedAt").asText()));
        cost(answer, 2 + first, 2 + page.size());
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
