package io.shopsync.flow;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The id-only stub Shopify puts on an event bus instead of a payload over the bus's size limit
 * (EventBridge: 1 MB since November 2026): {@code {"id": <resource id>}} and nothing else. It is never
 * delivered as if it were the resource; it is queued as it came and the delivery path fetches the resource
 * through the Admin API ({@link Fetch}), where a failed fetch is retried with backoff, then dead-lettered with
 * its reason and an alert, like any target call.
 */
public final class PayloadStub {

    private PayloadStub() {}

    /** Where the full resource of a stub's topic is read: {@code GET /admin/api/<version>/<path>}, under {@code root}. */
    public record Fetch(String path, String root) {}

    /** Whether the payload is only a resource id: a JSON object whose one field is {@code id}. */
    public static boolean isStub(JsonNode payload) {
        return payload != null && payload.isObject() && payload.size() == 1 && payload.has("id");
    }

    /**
     * The Admin API read of a stub's full resource, for topics whose resource is found by its own id.
     * Empty for resources the REST Admin API addresses under their order (a refund, a fulfilment) and for
     * inventory levels, whose payload has no id: their stubs cannot be completed.
     */
    public static Optional<Fetch> fetchFor(String topic, String id) {
        if (topic == null || !id.matches("[1-9][0-9]{0,24}")) {
            return Optional.empty();
        }
        if (topic.startsWith("orders/")) {
            return Optional.of(new Fetch("orders/" + id + ".json", "order"));
        }
        if (topic.startsWith("customers/")) {
            return Optional.of(new Fetch("customers/" + id + ".json", "customer"));
        }
        if (topic.startsWith("inventory_items/")) {
            return Optional.of(new Fetch("inventory_items/" + id + ".json", "inventory_item"));
        }
        return Optional.empty();
    }

    /** Why a stub of {@code topic} cannot be completed, and what to do. */
    public static String cannotFetch(String topic, String id) {
        return "Shopify sent only the id (" + id + ") of this " + topic + " payload, because it was over the event bus's"
                + " size limit, and a " + topic + " resource cannot be read by its own id: look it up in the Shopify"
                + " admin and re-send it to the HTTPS route with scripts/shopsync replay, or let the next update of its"
                + " order bring the change";
    }
}
