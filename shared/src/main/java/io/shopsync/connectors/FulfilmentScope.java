package io.shopsync.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * How much of its order a shipped Shopify fulfilment fulfils, as far as the fulfilment webhook shows:
 * {@link #PARTIAL} when any of its order lines still has units to fulfil (the line's {@code fulfillment_status}
 * {@code partial}; without a status, {@code fulfillable_quantity} above zero; a line {@code fulfilled} has
 * none left), otherwise {@link #COMPLETE}. Only a
 * fulfilment with status {@code success} has a scope; pending, open, cancelled, error and failure do not.
 *
 * <p>Limitation: the payload lists only the line items of this fulfilment, so an order line it does not
 * touch at all is invisible. A shipment of lines A and B of an order of A, B and C reads complete. And
 * {@code fulfillable_quantity} is the order line's remainder when Shopify sent the webhook: a later
 * fulfillments/update of the same fulfilment reads complete once other fulfilments shipped the rest.
 *
 * <p>The HubSpot and Klaviyo fulfilment connectors both use it, so they never disagree. The mapping files
 * read it as the payload field {@value #FIELD}, which {@link #annotated} adds to a copy of the payload.
 */
public enum FulfilmentScope {

    COMPLETE("complete"),
    PARTIAL("partial");

    /** The field {@link #annotated} adds, so mappings can map the scope like any Shopify field. */
    public static final String FIELD = "shopsync_fulfillment_scope";

    private final String label;

    FulfilmentScope(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The scope of a fulfilment with status success; empty for any other status. */
    public static Optional<FulfilmentScope> of(JsonNode fulfilment) {
        if (!"success".equals(fulfilment.path("status").asText())) {
            return Optional.empty();
        }
        for (JsonNode line : fulfilment.path("line_items")) {
            if (unitsLeft(line)) {
                return Optional.of(PARTIAL);
            }
        }
        return Optional.of(COMPLETE);
    }

    /** A copy of the payload with {@value #FIELD} set when the fulfilment has a scope; the payload itself is untouched. */
    public static JsonNode annotated(JsonNode fulfilment) {
        Optional<FulfilmentScope> scope = of(fulfilment);
        if (scope.isEmpty() || !(fulfilment instanceof ObjectNode object)) {
            return fulfilment;
        }
        ObjectNode copy = object.deepCopy();
        copy.put(FIELD, scope.get().label());
        return copy;
    }

    /**
     * Whether the order line still has units to fulfil. The line's {@code fulfillment_status} is the order
     * line's own state and decides when Shopify gives it: {@code fulfilled} has none left, whatever
     * {@code fulfillable_quantity} says (Shopify's own tracking-update example has a fulfilled line with
     * fulfillable_quantity 1), {@code partial} has some. Only without a status does the quantity decide.
     */
    private static boolean unitsLeft(JsonNode line) {
        String status = line.path("fulfillment_status").asText("");
        if (status.equals("fulfilled")) {
            return false;
        }
        return status.equals("partial") || remaining(line.get("fulfillable_quantity"));
    }

    private static boolean remaining(JsonNode quantity) {
        if (quantity == null || quantity.isNull()) {
            return false;
        }
        if (quantity.isNumber()) {
            return quantity.decimalValue().signum() > 0;
        }
        try {
            return new BigDecimal(quantity.asText().trim()).signum() > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
