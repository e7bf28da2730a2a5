package io.shopsync.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * An order's name as the admin shows it ('#1042') to its id, which the order flows key their records by: one Admin
 * GraphQL search (scope read_orders), kept only when the name matches exactly (Shopify's search matches loosely).
 * The CLI sends it to the shop; the local stack to its Shopify stand-in.
 */
public final class OrderNames {

    public static final String QUERY = "query OrderByName($query: String!) { orders(first: 5, query: $query) {"
            + " nodes { legacyResourceId name } } }";

    private OrderNames() {}

    /** Whether {@code name} can be an order's name (and so be searched for). */
    public static boolean plausible(String name) {
        return !name.isEmpty() && name.length() <= 64 && name.chars().noneMatch(c -> c < 32);
    }

    /** The search: Shopify's {@code name:} filter, the name quoted. */
    public static ObjectNode variables(String name, ObjectMapper json) {
        return json.createObjectNode().put("query", "name:\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }

    /** The id of the order in {@link #QUERY}'s {@code data} whose name is exactly {@code name}. */
    public static Optional<String> id(JsonNode data, String name) {
        for (JsonNode node : data.path("orders").path("nodes")) {
            if (name.equals(node.path("name").asText())) {
                return Optional.of(node.path("legacyResourceId").asText());
            }
        }
        return Optional.empty();
    }
}
