package io.shopsync.flow;

/**
 * The order flow's topics and entities, in shared/ because two functions read them: the order flow's own
 * (which delivers) and the reconciler's (which queues what webhooks missed under the same entity and
 * watermark keys, so that everything behind the queue treats both alike).
 */
public final class OrderFlow {

    /**
     * Every order topic and refunds are about one order, so they are processed in order. Order topics
     * carry the order's state (last write wins); a refund is an event on the order. The customer an
     * order embeds is versioned on its own (its updated_at), under the key customers/* webhooks use.
     */
    public static final Flow FLOW = Flow.named("order-to-crm")
            .accepts(EntityKeys.byId("order", "id"),
                    "orders/create", "orders/updated", "orders/paid", "orders/cancelled")
            .acceptsEvents(EntityKeys.byId("order", "order_id"), "refunds/create")
            .withPerson("customer");

    /** The targets the order flow may deliver to (CRM_TARGETS), by their {@code Target.name()}. */
    public static final java.util.Set<String> TARGETS = java.util.Set.of("hubspot", "klaviyo");

    private OrderFlow() {}
}
