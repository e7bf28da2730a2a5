package io.shopsync.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code dlq inspect} and {@code dlq redrive} against a real SQS API in this JVM: ElasticMQ, which
 * supports StartMessageMoveTask (moto does not). The queues are FIFO with the template's redrive
 * policy, and dead letters carry the attributes the flows give them.
 */
class DlqCommandsIT {

    private static SQSRestServer elasticMq;
    private static String endpoint;
    private static SqsClient sqs;
    private static final AtomicInteger STACKS = new AtomicInteger();

    private String workQueueUrl;
    private String dlqUrl;
    private final CliRun cli = new CliRun(Map.of(), Duration.ofMillis(50));

    @BeforeAll
    static void startSqs() {
        elasticMq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
        endpoint = "http://127.0.0.1:" + elasticMq.waitUntilStarted().localAddress().getPort();
        sqs = SqsClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    @AfterAll
    static void stopSqs() {
        sqs.close();
        elasticMq.stopAndWait();
    }

    /** A fresh stack's order-to-crm queues as template.yaml declares them: FIFO, the work queue redriving to the DLQ. */
    @BeforeEach
    void createFifoQueues() {
        createQueues(true);
    }

    /**
     * Standard queues for the redrive tests: ElasticMQ 1.7.1 moves nothing out of a FIFO queue (its move
     * task completes at once with 0 moved; AWS moves FIFO dead letters since 2023), so a move to completion
     * can only be shown with standard queues. The CLI's redrive does not depend on the queue type.
     */
    void createQueues(boolean fifo) {
        String stack = "stack" + STACKS.incrementAndGet();
        String suffix = fifo ? ".fifo" : "";
        Map<QueueAttributeName, String> dlqAttributes = fifo ? Map.of(QueueAttributeName.FIFO_QUEUE, "true") : Map.of();
        dlqUrl = sqs.createQueue(r -> r.queueName(stack + "-order-to-crm-dlq" + suffix).attributes(dlqAttributes))
                .queueUrl();
        String dlqArn = sqs.getQueueAttributes(r -> r.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        Map<QueueAttributeName, String> attributes = new LinkedHashMap<>();
        if (fifo) {
            attributes.put(QueueAttributeName.FIFO_QUEUE, "true");
            attributes.put(QueueAttributeName.CONTENT_BASED_DEDUPLICATION, "false");
        }
        attributes.put(QueueAttributeName.VISIBILITY_TIMEOUT, "180");
        attributes.put(QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"8\"}");
        workQueueUrl = sqs.createQueue(r -> r.queueName(stack + "-order-to-crm" + suffix).attributes(attributes)).queueUrl();
    }

    /** Dead-letters an envelope as the order flow's delivery path does: attributes, FIFO group = entity. */
    private void deadLetter(String webhookId, String orderId, String target) {
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        String entity = "shopsync-demo.myshopify.com/order/" + orderId;
        attributes.put("reason", text(target + ": HTTP 400 Property shopify_order_id does not exist: create it in "
                + "HubSpot, then redrive"));
        attributes.put("stage", text("delivery"));
        attributes.put("category", text("http-400"));
        attributes.put("target", text(target));
        attributes.put("flow", text("order-to-crm"));
        attributes.put("shop", text("shopsync-demo.myshopify.com"));
        attributes.put("topic", text("orders/create"));
        attributes.put("webhookId", text(webhookId));
        attributes.put("entity", text(entity));
        boolean fifo = dlqUrl.endsWith(".fifo");
        sqs.sendMessage(r -> {
            r.queueUrl(dlqUrl).messageBody("{\"envelope\":\"" + webhookId + "\"}").messageAttributes(attributes);
            if (fifo) {
                r.messageGroupId(entity).messageDeduplicationId("shopsync-demo.myshopify.com:" + webhookId);
            }
        });
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    private static long visible(String queueUrl) {
        return Long.parseLong(sqs.getQueueAttributes(r -> r.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    private static List<Message> receiveAll(String queueUrl) {
        List<Message> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            List<Message> batch = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).visibilityTimeout(60)
                    .messageAttributeNames("All").messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
            if (batch.isEmpty()) {
                break;
            }
            all.addAll(batch);
        }
        return all;
    }

    /** Dead-letters a real webhook (a payload of events/payloads) in its envelope, as the order flow does. */
    private void deadLetterWebhook(String webhookId, String topic, String payloadFile, String entity) {
        io.shopsync.envelope.Envelope envelope = new io.shopsync.envelope.Envelope("order-to-crm", topic,
                "shopsync-demo.myshopify.com", webhookId, "event-" + webhookId, java.time.Instant.parse("2026-11-27T10:15:47Z"),
                "2026-10", java.time.Instant.parse("2026-11-27T10:15:48Z"), entity,
                new io.shopsync.envelope.Body.Inline(io.shopsync.testkit.Fixtures.bytes("events/payloads/" + payloadFile)));
        String body = new io.shopsync.envelope.EnvelopeCodec(new com.fasterxml.jackson.databind.ObjectMapper()).encode(envelope);
        sqs.sendMessage(r -> r.queueUrl(dlqUrl).messageBody(body).messageGroupId(entity)
                .messageDeduplicationId("shopsync-demo.myshopify.com:" + webhookId)
                .messageAttributes(Map.of("webhookId", text(webhookId), "topic", text(topic), "entity", text(entity))));
    }

    @Test
    void purge_shouldDeleteTheDeadLettersThatNameTheCustomer_andLeaveEveryOtherOne() {
        deadLetterWebhook("wh-order", "orders/create", "orders-create.json", "shopsync-demo.myshopify.com/order/820982911946154508");
        deadLetterWebhook("wh-consent", "customers_email_marketing_consent/update",
                "customers-email-marketing-consent-update.json", "shopsync-demo.myshopify.com/customer/706405506930370084");
        deadLetterWebhook("wh-guest", "orders/create", "orders-guest-pos.json", "shopsync-demo.myshopify.com/order/734281950317462958");

        CliRun.Result dry = cli.run("dlq", "purge", "order-to-crm", "--customer", "706405506930370084", "--email",
                "Zoe.Adams@example.com", "--order", "820982911946154508", "--dry-run", "--dlq-url", dlqUrl,
                "--endpoint-url", endpoint);
        assertThat(dry.exitCode()).as(dry.all()).isZero();
        assertThat(dry.out()).contains("3 read, 2 would be deleted", "1 left as they were");
        assertThat(visible(dlqUrl)).isEqualTo(3);

        CliRun.Result result = cli.run("dlq", "purge", "order-to-crm", "--customer", "706405506930370084", "--email",
                "Zoe.Adams@example.com", "--order", "820982911946154508", "--dlq-url", dlqUrl, "--endpoint-url", endpoint);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("3 read, 2 deleted (they named customer 706405506930370084), 1 left as they were");
        assertThat(result.out()).doesNotContain("zoe").doesNotContain("Zoe");
        assertThat(receiveAll(dlqUrl)).singleElement().satisfies(kept ->
                assertThat(kept.messageAttributes().get("webhookId").stringValue()).isEqualTo("wh-guest"));
    }

    @Test
    void purge_shouldRefuseAnIdThatIsNotShopifys() {
        CliRun.Result result = cli.run("dlq", "purge", "order-to-crm", "--customer", "zoe@example.com", "--dlq-url", dlqUrl,
                "--endpoint-url", endpoint);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("numeric ids");
    }

    @Test
    void inspect_shouldShowEachDeadLettersReasonAndIds_andACount_withoutConsumingThem() {
        deadLetter("wh-1", "820982911946154508", "hubspot");
        deadLetter("wh-2", "820982911946154508", "hubspot");
        deadLetter("wh-3", "734281950317462958", "klaviyo");

        CliRun.Result result = cli.run("dlq", "inspect", "order-to-crm", "--dlq-url", dlqUrl, "--endpoint-url", endpoint);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("about 3 messages", "3 shown, about 3", "none consumed",
                "reason:    hubspot: HTTP 400 Property shopify_order_id does not exist",
                "stage:     delivery", "category:  http-400", "target:    klaviyo", "topic:     orders/create",
                "shop:      shopsync-demo.myshopify.com", "webhookId: wh-2",
                "entity:    shopsync-demo.myshopify.com/order/734281950317462958",
                "scripts/shopsync dlq redrive order-to-crm --queue-url <the flow's work queue URL> --dlq-url " + dlqUrl);
        assertThat(visible(dlqUrl)).isEqualTo(3);
        assertThat(receiveAll(dlqUrl)).hasSize(3);
    }

    @Test
    void inspect_shouldShowUpToMaxMessages_acrossMoreThanOneReceive() {
        for (int i = 1; i <= 15; i++) {
            deadLetter("wh-" + i, Long.toString(900000000000000000L + i), "hubspot");
        }

        CliRun.Result result = cli.run("dlq", "inspect", "order-to-crm", "--max", "12", "--dlq-url", dlqUrl,
                "--endpoint-url", endpoint);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("[12]", "12 shown, about 15").doesNotContain("[13]");
        assertThat(visible(dlqUrl)).isEqualTo(15);
    }

    @Test
    void redrive_shouldMoveEveryDeadLetterBackToTheWorkQueue_printingProgressUntilCompleted() {
        createQueues(false);
        for (int i = 1; i <= 4; i++) {
            deadLetter("wh-" + i, Long.toString(820982911946154500L + i), i % 2 == 0 ? "klaviyo" : "hubspot");
        }

        CliRun.Result result = cli.run("dlq", "redrive", "order-to-crm", "--queue-url", workQueueUrl, "--dlq-url", dlqUrl,
                "--endpoint-url", endpoint, "--max-per-second", "4");

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("redrive order-to-crm: moving about 4 messages from", "-order-to-crm-dlq back to",
                "at most 4 a second", "(RUNNING)", "redrive order-to-crm: COMPLETED: 4 moved back to", "0 left in");
        List<Message> moved = receiveAll(workQueueUrl);
        assertThat(moved).hasSize(4);
        assertThat(moved).extracting(m -> m.messageAttributes().get("target").stringValue())
                .containsExactlyInAnyOrder("hubspot", "klaviyo", "hubspot", "klaviyo");
        assertThat(moved).extracting(m -> m.messageAttributes().get("reason").stringValue())
                .allMatch(reason -> reason.contains("HTTP 400"));
        assertThat(visible(dlqUrl)).isZero();
        assertThat(cli.waits).isNotEmpty().allMatch(wait -> wait.equals(Duration.ofSeconds(2)));
    }

    @Test
    void redrive_shouldFail_andSayTheMessagesAreStillThere_whenTheMoveCompletesWithoutMovingAny() {
        deadLetter("wh-1", "820982911946154508", "hubspot");

        CliRun.Result result = cli.run("dlq", "redrive", "order-to-crm", "--queue-url", workQueueUrl, "--dlq-url", dlqUrl,
                "--endpoint-url", endpoint);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("COMPLETED, but it moved nothing", "1 message(s) are still in");
        assertThat(visible(dlqUrl)).isEqualTo(1);
    }

    @Test
    void redrive_shouldSayThereIsNothingToRedrive_whenTheDeadLetterQueueIsEmpty() {
        CliRun.Result result = cli.run("dlq", "redrive", "order-to-crm", "--queue-url", workQueueUrl, "--dlq-url", dlqUrl,
                "--endpoint-url", endpoint);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("nothing to redrive", "is empty");
    }

    @Test
    void inspectAndRedrive_shouldFindTheQueues_inTheStacksOutputs() {
        createQueues(false);
        deadLetter("wh-1", "820982911946154508", "hubspot");
        WireMockServer aws = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        aws.start();
        try {
            aws.stubFor(post(urlEqualTo("/")).withRequestBody(containing("Action=DescribeStacks"))
                    .withRequestBody(containing("StackName=shopsync")).atPriority(1)
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody(
                            describeStacks(Map.of("OrderToCrmQueueUrl", workQueueUrl, "OrderToCrmDeadLetterQueueUrl", dlqUrl)))));
            aws.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(endpoint)));

            CliRun.Result inspect = cli.run("dlq", "inspect", "order-to-crm", "--stack", "shopsync",
                    "--endpoint-url", aws.baseUrl());
            CliRun.Result redrive = cli.run("dlq", "redrive", "order-to-crm", "--stack", "shopsync",
                    "--endpoint-url", aws.baseUrl());

            assertThat(inspect.exitCode()).as(inspect.all()).isZero();
            assertThat(inspect.out()).contains("webhookId: wh-1", "scripts/shopsync dlq redrive order-to-crm --stack shopsync");
            assertThat(redrive.exitCode()).as(redrive.all()).isZero();
            assertThat(redrive.out()).contains("COMPLETED: 1 moved");
            assertThat(receiveAll(workQueueUrl)).hasSize(1);
        } finally {
            aws.stop();
        }
    }

    @Test
    void inspect_shouldSayTheStackDoesNotExist_andWhatToCheck() {
        WireMockServer aws = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        aws.start();
        try {
            aws.stubFor(post(urlEqualTo("/")).withRequestBody(containing("Action=DescribeStacks"))
                    .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "text/xml").withBody("""
                            <ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
                              <Error><Type>Sender</Type><Code>ValidationError</Code>
                                <Message>Stack with id nope does not exist</Message></Error>
                              <RequestId>5f2b1c1e-0000-0000-0000-000000000000</RequestId>
                            </ErrorResponse>""")));

            CliRun.Result result = cli.run("dlq", "inspect", "order-to-crm", "--stack", "nope", "--endpoint-url", aws.baseUrl());

            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.err()).contains("stack nope does not exist", "--stack", "--region");
        } finally {
            aws.stop();
        }
    }

    @Test
    void redrive_shouldAskWhichStack_whenNeitherAStackNorQueueUrlsAreGiven() {
        CliRun.Result result = cli.run("dlq", "redrive", "order-to-crm", "--endpoint-url", endpoint);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("which stack?", "--stack NAME", "--dlq-url");
    }

    @Test
    void dlq_shouldSayHowToGetCredentials_whenNoneAreFound() {
        CliRun noCredentials = new CliRun(Map.of(), Duration.ZERO, () -> {
            throw SdkClientException.create("Unable to load credentials from any of the providers in the chain "
                    + "AwsCredentialsProviderChain(credentialsProviders=[...])");
        });

        CliRun.Result result = noCredentials.run("dlq", "inspect", "order-to-crm", "--stack", "shopsync",
                "--region", "eu-west-1");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("reading the outputs of stack shopsync failed: no AWS credentials found",
                "aws sso login", "AWS_PROFILE").doesNotContain("AwsCredentialsProviderChain");
    }

    @Test
    void dlq_shouldNameTheFlows_whenGivenAnUnknownOne() {
        CliRun.Result result = cli.run("dlq", "inspect", "orders", "--dlq-url", dlqUrl);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("no flow named 'orders'", "order-to-crm, stock-to-inventory, fulfilment-to-crm");
    }

    private static String describeStacks(Map<String, String> outputs) {
        StringBuilder members = new StringBuilder();
        outputs.forEach((key, value) -> members.append("<member><OutputKey>").append(key).append("</OutputKey><OutputValue>")
                .append(value).append("</OutputValue></member>"));
        return """
                <DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
                  <DescribeStacksResult><Stacks><member>
                    <StackName>shopsync</StackName>
                    <StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/shopsync/0b7c5d10-0000-0000-0000-000000000000</StackId>
                    <CreationTime>2026-11-27T10:00:00Z</CreationTime>
                    <StackStatus>CREATE_COMPLETE</StackStatus>
                    <Outputs>%s</Outputs>
                  </member></Stacks></DescribeStacksResult>
                  <ResponseMetadata><RequestId>5f2b1c1e-0000-0000-0000-000000000001</RequestId></ResponseMetadata>
                </DescribeStacksResponse>""".formatted(members);
    }
}
