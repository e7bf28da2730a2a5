package io.shopsync.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What Shopify's Admin GraphQL API (2026-10) answers about webhook subscriptions, for stand-ins: a subscription
 * node as {@code webhookSubscriptions} lists it (ids counting up from 1000), a page of them with the cost
 * extension, and a THROTTLED answer. Used by the shared check's tests and the CLI's.
 */
public final class ShopifySubscriptionsAnswers {

    private static final ObjectMapper JSON = new ObjectMapper();
    private int nextId = 1000;

    /** A JSON-format HTTPS subscription, with {@code uri} and the deprecated {@code endpoint.callbackUrl} alike. */
    public ObjectNode subscription(String topic, String uri) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", "gid://shopify/WebhookSubscription/" + nextId++);
        node.put("topic", topic);
        node.put("uri", uri);
        node.put("format", "JSON");
        node.putArray("includeFields");
        node.putNull("filter");
        node.putObject("endpoint").put("__typename", "WebhookHttpEndpoint").put("callbackUrl", uri);
        return node;
    }

    /** @param endCursor null for the last page */
    public static String page(List<ObjectNode> nodes, String endCursor) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode connection = root.putObject("data").putObject("webhookSubscriptions");
        connection.putObject("pageInfo").put("hasNextPage", endCursor != null).put("endCursor", endCursor);
        ArrayNode array = connection.putArray("nodes");
        nodes.forEach(array::add);
        root.putObject("extensions").putObject("cost").put("requestedQueryCost", 202).put("actualQueryCost", 12)
                .putObject("throttleStatus").put("maximumAvailable", 2000.0).put("currentlyAvailable", 1988)
                .put("restoreRate", 100.0);
        return root.toString();
    }

    /** THROTTLED as Shopify answers it (HTTP 200), with the bucket it reports. */
    public static String throttled(int requested, int available, int restoreRate) {
        return """
                {"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED",
                  "documentation":"https://shopify.dev/api/usage/rate-limits"}}],
                 "extensions":{"cost":{"requestedQueryCost":%d,"actualQueryCost":null,
                  "throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":%d,"restoreRate":%d.0}}}}"""
                .formatted(requested, available, restoreRate);
    }
}
