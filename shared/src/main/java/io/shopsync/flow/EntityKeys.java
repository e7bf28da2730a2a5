package io.shopsync.flow;

import com.fasterxml.jackson.databind.JsonNode;

/** The entity keys the flows use, built from Shopify ids kept exact (they exceed 2^53). */
public final class EntityKeys {

    private EntityKeys() {}

    /** {@code shop/kind/<id>} where the id is the payload's {@code field}. */
    public static EntityKey byId(String kind, String field) {
        return (shop, payload) -> shop + "/" + kind + "/" + id(payload, field);
    }

    /** {@code shop/kind/<first>/<second>}, for entities named by two ids (an item at a location). */
    public static EntityKey byIds(String kind, String firstField, String secondField) {
        return (shop, payload) -> shop + "/" + kind + "/" + id(payload, firstField) + "/" + id(payload, secondField);
    }

    /**
     * A Shopify numeric id as exact decimal text: a JSON integer (never read as a double) or a
     * string of digits. Anything else is unprocessable.
     */
    public static String id(JsonNode payload, String field) {
        JsonNode node = payload.get(field);
        if (node == null || node.isNull()) {
            throw new UnprocessableWebhookException("payload has no " + field);
        }
        if (node.isIntegralNumber() && node.bigIntegerValue().signum() > 0) {
            return node.bigIntegerValue().toString();
        }
        if (node.isTextual() && node.asText().matches("[1-9][0-9]{0,24}")) {
            return node.asText();
        }
        throw new UnprocessableWebhookException(field + " is not a positive integer id: " + PayloadValue.describe(node));
    }
}
