package io.shopsync.cli;

import io.shopsync.connectors.shopify.SubscriptionPlan;
import io.shopsync.connectors.shopify.WebhookSubscription;
import io.shopsync.flow.Flow;
import io.shopsync.flow.WebhookRoutes;
import io.shopsync.fulfilments.FulfilmentToCrm;
import io.shopsync.orders.OrderToCrm;
import io.shopsync.stock.StockToInventory;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A flow as a deployed stack shows it: its topics (from the flow itself, in its order), its HTTP API route, and
 * the names of the stack outputs that hold its webhook URL, work queue and dead-letter queue
 * (template.yaml; {@code DeployedFlowTest} keeps the two in step).
 */
record DeployedFlow(String name, List<String> topics, String route, String webhookUrlOutput, String queueUrlOutput,
                    String deadLetterQueueUrlOutput) {

    /** The flows as a stack with its default parameters takes them. */
    static final List<DeployedFlow> ALL = all(false);

    /** The stack parameter that adds customers/* to the order flow (ORDER_FLOW_CUSTOMER_TOPICS). */
    static final String CUSTOMER_TOPICS_PARAMETER = "OrderFlowCustomerTopics";

    /** The stack parameter that adds Shopify's two consent topics to the order flow (ORDER_FLOW_CONSENT_TOPICS). */
    static final String CONSENT_TOPICS_PARAMETER = "OrderFlowConsentTopics";

    /** The flows as a stack takes them, with or without customers/* on the order flow. */
    static List<DeployedFlow> all(boolean customerTopics) {
        return all(customerTopics, false);
    }

    /** The flows as a stack takes them, the order flow with the optional topics (customers/*, consent) it sets. */
    static List<DeployedFlow> all(boolean customerTopics, boolean consentTopics) {
        // The flows and routes are shared/'s (WebhookRoutes): the reconciler's subscription check expects the same.
        return WebhookRoutes.all(customerTopics, consentTopics).stream().map(route -> {
            String name = route.flow().name();
            if (name.equals(OrderToCrm.FLOW.name())) {
                return of(route.flow(), route.path(), "OrderWebhookUrl", "OrderToCrm");
            }
            if (name.equals(StockToInventory.FLOW.name())) {
                return of(route.flow(), route.path(), "InventoryWebhookUrl", "StockToInventory");
            }
            if (name.equals(FulfilmentToCrm.FLOW.name())) {
                return of(route.flow(), route.path(), "FulfilmentWebhookUrl", "FulfilmentToCrm");
            }
            throw new IllegalStateException("flow " + name + " has a route but no stack outputs here: add them");
        }).toList();
    }

    /** What the stack wants subscribed: each flow's topics to its URL. */
    static List<SubscriptionPlan.Wanted> wanted(Map<DeployedFlow, String> urls, boolean customerTopics,
                                                boolean consentTopics) {
        List<SubscriptionPlan.Wanted> wanted = new ArrayList<>();
        for (DeployedFlow flow : all(customerTopics, consentTopics)) {
            String uri = urls.get(named(flow.name()));
            if (uri != null) {
                wanted.addAll(SubscriptionPlan.wanted(flow.name(), flow.topics(), uri));
            }
        }
        return wanted;
    }

    /** The subscription's topic as the flows name it (orders/create) when one of them takes it, else the enum value. */
    static String topicName(WebhookSubscription subscription) {
        return ALL.stream().flatMap(f -> f.topics().stream())
                .filter(t -> WebhookSubscription.enumOf(t).equals(subscription.topic()))
                .findFirst().orElse(subscription.topic());
    }

    /** The flow whose route the subscription's URI ends with, if any. */
    static Optional<DeployedFlow> serving(WebhookSubscription subscription) {
        return subscription.uri() == null ? Optional.empty() : servingUrl(subscription.uri());
    }

    private static DeployedFlow of(Flow flow, String route, String webhookUrlOutput, String queuePrefix) {
        return new DeployedFlow(flow.name(), List.copyOf(flow.topics()), route, webhookUrlOutput,
                queuePrefix + "QueueUrl", queuePrefix + "DeadLetterQueueUrl");
    }

    DeployedFlow {
        topics = List.copyOf(topics);
    }

    /** The output naming the flow's EventBridge dead-letter queue (only on a stack with EventBridge delivery). */
    String eventsDeadLetterQueueUrlOutput() {
        return deadLetterQueueUrlOutput.replace("DeadLetterQueueUrl", "EventsDeadLetterQueueUrl");
    }

    /** The output naming the flow's function, whose log group is {@code /aws/lambda/<function>} (template.yaml). */
    String functionNameOutput() {
        return queueUrlOutput.replace("QueueUrl", "FunctionName");
    }

    static String names() {
        return ALL.stream().map(DeployedFlow::name).collect(Collectors.joining(", "));
    }

    static DeployedFlow named(String name) {
        return ALL.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "no flow named '" + name + "': use one of " + names()));
    }

    /** The flow that takes a topic ({@code orders/create}), if any. */
    static Optional<DeployedFlow> takingTopic(String topic) {
        return ALL.stream().filter(f -> f.topics().contains(topic)).findFirst();
    }

    /** The flow whose route a URL ends with, if any. */
    static Optional<DeployedFlow> servingUrl(String url) {
        String path;
        try {
            path = URI.create(url.trim()).getPath();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String trimmed = path == null ? "" : path.replaceAll("/+$", "");
        return ALL.stream().filter(f -> trimmed.endsWith(f.route())).findFirst();
    }

    /** Converts picocli's FLOW argument. */
    static final class Converter implements picocli.CommandLine.ITypeConverter<DeployedFlow> {
        @Override
        public DeployedFlow convert(String value) {
            try {
                return named(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Lets picocli list the flows in usage help. */
    static final class Names implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ALL.stream().map(DeployedFlow::name).iterator();
        }
    }
}
