package io.shopsync.delivery;

import java.util.List;

/**
 * A system a flow writes to, through its connector. The runtime hands it the batch of items that
 * survived the duplicate and stale checks; it answers one outcome per item, in the same order, and
 * batches its own API calls as the API allows.
 */
public interface Target {

    /** Short stable name used in delivery records, metrics and alerts: {@code hubspot}, {@code klaviyo}. */
    String name();

    /**
     * Delivers the items. An exception is taken as a transient failure of every item in the batch.
     *
     * @return one outcome per item, in the order of {@code items}
     */
    List<DeliveryOutcome> deliver(List<DeliveryItem> items);

    /**
     * Whether, for this target, the topic carries something no other topic does: a one-off event such as
     * Klaviyo's Placed Order (orders/create only). Shopify does not order its webhooks, so an
     * orders/updated often overtakes its order's orders/create; the entity's watermark then calls the
     * create stale. For such a topic an older version is still handed to the target, marked
     * {@link DeliveryItem#stateIsStale()}, so it sends the event and leaves the newer state alone.
     */
    default boolean carriesEvents(String topic) {
        return false;
    }

    /**
     * Whether this target takes the topic at all: a target that does not is never claimed, called or recorded
     * for it (Shopsync's own stores take only the privacy topics; HubSpot takes no shop/redact). A message no
     * target takes is dead-lettered as having no target.
     */
    default boolean takes(String topic) {
        return true;
    }
}
