package io.shopsync.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopsync.envelope.Envelope;

/**
 * One webhook handed to a target: its envelope (ids, topic, shop, entity) and its parsed payload.
 * The body the payload was parsed from is the exact bytes Shopify signed.
 *
 * @param stateIsStale the target already has a newer version of the entity: apply only what this topic
 *     alone carries (its events, see {@link Target#carriesEvents}), never its state
 * @param personIsStale the target already has a newer version of the person the payload embeds (an
 *     order's customer, see {@link io.shopsync.flow.Flow#withPerson}): identify the person, but write none
 *     of their attributes
 */
public record DeliveryItem(Envelope envelope, JsonNode payload, boolean stateIsStale, boolean personIsStale) {

    public DeliveryItem(Envelope envelope, JsonNode payload) {
        this(envelope, payload, false, false);
    }

    public DeliveryItem(Envelope envelope, JsonNode payload, boolean stateIsStale) {
        this(envelope, payload, stateIsStale, false);
    }

    public String topic() {
        return envelope.topic();
    }

    public String shop() {
        return envelope.shop();
    }
}
