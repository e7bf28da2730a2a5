package io.shopsync.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopsync.envelope.Envelope;

/**
 * One webhook handed to a target: its envelope (ids, topic, shop, entity) and its parsed payload.
 * The body the payload was parsed from is the exact bytes Shopify signed.
 */
public record DeliveryItem(Envelope envelope, JsonNode payload) {

    public String topic() {
        return envelope.topic();
    }

    public String shop() {
        return envelope.shop();
    }
}
