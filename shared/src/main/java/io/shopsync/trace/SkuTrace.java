package io.shopsync.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * "Did SKU X reach the inventory system?": the stock flow's entity is an inventory level (an inventory item at a
 * location) and its webhooks carry the item id, never the SKU. So a SKU is first resolved to its inventory item(s) and
 * their locations through Shopify's Admin API ({@link #QUERY}), then each level is traced as {@link EntityTrace} traces
 * an order. The SKU cache the flow keeps is no help here: it maps an item to its SKU, and the reverse would be a scan
 * of the table; nor does it know at which locations an item is stocked.
 */
public final class SkuTrace {

    /**
     * The SKU search (scope read_inventory): the items whose SKU matches, each with the locations it is stocked at.
     * Requested cost about 2 + 5 × (3 + 2 × 50) = 517 points, under the 1,000-point limit of one query.
     */
    public static final String QUERY = "query ItemsBySku($query: String!) { inventoryItems(first: 5, query: $query) {"
            + " nodes { id sku inventoryLevels(first: 50) { nodes { location { id } } } } } }";

    /** How {@link #QUERY}'s answer is named in a report. */
    public static final String RESOLVED_THROUGH = "shopify-admin-api";

    private static final String ITEM_GID = "gid://shopify/InventoryItem/";
    private static final String LOCATION_GID = "gid://shopify/Location/";

    private SkuTrace() {}

    /** One inventory item with the SKU asked for. @param locationIds where Shopify says it is stocked */
    public record Item(String inventoryItemId, List<String> locationIds) {}

    /** What a SKU's trace found: one report per level, in the order of the items and their locations. */
    public record Answer(String shop, String sku, Optional<String> location, List<Item> items,
                         List<EntityTrace.Report> levels) {
        /** Whether Shopsync knows anything of any of the levels. */
        public boolean found() {
            return levels.stream().anyMatch(EntityTrace.Report::found);
        }
    }

    /** The search a SKU is asked with: Shopify's {@code sku:} filter, the SKU quoted. */
    public static ObjectNode variables(String sku, ObjectMapper json) {
        return json.createObjectNode().put("query", "sku:\"" + sku.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }

    /**
     * The items of {@link #QUERY}'s {@code data} whose SKU is exactly {@code sku}: Shopify's search matches more
     * loosely (by prefix and word), and SKUs are case-sensitive.
     */
    public static List<Item> items(JsonNode data, String sku) {
        List<Item> items = new ArrayList<>();
        for (JsonNode node : data.path("inventoryItems").path("nodes")) {
            String id = node.path("id").asText("");
            if (!sku.equals(node.path("sku").asText(null)) || !id.startsWith(ITEM_GID)) {
                continue;
            }
            List<String> locations = new ArrayList<>();
            for (JsonNode level : node.path("inventoryLevels").path("nodes")) {
                String location = level.path("location").path("id").asText("");
                if (location.startsWith(LOCATION_GID)) {
                    locations.add(location.substring(LOCATION_GID.length()));
                }
            }
            items.add(new Item(id.substring(ITEM_GID.length()), List.copyOf(locations)));
        }
        return List.copyOf(items);
    }

    /**
     * Each level of the items traced: at {@code location} only when given (whether or not Shopify still stocks the
     * item there: a disconnected level has records too), else at every location Shopify names.
     */
    public static Answer trace(EntityTrace trace, String shop, String sku, Optional<String> location, List<Item> items) {
        List<EntityTrace.Report> levels = new ArrayList<>();
        for (Item item : items) {
            for (String at : location.map(List::of).orElse(item.locationIds())) {
                String entity = shop + "/inventory-level/" + item.inventoryItemId() + "/" + at;
                levels.add(trace.trace(new EntityTrace.Query(shop, entity, EntityTrace.describe(shop, entity))));
            }
        }
        return new Answer(shop, sku, location, items, List.copyOf(levels));
    }

    /** The answer as an operator reads it: which items and locations, then each level's trace. */
    public static String text(Answer answer, EntityTrace trace) {
        StringBuilder out = new StringBuilder("SKU ").append(answer.sku()).append(" at ").append(answer.shop()).append(": ");
        List<String> ids = answer.items().stream().map(Item::inventoryItemId).toList();
        out.append(ids.size() == 1 ? "inventory item " : "inventory items ").append(String.join(", ", ids));
        if (answer.location().isPresent()) {
            out.append(" at location ").append(answer.location().get());
        } else {
            out.append(" at ").append(answer.levels().size()).append(answer.levels().size() == 1 ? " location" : " locations");
        }
        out.append(" (resolved through Shopify's Admin API)\n");
        if (answer.levels().isEmpty()) {
            out.append("Shopify stocks ").append(ids.size() == 1 ? "it" : "them").append(" at no location: give "
                    + "--location ID to trace a level Shopify no longer lists\n");
        }
        for (EntityTrace.Report level : answer.levels()) {
            out.append('\n').append(trace.text(level));
        }
        return out.toString();
    }

    /** The answer for scripts: the SKU, its items, and each level's report as {@link EntityTrace#json} gives it. */
    public static ObjectNode json(Answer answer, EntityTrace trace, ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put("shop", answer.shop());
        root.put("sku", answer.sku());
        root.put("location", answer.location().orElse(null));
        root.put("resolvedThrough", RESOLVED_THROUGH);
        root.put("found", answer.found());
        ArrayNode items = root.putArray("items");
        for (Item item : answer.items()) {
            ObjectNode node = items.addObject();
            node.put("inventoryItemId", item.inventoryItemId());
            item.locationIds().forEach(node.putArray("locationIds")::add);
        }
        ArrayNode levels = root.putArray("levels");
        answer.levels().forEach(level -> levels.add(trace.json(level, mapper)));
        return root;
    }
}
