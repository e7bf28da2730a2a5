package io.shopsync.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.flow.UnprocessableWebhookException;
import java.math.BigInteger;
import java.util.List;

/**
 * A GraphQL {@code Fulfillment} ({@code ShopifyAdmin.FULFILMENT}) in the shape of a fulfillments/update webhook's
 * payload, with what the fulfilment flow's mappings read: {@code id}, {@code order_id} (exact integers),
 * {@code name}, {@code status} and {@code shipment_status} in REST's lower-case spelling ({@code success},
 * {@code in_transit}: the latest carrier event), {@code created_at}, {@code updated_at} (UTC), {@code email} (the
 * order's), {@code service}, {@code location_id}, {@code tracking_company}, {@code tracking_number(s)},
 * {@code tracking_url(s)} (first 10), and {@code line_items} (first 50: ids, title, name, sku, variant title,
 * vendor, the quantity this fulfilment ships, and {@code fulfillable_quantity}, the order line's remainder now).
 * {@link #NOT_CARRIED} lists what a webhook has and this does not.
 */
public final class FulfilmentPayload {

    /** What a fulfillments/update webhook carries that a reconciled fulfilment lacks (README, Reconciliation). */
    public static final List<String> NOT_CARRIED = List.of("origin_address", "destination", "receipt",
            "line_items[].fulfillment_status", "line_items[].price and its *_set", "line_items[].tax_lines",
            "line_items[].discount_allocations", "line_items[].properties", "line_items[].grams",
            "line_items beyond the first 50", "tracking beyond the first 10", "notify_customer");

    private final ObjectMapper json;
    private final OrderPayload orders;

    public FulfilmentPayload(ObjectMapper json) {
        this.json = json;
        this.orders = new OrderPayload(json);
    }

    /**
     * @throws UnprocessableWebhookException when the fulfilment or its order has no numeric id, or it has no
     *     {@code updatedAt}: without them it has no entity key and no version
     */
    public ObjectNode webhookShape(JsonNode fulfilment) {
        String id = OrderPayload.legacyId(fulfilment, "legacyResourceId", "fulfilment");
        String orderId = OrderPayload.legacyId(fulfilment.path("order"), "legacyResourceId", "fulfilment " + id + "'s order");
        if (fulfilment.path("updatedAt").asText("").isEmpty()) {
            throw new UnprocessableWebhookException("fulfilment " + id + " has no updatedAt");
        }
        ObjectNode out = json.createObjectNode();
        out.put("id", new BigInteger(id));
        out.put("order_id", new BigInteger(orderId));
        orders.text(out, "name", fulfilment, "name");
        OrderPayload.enumValue(out, "status", fulfilment.path("status"));
        orders.text(out, "created_at", fulfilment, "createdAt");
        orders.text(out, "updated_at", fulfilment, "updatedAt");
        orders.text(out, "email", fulfilment.path("order"), "email");
        orders.text(out, "service", fulfilment.path("service"), "handle");
        out.set("location_id", orders.optionalId(fulfilment.path("location")));
        OrderPayload.enumValue(out, "shipment_status", fulfilment.path("events").path("nodes").path(0).path("status"));
        ArrayNode numbers = json.createArrayNode();
        ArrayNode urls = json.createArrayNode();
        JsonNode tracking = fulfilment.path("trackingInfo");
        for (JsonNode info : tracking) {
            if (info.path("number").isTextual()) {
                numbers.add(info.path("number").asText());
            }
            if (info.path("url").isTextual()) {
                urls.add(info.path("url").asText());
            }
        }
        orders.text(out, "tracking_company", tracking.path(0), "company");
        out.set("tracking_number", numbers.isEmpty() ? json.nullNode() : numbers.get(0));
        out.set("tracking_numbers", numbers);
        out.set("tracking_url", urls.isEmpty() ? json.nullNode() : urls.get(0));
        out.set("tracking_urls", urls);
        ArrayNode lines = out.putArray("line_items");
        for (JsonNode node : fulfilment.path("fulfillmentLineItems").path("nodes")) {
            JsonNode item = node.path("lineItem");
            ObjectNode line = lines.addObject();
            line.set("id", orders.optionalId(item));
            line.set("variant_id", orders.optionalId(item.path("variant")));
            line.set("product_id", orders.optionalId(item.path("product")));
            orders.text(line, "title", item, "title");
            orders.text(line, "name", item, "name");
            orders.text(line, "sku", item, "sku");
            orders.text(line, "variant_title", item, "variantTitle");
            orders.text(line, "vendor", item, "vendor");
            line.put("quantity", node.path("quantity").asInt());
            line.set("fulfillable_quantity", item.path("unfulfilledQuantity").isNumber()
                    ? item.path("unfulfilledQuantity") : json.nullNode());
        }
        out.put("admin_graphql_api_id", "gid://shopify/Fulfillment/" + id);
        return out;
    }

    /** Whether Shopify had more line items than the query reads (the payload then lists only the first 50). */
    public static boolean lineItemsTruncated(JsonNode fulfilment) {
        return fulfilment.path("fulfillmentLineItems").path("pageInfo").path("hasNextPage").asBoolean(false);
    }
}
