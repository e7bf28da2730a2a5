package io.shopsync.fulfilments;

import io.shopsync.flow.EntityKeys;
import io.shopsync.flow.Flow;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.lambda.FlowFunction;

/** Shopify fulfilments become order status, tracking and fulfilment events in the CRM. */
public final class FulfilmentToCrm extends FlowFunction {

    /**
     * A fulfilment updates its order, so it shares the order's group and is applied in order with it;
     * each fulfilment of the order has its own last-write-wins version.
     */
    public static final Flow FLOW = Flow.named("fulfilment-to-crm")
            .acceptsParts(EntityKeys.byId("order", "order_id"), EntityKeys.byId("fulfillment", "id"),
                    "fulfillments/create", "fulfillments/update");

    /** What Lambda calls. */
    public FulfilmentToCrm() {
        this(FlowEnvironment.fromLambda());
    }

    /** What tests and the local stack call. */
    public FulfilmentToCrm(FlowEnvironment environment) {
        super(FLOW, environment);
    }
}
