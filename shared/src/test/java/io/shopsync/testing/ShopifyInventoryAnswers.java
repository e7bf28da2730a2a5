package io.shopsync.testing;

/**
 * What Shopify's Admin GraphQL API (2026-10) answers to {@code location(id:) { inventoryLevels }}, for stand-ins:
 * a level node (its {@code updatedAt}, {@code available} and {@code on_hand} quantities, its inventory item) and a
 * page of them with the cost extension. Used by the stock drift and stock import tests.
 */
public final class ShopifyInventoryAnswers {

    private ShopifyInventoryAnswers() {}

    /** A level of a tracked item that no other item shares the SKU of. */
    public static String level(String itemId, String sku, int available, int onHand, String updatedAt) {
        return "{\"updatedAt\":\"" + updatedAt + "\",\"quantities\":[{\"name\":\"available\",\"quantity\":" + available
                + "},{\"name\":\"on_hand\",\"quantity\":" + onHand + "}],\"item\":{\"id\":\"gid://shopify/InventoryItem/"
                + itemId + "\",\"sku\":\"" + sku + "\",\"tracked\":true,\"duplicateSkuCount\":0}}";
    }

    /** @param endCursor null for the last page */
    public static String page(String endCursor, String... levels) {
        return "{\"data\":{\"location\":{\"inventoryLevels\":{\"pageInfo\":{\"hasNextPage\":" + (endCursor != null)
                + ",\"endCursor\":" + (endCursor == null ? "null" : "\"" + endCursor + "\"") + "},\"nodes\":["
                + String.join(",", levels) + "]}}},\"extensions\":{\"cost\":{\"requestedQueryCost\":302,"
                + "\"actualQueryCost\":9,\"throttleStatus\":{\"maximumAvailable\":2000.0,\"currentlyAvailable\":1991,"
                + "\"restoreRate\":100.0}}}}";
    }
}
