package io.shopsync.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.testing.FakeTarget;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testing.RecordingAlerts;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testing.TestEnvironments;
import io.shopsync.testkit.Fixtures;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class OrderToCrmTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final RecordingFlowQueues queues = new RecordingFlowQueues();
    private final OrderToCrm function = new OrderToCrm(TestEnvironments.recording(queues));

    @ParameterizedTest(name = "{0} is about order {2}")
    @CsvSource({
            "orders-create,     orders/create,  820982911946154508",
            "orders-updated,    orders/updated, 820982911946154508",
            "orders-paid,       orders/paid,    820982911946154508",
            "orders-cancelled,  orders/cancelled, 820982911946154508",
            "orders-guest-pos,  orders/create,  734281950317462958",
            "refunds-create,    refunds/create, 820982911946154508"
    })
    void handleRequest_shouldEnqueueEachSampleWebhook_groupedByItsOrder(String file, String topic, String orderId)
            throws Exception {
        String event = Fixtures.text("events/order-to-crm/" + file + ".json");

        JsonNode response = LambdaInvoker.invoke(function, event);

        assertThat(response.path("statusCode").asInt()).isEqualTo(200);
        assertThat(queues.enqueued).hasSize(1);
        Envelope envelope = queues.enqueued.get(0);
        assertThat(envelope.topic()).isEqualTo(topic);
        assertThat(envelope.entity()).isEqualTo("shopsync-demo.myshopify.com/order/" + orderId);
        byte[] signedBytes = JSON.readTree(event).path("body").asText().getBytes(StandardCharsets.UTF_8);
        assertThat(((Body.Inline) envelope.body()).bytes()).isEqualTo(signedBytes);
    }

    @Test
    void handleRequest_shouldAnswer401AndEnqueueNothing_forATamperedOrder() {
        String event = LambdaInvoker.tampered(Fixtures.text("events/order-to-crm/orders-create.json"));

        JsonNode response = LambdaInvoker.invoke(function, event);

        assertThat(response.path("statusCode").asInt()).isEqualTo(401);
        assertThat(queues.enqueued).isEmpty();
        assertThat(queues.deadLettered).isEmpty();
    }

    @Test
    void handleRequest_shouldVerifyTheDecodedBytes_whenApiGatewayBase64EncodesTheBody() {
        String event = LambdaInvoker.base64Encoded(Fixtures.text("events/order-to-crm/orders-paid.json"));

        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);
        assertThat(queues.enqueued).hasSize(1);
    }

    @Test
    void handleRequest_shouldDeadLetterAnInventoryWebhook_postedToTheOrdersRoute() {
        String event = Fixtures.text("events/stock-to-inventory/inventory-levels-update.json");

        JsonNode response = LambdaInvoker.invoke(function, event);

        assertThat(response.path("statusCode").asInt()).isEqualTo(200);
        assertThat(queues.enqueued).isEmpty();
        assertThat(queues.deadLettered).singleElement().satisfies(dead -> assertThat(dead.reason().reason())
                .startsWith("topic inventory_levels/update is not handled by flow order-to-crm"));
    }

    @Test
    void handleRequest_shouldQueueTheEventBridgeSample_asTheHttpsSamplesEnvelope_withTheSameBytes() throws Exception {
        String https = Fixtures.text("events/order-to-crm/orders-create.json");
        String bus = Fixtures.text("events/eventbridge/order-to-crm.json");

        LambdaInvoker.invoke(function, https);
        JsonNode response = LambdaInvoker.invoke(function, bus);

        assertThat(response.path("status").asText()).isEqualTo("Enqueued");
        assertThat(queues.enqueued).hasSize(2);
        Envelope viaHttps = queues.enqueued.get(0);
        Envelope viaBus = queues.enqueued.get(1);
        JsonNode metadata = JSON.readTree(bus).path("detail").path("metadata");
        assertThat(viaBus.webhookId()).isEqualTo(metadata.path("X-Shopify-Webhook-Id").asText());
        // One merchant action, two subscriptions: the event id is what the delivery records match them on.
        assertThat(viaBus.eventId()).isEqualTo(viaHttps.eventId());
        assertThat(viaBus.entity()).isEqualTo(viaHttps.entity());
        assertThat(viaBus.topic()).isEqualTo(viaHttps.topic());
        assertThat(viaBus.shop()).isEqualTo(viaHttps.shop());
        assertThat(viaBus.triggeredAt()).isEqualTo(viaHttps.triggeredAt());
        assertThat(viaBus.apiVersion()).isEqualTo(viaHttps.apiVersion());
        // The sample's payload is the HTTPS body pretty-printed: the same document, ids exact.
        assertThat(JSON.readTree(((Body.Inline) viaBus.body()).bytes()))
                .isEqualTo(JSON.readTree(((Body.Inline) viaHttps.body()).bytes()));
    }

    @Test
    void handleRequest_shouldFailTheInvocation_whenAnEventBridgeDeliveryCannotBeQueued() {
        OrderToCrm unavailable = new OrderToCrm(TestEnvironments.recording(new RecordingFlowQueues().failing()));

        assertThatThrownBy(() -> LambdaInvoker.invoke(unavailable, Fixtures.text("events/eventbridge/order-to-crm.json")))
                .isInstanceOf(io.shopsync.lambda.FlowFunction.IntakeFailedException.class)
                .hasMessageContaining("flow order-to-crm could not queue EventBridge event 99a3481c-5473-53a2-89ec-e68aa69991f3")
                .hasMessageContaining("shop shopsync-demo.myshopify.com, topic orders/create, webhook id ")
                .hasMessageContaining("EventBridge dead-letter queue");
    }

    @Test
    void handleRequest_shouldFailTheInvocation_forAnEventBridgeDeliveryFromAShopNotServed_soItIsKeptNotDropped() {
        RecordingFlowQueues served = new RecordingFlowQueues();
        OrderToCrm otherShopOnly = new OrderToCrm(io.shopsync.lambda.FlowEnvironment.builder()
                .secrets(io.shopsync.webhook.SigningSecretsSource.fixed(
                        io.shopsync.webhook.SigningSecrets.parse(LambdaInvoker.DEV_SECRET, "dev secret")))
                .allowedShops(java.util.Set.of("other-store.myshopify.com"))
                .queues(served).json(JSON).build());

        assertThatThrownBy(() -> LambdaInvoker.invoke(otherShopOnly, Fixtures.text("events/eventbridge/order-to-crm.json")))
                .isInstanceOf(io.shopsync.lambda.FlowFunction.IntakeFailedException.class)
                .hasMessageContaining("flow order-to-crm refused EventBridge event 99a3481c-5473-53a2-89ec-e68aa69991f3")
                .hasMessageContaining("shop shopsync-demo.myshopify.com")
                .hasMessageContaining("AllowedShops");
        assertThat(served.enqueued).isEmpty();
        assertThat(served.deadLettered).isEmpty();
    }

    @Test
    void handleRequest_shouldRefuseAnEventShapeItDoesNotHandle() {
        assertThatThrownBy(() -> LambdaInvoker.invoke(function, "{\"Records\":[{\"eventSource\":\"aws:s3\"}]}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("flow order-to-crm received an event it does not handle");
    }

    @Test
    void handleRequest_shouldDeliverTheSampleQueueEvent_toTheFlowsTargets() {
        FakeTarget target = new FakeTarget("fake");
        RecordingFlowQueues delivered = new RecordingFlowQueues();
        OrderToCrm withTarget = new OrderToCrm(TestEnvironments.delivering(delivered, new RecordingAlerts(), target));

        var response = LambdaInvoker.invoke(withTarget, Fixtures.text("events/order-to-crm/sqs-delivery.json"));

        assertThat(response.toString()).isEqualTo("{\"batchItemFailures\":[]}");
        assertThat(target.effects).singleElement()
                .satisfies(item -> assertThat(item.envelope().entity()).isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508"));
        assertThat(delivered.deadLettered).isEmpty();
    }

    @Test
    void customerTopics_shouldBeDeadLetteredByDefault_andAcceptedWhenTheDeploymentTurnsThemOn() {
        String customer = "{\"id\":706405506930370084,\"email\":\"Zoe.Adams@Example.com\",\"first_name\":\"Zoë\","
                + "\"updated_at\":\"2026-11-27T05:15:40-05:00\"}";
        String event = LambdaInvoker.withTopicAndBody(Fixtures.text("events/order-to-crm/orders-create.json"),
                "customers/update", customer);
        RecordingFlowQueues withCustomers = new RecordingFlowQueues();
        OrderToCrm switchedOn = new OrderToCrm(TestEnvironments.delivering(withCustomers, new RecordingAlerts(),
                java.util.Map.of("ORDER_FLOW_CUSTOMER_TOPICS", "true")));

        LambdaInvoker.invoke(function, event);
        LambdaInvoker.invoke(switchedOn, event);

        assertThat(queues.deadLettered).singleElement().satisfies(dead -> assertThat(dead.reason().reason())
                .startsWith("topic customers/update is not handled by flow order-to-crm"));
        assertThat(withCustomers.enqueued).singleElement().satisfies(envelope -> assertThat(envelope.entity())
                .isEqualTo("shopsync-demo.myshopify.com/customer/706405506930370084"));
    }
}
