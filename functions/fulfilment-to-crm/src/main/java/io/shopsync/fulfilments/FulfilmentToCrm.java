package io.shopsync.fulfilments;

import io.shopsync.connectors.hubspot.HubSpot;
import io.shopsync.connectors.klaviyo.Klaviyo;
import io.shopsync.flow.EntityKeys;
import io.shopsync.flow.Flow;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.lambda.FlowFunction;
import java.util.Map;

/**
 * Shopify fulfilments become order status and tracking on the HubSpot order, and Fulfilled Order or
 * Fulfilled Partial Order events in Klaviyo (mappings hubspot-fulfilment.json, klaviyo-fulfilled-order.json).
 */
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

    /** What tests and the local stack call. CRM_TARGETS turns HubSpot, Klaviyo or both on. */
    public FulfilmentToCrm(FlowEnvironment environment) {
        super(FLOW, environment, environment.enabledTargets("CRM_TARGETS", Map.of(
                "hubspot", () -> HubSpot.fulfilments(environment),
                "klaviyo", () -> Klaviyo.fulfilments(environment))));
    }
}
