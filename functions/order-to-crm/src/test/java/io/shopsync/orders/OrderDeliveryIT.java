package io.shopsync.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.DeliveryOutcome.PermanentFailure;
import io.shopsync.delivery.DeliveryOutcome.RetryLater;
import io.shopsync.delivery.Target;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.FakeTarget;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import io.shopsync.emulator.SqsEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The order flow's whole path on a real AWS-compatible endpoint: signed webhook, intake, FIFO queue,
 * the SQS event source, delivery with DynamoDB records, a scripted target, the DLQ and SNS alerts.
 */
@ExtendWith(AwsBackend.class)
class OrderDeliveryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AwsFlowStack stack;
    private final FakeTarget hubspot = new FakeTarget("hubspot");
    private final OrderToCrm function;
    private final SqsEventSource source;

    OrderDeliveryIT(AwsClients aws) {
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        this.function = new OrderToCrm(stack.environmentBuilder().target(hubspot).build());
        this.source = new SqsEventSource(aws.sqs(), stack.queues.workQueueUrl(), function);
    }

    private void post(String eventFile) {
        JsonNode response = LambdaInvoker.invoke(function, Fixtures.text("events/order-to-crm/" + eventFile));
        assertThat(response.path("statusCode").asInt()).isEqualTo(200);
    }

    /** Polls like Lambda until the condition holds or the time is up; returns every poll made. */
    private List<SqsEventSource.Poll> pollUntil(BooleanSupplier done, Duration timeout) {
        List<SqsEventSource.Poll> polls = new ArrayList<>();
        Instant deadline = Instant.now().plus(timeout);
        while (!done.getAsBoolean() && Instant.now().isBefore(deadline)) {
            polls.add(source.pollOnce());
        }
        assertThat(done.getAsBoolean()).as("condition reached within " + timeout).isTrue();
        return polls;
    }

    private List<JsonNode> alerts() {
        List<JsonNode> alerts = new ArrayList<>();
        for (Message message : stack.aws.drain(stack.alerts.queueUrl())) {
            try {
                alerts.add(JSON.readTree(message.body()));
            } catch (Exception e) {
                throw new AssertionError("SNS notification is not JSON: " + message.body(), e);
            }
        }
        return alerts;
    }

    @Test
    void theSameWebhookDeliveredAgainAfterSqsDedupWindow_changesTheTargetOnce() {
        post("orders-create.json");
        pollUntil(() -> hubspot.effects.size() == 1, Duration.ofSeconds(20));
        // Shopify's redelivery minutes later: SQS no longer deduplicates it, so it is a new message.
        Message original = sqsCopyOf("orders-create.json");
        stack.aws.sqs().sendMessage(r -> r.queueUrl(stack.queues.workQueueUrl()).messageBody(original.body())
                .messageGroupId("shopsync-demo.myshopify.com/order/820982911946154508")
                .messageDeduplicationId("redelivered-after-the-window"));

        List<SqsEventSource.Poll> polls = pollUntil(() -> queueIsEmpty(), Duration.ofSeconds(20));

        assertThat(polls.stream().mapToInt(p -> p.received().size()).sum()).isEqualTo(1);
        assertThat(hubspot.effects).hasSize(1);
    }

    @Test
    void anOlderOrderVersionArrivingAfterANewerOne_isSkippedAsStale() {
        post("orders-updated.json");   // updated_at 09:42:18-05:00
        post("orders-paid.json");      // updated_at 05:15:46-05:00, arrives late

        pollUntil(this::queueIsEmpty, Duration.ofSeconds(20));

        assertThat(hubspot.effectTopics()).containsExactly("orders/updated");
        assertThat(stack.aws.drain(stack.queues.deadLetterQueueUrl())).isEmpty();
    }

    @Test
    void aCrashAfterTheClaim_isRecoveredByTheNextReceive_withOneEffect() {
        stack.aws.sqs().setQueueAttributes(r -> r.queueUrl(stack.queues.workQueueUrl())
                .attributesWithStrings(Map.of("VisibilityTimeout", "2")));
        OrderToCrm crashing = new OrderToCrm(stack.environmentBuilder().target(new Target() {
            @Override
            public String name() {
                return "hubspot";
            }

            @Override
            public List<DeliveryOutcome> deliver(List<DeliveryItem> items) {
                throw new OutOfMemoryError("simulated crash mid-delivery");
            }
        }).build());
        post("orders-create.json");

        SqsEventSource.Poll crashed = new SqsEventSource(stack.aws.sqs(), stack.queues.workQueueUrl(), crashing).pollOnce();
        assertThat(crashed.crash()).isInstanceOf(OutOfMemoryError.class);
        // The lease (90 s) outlives the crash; let it expire as the clock would.
        OrderToCrm recovered = new OrderToCrm(stack.environmentBuilder()
                .clock(java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofSeconds(120)))
                .target(hubspot).build());
        SqsEventSource next = new SqsEventSource(stack.aws.sqs(), stack.queues.workQueueUrl(), recovered);
        Instant deadline = Instant.now().plusSeconds(20);
        while (hubspot.effects.isEmpty() && Instant.now().isBefore(deadline)) {
            next.pollOnce();
        }

        assertThat(hubspot.effects).hasSize(1);
        assertThat(next.pollOnce().empty()).isTrue();
    }

    @Test
    void transientFailuresRetryWithGrowingDelays_thenSucceed() {
        hubspot.thenAnswer(new RetryLater("HubSpot answered 503"), new RetryLater("HubSpot answered 503"));
        post("orders-create.json");

        List<Instant> receivedAt = new ArrayList<>();
        Instant deadline = Instant.now().plusSeconds(30);
        while (hubspot.effects.isEmpty() && Instant.now().isBefore(deadline)) {
            if (!source.pollOnce().empty()) {
                receivedAt.add(Instant.now());
            }
        }

        assertThat(hubspot.effects).hasSize(1);
        assertThat(receivedAt).hasSize(3);
        Duration firstWait = Duration.between(receivedAt.get(0), receivedAt.get(1));
        Duration secondWait = Duration.between(receivedAt.get(1), receivedAt.get(2));
        assertThat(firstWait).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(secondWait).isGreaterThan(firstWait);
    }

    @Test
    void aPermanentFailureLandsInTheDlqAtOnce_withItsReason_andOneAlert() {
        hubspot.always(item -> new PermanentFailure("HubSpot answered 400: INVALID_EMAIL for Zoe.Adams", "http-400"));
        post("orders-create.json");

        List<SqsEventSource.Poll> polls = pollUntil(this::queueIsEmpty, Duration.ofSeconds(20));

        assertThat(polls.stream().mapToInt(p -> p.received().size()).sum()).as("not retried").isEqualTo(1);
        List<Message> dead = stack.aws.drain(stack.queues.deadLetterQueueUrl());
        assertThat(dead).hasSize(1);
        Map<String, MessageAttributeValue> attributes = dead.get(0).messageAttributes();
        assertThat(attributes.get("reason").stringValue()).contains("HubSpot answered 400");
        assertThat(attributes.get("stage").stringValue()).isEqualTo("delivery");
        assertThat(attributes.get("category").stringValue()).isEqualTo("http-400");
        assertThat(attributes.get("target").stringValue()).isEqualTo("hubspot");
        assertThat(attributes.get("flow").stringValue()).isEqualTo("order-to-crm");
        assertThat(attributes.get("shop").stringValue()).isEqualTo("shopsync-demo.myshopify.com");
        assertThat(attributes.get("topic").stringValue()).isEqualTo("orders/create");
        assertThat(attributes.get("entity").stringValue()).isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
        List<JsonNode> alerts = alerts();
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0).path("Subject").asText()).isEqualTo("Shopsync order-to-crm: dead-lettered (hubspot, http-400)");
        assertThat(alerts.get(0).path("Message").asText())
                .contains("What failed: flow order-to-crm could not deliver to hubspot (http-400)")
                .as("the reason stays in the DLQ: the alert leaves AWS as e-mail")
                .doesNotContain("HubSpot answered 400").doesNotContain("Zoe.Adams")
                .contains("dead-letter queue: " + stack.queues.deadLetterQueueUrl().substring(
                        stack.queues.deadLetterQueueUrl().lastIndexOf('/') + 1))
                .contains("What to do:").contains("redrive");
    }

    @Test
    void repeatedTransientFailureLandsInTheDlqAfterMaxReceiveCount_withAnAlert() {
        hubspot.always(item -> new RetryLater("HubSpot answered 502"));
        post("orders-create.json");

        List<SqsEventSource.Poll> polls = pollUntil(this::queueIsEmpty, Duration.ofSeconds(40));

        assertThat(polls.stream().mapToInt(p -> p.received().size()).sum()).isEqualTo(AwsFlowStack.MAX_RECEIVE_COUNT);
        List<Message> dead = stack.aws.drain(stack.queues.deadLetterQueueUrl());
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).messageAttributes().get("category").stringValue()).isEqualTo("retries-exhausted");
        assertThat(dead.get(0).messageAttributes().get("reason").stringValue())
                .contains("retries exhausted after " + AwsFlowStack.MAX_RECEIVE_COUNT + " attempts")
                .contains("HubSpot answered 502");
        assertThat(alerts()).hasSize(1);
    }

    @Test
    void anOutageDeadLetteringManyOrders_raisesOneAlertNotOnePerOrder() {
        hubspot.always(item -> new PermanentFailure("HubSpot answered 401: the private app token is invalid", "http-401"));
        post("orders-create.json");
        post("orders-guest-pos.json");
        post("refunds-create.json");

        pollUntil(this::queueIsEmpty, Duration.ofSeconds(20));

        assertThat(stack.aws.drain(stack.queues.deadLetterQueueUrl())).hasSize(3);
        assertThat(alerts()).hasSize(1);
    }

    @Test
    void aClaimCheckedBodyChangedInS3AfterIntake_isDeadLetteredAsAClaimCheckFailure_neverDelivered() {
        Map<String, String> smallMessages = new java.util.HashMap<>(stack.variables());
        smallMessages.put("CLAIM_CHECK_THRESHOLD_BYTES", "1024"); // every sample order is claim-checked
        OrderToCrm claimChecking = new OrderToCrm(FlowEnvironment.builderFromVariables(smallMessages, stack.services())
                .target(hubspot).build());
        JsonNode response = LambdaInvoker.invoke(claimChecking, Fixtures.text("events/order-to-crm/orders-create.json"));
        assertThat(response.path("statusCode").asInt()).isEqualTo(200);
        List<S3Object> stored = stack.aws.s3().listObjectsV2(r -> r.bucket(stack.bucket)).contents();
        assertThat(stored).as("intake claim-checked the body").hasSize(1);
        String key = stored.get(0).key();
        String original = stack.aws.s3().getObjectAsBytes(r -> r.bucket(stack.bucket).key(key)).asUtf8String();
        String tampered = original.replace("\"total_price\":\"", "\"total_price\":\"1");
        assertThat(tampered).isNotEqualTo(original);
        stack.aws.s3().putObject(r -> r.bucket(stack.bucket).key(key), RequestBody.fromString(tampered));

        SqsEventSource claimCheckSource = new SqsEventSource(stack.aws.sqs(), stack.queues.workQueueUrl(), claimChecking);
        Instant deadline = Instant.now().plusSeconds(20);
        while (!queueIsEmpty() && Instant.now().isBefore(deadline)) {
            claimCheckSource.pollOnce();
        }

        assertThat(hubspot.calls.size()).as("calls to the target with the changed body").isZero();
        List<Message> dead = stack.aws.drain(stack.queues.deadLetterQueueUrl());
        assertThat(dead).hasSize(1);
        Map<String, MessageAttributeValue> attributes = dead.get(0).messageAttributes();
        assertThat(attributes.get("category").stringValue()).isEqualTo("claim-check");
        assertThat(attributes.get("stage").stringValue()).isEqualTo("delivery");
        assertThat(attributes.get("reason").stringValue())
                .contains("s3://" + stack.bucket + "/" + key + " does not hold the body intake stored");
        assertThat(alerts()).singleElement().satisfies(alert -> assertThat(alert.path("Subject").asText())
                .isEqualTo("Shopsync order-to-crm: dead-lettered (-, claim-check)"));
    }

    @Test
    void aFailureInOneOrderDoesNotBlockAnother_norReorderItsOwnUpdates() {
        hubspot.always(item -> item.envelope().topic().equals("orders/create")
                && item.envelope().entity().endsWith("820982911946154508") && hubspot.calls.size() == 1
                ? new RetryLater("HubSpot answered 503") : new DeliveryOutcome.Delivered());
        post("orders-create.json");      // order A, fails once
        post("orders-guest-pos.json");   // order B
        post("orders-updated.json");     // order A, newer

        SqsEventSource.Poll first = source.pollOnce();

        assertThat(first.received()).hasSize(3);
        assertThat(first.failed()).as("order A's failed create and its later update").hasSize(2);
        assertThat(effects()).as("order B went ahead; order A's update did not jump its failed create")
                .containsExactly("734281950317462958 orders/create");

        pollUntil(this::queueIsEmpty, Duration.ofSeconds(20));
        // Real SQS redelivers a group in order, so A's create lands before its update. moto 5.2.1 returns
        // a group's redelivered messages out of order; then the older create is skipped as stale. Either
        // way the target ends with the newer version and never has it overwritten by the older one.
        List<String> orderA = effects().stream().filter(e -> e.startsWith("820982911946154508")).toList();
        assertThat(orderA).last().isEqualTo("820982911946154508 orders/updated");
        assertThat(orderA).isIn(List.of("820982911946154508 orders/create", "820982911946154508 orders/updated"),
                List.of("820982911946154508 orders/updated"));
    }

    private List<String> effects() {
        return hubspot.effects.stream().map(i -> i.envelope().entity().substring(i.envelope().entity().lastIndexOf('/') + 1)
                + " " + i.topic()).toList();
    }

    private boolean queueIsEmpty() {
        var attributes = stack.aws.sqs().getQueueAttributes(r -> r.queueUrl(stack.queues.workQueueUrl())
                .attributeNamesWithStrings("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"))
                .attributesAsStrings();
        return "0".equals(attributes.get("ApproximateNumberOfMessages"))
                && "0".equals(attributes.get("ApproximateNumberOfMessagesNotVisible"));
    }

    /** The queue message intake would have written for an event file (re-posted to a scratch flow). */
    private Message sqsCopyOf(String eventFile) {
        AwsFlowStack scratch = AwsFlowStack.create(stack.aws, "scratch");
        LambdaInvoker.invoke(new OrderToCrm(scratch.environment()), Fixtures.text("events/order-to-crm/" + eventFile));
        return scratch.aws.drain(scratch.queues.workQueueUrl()).get(0);
    }
}
