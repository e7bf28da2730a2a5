package io.shopsync.connectors.shopify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What register would do, worked out from the wanted and the existing subscriptions alone. */
class SubscriptionPlanTest {

    private static final String BASE = "https://abc123.execute-api.eu-west-1.amazonaws.com";

    /** The three flows' topics as they take them today, each to its URL on a stack. */
    static List<SubscriptionPlan.Wanted> stack() {
        List<SubscriptionPlan.Wanted> wanted = new ArrayList<>();
        wanted.addAll(SubscriptionPlan.wanted("order-to-crm", List.of("orders/create", "orders/updated", "orders/paid",
                "orders/cancelled", "refunds/create"), BASE + "/webhooks/orders"));
        wanted.addAll(SubscriptionPlan.wanted("stock-to-inventory", List.of("inventory_levels/update",
                "inventory_levels/connect", "inventory_levels/disconnect", "inventory_items/create",
                "inventory_items/update"), BASE + "/webhooks/inventory"));
        wanted.addAll(SubscriptionPlan.wanted("fulfilment-to-crm", List.of("fulfillments/create", "fulfillments/update"),
                BASE + "/webhooks/fulfilments"));
        return wanted;
    }

    private static WebhookSubscription subscription(String id, String topic, String uri) {
        return new WebhookSubscription("gid://shopify/WebhookSubscription/" + id, topic, uri, "JSON", List.of(), null);
    }

    @Test
    void of_shouldKeepAMatch_evenWithATrailingSlashOrUpperCaseHost() {
        SubscriptionPlan plan = SubscriptionPlan.of(stack(), List.of(
                subscription("1", "ORDERS_CREATE", "https://ABC123.execute-api.eu-west-1.amazonaws.com/webhooks/orders/")));

        assertThat(plan.kept()).extracting(k -> k.wanted().topic()).containsExactly("orders/create");
        assertThat(plan.missing()).hasSize(11).noneMatch(w -> w.topic().equals("orders/create"));
        assertThat(plan.extra()).isEmpty();
    }

    @Test
    void of_shouldReportASecondIdenticalSubscription_asExtra_becauseShopifyWouldDeliverTwice() {
        SubscriptionPlan plan = SubscriptionPlan.of(stack(), List.of(subscription("1", "ORDERS_PAID", BASE + "/webhooks/orders"),
                subscription("2", "ORDERS_PAID", BASE + "/webhooks/orders")));

        assertThat(plan.kept()).hasSize(1);
        assertThat(plan.extra()).singleElement().satisfies(extra -> {
            assertThat(extra.existing().shortId()).isEqualTo("2");
            assertThat(extra.why()).contains("second subscription for the same topic and URL");
        });
    }

    @Test
    void of_shouldSayWhichFlowTakesATopic_sentToAnotherFlowsRoute() {
        SubscriptionPlan plan = SubscriptionPlan.of(stack(), List.of(
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
