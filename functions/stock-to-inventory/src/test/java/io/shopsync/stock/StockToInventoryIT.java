package io.shopsync.stock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/** The real handler, wired from its environment as in Lambda, against SQS, S3 and Secrets Manager. */
@ExtendWith(AwsBackend.class)
class StockToInventoryIT {

    private final AwsFlowStack stack;
    private final StockToInventory function;

    StockToInventoryIT(AwsClients aws) {
        this.stack = AwsFlowStack.create(aws, "stock-to-inventory");
        this.function = new StockToInventory(stack.environment());
    }

    @Test
    void aSignedWebhookLandsAsOneEnvelope_inItsEntitysGroup() {
        String event = Fixtures.text("events/stock-to-inventory/inventory-levels-update.json");

        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);

        List<Message> messages = stack.aws.drain(stack.queues.workQueueUrl());
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID))
                .isEqualTo("shopsync-demo.myshopify.com/inventory-level/437290762312585471/655441491");
        Envelope envelope = new EnvelopeCodec(new ObjectMapper()).decode(messages.get(0).body());
        assertThat(envelope.flow()).isEqualTo("stock-to-inventory");
        assertThat(envelope.topic()).isEqualTo("inventory_levels/update");
    }

    @Test
    void aTamperedWebhookGets401_andNothingIsQueued() {
        String event = LambdaInvoker.tampered(Fixtures.text("events/stock-to-inventory/inventory-levels-update.json"));

        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(401);

        assertThat(stack.aws.drain(stack.queues.workQueueUrl())).isEmpty();
        assertThat(stack.aws.drain(stack.queues.deadLetterQueueUrl())).isEmpty();
    }
}
