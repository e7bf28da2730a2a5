package io.shopsync.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.emulator.SqsEventSource;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.FakeTarget;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Both front doors on a real AWS-compatible endpoint: one order delivered over HTTPS (API Gateway event)
 * and over Shopify's EventBridge delivery, through the FIFO queue, the SQS event source and the delivery
 * records in DynamoDB: the target sees one effect.
 */
@ExtendWith(AwsBackend.class)
class OrderEventBridgeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HTTPS_EVENT = Fixtures.text("events/order-to-crm/orders-create.json");
    private final AwsFlowStack stack;
    private final FakeTarget hubspot = new FakeTarget("hubspot");
    private final OrderToCrm function;
    private final SqsEventSource source;

    OrderEventBridgeIT(AwsClients aws) {
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        this.function = new OrderToCrm(stack.environmentBuilder().target(hubspot).build());
        this.source = new SqsEventSource(aws.sqs(), stack.queues.workQueueUrl(), function);
    }

    /** The HTTPS sample's webhook as Shopify puts it on the partner bus: the same body bytes, these ids. */
    private static String overEventBridge(String webhookId, String eventId) throws Exception {
        JsonNode https = JSON.readTree(HTTPS_EVENT);
        JsonNode headers = https.path("headers");
        ObjectNode metadata = JSON.createObjectNode();
        metadata.put("Content-Type", "application/json");
        metadata.put("X-Shopify-Topic", headers.path("x-shopify-topic").asText());
        metadata.put("X-Shopify-Shop-Domain", headers.path("x-shopify-shop-domain").asText());
        metadata.put("X-Shopify-Hmac-SHA256", headers.path("x-shopify-hmac-sha256").asText());
        metadata.put("X-Shopify-API-Version", headers.path("x-shopify-api-version").asText());
        metadata.put("X-Shopify-Webhook-Id", webhookId);
        metadata.put("X-Shopify-Triggered-At", headers.path("x-shopify-triggered-at").asText());
        metadata.put("X-Shopify-Event-Id", eventId);
        return "{\"version\":\"0\",\"id\":\"6a7e8feb-b491-4cf7-a9f1-bf3703467718\",\"detail-type\":\"shopifyWebhook\","
                + "\"source\":\"aws.partner/shopify.com/313726713857/shopsync\",\"account\":\"123456789012\","
                + "\"time\":\"2026-11-27T10:15:47Z\",\"region\":\"us-east-1\",\"resources\":[],"
                + "\"detail\":{\"payload\":" + https.path("body").asText() + ",\"metadata\":" + metadata + "}}";
    }

    private void pollUntil(BooleanSupplier done, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (!done.getAsBoolean() && Instant.now().isBefore(deadline)) {
            source.pollOnce();
        }
        assertThat(done.getAsBoolean()).as("condition reached within " + timeout).isTrue();
    }

    private boolean queueIsEmpty() {
        var attributes = stack.aws.sqs().getQueueAttributes(r -> r.queueUrl(stack.queues.workQueueUrl())
                .attributeNamesWithStrings("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"))
                .attributesAsStrings();
        return "0".equals(attributes.get("ApproximateNumberOfMessages"))
                && "0".equals(attributes.get("ApproximateNumberOfMessagesNotVisible"));
    }

    @Test
    void theSameOrder_overHttpsThenOverEventBridge_withTheSameWebhookId_changesTheTargetOnce() throws Exception {
        JsonNode headers = JSON.readTree(HTTPS_EVENT).path("headers");
        assertThat(LambdaInvoker.invoke(function, HTTPS_EVENT).path("statusCode").asInt()).isEqualTo(200);
        pollUntil(() -> hubspot.effects.size() == 1, Duration.ofSeconds(20));

        JsonNode answer = LambdaInvoker.invoke(function, overEventBridge(headers.path("x-shopify-webhook-id").asText(),
                headers.path("x-shopify-event-id").asText()));
        pollUntil(this::queueIsEmpty, Duration.ofSeconds(20));

        assertThat(answer.path("status").asText()).isEqualTo("Enqueued");
        assertThat(hubspot.effects).hasSize(1);
        assertThat(stack.aws.drain(stack.queues.deadLetterQueueUrl())).isEmpty();
    }

    @Test
    void theSameOrder_overEventBridgeThenOverHttps_asTwoSubscriptions_changesTheTargetOnce() throws Exception {
        JsonNode headers = JSON.readTree(HTTPS_EVENT).path("headers");
        // The bus's subscription has its own webhook id; the merchant action's event id is shared.
        JsonNode answer = LambdaInvoker.invoke(function, overEventBridge("7f3b2c1a-eventbridge-subscription",
                headers.path("x-shopify-event-id").asText()));
        pollUntil(() -> hubspot.effects.size() == 1, Duration.ofSeconds(20));

        assertThat(LambdaInvoker.invoke(function, HTTPS_EVENT).path("statusCode").asInt()).isEqualTo(200);
        pollUntil(this::queueIsEmpty, Duration.ofSeconds(20));

        assertThat(answer.path("status").asText()).isEqualTo("Enqueued");
        assertThat(hubspot.effects).singleElement().satisfies(item ->
                assertThat(item.envelope().webhookId()).isEqualTo("7f3b2c1a-eventbridge-subscription"));
        assertThat(JSON.readTree(((io.shopsync.envelope.Body.Inline) hubspot.effects.get(0).envelope().body()).bytes()))
                .isEqualTo(JSON.readTree(JSON.readTree(HTTPS_EVENT).path("body").asText()));
        assertThat(stack.aws.drain(stack.queues.deadLetterQueueUrl())).isEmpty();
    }
}
