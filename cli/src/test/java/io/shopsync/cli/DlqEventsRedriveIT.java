package io.shopsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.envelope.RawJson;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * {@code dlq redrive FLOW --events} and {@code dlq inspect FLOW --events} against an AWS-compatible endpoint:
 * the order flow's FIFO work queue, DLQ and claim-check bucket, and its EventBridge dead-letter queue (a
 * standard queue, as template.yaml declares it) holding both shapes a message can have there: the rule
 * target's (the body is the event) and Lambda's invocation record (the event is its requestPayload).
 */
@ExtendWith(AwsBackend.class)
class DlqEventsRedriveIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String EVENT = Fixtures.text("events/eventbridge/order-to-crm.json");
    private static final String WEBHOOK_ID = "bbf3821d-efd3-5aea-9326-14010bffdbdb";
    private static final AtomicInteger QUEUES = new AtomicInteger();

    private final AwsClients aws;
    private final AwsFlowStack stack;
    private final String eventsDlqUrl;
    private final CliRun cli;

    DlqEventsRedriveIT(AwsClients aws) {
        this.aws = aws;
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        this.eventsDlqUrl = aws.sqs().createQueue(r -> r.queueName("evtypes-order-to-crm-events-dlq-"
                + QUEUES.incrementAndGet() + "-" + System.nanoTime())).queueUrl();
        this.cli = new CliRun(Map.of("AWS_ENDPOINT_URL", aws.endpoint().toString(), "AWS_REGION", aws.region().id()),
                Duration.ofMillis(20));
    }

    /** Shopify's order event as the rule's target dead-lettered it: the event is the body. */
    private void ruleDeadLetter(String event) {
        aws.sqs().sendMessage(r -> r.queueUrl(eventsDlqUrl).messageBody(event).messageAttributes(Map.of(
                "ERROR_CODE", text("SDK_CLIENT_ERROR"),
                "ERROR_MESSAGE", text("Unable to invoke Lambda function: rate exceeded"),
                "RULE_ARN", text("arn:aws:events:us-east-1:123456789012:rule/shopify/order-to-crm"))));
    }

    /** Lambda's asynchronous invocation record (on-failure destination): the event is requestPayload. */
    private void lambdaDeadLetter(String event) {
        String record = "{\"version\":\"1.0\",\"timestamp\":\"2026-11-27T10:20:01.123Z\",\"requestContext\":{"
                + "\"requestId\":\"e6e5e1e4-8f7d-4c1b-9a0e-3f2b1c0d9e8f\",\"functionArn\":"
                + "\"arn:aws:lambda:us-east-1:123456789012:function:shopsync-order-to-crm:live\","
                + "\"condition\":\"RetriesExhausted\",\"approximateInvokeCount\":3},\"requestPayload\":" + event
                + ",\"responseContext\":{\"statusCode\":200,\"executedVersion\":\"7\",\"functionError\":\"Unhandled\"},"
                + "\"responsePayload\":{\"errorMessage\":\"flow order-to-crm could not queue EventBridge event\","
                + "\"errorType\":\"io.shopsync.lambda.FlowFunction$IntakeFailedException\"}}";
        aws.sqs().sendMessage(r -> r.queueUrl(eventsDlqUrl).messageBody(record));
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    /** The sample event as another delivery: another webhook id, topic or shop. */
    private static String variant(String topic, String shop, String webhookId) {
        return EVENT.replace("\"X-Shopify-Topic\": \"orders/create\"", "\"X-Shopify-Topic\": \"" + topic + "\"")
                .replace("\"X-Shopify-Shop-Domain\": \"" + SHOP + "\"", "\"X-Shopify-Shop-Domain\": \"" + shop + "\"")
                .replace(WEBHOOK_ID, webhookId);
    }

    private CliRun.Result redrive(String workQueueUrl) {
        return cli.run("dlq", "redrive", "order-to-crm", "--events", "--events-dlq-url", eventsDlqUrl,
                "--queue-url", workQueueUrl, "--dlq-url", stack.queues.deadLetterQueueUrl(), "--bucket", stack.bucket,
                "--allowed-shops", SHOP + ",other-demo.myshopify.com");
    }

    private List<Message> receiveAll(String queueUrl) {
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> batch = aws.sqs().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .visibilityTimeout(60).messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                    .messageAttributeNames("All")).messages();
            if (batch.isEmpty()) {
                return all;
            }
            all.addAll(batch);
        }
    }

    @Test
    void bothShapes_areQueuedAsTheFunctionQueuesThem_andDeleted_whileARefusedShopStaysWithItsReason() {
        ruleDeadLetter(EVENT);
        lambdaDeadLetter(variant("orders/updated", SHOP, "0c5b7d1e-2f4a-5b6c-8d9e-0a1b2c3d4e5f"));
        ruleDeadLetter(variant("orders/create", "stranger-store.myshopify.com", "9a8b7c6d-5e4f-5a3b-9c2d-1e0f9a8b7c6d"));

        CliRun.Result inspected = cli.run("dlq", "inspect", "order-to-crm", "--events", "--events-dlq-url", eventsDlqUrl);
        assertThat(inspected.exitCode()).as(inspected.all()).isZero();
        assertThat(inspected.out()).contains("from:      the EventBridge rule's target")
                .contains("SDK_CLIENT_ERROR: Unable to invoke Lambda function: rate exceeded")
                .contains("from:      Lambda (invocation record)")
                .contains("RetriesExhausted: flow order-to-crm could not queue EventBridge event")
                .contains("shop:      stranger-store.myshopify.com")
                .contains("webhookId: " + WEBHOOK_ID)
                .contains("dlq redrive order-to-crm --events");

        CliRun.Result result = redrive(stack.queues.workQueueUrl());

        assertThat(result.exitCode()).as(result.all()).isEqualTo(1);
        assertThat(result.out()).contains("moved 2, dead-lettered into " + name(stack.queues.deadLetterQueueUrl())
                + " 0, refused 1, failed 0; 1 kept in");
        assertThat(result.out()).contains("shop stranger-store.myshopify.com").contains("refused, kept: shop not on "
                + "SHOPIFY_ALLOWED_SHOPS; add the shop to the stack's AllowedShops");

        List<Message> queued = receiveAll(stack.queues.workQueueUrl());
        assertThat(queued).hasSize(2);
        EnvelopeCodec codec = new EnvelopeCodec(JSON);
        Message created = queued.stream().filter(m -> codec.decode(m.body()).webhookId().equals(WEBHOOK_ID))
                .findFirst().orElseThrow();
        Envelope envelope = codec.decode(created.body());
        assertThat(envelope.topic()).isEqualTo("orders/create");
        assertThat(envelope.shop()).isEqualTo(SHOP);
        assertThat(envelope.entity()).isEqualTo(SHOP + "/order/820982911946154508");
        // The group and dedup ids an HTTPS or EventBridge delivery of the same webhook gets from the function.
        assertThat(created.attributes()).containsEntry(MessageSystemAttributeName.MESSAGE_GROUP_ID, envelope.entity())
                .containsEntry(MessageSystemAttributeName.MESSAGE_DEDUPLICATION_ID, SHOP + ":" + WEBHOOK_ID);
        // The payload's exact bytes, as they stand in the event (ids above 2^53, decimals as written).
        byte[] payload = RawJson.valueAt(EVENT.getBytes(StandardCharsets.UTF_8), JSON.getFactory(), "detail", "payload")
                .orElseThrow();
        assertThat(((Body.Inline) envelope.body()).bytes()).isEqualTo(payload);
        assertThat(queued.stream().map(m -> codec.decode(m.body()).topic()))
                .containsExactlyInAnyOrder("orders/create", "orders/updated");

        List<Message> left = receiveAll(eventsDlqUrl);
        assertThat(left).singleElement().satisfies(m -> assertThat(m.body()).contains("stranger-store.myshopify.com"));
    }

    @Test
    void aSendThatFails_keepsTheMessage_andSaysSo() {
        ruleDeadLetter(EVENT);
        String gone = stack.queues.workQueueUrl().replace(".fifo", "-deleted.fifo");

        CliRun.Result result = redrive(gone);

        assertThat(result.exitCode()).as(result.all()).isEqualTo(1);
        assertThat(result.out()).contains("webhook id " + WEBHOOK_ID).contains(": failed, kept: ")
                .contains("moved 0, dead-lettered into " + name(stack.queues.deadLetterQueueUrl()) + " 0, refused 0, failed 1");
        assertThat(result.err()).contains("1 event(s) kept");
        assertThat(receiveAll(eventsDlqUrl)).as("kept, and visible again at once").singleElement()
                .satisfies(m -> assertThat(m.body()).isEqualTo(EVENT));
        assertThat(receiveAll(stack.queues.workQueueUrl())).isEmpty();
    }

    private static String name(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }
}
