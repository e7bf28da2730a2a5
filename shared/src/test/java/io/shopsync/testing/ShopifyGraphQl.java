package io.shopsync.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes a WireMock stub of Shopify's Admin GraphQL API read the query: a field that does not exist on
 * its type (in API version 2026-10) is answered as Shopify answers it, 200 with an
 * {@code undefinedField} error and no data; otherwise the stub's canned {@code data} is cut down to
 * the fields the query selects, so code that reads a field it did not ask for finds nothing. Use it
 * with {@code .withTransformers(ShopifyGraphQl.NAME)} on a stub whose body is a full answer.
 */
public final class ShopifyGraphQl implements ResponseTransformerV2 {

    public static final String NAME = "shopify-graphql";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The types the look-ups reach, and the fields Shopify has on them (a field's type, or "" for a scalar). */
    private static final Map<String, Map<String, String>> SCHEMA = Map.of(
            "QueryRoot", Map.of("inventoryItem", "InventoryItem", "productVariant", "ProductVariant"),
            "InventoryItem", fields("id legacyResourceId sku tracked requiresShipping createdAt updatedAt"
                    + " countryCodeOfOrigin provinceCodeOfOrigin harmonizedSystemCode duplicateSkuCount"
                    + " inventoryHistoryUrl locationsCount", Map.of("variant", "ProductVariant",
                    "variants", "ProductVariantConnection", "unitCost", "MoneyV2", "measurement", "InventoryItemMeasurement")),
            "ProductVariant", fields("id legacyResourceId sku title displayName barcode price compareAtPrice"
                    + " inventoryQuantity availableForSale createdAt updatedAt position taxable",
                    Map.of("inventoryItem", "InventoryItem", "product", "Product")),
            "ProductVariantConnection", Map.of("nodes", "ProductVariant", "edges", "ProductVariantEdge",
                    "pageInfo", "PageInfo"),
            "ProductVariantEdge", Map.of("node", "ProductVariant", "cursor", ""),
            "PageInfo", fields("hasNextPage hasPreviousPage startCursor endCursor", Map.of()),
            "Product", fields("id legacyResourceId title handle status vendor productType", Map.of()),
            "MoneyV2", fields("amount currencyCode", Map.of()),
            "InventoryItemMeasurement", fields("id", Map.of("weight", "Weight")),
            "Weight", fields("unit value", Map.of()));

    private static Map<String, String> fields(String scalars, Map<String, String> objects) {
        Map<String, String> all = new LinkedHashMap<>(objects);
        for (String scalar : scalars.split(" ")) {
            all.put(scalar, "");
        }
        return all;
    }

    /** One selected field: its name in the answer, its name in the schema, and what is selected under it. */
    private record Selection(String key, String field, List<Selection> children) {}

    @Override
    public Response transform(Response response, ServeEvent serveEvent) {
        try {
            JsonNode request = JSON.readTree(serveEvent.getRequest().getBodyAsString());
            List<Selection> selected = new Parser(request.path("query").asText("")).operation();
            List<String> unknown = new ArrayList<>();
            check("QueryRoot", selected, unknown);
            if (!unknown.isEmpty()) {
                ObjectNode answer = JSON.createObjectNode();
                ArrayNode errors = answer.putArray("errors");
                for (String problem : unknown) {
                    String[] typeAndField = problem.split("\\.");
                    ObjectNode error = errors.addObject().put("message", "Field '" + typeAndField[1]
                            + "' doesn't exist on type '" + typeAndField[0] + "'");
                    error.putObject("extensions").put("code", "undefinedField").put("typeName", typeAndField[0])
                            .put("fieldName", typeAndField[1]);
                }
                return Response.Builder.like(response).but().status(200).body(JSON.writeValueAsString(answer)).build();
            }
            JsonNode canned = JSON.readTree(response.getBodyAsString());
            if (!canned.has("data") || canned.path("data").isNull()) {
                return response; // an error or throttle answer: as scripted
            }
            ObjectNode answer = canned.deepCopy();
            answer.set("data", prune(canned.path("data"), selected));
            return Response.Builder.like(response).but().body(JSON.writeValueAsString(answer)).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void check(String type, List<Selection> selections, List<String> unknown) {
        Map<String, String> fields = SCHEMA.get(type);
        for (Selection selection : selections) {
            if (selection.field().equals("__typename")) {
                continue;
            }
            String fieldType = fields.get(selection.field());
            if (fieldType == null) {
                unknown.add(type + "." + selection.field());
            } else if (!fieldType.isEmpty()) {
                if (selection.children().isEmpty()) {
                    unknown.add(type + "." + selection.field() + " (an object: select its fields)");
                }
                check(fieldType, selection.children(), unknown);
            }
        }
    }

    private static JsonNode prune(JsonNode data, List<Selection> selections) {
        if (data.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            data.forEach(element -> out.add(prune(element, selections)));
            return out;
        }
        if (!data.isObject() || selections.isEmpty()) {
            return data;
        }
        ObjectNode out = JSON.createObjectNode();
        for (Selection selection : selections) {
            JsonNode value = data.get(selection.key());
            if (value != null) {
                out.set(selection.key(), selection.children().isEmpty() ? value : prune(value, selection.children()));
            }
        }
        return out;
    }

    /** Just enough GraphQL: one operation, fields with aliases and arguments, nested selections. */
    private static final class Parser {
        private final String text;
        private int at;

        Parser(String text) {
            this.text = text;
        }

        List<Selection> operation() {
            skipSpace();
            if (text.startsWith("query", at) || text.startsWith("mutation", at)) {
                name();
                skipSpace();
                if (at < text.length() && Character.isLetter(text.charAt(at))) {
                    name();
                }
                skipSpace();
                if (peek('(')) {
                    skipParentheses();
                }
            }
            return selectionSet();
        }

        private List<Selection> selectionSet() {
            expect('{');
            List<Selection> selections = new ArrayList<>();
            while (!peek('}')) {
                if (text.startsWith("...", at)) {
                    throw new IllegalArgumentException("the stub does not read fragments: " + text);
                }
                String key = name();
                String field = key;
                if (peek(':')) {
                    at++;
                    field = name();
                }
                if (peek('(')) {
                    skipParentheses();
                }
                List<Selection> children = peek('{') ? selectionSet() : List.of();
                selections.add(new Selection(key, field, children));
            }
            expect('}');
            return selections;
        }

        private String name() {
            skipSpace();
            int start = at;
            while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) {
                at++;
            }
            if (start == at) {
                throw new IllegalArgumentException("not a GraphQL query the stub can read, at " + at + ": " + text);
            }
            return text.substring(start, at);
        }

        private void skipParentheses() {
            int depth = 0;
            do {
                char c = text.charAt(at++);
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            } while (depth > 0);
        }

        private boolean peek(char c) {
            skipSpace();
            return at < text.length() && text.charAt(at) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw new IllegalArgumentException("expected '" + c + "' at " + at + ": " + text);
            }
            at++;
        }

        private void skipSpace() {
            while (at < text.length() && (Character.isWhitespace(text.charAt(at)) || text.charAt(at) == ',')) {
                at++;
            }
        }
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }
}
