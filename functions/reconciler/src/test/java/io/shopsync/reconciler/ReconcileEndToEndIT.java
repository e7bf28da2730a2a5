package io.shopsync.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.emulator.SqsEventSource;
import io.shopsync.lambda.ReconcilerEnvironment;
import io.shopsync.observability.Telemetry;
import io.shopsync.orders.OrderToCrm;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.FakeCrmApis;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Done when: a webhook is dropped on purpose, and the next reconciler run gets the order to the CRM. Two
 * orders are placed; Shopify's orders/create for #1002 reaches the order flow, the one for #1001 never does.
 * The reconciler, reading the shop (a stand-in answering as the Admin GraphQL API) and the order flow's
 * watermarks (DynamoDB), queues #1001 alone on the order flow's queue (SQS); the order flow's own function
 * delivers it to HubSpot and Klaviyo (a local server answering as both), and the run's EMF line says
 * MissedQueued = 1, the metric the "webhooks are being lost" alarm watches.
 */
@ExtendWith(AwsBackend.class)
class ReconcileEndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String DROPPED = "820982911946154508";
    private static final String DELIVERED = "734281950317462958";

    private final AwsFlowStack stack;
    private final FakeCrmApis apis = new FakeCrmApis("pat-na1-e2e", "pk_e2e_0123456789");
    private final ShopifyOrdersStandIn shopify = new ShopifyOrdersStandIn();
    private final OrderToCrm orderFlow;
    private final SqsEventSource delivery;
    private final CapturedLines reconcilerLog = new CapturedLines();

    ReconcileEndToEndIT(AwsClients aws) {
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        this.orderFlow = new OrderToCrm(stack.environment(Map.of(
                "CRM_TARGETS", "hubspot,klaviyo",
                "HUBSPOT_TOKEN", "pat-na1-e2e",
                "HUBSPOT_BASE_URL", apis.baseUrl(),
                "KLAVIYO_API_KEY", "pk_e2e_0123456789",
                "KLAVIYO_BASE_URL", apis.baseUrl())));
        this.delivery = new SqsEventSource(aws.sqs(), stack.queues.workQueueUrl(), orderFlow);
    }

    @AfterEach
    void stop() {
        apis.close();
        shopify.close();
    }

    private Reconcile reconciler() {
        Map<String, String> env = new HashMap<>();
        env.put("SHOPIFY_ALLOWED_SHOPS", SHOP);
        env.put("SHOPIFY_ADMIN_TOKENS", "{\"" + SHOP + "\": \"" + ShopifyOrdersStandIn.TOKEN + "\"}");
        env.put("SHOPIFY_ADMIN_BASE_URL", shopify.baseUrl());
        env.put("IDEMPOTENCY_TABLE", stack.table);
        env.put("ORDER_WORK_QUEUE_URL", stack.queues.workQueueUrl());
        env.put("ORDER_DEAD_LETTER_QUEUE_URL", stack.queues.deadLetterQueueUrl());
        env.put("CLAIM_CHECK_BUCKET", stack.bucket);
        env.put("CRM_TARGETS", "hubspot,klaviyo");
        env.put("ALERTS_TOPIC_ARN", stack.alerts.topicArn());
        return new Reconcile(ReconcilerEnvironment.fromVariables(env, stack.services(),
                new Telemetry(JSON, reconcilerLog, Clock.systemUTC()), Clock.systemUTC()));
    }

    private void pollUntil(BooleanSupplier done) {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!done.getAsBoolean() && Instant.now().isBefore(deadline)) {
            delivery.pollOnce();
        }
        assertThat(done.getAsBoolean()).as("delivered within 30 s").isTrue();
    }

    private List<String> hubSpotOrderIds() {
        return apis.bodies(FakeCrmApis.HUBSPOT_ORDERS).stream()
                .flatMap(body -> java.util.stream.StreamSupport.stream(body.path("inputs").spliterator(), false))
                .map(input -> input.path("id").asText()).toList();
    }

    @Test
    void aDroppedOrderWebhook_isFoundByTheNextRun_andReachesTheCrm_whileTheDeliveredOrderIsLeftAlone() throws Exception {
        // Shopify holds both orders, each last updated when its orders/create was sent.
        shopify.order(DROPPED, "2026-11-27T10:15:45Z").order(DELIVERED, "2026-11-27T18:48:10Z");
        assertThat(LambdaInvoker.invoke(orderFlow, Fixtures.text("events/order-to-crm/orders-guest-pos.json"))
                .path("statusCode").asInt()).isEqualTo(200);
        // events/order-to-crm/orders-create.json (#1001) is never posted: its webhook was lost.
        pollUntil(() -> hubSpotOrderIds().contains(DELIVERED));
        int hubSpotCallsBefore = apis.bodies(FakeCrmApis.HUBSPOT_ORDERS).size();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        reconciler().handleRequest(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), out, null);
        JsonNode answer = JSON.readTree(out.toByteArray());
        pollUntil(() -> hubSpotOrderIds().contains(DROPPED) && apis.bodies(FakeCrmApis.KLAVIYO_EVENTS).stream()
                .anyMatch(e -> e.toString().contains("shopify-order-" + DROPPED)));

        assertThat(answer.path("succeeded").asBoolean()).isTrue();
        assertThat(answer.path("checks").get(0).path("queued")).extracting(q -> q.path("entity").asText())
                .containsExactly(SHOP + "/order/" + DROPPED);
        assertThat(shopify.fullReads(DELIVERED)).as("the delivered order is current: not even read").isZero();
        // The dropped order went to HubSpot once, the delivered one not again.
        assertThat(apis.bodies(FakeCrmApis.HUBSPOT_ORDERS)).hasSize(hubSpotCallsBefore + 1);
        assertThat(hubSpotOrderIds()).containsOnlyOnce(DROPPED, DELIVERED);
        assertThat(apis.bodies(FakeCrmApis.KLAVIYO_EVENTS)).anySatisfy(event -> assertThat(
                event.path("data").path("attributes").path("metric").path("data").path("attributes").path("name").asText())
                .isEqualTo("Placed Order"));
        JsonNode emf = reconcilerLog.parsed().stream().filter(line -> line.has("MissedQueued")).findFirst().orElseThrow();
        assertThat(emf.path("MissedQueued").asInt()).isEqualTo(1);
        assertThat(emf.path("flow").asText()).isEqualTo("order-to-crm");
        assertThat(emf.path("_aws").path("CloudWatchMetrics").get(0).path("Metrics").toString()).contains("MissedQueued");
        assertThat(stack.item("delivery#" + SHOP + ":shopsync-reconcile-" + DROPPED + "-"
                + Instant.parse("2026-11-27T10:15:45Z").toEpochMilli() + "#hubspot"))
                .containsEntry("state", "COMPLETED").containsEntry("topic", "orders/create");
        assertThat(stack.aws.drain(stack.queues.deadLetterQueueUrl())).isEmpty();
    }
}
