package io.shopsync.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The SQS event source against a real SQS API: embedded ElasticMQ on a free loopback port. */
class SqsEventSourceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static SQSRestServer server;
    private static SqsClient sqs;
    private String queueUrl;
    private final List<JsonNode> events = new ArrayList<>();

    @BeforeAll
    static void startSqs() {
        server = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
        int port = server.waitUntilStarted().localAddress().getPort();
        sqs = SqsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    @AfterAll
    static void stopSqs() {
        sqs.close();
        server.stopAndWait();
    }

    @BeforeEach
    void createQueue() {
        queueUrl = sqs.createQueue(r -> r.queueName("work-" + System.nanoTime() + ".fifo").attributes(Map.of(
                QueueAttributeName.FIFO_QUEUE, "true",
                QueueAttributeName.VISIBILITY_TIMEOUT, "30"))).queueUrl();
    }

    private void send(String group, String body) {
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body).messageGroupId(group)
                .messageDeduplicationId(body.replace(' ', '-'))
                .messageAttributes(Map.of("topic", MessageAttributeValue.builder().dataType("String")
                        .stringValue("orders/create").build())));
    }

    /** A handler that keeps each event and reports the messages whose body is in {@code fail} as failed. */
    private RequestStreamHandler reportingFailed(Set<String> fail) {
        return (in, out, context) -> {
            JsonNode event = JSON.readTree(in);
            events.add(event);
            StringBuilder failures = new StringBuilder();
            for (JsonNode record : event.path("Records")) {
                if (fail.contains(record.path("body").asText())) {
                    failures.append(failures.length() == 0 ? "" : ",")
                            .append("{\"itemIdentifier\":\"").append(record.path("messageId").asText()).append("\"}");
                }
            }
            out.write(("{\"batchItemFailures\":[" + failures + "]}").getBytes(StandardCharsets.UTF_8));
        };
    }

    private int messagesOnQueue() {
        Map<String, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNamesWithStrings(
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")).attributesAsStrings();
        return Integer.parseInt(attributes.get("ApproximateNumberOfMessages"))
                + Integer.parseInt(attributes.get("ApproximateNumberOfMessagesNotVisible"));
    }

    @Test
    void pollOnce_invokesTheHandlerWithALambdaSqsEvent() {
        send("shop/order/1", "first");

        SqsEventSource.Poll poll = new SqsEventSource(sqs, queueUrl, reportingFailed(Set.of())).pollOnce();

        assertThat(poll.received()).hasSize(1);
        JsonNode record = events.get(0).path("Records").get(0);
        assertThat(record.path("eventSource").asText()).isEqualTo("aws:sqs");
        assertThat(record.path("eventSourceARN").asText()).startsWith("arn:aws:sqs:").endsWith(".fifo");
        assertThat(record.path("body").asText()).isEqualTo("first");
        assertThat(record.path("messageId").asText()).isEqualTo(poll.received().get(0).messageId());
        assertThat(record.path("receiptHandle").asText()).isNotBlank();
        assertThat(record.path("md5OfBody").asText()).isNotBlank();
        assertThat(record.path("attributes").path("MessageGroupId").asText()).isEqualTo("shop/order/1");
        assertThat(record.path("attributes").path("ApproximateReceiveCount").asText()).isEqualTo("1");
        assertThat(record.path("messageAttributes").path("topic").path("stringValue").asText())
                .isEqualTo("orders/create");
        assertThat(record.path("messageAttributes").path("topic").path("dataType").asText()).isEqualTo("String");
    }

    @Test
    void pollOnce_deletesWhatTheHandlerDidNotReportFailed_andKeepsTheFailures() {
        send("shop/order/1", "delivered");
        send("shop/order/2", "failed");
        send("shop/order/3", "also delivered");

        SqsEventSource.Poll poll = new SqsEventSource(sqs, queueUrl, reportingFailed(Set.of("failed"))).pollOnce();

        assertThat(poll.received()).hasSize(3);
        assertThat(poll.failed()).hasSize(1);
        assertThat(poll.crash()).isNull();
        assertThat(messagesOnQueue()).isEqualTo(1);
        String failedId = poll.failed().iterator().next();
        assertThat(poll.received()).filteredOn(m -> m.messageId().equals(failedId))
                .extracting(m -> m.body()).containsExactly("failed");
    }

    @Test
    void pollOnce_leavesTheWholeBatch_whenTheHandlerThrows() {
        send("shop/order/1", "one");
        send("shop/order/2", "two");

        SqsEventSource.Poll poll = new SqsEventSource(sqs, queueUrl, (in, out, context) -> {
            throw new IllegalStateException("crashed mid-batch");
        }).pollOnce();

        assertThat(poll.received()).hasSize(2);
        assertThat(poll.crash()).hasMessage("crashed mid-batch");
        assertThat(messagesOnQueue()).isEqualTo(2);
    }

    @Test
    void pollOnce_receivesNothing_fromAnEmptyQueue() {
        SqsEventSource.Poll poll = new SqsEventSource(sqs, queueUrl, reportingFailed(Set.of())).pollOnce();

        assertThat(poll.empty()).isTrue();
        assertThat(events).isEmpty();
    }

    @Test
    void pollOnce_leavesTheVisibilityTheHandlerSet_onAFailedMessage() {
        send("shop/order/1", "retry soon");
        RequestStreamHandler delaying = (in, out, context) -> {
            JsonNode record = JSON.readTree(in).path("Records").get(0);
            sqs.changeMessageVisibility(r -> r.queueUrl(queueUrl)
                    .receiptHandle(record.path("receiptHandle").asText()).visibilityTimeout(0));
            out.write(("{\"batchItemFailures\":[{\"itemIdentifier\":\"" + record.path("messageId").asText()
                    + "\"}]}").getBytes(StandardCharsets.UTF_8));
        };

        new SqsEventSource(sqs, queueUrl, delaying).pollOnce();
        SqsEventSource.Poll again = new SqsEventSource(sqs, queueUrl, reportingFailed(Set.of())).pollOnce();

        assertThat(again.received()).extracting(m -> m.body()).containsExactly("retry soon");
        assertThat(again.received().get(0).attributesAsStrings()).containsEntry("ApproximateReceiveCount", "2");
        assertThat(messagesOnQueue()).isZero();
    }
}
