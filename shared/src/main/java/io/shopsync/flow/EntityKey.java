package io.shopsync.flow;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Finds the entity a webhook is about, as a key that is also the SQS FIFO message group: one
 * entity's updates are processed in order, different entities in parallel.
 */
@FunctionalInterface
public interface EntityKey {

    /**
     * @param shop the shop domain
     * @param payload the parsed webhook body (a JSON object)
     * @throws UnprocessableWebhookException when the payload lacks the ids that name its entity
     */
    String of(String shop, JsonNode payload);
}
