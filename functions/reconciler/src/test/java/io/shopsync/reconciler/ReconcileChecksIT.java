package io.shopsync.reconciler;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.WebhookRoutes;
import io.shopsync.lambda.ReconcilerEnvironment;
import io.shopsync.observability.Telemetry;
import io.shopsync.reconcile.DynamoDbCheckpoints;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.ShopifyInventoryAnswers;
import io.shopsync.testing.ShopifySubscriptionsAnswers;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * One scheduled run with every check a full stack has (orders, stock, subscriptions), against real SQS,
 * DynamoDB and SNS APIs (the order and stock flows' queues, the table, the alerts topic) and one Shopify stand-in
 * answering the orders scan, the changed inventory and the shop's webhook subscriptions: a missed order, a level
 * the inventory target never got and a subscription Shopify deleted are each found in the same run, counted
 * (MissedQueued, DriftFound, SubscriptionsMissing), queued on their own flow's queue, and the missing
 * subscription alerted.
 */
@ExtendWith(AwsBackend.class)
class ReconcileChecksIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String MISSED = "820982911946154502";
    private static final String ITEM = "437290762312585471";
    private static final String MAIN = "655441491";
    private static final String API = "https://abc123.execute-api.us-east-1.amazonaws.com";

    private final AwsFlowStack stack;
    private final AwsClients.FifoQueues stockQueues;
    private final AwsClients.FifoQueues fulfilmentQueues;
    private final ShopifyOrdersStandIn shopify = new ShopifyOrdersStandIn();
    private final ShopifySubscriptionsAnswers subscriptions = new ShopifySubscriptionsAnswers();
    private final CapturedLines lines = new CapturedLines();

    ReconcileChecksIT(AwsClients aws) {
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        this.stockQueues = aws.createFifoQueues("stock-to-inventory", AwsFlowStack.MAX_RECEIVE_COUNT);
        this.fulfilmentQueues = aws.createFifoQueues("fulfilment-to-crm", AwsFlowStack.MAX_RECEIVE_COUNT);
    }

    @AfterEach
    void stop() {
        shopify.close();
    }

    private Map<String, String> variables() {
        Map<String, String> env = new HashMap<>();
        env.put("SHOPIFY_ALLOWED_SHOPS", SHOP);
        env.put("SHOPIFY_ADMIN_TOKENS", "{\"" + SHOP + "\": \"" + ShopifyOrdersStandIn.TOKEN + "\"}");
        env.put("SHOPIFY_ADMIN_BASE_URL", shopify.baseUrl());
        env.put("IDEMPOTENCY_TABLE", stack.table);
        env.put("ORDER_WORK_QUEUE_URL", stack.queues.workQueueUrl());
        env.put("ORDER_DEAD_LETTER_QUEUE_URL", stack.queues.deadLetterQueueUrl());
        env.put("STOCK_WORK_QUEUE_URL", stockQueues.workQueueUrl());
        env.put("FULFILMENT_WORK_QUEUE_URL", fulfilmentQueues.workQueueUrl());
        env.put("FULFILMENT_DEAD_LETTER_QUEUE_URL", fulfilmentQueues.deadLetterQueueUrl());
        env.put("STOCK_DEAD_LETTER_QUEUE_URL", stockQueues.deadLetterQueueUrl());
        env.put("CLAIM_CHECK_BUCKET", stack.bucket);
        env.put("CRM_TARGETS", "hubspot,klaviyo");
        env.put("INVENTORY_TARGET", "webhook");
        env.put("LOCATION_MAPPING", "{\"" + MAIN + "\": \"warehouse-main\"}");
        env.put("WEBHOOK_API_URL", API);
        env.put("ALERTS_TOPIC_ARN", stack.alerts.topicArn());
        return env;
    }

    private JsonNode run() throws IOException {
        Reconcile handler = new Reconcile(ReconcilerEnvironment.fromVariables(variables(), stack.services(),
                new Telemetry(JSON, lines, Clock.systemUTC()), Clock.systemUTC()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), out, null);
        return JSON.readTree(out.toByteArray());
    }

    /** One level changed a minute ago, 42 available at the mapped location; the target never got it. */
    private void changedLevel(String updatedAt) {
        String page = ShopifyInventoryAnswers.page(null, ShopifyInventoryAnswers.level(ITEM, "SS-MCS-OAT-M", 42, 45,
                updatedAt));
        shopify.server.stubFor(post(urlEqualTo(ShopifyOrdersStandIn.PATH)).atPriority(1)
                .withRequestBody(containing("query InventoryLevels("))
                .withHeader("X-Shopify-Access-Token", equalTo(ShopifyOrdersStandIn.TOKEN))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(page)));
    }

    /** Every topic of every flow subscribed to its route, except orders/paid: Shopify deleted it after failed deliveries. */
    private void subscriptionsWithoutOrdersPaid() {
        List<ObjectNode> nodes = new ArrayList<>();
        for (WebhookRoutes.Route route : WebhookRoutes.all(false)) {
            for (String topic : route.flow().topics()) {
                if (!topic.equals("orders/paid")) {
                    nodes.add(subscriptions.subscription(io.shopsync.connectors.shopify.WebhookSubscription.enumOf(topic), API + route.path()));
                }
            }
        }
        shopify.server.stubFor(post(urlEqualTo(ShopifyOrdersStandIn.PATH)).atPriority(1)
                .withRequestBody(containing("query WebhookSubscriptions("))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(ShopifySubscriptionsAnswers.page(nodes, null))));
    }

    private List<Envelope> drain(String queueUrl) {
        EnvelopeCodec codec = new EnvelopeCodec(JSON);
        return stack.aws.drain(queueUrl).stream().map(Message::body).map(codec::decode).toList();
    }

    private JsonNode finished(String check) {
        return lines.parsed().stream().filter(l -> "reconcile check finished".equals(l.path("message").asText()))
                .filter(l -> check.equals(l.path("check").asText())).findFirst().orElseThrow();
    }

    /** A stack without an inventory target: the run says it skipped stock, and why. */
    @Test
    void aRunWithoutAnInventoryTarget_skipsStock_andSaysWhy() throws Exception {
        shopify.order(MISSED, Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString());
        subscriptionsWithoutOrdersPaid();
        Map<String, String> env = variables();
        env.remove("INVENTORY_TARGET");

        Reconcile handler = new Reconcile(ReconcilerEnvironment.fromVariables(env, stack.services(),
                new Telemetry(JSON, lines, Clock.systemUTC()), Clock.systemUTC()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), out, null);
        JsonNode answer = JSON.readTree(out.toByteArray());

        assertThat(answer.path("checks")).extracting(c -> c.path("check").asText())
                .containsExactly("orders", "fulfilments", "subscriptions");
        assertThat(answer.path("skipped").path("stock").asText()).contains("INVENTORY_TARGET");
        assertThat(drain(stockQueues.workQueueUrl())).isEmpty();
        assertThat(lines.parsed()).anySatisfy(l -> {
            assertThat(l.path("message").asText()).isEqualTo("reconcile check skipped");
            assertThat(l.path("check").asText()).isEqualTo("stock");
        });
    }

    @Test
    void oneRun_findsAMissedOrder_aStockDrift_andADeletedSubscription() throws Exception {
        String orderUpdated = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        String levelUpdated = Instant.now().minus(Duration.ofMinutes(8)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        shopify.order(MISSED, orderUpdated);
        changedLevel(levelUpdated);
        subscriptionsWithoutOrdersPaid();

        JsonNode answer = run();

        assertThat(answer.path("succeeded").asBoolean()).as(answer.toString()).isTrue();
        assertThat(answer.path("checks")).extracting(c -> c.path("check").asText())
                .containsExactly("orders", "fulfilments", "stock", "subscriptions");
        assertThat(answer.path("skipped").isEmpty()).isTrue();
        // The order has no fulfilment: the fulfilment check finds nothing to queue.
        assertThat(answer.path("checks").get(1).path("queued")).isEmpty();
        assertThat(drain(fulfilmentQueues.workQueueUrl())).isEmpty();
        // The answer reports each check's own counts, and the stock correction it queued.
        assertThat(answer.path("checks").get(2).path("DriftFound").asInt()).isEqualTo(1);
        assertThat(answer.path("checks").get(2).path("queued")).singleElement()
                .satisfies(q -> assertThat(q.path("topic").asText()).isEqualTo("inventory_levels/update"));
        assertThat(answer.path("checks").get(3).path("SubscriptionsMissing").asInt()).isEqualTo(1);
        // The missed order, on the order flow's queue.
        assertThat(drain(stack.queues.workQueueUrl())).singleElement().satisfies(envelope -> {
            assertThat(envelope.entity()).isEqualTo(SHOP + "/order/" + MISSED);
            assertThat(envelope.topic()).isEqualTo("orders/create");
        });
        // The drifted level's correction, on the stock flow's queue, as inventory_levels/update would arrive.
        assertThat(drain(stockQueues.workQueueUrl())).singleElement().satisfies(envelope -> {
            assertThat(envelope.flow()).isEqualTo("stock-to-inventory");
            assertThat(envelope.topic()).isEqualTo("inventory_levels/update");
            assertThat(envelope.webhookId()).isEqualTo("shopsync-reconcile-" + ITEM + "-" + MAIN + "-"
                    + Instant.parse(levelUpdated).toEpochMilli());
            JsonNode payload = JSON.readTree(((Body.Inline) envelope.body()).bytes());
            assertThat(payload.path("inventory_item_id").asText()).isEqualTo(ITEM);
            assertThat(payload.path("location_id").asText()).isEqualTo(MAIN);
            assertThat(payload.path("available").asInt()).isEqualTo(42);
        });
        // The metrics each check emits, under the flow its alarm watches.
        JsonNode orders = finished("orders");
        assertThat(orders.path("flow").asText()).isEqualTo("order-to-crm");
        assertThat(orders.path("MissedQueued").asInt()).isEqualTo(1);
        JsonNode stock = finished("stock");
        assertThat(stock.path("flow").asText()).isEqualTo("stock-to-inventory");
        assertThat(stock.path("DriftFound").asInt()).isEqualTo(1);
        assertThat(stock.path("MissedQueued").asInt()).isEqualTo(1);
        JsonNode subscriptionsLine = finished("subscriptions");
        assertThat(subscriptionsLine.path("flow").asText()).isEqualTo("reconciler");
        assertThat(subscriptionsLine.path("SubscriptionsMissing").asInt()).isEqualTo(1);
        assertThat(subscriptionsLine.path("_aws").toString()).contains("\"Name\":\"SubscriptionsMissing\"");
        // The alert: the shop, the flow and the topic; no URL, no token.
        List<Message> alerts = stack.aws.drain(stack.alerts.queueUrl());
        assertThat(alerts).hasSize(1);
        JsonNode alert = JSON.readTree(alerts.get(0).body());
        assertThat(alert.path("Subject").asText())
                .isEqualTo("Shopsync reconciler: webhook subscription missing (subscriptions, subscription-missing)");
        assertThat(alert.path("Message").asText()).contains("shop: " + SHOP, "order-to-crm ORDERS_PAID",
                "docs/operations.md#reconcile-subscription-missing").doesNotContain(API).doesNotContain("shpat_");
        // Not repaired: RECONCILE_REPAIR_SUBSCRIPTIONS is not set.
        assertThat(shopify.server.findAll(postRequestedFor(urlEqualTo(ShopifyOrdersStandIn.PATH))
                .withRequestBody(containing("webhookSubscriptionCreate(")))).isEmpty();
        // Windowed checks keep checkpoints; the subscription check has none.
        assertThat(stack.item(DynamoDbCheckpoints.key(SHOP, "orders"))).isNotEmpty();
        assertThat(stack.item(DynamoDbCheckpoints.key(SHOP, "stock"))).isNotEmpty();
        assertThat(stack.item(DynamoDbCheckpoints.key(SHOP, "subscriptions"))).isEmpty();
    }
}
