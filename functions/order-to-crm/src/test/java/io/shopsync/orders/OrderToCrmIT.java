package io.shopsync.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/** The real handler, wired from its environment as in Lambda, against SQS, S3 and Secrets Manager. */
@ExtendWith(AwsBackend.class)
class OrderToCrmIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AwsFlowStack stack;
    private final OrderToCrm function;

    OrderToCrmIT(AwsClients aws) {
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        this.function = new OrderToCrm(stack.environment());
    }

    @Test
    void aSignedOrderLandsAsExactlyOneEnvelope_evenWhenShopifyDeliversItTwice() throws Exception {
        String event = Fixtures.text("events/order-to-crm/orders-create.json");

        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);
        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);

        List<Message> messages = stack.aws.drain(stack.queues.workQueueUrl());
        assertThat(messages).hasSize(1);
        Message message = messages.get(0);
        assertThat(message.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID))
                .isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
        Envelope envelope = new EnvelopeCodec(JSON).decode(message.body());
        assertThat(envelope.topic()).isEqualTo("orders/create");
        assertThat(envelope.webhookId()).isEqualTo(JSON.readTree(event).path("headers").path("x-shopify-webhook-id").asText());
        assertThat(((Body.Inline) envelope.body()).bytes())
                .isEqualTo(JSON.readTree(event).path("body").asText().getBytes(StandardCharsets.UTF_8));
        assertThat(stack.aws.drain(stack.queues.deadLetterQueueUrl())).isEmpty();
    }

    @Test
    void aTamperedOrderGets401_andNothingIsQueued() {
        String event = LambdaInvoker.tampered(Fixtures.text("events/order-to-crm/orders-create.json"));

        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(401);

        assertThat(stack.aws.drain(stack.queues.workQueueUrl())).isEmpty();
        assertThat(stack.aws.drain(stack.queues.deadLetterQueueUrl())).isEmpty();
    }

    @Test
    void anAuthenticWebhookForAnotherFlow_isAnswered200_andDeadLetteredWithItsReason() {
        String event = Fixtures.text("events/fulfilment-to-crm/fulfillments-create.json");

        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);

        assertThat(stack.aws.drain(stack.queues.workQueueUrl())).isEmpty();
        List<Message> dead = stack.aws.drain(stack.queues.deadLetterQueueUrl());
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).messageAttributes().get("reason").stringValue())
                .startsWith("topic fulfillments/create is not handled by flow order-to-crm");
        assertThat(dead.get(0).messageAttributes().get("topic").stringValue()).isEqualTo("fulfillments/create");
    }
}
