package io.shopsync.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.EntityVersion;
import io.shopsync.lambda.ReconcilerEnvironment;
import io.shopsync.observability.Telemetry;
import io.shopsync.reconcile.DynamoDbCheckpoints;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.LambdaContext;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The reconciler's handler against real SQS, DynamoDB and SNS APIs (the order flow's queue, the idempotency
 * table, the alerts topic, as template.yaml makes them) and a Shopify stand-in: what it leaves alone, what
 * it queues and how often, when its checkpoint moves, and what a dry run does.
 */
@ExtendWith(AwsBackend.class)
class ReconcileIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String CURRENT = "820982911946154501";
    private static final String MISSED = "820982911946154502";
    private static final String STALE = "820982911946154503";

    private final AwsFlowStack stack;
    private final ShopifyOrdersStandIn shopify = new ShopifyOrdersStandIn();
    private final DynamoDbDeliveryStore store;
    private final CapturedLines lines = new CapturedLines();

    ReconcileIT(AwsClients aws) {
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        this.store = new DynamoDbDeliveryStore(aws.dynamo(), stack.table, Duration.ofSeconds(90), Duration.ofHours(72),
                Duration.ofDays(35));
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
        env.put("CLAIM_CHECK_BUCKET", stack.bucket);
        env.put("CRM_TARGETS", "hubspot,klaviyo");
        env.put("ALERTS_TOPIC_ARN", stack.alerts.topicArn());
        return env;
    }

    private Reconcile handler(Map<String, String> env) {
        return new Reconcile(ReconcilerEnvironment.fromVariables(env, stack.services(),
                new Telemetry(JSON, lines, Clock.systemUTC()), Clock.systemUTC()));
    }

    private static JsonNode invoke(Reconcile handler, String event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        return JSON.readTree(out.toByteArray());
    }

    /** What EventBridge Scheduler sends by default: no input of ours. */
    private static final String SCHEDULED = "{}";

    private void delivered(String orderId, String target, String updatedAt) {
        Instant at = Instant.parse(updatedAt);
        store.advanceWatermark(SHOP + "/order/" + orderId, target, new EntityVersion(at, at.plusMillis(1234)), Instant.now());
    }

    /** The three orders: one every target has, one no target has, one a target has in an older version. */
    private void threeOrders() {
        shopify.order(CURRENT, "2026-11-27T14:40:00Z").order(MISSED, "2026-11-27T14:41:00Z").order(STALE, "2026-11-27T14:42:00Z");
        delivered(CURRENT, "hubspot", "2026-11-27T14:40:00Z");
        delivered(CURRENT, "klaviyo", "2026-11-27T14:40:00Z");
        delivered(STALE, "hubspot", "2026-11-27T14:42:00Z");
        delivered(STALE, "klaviyo", "2026-11-27T14:10:00Z");
    }

    private List<Envelope> queued() {
        EnvelopeCodec codec = new EnvelopeCodec(JSON);
        return stack.aws.drain(stack.queues.workQueueUrl()).stream().map(Message::body).map(codec::decode).toList();
    }

    @Test
    void aRun_queuesTheMissedAndTheStaleOrderOnce_leavesTheCurrentOne_andAdvancesTheCheckpoint() throws Exception {
        threeOrders();

        JsonNode answer = invoke(handler(variables()), SCHEDULED);

        assertThat(answer.path("succeeded").asBoolean()).isTrue();
        List<Envelope> queued = queued();
        assertThat(queued).extracting(Envelope::entity).containsExactlyInAnyOrder(SHOP + "/order/" + MISSED, SHOP + "/order/" + STALE);
        Envelope missed = queued.stream().filter(e -> e.entity().endsWith(MISSED)).findFirst().orElseThrow();
        assertThat(missed.topic()).isEqualTo("orders/create");
        assertThat(missed.webhookId()).isEqualTo("shopsync-reconcile-" + MISSED + "-" + Instant.parse("2026-11-27T14:41:00Z").toEpochMilli());
        assertThat(missed.flow()).isEqualTo("order-to-crm");
        assertThat(missed.eventId()).isNull();
        assertThat(missed.triggeredAt()).isEqualTo(Instant.parse("2026-11-27T14:41:00Z"));
        assertThat(missed.apiVersion()).isEqualTo("2026-10");
        JsonNode payload = JSON.readTree(((Body.Inline) missed.body()).bytes());
        assertThat(payload.path("id").asText()).isEqualTo(MISSED);
        assertThat(payload.path("customer").path("email").asText()).isEqualTo("Zoe.Adams@Example.com");
        Envelope stale = queued.stream().filter(e -> e.entity().endsWith(STALE)).findFirst().orElseThrow();
        assertThat(stale.topic()).isEqualTo("orders/updated");
        assertThat(shopify.fullReads(CURRENT)).isZero();
        String checkpoint = stack.item(DynamoDbCheckpoints.key(SHOP, "orders")).get("checkpointAt");
        assertThat(Instant.parse(checkpoint)).isBetween(Instant.now().minus(Duration.ofMinutes(2)), Instant.now());
        JsonNode summary = lines.parsed().stream().filter(l -> "reconcile check finished".equals(l.path("message").asText()))
                .findFirst().orElseThrow();
        assertThat(summary.path("OrdersScanned").asInt()).isEqualTo(3);
        assertThat(summary.path("MissedQueued").asInt()).isEqualTo(2);
        assertThat(summary.path("flow").asText()).isEqualTo("order-to-crm");
        assertThat(lines.parsed()).anySatisfy(l -> assertThat(l.path("ReconcileSucceeded").asInt()).isEqualTo(1));
    }

    /** Runs overlap by design (each starts five minutes before the last checkpoint): a version is queued once. */
    @Test
    void twoOverlappingRuns_queueEachMissedVersionOnce() throws Exception {
        threeOrders();
        Reconcile handler = handler(variables());

        invoke(handler, SCHEDULED);
        JsonNode second = invoke(handler, SCHEDULED);

        assertThat(second.path("succeeded").asBoolean()).isTrue();
        // The second run found the same two orders behind and queued them again: SQS FIFO dropped the copies.
        assertThat(second.path("checks").get(0).path("queued")).hasSize(2);
        assertThat(queued()).extracting(Envelope::entity)
                .containsExactlyInAnyOrder(SHOP + "/order/" + MISSED, SHOP + "/order/" + STALE);
    }

    @Test
    void aRunWhoseQueueSendFails_leavesTheCheckpoint_andAlerts() throws Exception {
        threeOrders();
        Map<String, String> env = variables();
        invoke(handler(env), SCHEDULED);
        String before = stack.item(DynamoDbCheckpoints.key(SHOP, "orders")).get("checkpoint");
        shopify.order("820982911946154504", "2026-11-27T14:43:00Z");
        env.put("ORDER_WORK_QUEUE_URL", stack.queues.workQueueUrl().replace(".fifo", "-deleted.fifo"));

        JsonNode answer = invoke(handler(env), SCHEDULED);

        assertThat(answer.path("succeeded").asBoolean()).isFalse();
        assertThat(answer.path("failures").path(SHOP + " orders").asText()).contains("cannot queue", "the next run queues it again");
        assertThat(stack.item(DynamoDbCheckpoints.key(SHOP, "orders")).get("checkpoint")).isEqualTo(before);
        List<Message> alerts = stack.aws.drain(stack.alerts.queueUrl());
        assertThat(alerts).hasSize(1);
        JsonNode alert = JSON.readTree(alerts.get(0).body());
        assertThat(alert.path("Subject").asText()).isEqualTo("Shopsync reconciler: reconcile run failed (orders, run-failed)");
        assertThat(alert.path("Message").asText()).contains("shop: " + SHOP, "docs/operations.md#reconcile-run-failed")
                .doesNotContain("Zoe");
        assertThat(lines.parsed()).anySatisfy(l -> assertThat(l.path("RunFailed").asInt()).isEqualTo(1));
    }

    @Test
    void aDryRun_queuesNothing_movesNoCheckpoint_andSaysWhatItWouldQueue() throws Exception {
        threeOrders();

        JsonNode answer = invoke(handler(variables()), "{\"dryRun\": true}");

        assertThat(answer.path("dryRun").asBoolean()).isTrue();
        assertThat(answer.path("checks").get(0).path("wouldQueue")).extracting(n -> n.path("entity").asText())
                .containsExactlyInAnyOrder(SHOP + "/order/" + MISSED, SHOP + "/order/" + STALE);
        assertThat(queued()).isEmpty();
        assertThat(stack.item(DynamoDbCheckpoints.key(SHOP, "orders"))).isEmpty();
        assertThat(lines.parsed()).noneSatisfy(l -> assertThat(l.has("MissedQueued")).isTrue());
        assertThat(lines.parsed()).anySatisfy(l -> assertThat(l.path("message").asText()).isEqualTo("reconcile: would queue"));
    }

    /** Invoked with less time left than the margin a page needs: nothing starts, nothing fails, nothing alerts. */
    @Test
    void aRunWithoutTimeLeft_isPartial_notFailed_leavesTheCheckpoint_andAlertsNothing() throws Exception {
        threeOrders();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        handler(variables()).handleRequest(new ByteArrayInputStream(SCHEDULED.getBytes(StandardCharsets.UTF_8)), out,
                new LambdaContext(Duration.ofSeconds(90).toMillis()));
        JsonNode answer = JSON.readTree(out.toByteArray());

        assertThat(answer.path("succeeded").asBoolean()).isTrue();
        assertThat(answer.path("complete").asBoolean()).isFalse();
        assertThat(answer.path("partial").path(SHOP + " orders").asText()).contains("not started");
        assertThat(queued()).isEmpty();
        assertThat(stack.item(DynamoDbCheckpoints.key(SHOP, "orders"))).isEmpty();
        assertThat(stack.aws.drain(stack.alerts.queueUrl())).isEmpty();
        assertThat(lines.parsed()).anySatisfy(l -> assertThat(l.path("ReconcilePartial").asInt()).isEqualTo(1))
                .noneSatisfy(l -> assertThat(l.has("RunFailed")).isTrue());
    }

    /** With ample time left, the same run covers its window. */
    @Test
    void aRunWithTimeLeft_coversItsWindow() throws Exception {
        threeOrders();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        handler(variables()).handleRequest(new ByteArrayInputStream(SCHEDULED.getBytes(StandardCharsets.UTF_8)), out,
                new LambdaContext(Duration.ofSeconds(600).toMillis()));
        JsonNode answer = JSON.readTree(out.toByteArray());

        assertThat(answer.path("complete").asBoolean()).isTrue();
        assertThat(queued()).hasSize(2);
    }
}
