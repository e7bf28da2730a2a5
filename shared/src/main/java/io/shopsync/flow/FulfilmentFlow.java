package io.shopsync.flow;

/**
 * The fulfilment flow's topics and entities, in shared/ because the fulfilment function, the reconciler's
 * subscription check and the CLI ({@code webhooks register}) read them.
 */
public final class FulfilmentFlow {

    /**
     * A fulfilment updates its order, so it shares the order's group and is applied in order with it;
     * each fulfilment of the order has its own last-write-wins version.
     */
    public static final Flow FLOW = Flow.named("fulfilment-to-crm")
            .acceptsParts(EntityKeys.byId("order", "order_id"), EntityKeys.byId("fulfillment", "id"),
                    "fulfillments/create", "fulfillments/update");

    private FulfilmentFlow() {}
}
