package io.shopsync.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.emulator.SqsEventSource;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.EntityVersion;
import io.shopsync.fulfilments.FulfilmentToCrm;
import io.shopsync.lambda.ReconcilerEnvironment;
import io.shopsync.observability.Telemetry;
import io.shopsync.reconcile.DynamoDbCheckpoints;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.FakeCrmApis;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The reconciler's fulfilment check against real SQS and DynamoDB APIs (the fulfilment flow's queue and the
 * idempotency table) and a Shopify stand-in listing orders with their fulfilments: a fulfilment every target has
 * is left alone, a missed one and a stale one are queued on the fulfilment flow's queue once, even when runs
 * overlap, in the order's FIFO group and the webhook's shape; and the fulfilment flow's own function delivers a
 * reconciled fulfilment to HubSpot and Klaviyo.
 */
@ExtendWith(AwsBackend.class)
class ReconcileFulfilmentsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String ORDER = "820982911946154508";
    private static final String OTHER_ORDER = "734281950317462958";
    private static final String CURRENT = "255858046011252901";
    private static final String MISSED = "255858046011252993";
    private static final String STALE = "255858046011252902";

    private final AwsFlowStack stack;
    private final AwsFlowStack orderStack;
    private final ShopifyOrdersStandIn shopify = new ShopifyOrdersStandIn();
    private final DynamoDbDeliveryStore store;
    private final CapturedLines lines = new CapturedLines();
    private final FakeCrmApis apis = new FakeCrmApis("pat-na1-e2e", "pk_e2e_0123456789");
    private final AwsClients aws;

    ReconcileFulfilmentsIT(AwsClients aws) {
        this.aws = aws;
        this.stack = AwsFlowStack.create(aws, "fulfilment-to-crm");
        this.orderStack = AwsFlowStack.create(aws, "order-to-crm");
        this.store = DynamoDbDeliveryStore.withDefaults(aws.dynamo(), stack.table);
    }

    @AfterEach
    void stop() {
        shopify.close();
        apis.close();
    }

    private Reconcile handler() {
        Map<String, String> env = new HashMap<>();
        env.put("SHOPIFY_ALLOWED_SHOPS", SHOP);
        env.put("SHOPIFY_ADMIN_TOKENS", "{\"" + SHOP + "\": \"" + ShopifyOrdersStandIn.TOKEN + "\"}");
        env.put("SHOPIFY_ADMIN_BASE_URL", shopify.baseUrl());
        env.put("IDEMPOTENCY_TABLE", stack.table);
        env.put("ORDER_WORK_QUEUE_URL", orderStack.queues.workQueueUrl());
        env.put("ORDER_DEAD_LETTER_QUEUE_URL", orderStack.queues.deadLetterQueueUrl());
        env.put("FULFILMENT_WORK_QUEUE_URL", stack.queues.workQueueUrl());
        env.put("FULFILMENT_DEAD_LETTER_QUEUE_URL", stack.queues.deadLetterQueueUrl());
        env.put("CLAIM_CHECK_BUCKET", stack.bucket);
        env.put("CRM_TARGETS", "hubspot,klaviyo");
        env.put("ALERTS_TOPIC_ARN", stack.alerts.topicArn());
        return new Reconcile(ReconcilerEnvironment.fromVariables(env, stack.services(),
                new Telemetry(JSON, lines, Clock.systemUTC()), Clock.systemUTC()));
    }

    private static JsonNode invoke(Reconcile handler) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), out, null);
        return JSON.readTree(out.toByteArray());
    }

    private void delivered(String fulfilmentId, String target, String updatedAt) {
        Instant at = Instant.parse(updatedAt);
        store.advanceWatermark(SHOP + "/fulfillment/" + fulfilmentId, target, new EntityVersion(at, at.plusMillis(1234)),
                Instant.now());
    }

    /** Order #1001 with two fulfilments (one current, one missed); another order with one a target has in an older version. */
    private void threeFulfilments() {
        shopify.fulfilment(ORDER, CURRENT, "2026-11-28T13:03:11Z").fulfilment(ORDER, MISSED, "2026-11-29T00:47:05Z")
                .fulfilment(OTHER_ORDER, STALE, "2026-11-28T20:12:40Z");
        delivered(CURRENT, "hubspot", "2026-11-28T13:03:11Z");
        delivered(CURRENT, "klaviyo", "2026-11-28T13:03:11Z");
        delivered(STALE, "hubspot", "2026-11-28T14:00:00Z");
        delivered(STALE, "klaviyo", "2026-11-28T20:12:40Z");
    }

    private List<Envelope> queued() {
        EnvelopeCodec codec = new EnvelopeCodec(JSON);
        return stack.aws.drain(stack.queues.workQueueUrl()).stream().map(Message::body).map(codec::decode).toList();
    }

    private JsonNode check(JsonNode answer, String name) {
        for (JsonNode check : answer.path("checks")) {
            if (name.equals(check.path("check").asText())) {
                return check;
            }
        }
        throw new AssertionError("no check " + name + " in " + answer);
    }

    @Test
    void twoOverlappingRuns_queueTheMissedAndTheStaleFulfilmentOnce_inTheWebhookShape_andLeaveTheCurrentOne() throws Exception {
        threeFulfilments();
        Reconcile handler = handler();

        JsonNode first = invoke(handler);
        JsonNode second = invoke(handler);

        assertThat(first.path("succeeded").asBoolean()).isTrue();
        assertThat(second.path("succeeded").asBoolean()).isTrue();
        // The second run found the same two behind and queued them again: SQS FIFO dropped the copies.
        assertThat(check(second, "fulfilments").path("queued")).hasSize(2);
        List<Envelope> queued = queued();
        assertThat(queued).extracting(Envelope::webhookId).containsExactlyInAnyOrder(
                "shopsync-reconcile-fulfillment-" + MISSED + "-" + Instant.parse("2026-11-29T00:47:05Z").toEpochMilli(),
                "shopsync-reconcile-fulfillment-" + STALE + "-" + Instant.parse("2026-11-28T20:12:40Z").toEpochMilli());
        Envelope missed = queued.stream().filter(e -> e.webhookId().contains(MISSED)).findFirst().orElseThrow();
        assertThat(missed.flow()).isEqualTo("fulfilment-to-crm");
        assertThat(missed.topic()).isEqualTo("fulfillments/create");
        // The order is the entity: the FIFO group a fulfillments/* webhook of this order gets.
        assertThat(missed.entity()).isEqualTo(SHOP + "/order/" + ORDER);
        assertThat(missed.eventId()).isNull();
        assertThat(missed.fromReconciler()).isTrue();
        assertThat(missed.triggeredAt()).isEqualTo(Instant.parse("2026-11-29T00:47:05Z"));
        JsonNode payload = JSON.readTree(((Body.Inline) missed.body()).bytes());
        JsonNode webhook = JSON.readTree(io.shopsync.testkit.Fixtures.text("events/payloads/fulfillments-update.json"));
        for (String field : List.of("id", "order_id", "status", "shipment_status", "tracking_company", "tracking_number",
                "tracking_numbers", "tracking_url", "tracking_urls", "name", "email", "service", "location_id")) {
            assertThat(payload.path(field)).as(field).isEqualTo(webhook.path(field));
        }
        assertThat(Instant.parse(payload.path("updated_at").asText())).isEqualTo(Instant.parse("2026-11-29T00:47:05Z"));
        assertThat(payload.path("line_items")).hasSize(2);
        assertThat(payload.path("line_items").get(1).path("id")).isEqualTo(webhook.path("line_items").get(1).path("id"));
        assertThat(payload.path("line_items").get(1).path("sku").asText()).isEqualTo("SS-OCT-BLK-M");
        assertThat(payload.path("line_items").get(1).path("quantity").asInt()).isEqualTo(2);
        assertThat(payload.path("line_items").get(1).path("fulfillable_quantity").asInt()).isZero();
        Envelope stale = queued.stream().filter(e -> e.webhookId().contains(STALE)).findFirst().orElseThrow();
        assertThat(stale.topic()).isEqualTo("fulfillments/update");
        assertThat(stale.entity()).isEqualTo(SHOP + "/order/" + OTHER_ORDER);
        assertThat(shopify.fulfilmentReads(CURRENT)).isZero();
        assertThat(stack.aws.drain(orderStack.queues.workQueueUrl())).as("nothing on the order flow's queue").isEmpty();
        String checkpoint = stack.item(DynamoDbCheckpoints.key(SHOP, "fulfilments")).get("checkpointAt");
        assertThat(Instant.parse(checkpoint)).isBetween(Instant.now().minus(Duration.ofMinutes(2)), Instant.now());
        JsonNode summary = lines.parsed().stream().filter(l -> "reconcile check finished".equals(l.path("message").asText())
                && "fulfilments".equals(l.path("check").asText())).findFirst().orElseThrow();
        assertThat(summary.path("MissedQueued").asInt()).isEqualTo(2);
        assertThat(summary.path("flow").asText()).isEqualTo("fulfilment-to-crm");
        assertThat(summary.path("scanned").asInt()).isEqualTo(3);
        assertThat(summary.path("current").asInt()).isEqualTo(1);
    }

    @Test
    void aReconciledFulfilment_isDeliveredByTheFulfilmentFlow_toHubSpotAndKlaviyo() throws Exception {
        shopify.fulfilment(ORDER, MISSED, "2026-11-29T00:47:05Z");
        apis.server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
                com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo(FakeCrmApis.HUBSPOT_ORDER_UPDATES))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(200)
                        .withTransformers("hubspot-batch-answers")));
        FulfilmentToCrm fulfilmentFlow = new FulfilmentToCrm(stack.environment(Map.of(
                "CRM_TARGETS", "hubspot,klaviyo",
                "HUBSPOT_TOKEN", "pat-na1-e2e",
                "HUBSPOT_BASE_URL", apis.baseUrl(),
                "KLAVIYO_API_KEY", "pk_e2e_0123456789",
                "KLAVIYO_BASE_URL", apis.baseUrl())));
        SqsEventSource delivery = new SqsEventSource(aws.sqs(), stack.queues.workQueueUrl(), fulfilmentFlow);

        JsonNode answer = invoke(handler());
        pollUntil(delivery, () -> apis.bodies(FakeCrmApis.HUBSPOT_ORDER_UPDATES).size() == 1
                && apis.bodies(FakeCrmApis.KLAVIYO_EVENTS).size() == 1);

        assertThat(answer.path("succeeded").asBoolean()).isTrue();
        JsonNode input = apis.bodies(FakeCrmApis.HUBSPOT_ORDER_UPDATES).get(0).path("inputs").get(0);
        assertThat(input.path("idProperty").asText()).isEqualTo("shopify_order_id");
        assertThat(input.path("id").asText()).isEqualTo(ORDER);
        assertThat(input.path("properties").path("hs_shipping_tracking_number").asText())
                .isEqualTo("1Z999AA10123456784, 1Z999AA10123456793");
        assertThat(input.path("properties").path("shopify_shipment_status").asText()).isEqualTo("in_transit");
        JsonNode event = apis.bodies(FakeCrmApis.KLAVIYO_EVENTS).get(0).path("data").path("attributes");
        assertThat(event.path("metric").path("data").path("attributes").path("name").asText()).isEqualTo("Fulfilled Order");
        assertThat(event.path("unique_id").asText()).isEqualTo("shopify-fulfillment-" + MISSED);
        String webhookId = "shopsync-reconcile-fulfillment-" + MISSED + "-" + Instant.parse("2026-11-29T00:47:05Z").toEpochMilli();
        for (String target : List.of("hubspot", "klaviyo")) {
            assertThat(stack.item("delivery#" + SHOP + ":" + webhookId + "#" + target))
                    .containsEntry("state", "COMPLETED").containsEntry("topic", "fulfillments/create");
            assertThat(stack.item("watermark#" + SHOP + "/fulfillment/" + MISSED + "#" + target)).containsKey("version");
        }
        assertThat(stack.aws.drain(stack.queues.deadLetterQueueUrl())).isEmpty();

        // Delivered: the next run finds every target current and queues nothing.
        JsonNode next = invoke(handler());
        assertThat(check(next, "fulfilments").path("queued")).isEmpty();
        assertThat(check(next, "fulfilments").path("current").asInt()).isEqualTo(1);
    }

    private static void pollUntil(SqsEventSource delivery, BooleanSupplier done) {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!done.getAsBoolean() && Instant.now().isBefore(deadline)) {
            delivery.pollOnce();
        }
        assertThat(done.getAsBoolean()).as("delivered within 30 s").isTrue();
    }
}
