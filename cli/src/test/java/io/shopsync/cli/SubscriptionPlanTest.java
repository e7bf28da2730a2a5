package io.shopsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What register would do, worked out from the wanted and the existing subscriptions alone. */
class SubscriptionPlanTest {

    private static final String BASE = "https://abc123.execute-api.eu-west-1.amazonaws.com";

    private static Map<DeployedFlow, String> urls() {
        Map<DeployedFlow, String> urls = new LinkedHashMap<>();
        DeployedFlow.ALL.forEach(flow -> urls.put(flow, BASE + flow.route()));
        return urls;
    }

    private static WebhookSubscription subscription(String id, String topic, String uri) {
        return new WebhookSubscription("gid://shopify/WebhookSubscription/" + id, topic, uri, "JSON", List.of(), null);
    }

    @Test
    void of_shouldKeepAMatch_evenWithATrailingSlashOrUpperCaseHost() {
        SubscriptionPlan plan = SubscriptionPlan.of(urls(), List.of(
                subscription("1", "ORDERS_CREATE", "https://ABC123.execute-api.eu-west-1.amazonaws.com/webhooks/orders/")));

        assertThat(plan.kept()).extracting(k -> k.wanted().topic()).containsExactly("orders/create");
        assertThat(plan.missing()).hasSize(11).noneMatch(w -> w.topic().equals("orders/create"));
        assertThat(plan.extra()).isEmpty();
    }

    @Test
    void of_shouldReportASecondIdenticalSubscription_asExtra_becauseShopifyWouldDeliverTwice() {
        SubscriptionPlan plan = SubscriptionPlan.of(urls(), List.of(subscription("1", "ORDERS_PAID", BASE + "/webhooks/orders"),
                subscription("2", "ORDERS_PAID", BASE + "/webhooks/orders")));

        assertThat(plan.kept()).hasSize(1);
        assertThat(plan.extra()).singleElement().satisfies(extra -> {
            assertThat(extra.existing().shortId()).isEqualTo("2");
            assertThat(extra.why()).contains("second subscription for the same topic and URL");
        });
    }

    @Test
    void of_shouldSayWhichFlowTakesATopic_sentToAnotherFlowsRoute() {
        SubscriptionPlan plan = SubscriptionPlan.of(urls(), List.of(
                subscription("7", "FULFILLMENTS_CREATE", BASE + "/webhooks/orders")));

        assertThat(plan.extra()).singleElement().extracting(SubscriptionPlan.Extra::why).asString()
                .contains("this stack's order-to-crm route, but fulfilment-to-crm takes this topic",
                        BASE + "/webhooks/fulfilments");
        assertThat(plan.missing()).extracting(SubscriptionPlan.Wanted::topicEnum).contains("FULFILLMENTS_CREATE");
    }

    @Test
    void enumOf_shouldUpperCaseTheTopic_andTurnItsSlashIntoAnUnderscore() {
        assertThat(WebhookSubscription.enumOf("orders/create")).isEqualTo("ORDERS_CREATE");
        assertThat(WebhookSubscription.enumOf("inventory_levels/update")).isEqualTo("INVENTORY_LEVELS_UPDATE");
    }
}
