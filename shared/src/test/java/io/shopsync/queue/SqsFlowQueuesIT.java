package io.shopsync.queue;

import io.shopsync.testing.MotoS3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

@ExtendWith(AwsBackend.class)
class SqsFlowQueuesIT {

    private final EnvelopeCodec codec = new EnvelopeCodec(new ObjectMapper());
    private final AwsClients aws;
    private final AwsClients.FifoQueues fifo;
    private final String bucket;

    SqsFlowQueuesIT(AwsClients aws) {
        this.aws = aws;
        this.fifo = aws.createFifoQueues("shopsync-queues-it", 8);
        this.bucket = aws.createBucket("shopsync-claims-it");
    }

    private SqsFlowQueues queues(int maxMessageBytes) {
        return new SqsFlowQueues(aws.sqs(), fifo.workQueueUrl(), fifo.deadLetterQueueUrl(),
                new S3ClaimCheckStore(MotoS3.of(aws), bucket), codec, maxMessageBytes);
    }

    private static Envelope envelope(String webhookId, byte[] body) {
        return new Envelope("order-to-crm", "orders/create", "shopsync-demo.myshopify.com", webhookId,
                "7f0ae9c1-e5d4-4ae4-b3b8-0e3a0d4f3f83", Instant.parse("2026-11-27T10:15:47.234647458Z"), "2026-10",
                Instant.parse("2026-11-27T10:15:48Z"), "shopsync-demo.myshopify.com/order/820982911946154508",
                new Body.Inline(body));
    }

    @Test
    void enqueue_shouldSendOneFifoMessage_groupedByEntity_andDeduplicatedByWebhookId() {
        byte[] body = "{\"id\":820982911946154508,\"name\":\"#1001\"}".getBytes(StandardCharsets.UTF_8);
        String webhookId = UUID.randomUUID().toString();
        SqsFlowQueues queues = queues(SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES);

        queues.enqueue(envelope(webhookId, body));
        queues.enqueue(envelope(webhookId, body)); // Shopify's retry of the same delivery, within 5 minutes

        List<Message> messages = aws.drain(fifo.workQueueUrl());
        assertThat(messages).hasSize(1);
        Message message = messages.get(0);
        assertThat(message.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID))
                .isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
        assertThat(message.attributes().get(MessageSystemAttributeName.MESSAGE_DEDUPLICATION_ID))
                .isEqualTo("shopsync-demo.myshopify.com:" + webhookId);
        assertThat(message.messageAttributes().get("topic").stringValue()).isEqualTo("orders/create");
        Envelope decoded = codec.decode(message.body());
        assertThat(((Body.Inline) decoded.body()).bytes()).isEqualTo(body);
        assertThat(aws.drain(fifo.deadLetterQueueUrl())).isEmpty();
    }

    @Test
    void enqueue_shouldClaimCheckABodyTooLargeForAMessage_andKeepItsExactBytes() {
        StringBuilder lines = new StringBuilder("{\"id\":820982911946154508,\"line_items\":[");
        for (int i = 0; i < 250; i++) {
            lines.append(i == 0 ? "" : ",").append("{\"id\":").append(866550311766439020L + i)
                    .append(",\"title\":\"Organic cotton tee – size ").append(i).append("\",\"quantity\":1}");
        }
        byte[] body = lines.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        String webhookId = UUID.randomUUID().toString();

        queues(4_096).enqueue(envelope(webhookId, body));

        Message message = aws.drain(fifo.workQueueUrl()).get(0);
        Envelope decoded = codec.decode(message.body());
        assertThat(decoded.body()).isInstanceOf(Body.ClaimCheck.class);
        Body.ClaimCheck check = (Body.ClaimCheck) decoded.body();
        assertThat(check.bucket()).isEqualTo(bucket);
        assertThat(check.key()).startsWith("order-to-crm/2026/11/27/shopsync-demo.myshopify.com/" + webhookId);
        assertThat(check.size()).isEqualTo(body.length);
        assertThat(new S3ClaimCheckStore(MotoS3.of(aws), bucket).fetch(check)).isEqualTo(body);
    }

    @Test
    void deadLetter_shouldPutTheEnvelopeOnTheDlq_withTheReasonAsAttributes() {
        byte[] body = "{\"id\":632910392}".getBytes(StandardCharsets.UTF_8);

        queues(SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES).deadLetter(envelope(UUID.randomUUID().toString(), body)
                .withEntity(null), DeadLetterReason.atIntake("topic products/update is not handled by flow order-to-crm"));

        List<Message> dead = aws.drain(fifo.deadLetterQueueUrl());
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).messageAttributes().get("reason").stringValue())
                .isEqualTo("topic products/update is not handled by flow order-to-crm");
        assertThat(dead.get(0).messageAttributes().get("stage").stringValue()).isEqualTo("intake");
        assertThat(dead.get(0).messageAttributes().get("flow").stringValue()).isEqualTo("order-to-crm");
        assertThat(dead.get(0).attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID))
                .isEqualTo("shopsync-demo.myshopify.com/unclassified");
        assertThat(((Body.Inline) codec.decode(dead.get(0).body()).body()).bytes()).isEqualTo(body);
        assertThat(aws.drain(fifo.workQueueUrl())).isEmpty();
    }

    /** A Shopify order whose note holds U+FFFE and U+FFFF: valid UTF-8, signed by Shopify, refused by SQS as text. */
    private static final byte[] ORDER_WITH_NONCHARACTERS = ("{\"id\":820982911946154508,\"name\":\"#1001\","
            + "\"note\":\"gift wrap \uFFFE\uFFFF please \uD83C\uDF81\"}").getBytes(StandardCharsets.UTF_8);

    /**
     * SQS's rule for message text and string attributes: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD |
     * #x10000-#x10FFFF. SQS answers InvalidMessageContents otherwise; moto 5.2 stores anything, so these
     * tests check what reached the queue against the rule instead of relying on a refusal.
     */
    private static boolean sqsAccepts(String text) {
        return text.codePoints().allMatch(c -> c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF));
    }

    @Test
    void enqueue_shouldSendOnlyTextSqsAccepts_andKeepTheExactBytes_whenTheBodyHoldsNoncharacters() {
        queues(SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES).enqueue(envelope(UUID.randomUUID().toString(), ORDER_WITH_NONCHARACTERS));

        Message message = aws.drain(fifo.workQueueUrl()).get(0);
        assertThat(sqsAccepts(message.body())).as("message text SQS accepts: %s", message.body()).isTrue();
        assertThat(((Body.Inline) codec.decode(message.body()).body()).bytes()).isEqualTo(ORDER_WITH_NONCHARACTERS);
    }

    @Test
    void enqueue_shouldClaimCheckTheExactBytes_whenALargeBodyHoldsNoncharacters() {
        String webhookId = UUID.randomUUID().toString();

        queues(64).enqueue(envelope(webhookId, ORDER_WITH_NONCHARACTERS));

        Message message = aws.drain(fifo.workQueueUrl()).get(0);
        assertThat(sqsAccepts(message.body())).isTrue();
        Body.ClaimCheck check = (Body.ClaimCheck) codec.decode(message.body()).body();
        assertThat(new S3ClaimCheckStore(MotoS3.of(aws), bucket).fetch(check)).isEqualTo(ORDER_WITH_NONCHARACTERS);
    }

    @Test
    void deadLetter_shouldSendOnlyTextSqsAccepts_whenTheBodyAndTheReasonHoldCharactersSqsRefuses() {
        // A target's error text cut at 1024 characters between the halves of an emoji, plus a noncharacter.
        String reason = "x".repeat(1019) + "\uFFFF" + "\uD83C\uDF81".repeat(4);

        queues(SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES).deadLetter(envelope(UUID.randomUUID().toString(), ORDER_WITH_NONCHARACTERS),
                DeadLetterReason.atDelivery(reason, "permanent", List.of("hubspot")));

        Message dead = aws.drain(fifo.deadLetterQueueUrl()).get(0);
        assertThat(sqsAccepts(dead.body())).as("message text SQS accepts: %s", dead.body()).isTrue();
        assertThat(((Body.Inline) codec.decode(dead.body()).body()).bytes()).isEqualTo(ORDER_WITH_NONCHARACTERS);
        dead.messageAttributes().forEach((name, value) ->
                assertThat(sqsAccepts(value.stringValue())).as("attribute %s: %s", name, value.stringValue()).isTrue());
        assertThat(dead.messageAttributes().get("reason").stringValue()).startsWith("x".repeat(1019)).hasSizeLessThanOrEqualTo(1024);
    }

    @Test
    void deadLetter_atDelivery_shouldKeepEveryDeadLetterOfOneWebhook_withinSqsDeduplicationWindow() {
        byte[] body = "{\"id\":820982911946154508,\"name\":\"#1001\"}".getBytes(StandardCharsets.UTF_8);
        String webhookId = UUID.randomUUID().toString();
        SqsFlowQueues queues = queues(SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES);

        // HubSpot refuses it; after a redrive a minute later Klaviyo does: two dead letters, seconds apart.
        queues.deadLetter(envelope(webhookId, body),
                DeadLetterReason.atDelivery("hubspot: HTTP 400 INVALID_EMAIL", "http-400", List.of("hubspot")));
        queues.deadLetter(envelope(webhookId, body),
                DeadLetterReason.atDelivery("klaviyo: HTTP 400 invalid phone", "http-400", List.of("klaviyo")));
        queues.enqueue(envelope(webhookId, body));
        queues.enqueue(envelope(webhookId, body));

        assertThat(aws.drain(fifo.deadLetterQueueUrl())).extracting(m -> m.messageAttributes().get("target").stringValue())
                .containsExactlyInAnyOrder("hubspot", "klaviyo");
        assertThat(aws.drain(fifo.workQueueUrl())).as("the backend deduplicates FIFO sends").hasSize(1);
    }

    @Test
    void enqueue_shouldThrowQueueUnavailable_whenTheQueueDoesNotExist() {
        SqsFlowQueues missing = new SqsFlowQueues(aws.sqs(), fifo.workQueueUrl() + "-gone", fifo.deadLetterQueueUrl(),
                new S3ClaimCheckStore(MotoS3.of(aws), bucket), codec, SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES);

        assertThatThrownBy(() -> missing.enqueue(envelope(UUID.randomUUID().toString(), "{}".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(QueueUnavailableException.class)
                .hasMessageContaining("cannot send to the order-to-crm work queue");
    }

    @Test
    void enqueue_shouldThrowQueueUnavailable_whenTheClaimCheckBucketDoesNotExist() {
        SqsFlowQueues noBucket = new SqsFlowQueues(aws.sqs(), fifo.workQueueUrl(), fifo.deadLetterQueueUrl(),
                new S3ClaimCheckStore(MotoS3.of(aws), bucket + "-gone"), codec, 16);

        assertThatThrownBy(() -> noBucket.enqueue(envelope(UUID.randomUUID().toString(),
                "{\"id\":820982911946154508}".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(QueueUnavailableException.class)
                .hasMessageContaining("cannot store a 25-byte body");
        assertThat(aws.drain(fifo.workQueueUrl())).isEmpty();
    }
}
