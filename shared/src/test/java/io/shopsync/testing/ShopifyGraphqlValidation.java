package io.shopsync.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes a WireMock server answer as Shopify's Admin GraphQL API does before any stub is consulted:
 * a query asking {@code inventoryItem} (or the nodes of {@code inventoryItems}, or an {@code inventoryLevel}, or the
 * nodes of an {@code inventoryLevels} connection and their {@code item}) or
 * {@code order(id:)} for a field its type does not have is refused with Shopify's
 * {@code undefinedField} validation error, and a field the app's access scopes do not cover with
 * {@code ACCESS_DENIED} (HTTP 200 both, with {@code errors[]}). The app is granted only the scopes
 * the README's Deploy section lists for the SKU look-up ({@code read_inventory}); deprecated fields
 * are refused as well, so the connector cannot quietly start depending on one.
 *
 * <p>Register with {@code wireMockConfig().extensions(new ShopifyGraphqlValidation())}.
 */
public final class ShopifyGraphqlValidation implements ResponseDefinitionTransformerV2 {

    /** InventoryItem's fields in the 2026-10 schema that need no scope beyond read_inventory. */
    private static final Set<String> INVENTORY_ITEM_FIELDS = Set.of("id", "legacyResourceId", "sku", "tracked",
            "trackedEditable", "requiresShipping", "createdAt", "updatedAt", "countryCodeOfOrigin",
            "provinceCodeOfOrigin", "harmonizedSystemCode", "countryHarmonizedSystemCodes", "unitCost", "measurement",
            "inventoryLevel", "inventoryLevels", "locationsCount", "duplicateSkuCount", "inventoryHistoryUrl");
    /** Fields that exist but need another scope, with the reason Shopify gives. */
    private static final Map<String, String> NEEDS_SCOPE = Map.of(
            "variant", "read_products", // deprecated as well: InventoryItem.variants replaces it
            "variants", "read_products");
    private static final Set<String> DEPRECATED = Set.of("variant");
    /** InventoryLevel's fields in the 2026-10 schema (read_inventory). */
    private static final Set<String> INVENTORY_LEVEL_FIELDS = Set.of("id", "canDeactivate", "deactivationAlert",
            "createdAt", "updatedAt", "item", "location", "quantities", "scheduledChanges");
    /** A connection's own fields. */
    private static final Set<String> CONNECTION_FIELDS = Set.of("edges", "nodes", "pageInfo");
    private static final Set<String> PAGE_INFO_FIELDS = Set.of("hasNextPage", "hasPreviousPage", "startCursor",
            "endCursor");
    /**
     * Order's fields in the 2026-10 schema that the order look-ups may ask for (read_orders; the customer needs
     * read_customers). The money scalars REST still has (totalPrice, subtotalPrice, totalTax, ...) are gone
     * from GraphQL: only the *Set MoneyBags exist, and asking for one of the old names is an undefinedField.
     */
    private static final Set<String> ORDER_FIELDS = Set.of("id", "legacyResourceId", "name", "email", "phone", "test",
            "createdAt", "updatedAt", "processedAt", "cancelledAt", "cancelReason", "closedAt", "closed", "confirmed",
            "confirmationNumber", "displayFinancialStatus", "displayFulfillmentStatus", "currencyCode",
            "presentmentCurrencyCode", "tags", "note", "sourceName", "customerLocale", "discountCodes", "discountCode",
            "totalPriceSet", "subtotalPriceSet", "totalTaxSet", "totalDiscountsSet", "totalShippingPriceSet",
            "currentTotalPriceSet", "currentSubtotalPriceSet", "currentTotalTaxSet", "currentTotalDiscountsSet",
            "totalRefundedSet", "customer", "billingAddress", "shippingAddress", "lineItems", "refunds", "fulfillments",
            "transactions", "shippingLines", "taxLines", "customAttributes", "paymentGatewayNames", "statusPageUrl",
            "poNumber", "fullyPaid", "unpaid", "returnStatus", "subtotalLineItemsQuantity");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String getName() {
        return "shopify-graphql-validation";
    }

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        String path = serveEvent.getRequest().getUrl();
        if (!path.endsWith("/graphql.json")) {
            return serveEvent.getResponseDefinition();
        }
        String query;
        try {
            query = JSON.readTree(serveEvent.getRequest().getBodyAsString()).path("query").asText("");
        } catch (IOException e) {
            return error("Parse error on request body", "badRequest", null, null);
        }
        for (String field : selectedFields(query, "order")) {
            if (!ORDER_FIELDS.contains(field)) {
                return error("Field '" + field + "' doesn't exist on type 'Order'", "undefinedField", field, "Order");
            }
        }
        ResponseDefinition refused = inventoryItemFields(selectedFields(query, "inventoryItem"));
        if (refused != null) {
            return refused;
        }
        List<String> connection = selectedFields(query, "inventoryItems");
        for (String field : connection) {
            if (!CONNECTION_FIELDS.contains(field)) {
                return error("Field '" + field + "' doesn't exist on type 'InventoryItemConnection'", "undefinedField", field,
                        "InventoryItemConnection");
            }
        }
        if (!connection.isEmpty()) {
            int items = wordAt(query, "inventoryItems", 0);
            refused = inventoryItemFields(selectedFields(query, "nodes", items));
            if (refused != null) {
                return refused;
            }
            for (String field : selectedFields(query, "pageInfo", items)) {
                if (!PAGE_INFO_FIELDS.contains(field)) {
                    return error("Field '" + field + "' doesn't exist on type 'PageInfo'", "undefinedField", field, "PageInfo");
                }
            }
        }
        for (int at = wordAt(query, "inventoryLevel", 0); at >= 0; at = wordAt(query, "inventoryLevel", at + 1)) {
            for (String field : selectedFields(query, "inventoryLevel", at)) {
                if (!INVENTORY_LEVEL_FIELDS.contains(field)) {
                    return error("Field '" + field + "' doesn't exist on type 'InventoryLevel'", "undefinedField", field,
                            "InventoryLevel");
                }
            }
        }
        int levels = wordAt(query, "inventoryLevels", 0);
        if (levels >= 0) {
            for (String field : selectedFields(query, "inventoryLevels", levels)) {
                if (!CONNECTION_FIELDS.contains(field)) {
                    return error("Field '" + field + "' doesn't exist on type 'InventoryLevelConnection'", "undefinedField",
                            field, "InventoryLevelConnection");
                }
            }
            int nodes = wordAt(query, "nodes", levels);
            for (String field : nodes < 0 ? List.<String>of() : selectedFields(query, "nodes", nodes)) {
                if (!INVENTORY_LEVEL_FIELDS.contains(field)) {
                    return error("Field '" + field + "' doesn't exist on type 'InventoryLevel'", "undefinedField", field,
                            "InventoryLevel");
                }
            }
            int item = nodes < 0 ? -1 : wordAt(query, "item", nodes);
            refused = item < 0 ? null : inventoryItemFields(selectedFields(query, "item", item));
            if (refused != null) {
                return refused;
            }
        }
        return serveEvent.getResponseDefinition();
    }

    private static ResponseDefinition inventoryItemFields(List<String> fields) {
        for (String field : fields) {
            if (NEEDS_SCOPE.containsKey(field) || DEPRECATED.contains(field)) {
                return error("Access denied for " + field + " field. Required access: `" + NEEDS_SCOPE.get(field)
                        + "` access scope." + (DEPRECATED.contains(field) ? " (deprecated field)" : ""), "ACCESS_DENIED", field,
                        "InventoryItem");
            }
            if (!INVENTORY_ITEM_FIELDS.contains(field)) {
                return error("Field '" + field + "' doesn't exist on type 'InventoryItem'", "undefinedField", field,
                        "InventoryItem");
            }
        }
        return null;
    }

    /** Where {@code word} occurs as a whole word (not as the start of a longer name) from {@code from}; -1 if not. */
    static int wordAt(String query, String word, int from) {
        for (int at = query.indexOf(word, from); at >= 0; at = query.indexOf(word, at + 1)) {
            int end = at + word.length();
            boolean startsWord = at == 0 || !Character.isLetterOrDigit(query.charAt(at - 1));
            boolean endsWord = end >= query.length() || !(Character.isLetterOrDigit(query.charAt(end)) || query.charAt(end) == '_');
            if (startsWord && endsWord) {
                return at;
            }
        }
        return -1;
    }

    /** The fields directly selected on {@code root} (aliases and arguments skipped, nested selections ignored). */
    static List<String> selectedFields(String query, String root) {
        return selectedFields(query, root, 0);
    }

    /** The fields directly selected on the first whole-word {@code root} at or after {@code from}. */
    static List<String> selectedFields(String query, String root, int from) {
        List<String> fields = new ArrayList<>();
        int at = wordAt(query, root, from);
        if (at < 0) {
            return fields;
        }
        int i = query.indexOf('{', at);
        if (i < 0) {
            return fields;
        }
        int depth = 0;
        int parens = 0;
        StringBuilder word = new StringBuilder();
        for (; i < query.length(); i++) {
            char c = query.charAt(i);
            if (Character.isLetterOrDigit(c) || c == '_') {
                word.append(c);
                continue;
            }
            if (word.length() > 0 && depth == 1 && parens == 0 && c != ':') {
                fields.add(word.toString());
            }
            word.setLength(0);
            switch (c) {
                case '{' -> depth++;
                case '}' -> depth--;
                case '(' -> parens++;
                case ')' -> parens--;
                default -> { }
            }
            if (depth == 0) {
                break;
            }
        }
        return fields;
    }

    private static ResponseDefinition error(String message, String code, String field, String typeName) {
        ObjectNode answer = JSON.createObjectNode();
        ObjectNode error = answer.putArray("errors").addObject();
        error.put("message", message);
        if (field != null) {
            error.putArray("path").add("query " + typeName).add(Character.toLowerCase(typeName.charAt(0))
                    + typeName.substring(1)).add(field);
        }
        ObjectNode extensions = error.putObject("extensions").put("code", code);
        if (field != null) {
            extensions.put("typeName", typeName).put("fieldName", field);
        }
        return new ResponseDefinitionBuilder().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(answer.toString()).build();
    }
}
