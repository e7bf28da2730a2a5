package io.shopsync.orders;

import io.shopsync.connectors.hubspot.HubSpot;
import io.shopsync.connectors.klaviyo.Klaviyo;
import io.shopsync.flow.Flow;
import io.shopsync.flow.OrderFlow;
import io.shopsync.flow.WebhookRoutes;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.lambda.FlowFunction;
import io.shopsync.privacy.PrivacyTopics;
import io.shopsync.delivery.Target;
import io.shopsync.delivery.TopicRoutedTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** Shopify orders and refunds become CRM contacts, orders and order events (HubSpot, Klaviyo). */
public final class OrderToCrm extends FlowFunction {

    /** The flow's topics and entities live in shared/ ({@link OrderFlow}): the reconciler queues under the same keys. */
    public static final Flow FLOW = OrderFlow.FLOW;

    /**
     * The flow this function runs: the order flow as the deployment sets it, plus Shopify's privacy webhooks
     * (their own route, {@value WebhookRoutes#PRIVACY_PATH}, and their own FIFO group per shop).
     */
    static Flow flowFor(FlowEnvironment environment) {
        return WebhookRoutes.withPrivacyTopics(
                WebhookRoutes.orderFlow(customerTopics(environment), consentTopics(environment)));
    }

    private static boolean customerTopics(FlowEnvironment environment) {
        return "true".equalsIgnoreCase(environment.setting("ORDER_FLOW_CUSTOMER_TOPICS"));
    }

    /** ORDER_FLOW_CONSENT_TOPICS=true (OrderFlowConsentTopics): Shopify's marketing consent webhooks too. */
    private static boolean consentTopics(FlowEnvironment environment) {
        return "true".equalsIgnoreCase(environment.setting("ORDER_FLOW_CONSENT_TOPICS"));
    }

    /**
     * The flow as a deployment takes it: with customers/* when it sets ORDER_FLOW_CUSTOMER_TOPICS=true
     * (OrderFlowCustomerTopics). What {@code webhooks register} and the subscriptions' check subscribe.
     */
    public static Flow flow(boolean customerTopics) {
        return WebhookRoutes.orderFlow(customerTopics);
    }

    /** What Lambda calls. */
    public OrderToCrm() {
        this(FlowEnvironment.fromLambda());
    }

    /**
     * What tests and the local stack call. CRM_TARGETS turns HubSpot, Klaviyo or both on; with the consent
     * topics, each target's consent connector takes them (subscriptions, never the order connectors). Each CRM's
     * privacy connector takes customers/redact; Shopsync's own stores (target {@code shopsync}) take every
     * privacy topic and nothing else.
     */
    public OrderToCrm(FlowEnvironment environment) {
        super(flowFor(environment), environment, targets(environment));
    }

    private static List<Target> targets(FlowEnvironment environment) {
        List<Target> targets = new ArrayList<>(environment.enabledTargets("CRM_TARGETS", Map.of(
                "hubspot", () -> {
                    HubSpot hubspot = environment.hubspot();
                    return withPrivacy(withConsent(environment, hubspot.orders(FLOW.name()), hubspot::consent),
                            hubspot.privacy());
                },
                "klaviyo", () -> {
                    Klaviyo klaviyo = environment.klaviyo();
                    return withPrivacy(withConsent(environment, klaviyo.orders(), klaviyo::consent), klaviyo.privacy());
                })));
        environment.shopsyncData().ifPresent(targets::add);
        return targets;
    }

    private static Target withPrivacy(Target crm, Target privacy) {
        return new TopicRoutedTarget(crm, Set.copyOf(PrivacyTopics.ALL), privacy);
    }

    private static Target withConsent(FlowEnvironment environment, Target orders, Supplier<Target> consent) {
        return consentTopics(environment)
                ? new TopicRoutedTarget(orders, Set.copyOf(WebhookRoutes.CONSENT_TOPICS), consent.get())
                : orders;
    }
}
