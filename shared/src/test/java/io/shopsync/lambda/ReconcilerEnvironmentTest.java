package io.shopsync.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.connectors.shopify.SubscriptionPlan;
import io.shopsync.observability.Telemetry;
import io.shopsync.reconcile.ReconcileCheck;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.MutableClock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which checks a stack's settings give the reconciler ({@link ReconcilerEnvironment#checks()}), and which webhook
 * subscriptions it expects where. Nothing here reaches AWS or Shopify: the checks are only built.
 */
class ReconcilerEnvironmentTest {

    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String API = "https://abc123.execute-api.eu-west-1.amazonaws.com";
    private static final String SOURCE = "arn:aws:events:eu-west-1::event-source/aws.partner/shopify.com/1234567/shopsync";

    private final CapturedLines lines = new CapturedLines();
    private final Map<String, String> env = new HashMap<>(Map.of(
            "SHOPIFY_ALLOWED_SHOPS", SHOP,
            "SHOPIFY_ADMIN_TOKENS", "{\"" + SHOP + "\": \"shpat_0123456789abcdef\"}",
            "IDEMPOTENCY_TABLE", "shopsync-idempotency",
            "ORDER_WORK_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/order-to-crm.fifo",
            "ORDER_DEAD_LETTER_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/order-to-crm-dlq.fifo",
            "STOCK_WORK_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/stock-to-inventory.fifo",
            "STOCK_DEAD_LETTER_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/stock-to-inventory-dlq.fifo",
            "CLAIM_CHECK_BUCKET", "shopsync-claim-checks",
            "ALERTS_TOPIC_ARN", "arn:aws:sns:eu-west-1:123456789012:shopsync-alerts"));

    private ReconcilerEnvironment environment() {
        return ReconcilerEnvironment.fromVariables(env, new AwsServices(null, null, null, null, () -> null),
                new Telemetry(new ObjectMapper(), lines, new MutableClock(Instant.parse("2026-12-03T12:00:00Z"))),
                new MutableClock(Instant.parse("2026-12-03T12:00:00Z")));
    }

    private static List<String> names(List<ReconcileCheck> checks) {
        return checks.stream().map(ReconcileCheck::name).toList();
    }

    private void fulfilmentQueue() {
        env.put("FULFILMENT_WORK_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/fulfilment-to-crm.fifo");
        env.put("FULFILMENT_DEAD_LETTER_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/fulfilment-to-crm-dlq.fifo");
    }

    @Test
    void checks_shouldBeOrdersFulfilmentsStockAndSubscriptions_whenTheStackHasEveryTarget() {
        fulfilmentQueue();
        env.put("CRM_TARGETS", "hubspot,klaviyo");
        env.put("INVENTORY_TARGET", "webhook");
        env.put("LOCATION_MAPPING", "{\"655441491\": \"warehouse-main\"}");
        env.put("WEBHOOK_API_URL", API);

        ReconcilerEnvironment environment = environment();
        List<ReconcileCheck> checks = environment.checks();

        assertThat(names(checks)).containsExactly("orders", "fulfilments", "stock", "subscriptions");
        assertThat(checks).extracting(ReconcileCheck::flow)
                .containsExactly("order-to-crm", "fulfilment-to-crm", "stock-to-inventory", "reconciler");
        assertThat(environment.skipped()).isEmpty();
    }

    /**
     * The local stack's wiring: the same checks from the same settings, on the parts it is given (no DynamoDB table,
     * bucket or SNS topic is read), each flow's queues asked for by the URLs its settings name.
     */
    @Test
    void withParts_shouldBuildTheSameChecks_onTheGivenQueuesAndStores_withoutAwsSettings() {
        fulfilmentQueue();
        env.put("CRM_TARGETS", "hubspot");
        env.put("INVENTORY_TARGET", "webhook");
        env.put("LOCATION_MAPPING", "{\"655441491\": \"warehouse-main\"}");
        env.remove("IDEMPOTENCY_TABLE");
        env.remove("CLAIM_CHECK_BUCKET");
        env.remove("ALERTS_TOPIC_ARN");
        List<String> asked = new java.util.ArrayList<>();
        ReconcilerEnvironment.Parts parts = new ReconcilerEnvironment.Parts((work, deadLetters) -> {
            asked.add(work + " " + deadLetters);
            return new io.shopsync.testing.RecordingFlowQueues();
        }, new io.shopsync.testing.InMemoryDeliveryStore(), new io.shopsync.testing.InMemoryReportedLevels(),
                new io.shopsync.reconcile.Checkpoints() {
                    @Override
                    public java.util.Optional<Instant> read(String shop, String check) {
                        return java.util.Optional.empty();
                    }

                    @Override
                    public void advance(String shop, String check, Instant to) {
                    }
                }, new io.shopsync.testing.RecordingAlerts(), null);
        MutableClock clock = new MutableClock(Instant.parse("2026-12-03T12:00:00Z"));

        ReconcilerEnvironment environment = ReconcilerEnvironment.withParts(env, parts,
                new Telemetry(new ObjectMapper(), lines, clock), new ObjectMapper(), clock);
        List<ReconcileCheck> checks = environment.checks();

        assertThat(names(checks)).containsExactly("orders", "fulfilments", "stock");
        assertThat(environment.skipped()).containsOnlyKeys("subscriptions");
        assertThat(asked).containsExactly(env.get("ORDER_WORK_QUEUE_URL") + " " + env.get("ORDER_DEAD_LETTER_QUEUE_URL"),
                env.get("FULFILMENT_WORK_QUEUE_URL") + " " + env.get("FULFILMENT_DEAD_LETTER_QUEUE_URL"),
                env.get("STOCK_WORK_QUEUE_URL") + " " + env.get("STOCK_DEAD_LETTER_QUEUE_URL"));
        assertThat(environment.reconciler(checks)).isNotNull();
    }

    @Test
    void checks_shouldSkipStock_withALoggedReason_whenTheStackHasNoInventoryTarget() {
        fulfilmentQueue();
        env.put("CRM_TARGETS", "hubspot");
        env.put("WEBHOOK_API_URL", API);

        ReconcilerEnvironment environment = environment();

        assertThat(names(environment.checks())).containsExactly("orders", "fulfilments", "subscriptions");
        assertThat(environment.skipped()).containsOnlyKeys("stock");
        assertThat(environment.skipped().get("stock")).contains("INVENTORY_TARGET");
        assertThat(lines.parsed()).anySatisfy(line -> {
            assertThat(line.path("message").asText()).isEqualTo("reconcile check skipped");
            assertThat(line.path("check").asText()).isEqualTo("stock");
            assertThat(line.path("why").asText()).contains("INVENTORY_TARGET");
        });
    }

    @Test
    void checks_shouldSkipFulfilments_withALoggedReason_whenTheStackNamesNoFulfilmentQueue() {
        env.put("CRM_TARGETS", "hubspot");

        ReconcilerEnvironment environment = environment();

        assertThat(names(environment.checks())).containsExactly("orders");
        assertThat(environment.skipped().get("fulfilments")).contains("FULFILMENT_WORK_QUEUE_URL");
        assertThat(lines.parsed()).anySatisfy(line -> {
            assertThat(line.path("message").asText()).isEqualTo("reconcile check skipped");
            assertThat(line.path("check").asText()).isEqualTo("fulfilments");
        });
    }

    @Test
    void checks_shouldRefuseAKatanaMappingThatIsNotOneToOne_asTheStockFlowDoes() {
        env.put("INVENTORY_TARGET", "katana");
        env.put("LOCATION_MAPPING", "{\"655441491\": \"101\", \"655441492\": \"101\"}");

        assertThatThrownBy(() -> environment().checks()).hasMessageContaining("katana");
    }

    @Test
    void expectedSubscriptions_shouldBeEachFlowsTopics_toItsRoute_forTheFlowsWithATarget() {
        env.put("CRM_TARGETS", "klaviyo");
        env.put("WEBHOOK_API_URL", API + "/");

        List<SubscriptionPlan.Wanted> wanted = environment().expectedSubscriptions();

        assertThat(wanted).extracting(w -> w.topic() + " " + w.uri()).containsExactly(
                "orders/create " + API + "/webhooks/orders",
                "orders/updated " + API + "/webhooks/orders",
                "orders/paid " + API + "/webhooks/orders",
                "orders/cancelled " + API + "/webhooks/orders",
                "refunds/create " + API + "/webhooks/orders",
                "fulfillments/create " + API + "/webhooks/fulfilments",
                "fulfillments/update " + API + "/webhooks/fulfilments");
    }

    @Test
    void expectedSubscriptions_shouldAddCustomerTopics_andStock_whenTheStackTakesThem() {
        env.put("CRM_TARGETS", "hubspot");
        env.put("INVENTORY_TARGET", "webhook");
        env.put("ORDER_FLOW_CUSTOMER_TOPICS", "true");
        env.put("WEBHOOK_API_URL", API);

        List<SubscriptionPlan.Wanted> wanted = environment().expectedSubscriptions();

        assertThat(wanted).extracting(SubscriptionPlan.Wanted::topic)
                .contains("customers/create", "customers/update", "inventory_levels/update", "inventory_items/update");
        assertThat(wanted).filteredOn(w -> w.flow().equals("stock-to-inventory"))
                .allSatisfy(w -> assertThat(w.uri()).isEqualTo(API + "/webhooks/inventory"));
    }

    /** With EventBridge delivery, every topic goes to the partner event source, as webhooks register --delivery eventbridge does. */
    @Test
    void expectedSubscriptions_shouldExpectThePartnerEventSource_withEventBridgeDelivery() {
        env.put("CRM_TARGETS", "hubspot");
        env.put("WEBHOOK_API_URL", API);
        env.put("SHOPIFY_EVENT_SOURCE_ARN", SOURCE);

        List<SubscriptionPlan.Wanted> wanted = environment().expectedSubscriptions();

        assertThat(wanted).isNotEmpty().allSatisfy(w -> assertThat(w.uri()).isEqualTo(SOURCE));
    }

    @Test
    void checks_shouldSkipSubscriptions_whenNoDestinationIsSet() {
        env.put("CRM_TARGETS", "hubspot");

        ReconcilerEnvironment environment = environment();

        assertThat(names(environment.checks())).containsExactly("orders");
        assertThat(environment.skipped().get("subscriptions")).contains("WEBHOOK_API_URL", "SHOPIFY_EVENT_SOURCE_ARN");
    }
}
