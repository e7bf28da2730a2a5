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
}
