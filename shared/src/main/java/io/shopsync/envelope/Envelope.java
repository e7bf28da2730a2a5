package io.shopsync.envelope;

import java.time.Instant;
import java.util.Objects;

/**
 * What intake puts on a flow's queue: the raw payload (or a claim check for it) plus the Shopify
 * headers that matter downstream.
 *
 * @param flow the flow that accepted the delivery
 * @param topic X-Shopify-Topic, lower case (null only for an unprocessable delivery)
 * @param shop X-Shopify-Shop-Domain, lower case (null only for an unprocessable delivery)
 * @param webhookId X-Shopify-Webhook-Id, unique per delivery (may be null)
 * @param eventId X-Shopify-Event-Id, shared by the deliveries of one merchant action (may be null)
 * @param triggeredAt X-Shopify-Triggered-At with its full precision (may be null)
 * @param apiVersion X-Shopify-API-Version the payload was serialised with (may be null)
 * @param receivedAt when intake received the delivery
 * @param entity the entity key, also the FIFO message group (null when it could not be found)
 * @param body the exact bytes Shopify signed, or where they are stored
 */
public record Envelope(
        String flow,
        String topic,
        String shop,
        String webhookId,
        String eventId,
        Instant triggeredAt,
        String apiVersion,
        Instant receivedAt,
        String entity,
        Body body) {

    /**
     * The webhook id prefix of envelopes the reconciler queued for a missed or stale webhook
     * ({@code shopsync-reconcile-<order id>-<updated_at epoch millis>}); Shopify's webhook ids are UUIDs.
     */
    public static final String RECONCILER_WEBHOOK_ID_PREFIX = "shopsync-reconcile-";

    public Envelope {
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(body, "body");
    }

    /** Queued by the reconciler, not received from Shopify. */
    public boolean fromReconciler() {
        return webhookId != null && webhookId.startsWith(RECONCILER_WEBHOOK_ID_PREFIX);
    }

    public Envelope withEntity(String entityKey) {
        return new Envelope(flow, topic, shop, webhookId, eventId, triggeredAt, apiVersion, receivedAt, entityKey, body);
    }

    public Envelope withBody(Body newBody) {
        return new Envelope(flow, topic, shop, webhookId, eventId, triggeredAt, apiVersion, receivedAt, entity, newBody);
    }
}
