package io.shopsync.flow;

import java.util.List;

/**
 * Where each flow takes its webhooks on the stack's HTTP API (template.yaml's routes): what
 * {@code webhooks register} subscribes and what the reconciler's subscription check expects, from one list.
 */
public final class WebhookRoutes {

    /** A flow, as a stack with or without customers/* on the order flow takes it, and its route. */
    public record Route(Flow flow, String path) {}

    /** Customer webhooks, taken by the order flow only when ORDER_FLOW_CUSTOMER_TOPICS=true (OrderFlowCustomerTopics). */
    public static final List<String> CUSTOMER_TOPICS = List.of("customers/create", "customers/update");

    private WebhookRoutes() {}

    /**
     * The order flow as a deployment takes it: with customers/* when it sets ORDER_FLOW_CUSTOMER_TOPICS=true.
     */
    public static Flow orderFlow(boolean customerTopics) {
        return customerTopics
                ? OrderFlow.FLOW.accepts(EntityKeys.byId("customer", "id"), CUSTOMER_TOPICS.toArray(String[]::new))
                : OrderFlow.FLOW;
    }

    /** Every flow and its route, in the order the stack lists them. */
    public static List<Route> all(boolean customerTopics) {
        return List.of(new Route(orderFlow(customerTopics), "/webhooks/orders"),
                new Route(StockFlow.FLOW, "/webhooks/inventory"),
                new Route(FulfilmentFlow.FLOW, "/webhooks/fulfilments"));
    }
}
