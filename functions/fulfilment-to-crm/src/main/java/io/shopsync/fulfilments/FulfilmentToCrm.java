package io.shopsync.fulfilments;

import io.shopsync.connectors.hubspot.HubSpot;
import io.shopsync.connectors.klaviyo.Klaviyo;
import io.shopsync.flow.Flow;
import io.shopsync.flow.FulfilmentFlow;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.lambda.FlowFunction;
import java.util.Map;

/**
 * Shopify fulfilments become order status and tracking on the HubSpot order, and Fulfilled Order or
 * Fulfilled Partial Order events in Klaviyo (mappings hubspot-fulfilment.json, klaviyo-fulfilled-order.json).
 */
public final class FulfilmentToCrm extends FlowFunction {

    /** The flow's topics and entities live in shared/ ({@link FulfilmentFlow}): the reconciler's subscription check reads them. */
    public static final Flow FLOW = FulfilmentFlow.FLOW;

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
