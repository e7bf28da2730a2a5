package io.shopsync.fulfilments;

import io.shopsync.flow.Flow;
import io.shopsync.flow.FulfilmentFlow;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.lambda.FlowFunction;
import java.util.Map;
import java.util.Optional;

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
                "hubspot", () -> environment.hubspot().fulfilments(),
                // Fulfilments may come without e-mail: with a Shopify Admin API token, the order's is looked up.
                "klaviyo", () -> environment.klaviyo().fulfilments(environment.hasShopifyAdmin()
                        ? Optional.of(environment.shopifyAdmin()) : Optional.empty()))));
    }
}
