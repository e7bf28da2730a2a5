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

    /**
     * Marketing consent webhooks (since API 2025-01 the only place Shopify sends consent), taken by the order
     * flow only when ORDER_FLOW_CONSENT_TOPICS=true (OrderFlowConsentTopics).
     */
    public static final String EMAIL_CONSENT_TOPIC = "customers_email_marketing_consent/update";
    public static final String SMS_CONSENT_TOPIC = "customers_marketing_consent/update";
    public static final List<String> CONSENT_TOPICS = List.of(EMAIL_CONSENT_TOPIC, SMS_CONSENT_TOPIC);

    /**
     * Where Shopify's privacy webhooks ({@link io.shopsync.privacy.PrivacyTopics}) arrive: the order flow's function,
     * in a FIFO group of their own. They are subscribed only in the app's configuration file (compliance_topics),
     * never through the Admin API, so no route below lists them and {@code webhooks register} never tries to.
     */
    public static final String PRIVACY_PATH = "/webhooks/privacy";

    private WebhookRoutes() {}

    /** The flow as its function runs it: with the privacy topics, as requests (deduplicated, no person versioned). */
    public static Flow withPrivacyTopics(Flow flow) {
        return flow.acceptsRequests(io.shopsync.privacy.PrivacyTopics.ENTITY,
                io.shopsync.privacy.PrivacyTopics.ALL.toArray(String[]::new));
    }

    /**
     * The order flow as a deployment takes it: with customers/* when it sets ORDER_FLOW_CUSTOMER_TOPICS=true.
     */
    public static Flow orderFlow(boolean customerTopics) {
        return orderFlow(customerTopics, false);
    }

    /**
     * The order flow with customers/* (ORDER_FLOW_CUSTOMER_TOPICS) and the consent topics
     * (ORDER_FLOW_CONSENT_TOPICS) as a deployment sets them. Consent is in the customer's group (ordered with
     * the customer's own updates) but versioned per channel by its {@code consent_updated_at} under a watermark
     * of its own: a customer record's {@code updated_at} never decides which consent is newer.
     */
    public static Flow orderFlow(boolean customerTopics, boolean consentTopics) {
        Flow flow = customerTopics
                ? OrderFlow.FLOW.accepts(EntityKeys.byId("customer", "id"), CUSTOMER_TOPICS.toArray(String[]::new))
                : OrderFlow.FLOW;
        return consentTopics
                ? flow.acceptsVersioned(EntityKeys.byId("customer", "customer_id"),
                                EntityKeys.byId("customer-email-consent", "customer_id"),
                                "email_marketing_consent.consent_updated_at", EMAIL_CONSENT_TOPIC)
                        .acceptsVersioned(EntityKeys.byId("customer", "id"),
                                EntityKeys.byId("customer-sms-consent", "id"),
                                "sms_marketing_consent.consent_updated_at", SMS_CONSENT_TOPIC)
                : flow;
    }

    /** Every flow and its route, in the order the stack lists them. */
    public static List<Route> all(boolean customerTopics) {
        return all(customerTopics, false);
    }

    /** Every flow and its route, the order flow with the optional topics the deployment takes. */
    public static List<Route> all(boolean customerTopics, boolean consentTopics) {
        return List.of(new Route(orderFlow(customerTopics, consentTopics), "/webhooks/orders"),
                new Route(StockFlow.FLOW, "/webhooks/inventory"),
                new Route(FulfilmentFlow.FLOW, "/webhooks/fulfilments"));
    }
}
