package io.shopsync.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.delivery.Deadline;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.DeliveryLoop;
import io.shopsync.delivery.Jitter;
import io.shopsync.delivery.QueueMessage;
import io.shopsync.delivery.Target;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.EntityVersion;
import io.shopsync.flow.Flow;
import io.shopsync.intake.HttpResponse;
import io.shopsync.intake.IntakeOutcome;
import io.shopsync.intake.WebhookIntake;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.ClaimCheckStore;
import io.shopsync.queue.DeadLetterReason;
import io.shopsync.queue.FlowQueues;
import io.shopsync.webhook.SigningSecrets;
import io.shopsync.webhook.ShopifyHeaders;
import io.shopsync.webhook.SigningSecretsSource;
import io.shopsync.webhook.Untrusted;
import io.shopsync.webhook.WebhookSignature;
import io.shopsync.webhook.WebhookVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.crac.Core;
import org.crac.Resource;

/**
 * The Lambda entry point every flow extends. It reads the raw invocation event and dispatches on
 * its shape, so one function per flow serves both its HTTP route (intake) and its FIFO queue
 * (delivery, answering with the failed message ids). A flow class only says which flow it is and
 * which targets it writes to; all plumbing lives here.
 *
 * <p>With SnapStart, Lambda snapshots the function after construction; a {@code beforeCheckpoint} hook
 * first rehearses the hot path on made-up data ({@link #prime()}), down to the AWS SDK's requests answered by an
 * in-memory stand-in, so a restored copy starts warm.
 */
public abstract class FlowFunction implements RequestStreamHandler {

    /** How often {@link #prime()} runs each topic: enough for the JIT to compile the hottest methods. */
    private static final int PRIMING_ROUNDS = 50;

    /** A throwaway key: only the priming rehearsal's verifier (and the AWS stand-in's Secrets Manager) knows it. */
    static final String PRIMING_SECRET = "snapstart-priming-only-not-a-shopify-secret";

    /**
     * How often the AWS rehearsal runs each topic: the SDK's request path is loaded and linked by the first round;
     * a few more let the interpreter's profile settle without making the snapshot's publication slow.
     */
    private static final int AWS_PRIMING_ROUNDS = 5;

    private final Flow flow;
    private final FlowEnvironment environment;
    private final ObjectMapper json;
    private final LambdaEvents events;
    private final WebhookIntake intake;
    private final Optional<DeliveryLoop> delivery;
    /** Held here because org.crac keeps registered resources only weakly. */
    private final Resource snapStartPriming;

    protected FlowFunction(Flow flow, FlowEnvironment environment) {
        this(flow, environment, List.of());
    }

    /** @param targets the systems this flow writes to, built from the environment by the flow */
    protected FlowFunction(Flow flow, FlowEnvironment environment, List<Target> targets) {
        this.flow = flow;
        this.environment = environment;
        this.json = environment.json();
        this.events = new LambdaEvents(json);
        this.intake = environment.intakeFor(flow);
        this.delivery = environment.deliveryFor(flow, targets);
        this.snapStartPriming = new Resource() {
            @Override
            public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
                try {
                    prime();
                } catch (RuntimeException | IOException e) {
                    // Priming only saves time: a failure must not stop the version from being published.
                    System.err.println("flow " + flow.name() + ": SnapStart priming skipped (" + e + ")");
                }
            }

            @Override
            public void afterRestore(org.crac.Context<? extends Resource> context) {
                // No connection is opened, no credential fetched and no secret read before the snapshot (the AWS
                // rehearsal signs with fake keys against an in-memory stand-in); only the retry jitter's seed is in
                // it, and every restored copy must draw its own.
                Jitter.SHARED.reseed();
            }
        };
        // Outside a CRaC-capable runtime (tests, the local stack) this registration does nothing.
        Core.getGlobalContext().register(snapStartPriming);
    }

    public Flow flow() {
        return flow;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        byte[] raw = input.readAllBytes();
        JsonNode event = json.readTree(raw);
        LambdaEvents.Shape shape = LambdaEvents.shape(event);
        if (shape == LambdaEvents.Shape.HTTP_API) {
            APIGatewayV2HTTPEvent request = events.httpEvent(event);
            IntakeOutcome outcome;
            try {
                outcome = intake.handle(LambdaEvents.request(request));
            } catch (LambdaEvents.UnreadableBodyException e) {
                outcome = intake.refuseUnreadable(LambdaEvents.headers(request), e.getMessage());
            }
            output.write(events.write(LambdaEvents.response(outcome.response())));
            return;
        }
        if (shape == LambdaEvents.Shape.SQS) {
            DeliveryLoop loop = delivery.orElseThrow(() -> new IllegalStateException("flow " + flow.name()
                    + " received an SQS event but its delivery path is not configured (IDEMPOTENCY_TABLE, ALERTS_TOPIC_ARN)"));
            List<String> failed = loop.deliver(LambdaEvents.messages(events.sqsEvent(event)), context == null
                    ? Deadline.none() : Deadline.remainingMillis(context::getRemainingTimeInMillis));
            output.write(events.write(LambdaEvents.batchResponse(failed)));
            return;
        }
        if (shape == LambdaEvents.Shape.EVENT_BRIDGE) {
            EventBridgeEvents.Delivery delivery = EventBridgeEvents.delivery(raw, event, json.getFactory());
            IntakeOutcome outcome = intake.handleEventBridge(delivery.metadata(), delivery.payload());
            if (outcome instanceof IntakeOutcome.Failed failed) {
                // Nothing was stored: the invocation must fail, so Lambda retries the event and then hands it
                // to the flow's EventBridge dead-letter queue (template.yaml), never drops it.
                throw new IntakeFailedException("flow " + flow.name() + " could not queue EventBridge event "
                        + event.path("id").asText("without id") + " (" + summary(delivery) + "): " + failed.reason()
                        + "; it is retried, then kept in the flow's EventBridge dead-letter queue: fix the cause and"
                        + " redrive it as docs/operations.md says");
            }
            if (outcome instanceof IntakeOutcome.Unauthenticated refused) {
                // Authentic (the bus is AWS-authenticated) but for a shop this deployment does not serve: kept in
                // the events DLQ rather than dropped, since Shopify does not send an event-bus delivery again.
                throw new IntakeFailedException("flow " + flow.name() + " refused EventBridge event "
                        + event.path("id").asText("without id") + " (" + summary(delivery) + "): " + refused.reason()
                        + "; it is kept in the flow's EventBridge dead-letter queue: add the shop to AllowedShops"
                        + " (SHOPIFY_ALLOWED_SHOPS) and re-send it as docs/operations.md says, or delete it");
            }
            json.writeValue(output, json.createObjectNode().put("status", outcome.getClass().getSimpleName()));
            return;
        }
        throw new IllegalArgumentException("flow " + flow.name() + " received an event it does not handle: expected an"
                + " API Gateway HTTP API (payload 2.0) event, an SQS event or a Shopify EventBridge event; check the"
                + " function's triggers in template.yaml");
    }

    /** Our own failure to store an EventBridge delivery: thrown so the invocation fails and is retried. */
    public static final class IntakeFailedException extends RuntimeException {
        IntakeFailedException(String message) {
            super(message);
        }
    }

    /** The delivery's ids for an error message (unsigned values, cut short). */
    private static String summary(EventBridgeEvents.Delivery delivery) {
        ShopifyHeaders headers = ShopifyHeaders.of(delivery.metadata());
        return "shop " + Untrusted.excerpt(headers.shopDomain()) + ", topic "
                + Untrusted.excerpt(headers.topic()) + ", webhook id "
                + Untrusted.excerpt(headers.webhookId());
    }

    /**
     * Rehearses every path on made-up data, {@value #PRIMING_ROUNDS} times per topic of the flow, so the
     * classes they use are loaded, initialised and partly compiled before SnapStart takes its snapshot:
     * an API Gateway event is parsed, its Shopify headers read, its HMAC verified, its topic classified,
     * its envelope encoded, then carried in an SQS event, decoded and versioned, and both answers are
     * written; the same payload is also read as Shopify's EventBridge delivery and enqueued. It runs on
     * its own intake, whose verifier knows only a throwaway secret, whose queues drop what they get and
     * whose log lines go nowhere (a line on standard output would count as a webhook in CloudWatch). It
     * never calls AWS or a target: a connection opened now would be restored stale in every copy of the
     * snapshot, and a secret read now would be frozen into all of them.
     *
     * <p>Then, when the function's AWS clients are its own ({@link FlowEnvironment#fromLambda()}), it runs the
     * same webhooks through a second wiring of the flow over those very clients, switched for the length of the
     * rehearsal to an in-memory stand-in of AWS ({@link AwsStandIn}) and fake credentials: the real intake reads
     * its secret from Secrets Manager and sends to SQS, the real delivery loop claims in DynamoDB, delivers to a
     * rehearsal target, completes, dead-letters with an SNS alert and delays a retry, and a body goes to S3 and
     * back. So the SDK's marshalling, signing, endpoint rules and response parsing are loaded before the snapshot,
     * and the clients send for real again afterwards.
     *
     * @throws IllegalStateException when the rehearsal does not take the path a real webhook takes
     */
    public void prime() throws IOException {
        prime(new AwsStandIn(PRIMING_SECRET));
    }

    /** {@link #prime()} with the AWS stand-in given, whose exchanges tests read. */
    void prime(AwsStandIn aws) throws IOException {
        rehearseInMemory();
        rehearseAws(aws);
    }

    private void rehearseInMemory() throws IOException {
        Clock clock = Clock.systemUTC();
        Telemetry nowhere = new Telemetry(json, line -> { }, clock);
        RehearsalQueues queues = new RehearsalQueues();
        WebhookIntake rehearsal = new WebhookIntake(flow,
                new WebhookVerifier(SigningSecretsSource.fixed(SigningSecrets.parse(PRIMING_SECRET, "priming")),
                        clock, Duration.ofMinutes(1)),
                Set.of(), queues, json, nowhere, clock);
        EnvelopeCodec codec = new EnvelopeCodec(json);
        byte[] body = primingPayload().getBytes(StandardCharsets.UTF_8);
        String signature = WebhookSignature.sign(body, PRIMING_SECRET);
        for (int round = 0; round < PRIMING_ROUNDS; round++) {
            for (String topic : flow.topics()) {
                JsonNode httpEvent = json.readTree(events.write(primingHttpEvent(topic, body, signature, round)));
                if (LambdaEvents.shape(httpEvent) != LambdaEvents.Shape.HTTP_API) {
                    throw new IllegalStateException("priming event is not read as an HTTP API event");
                }
                IntakeOutcome outcome = rehearsal.handle(LambdaEvents.request(events.httpEvent(httpEvent)));
                events.write(LambdaEvents.response(outcome.response()));
                if (!(outcome instanceof IntakeOutcome.Enqueued enqueued)) {
                    throw new IllegalStateException("priming webhook for " + topic + " was not enqueued: " + outcome);
                }
                JsonNode sqsEvent = json.readTree(events.write(primingSqsEvent(codec.encode(enqueued.envelope()), round)));
                if (LambdaEvents.shape(sqsEvent) != LambdaEvents.Shape.SQS) {
                    throw new IllegalStateException("priming event is not read as an SQS event");
                }
                for (QueueMessage message : LambdaEvents.messages(events.sqsEvent(sqsEvent))) {
                    Envelope envelope = codec.decode(message.body());
                    JsonNode payload = json.readTree(((Body.Inline) envelope.body()).bytes());
                    flow.ruleFor(envelope.topic()).orElseThrow();
                    EntityVersion.of(payload, envelope.triggeredAt()).sortable();
                }
                events.write(LambdaEvents.batchResponse(List.of()));
                byte[] busEvent = primingEventBridgeEvent(topic, body, round);
                JsonNode busTree = json.readTree(busEvent);
                if (LambdaEvents.shape(busTree) != LambdaEvents.Shape.EVENT_BRIDGE) {
                    throw new IllegalStateException("priming event is not read as an EventBridge event");
                }
                EventBridgeEvents.Delivery delivery = EventBridgeEvents.delivery(busEvent, busTree, json.getFactory());
                IntakeOutcome busOutcome = rehearsal.handleEventBridge(delivery.metadata(), delivery.payload());
                if (!(busOutcome instanceof IntakeOutcome.Enqueued)) {
                    throw new IllegalStateException("priming EventBridge event for " + topic + " was not enqueued: " + busOutcome);
                }
            }
        }
    }

    /**
     * The flow once more over its own AWS clients, answered by {@link AwsStandIn}; see {@link #prime()}.
     *
     * @throws IllegalStateException when a request was refused or a step did not take a real webhook's path
     */
    private void rehearseAws(AwsStandIn aws) {
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        Optional<FlowEnvironment> offline = environment.rehearsal(PRIMING_SECRET, lines::add);
        if (offline.isEmpty()) {
            return;
        }
        environment.offline(aws, () -> {
            WebhookIntake intake = offline.get().intakeFor(flow);
            RehearsalTarget target = new RehearsalTarget();
            Optional<DeliveryLoop> loop = offline.get().deliveryFor(flow, List.of(target));
            EnvelopeCodec codec = new EnvelopeCodec(json);
            byte[] body = primingPayload().getBytes(StandardCharsets.UTF_8);
            String signature = WebhookSignature.sign(body, PRIMING_SECRET);
            Envelope last = null;
            for (int round = 0; round < AWS_PRIMING_ROUNDS; round++) {
                for (String topic : flow.topics()) {
                    IntakeOutcome outcome = intake.handle(LambdaEvents.request(
                            primingHttpEvent(topic, body, signature, round)));
                    if (!(outcome instanceof IntakeOutcome.Enqueued enqueued)) {
                        throw new IllegalStateException("AWS priming webhook for " + topic + " was not enqueued: "
                                + outcome);
                    }
                    last = enqueued.envelope();
                    if (loop.isPresent()) {
                        // Delivered, then dead-lettered with an alert, then a retry delayed: each path's requests.
                        target.next = switch (round % 3) {
                            case 0 -> new DeliveryOutcome.Delivered();
                            case 1 -> new DeliveryOutcome.PermanentFailure("priming rehearsal", "priming");
                            default -> new DeliveryOutcome.RetryLater("priming rehearsal", Optional.empty());
                        };
                        List<String> failed = loop.get().deliver(LambdaEvents.messages(
                                primingSqsEvent(codec.encode(enqueued.envelope()), round)), Deadline.none());
                        if (round % 3 == 0 && !failed.isEmpty()) {
                            throw new IllegalStateException("AWS priming delivery of " + topic + " failed: " + lines);
                        }
                    }
                }
            }
            ClaimCheckStore claimChecks = offline.get().claimChecks();
            if (claimChecks != null && last != null) {
                if (!java.util.Arrays.equals(claimChecks.fetch(claimChecks.store(last, body)), body)) {
                    throw new IllegalStateException("AWS priming claim check did not return the stored body");
                }
            }
        });
        List<AwsStandIn.Exchange> refused = aws.exchanges().stream().filter(e -> e.status() >= 300).toList();
        if (!refused.isEmpty() || lines.stream().anyMatch(line -> line.contains("could not"))) {
            throw new IllegalStateException("AWS priming took a path a real webhook does not: refused " + refused
                    + "; log lines " + lines);
        }
    }

    /** The AWS rehearsal's target: answers each item with the outcome the round asks for, calls nothing. */
    private static final class RehearsalTarget implements Target {
        volatile DeliveryOutcome next = new DeliveryOutcome.Delivered();

        @Override
        public String name() {
            return "priming";
        }

        @Override
        public List<DeliveryOutcome> deliver(List<DeliveryItem> items) {
            return items.stream().map(item -> next).toList();
        }
    }

    /** Shopify's EventBridge delivery of the priming payload: the payload inline, the headers as metadata. */
    private byte[] primingEventBridgeEvent(String topic, byte[] body, int round) throws IOException {
        ObjectNode metadata = json.createObjectNode();
        metadata.put("X-Shopify-Topic", topic);
        metadata.put("X-Shopify-Shop-Domain", "priming.myshopify.com");
        metadata.put("X-Shopify-API-Version", "2026-10");
        metadata.put("X-Shopify-Webhook-Id", "priming-bus-" + topic + "-" + round);
        metadata.put("X-Shopify-Event-Id", "priming-" + round);
        metadata.put("X-Shopify-Triggered-At", Instant.EPOCH.plusSeconds(round).toString());
        String event = "{\"version\":\"0\",\"id\":\"priming\",\"detail-type\":\"" + EventBridgeEvents.SHOPIFY_DETAIL_TYPE
                + "\",\"source\":\"aws.partner/shopify.com/0/priming\",\"detail\":{\"payload\":"
                + new String(body, StandardCharsets.UTF_8) + ",\"metadata\":" + json.writeValueAsString(metadata) + "}}";
        return event.getBytes(StandardCharsets.UTF_8);
    }

    /** A payload carrying every id any flow's entity keys read (order, fulfilment, inventory item and level). */
    private static String primingPayload() {
        return """
                {"id": 9007199254740993017, "order_id": 9007199254740993018, "inventory_item_id": 9007199254740993019,
                 "location_id": 9007199254740993020, "updated_at": "2026-01-01T00:00:00-05:00", "available": 1,
                 "email": null, "customer": null, "sku": "PRIMING", "line_items": [{"id": 9007199254740993021,
                 "quantity": 1, "price": "1.00", "sku": "PRIMING"}], "test": true}
                """;
    }

    private static APIGatewayV2HTTPEvent primingHttpEvent(String topic, byte[] body, String signature, int round) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        headers.put("x-shopify-topic", topic);
        headers.put("x-shopify-hmac-sha256", signature);
        headers.put("x-shopify-shop-domain", "priming.myshopify.com");
        headers.put("x-shopify-api-version", "2026-10");
        headers.put("x-shopify-webhook-id", "priming-" + topic + "-" + round);
        headers.put("x-shopify-event-id", "priming-" + round);
        headers.put("x-shopify-triggered-at", Instant.EPOCH.plusSeconds(round).toString());
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey("POST /priming").withRawPath("/priming")
                .withHeaders(headers)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST")
                                .withPath("/priming").build()).build())
                .withBody(new String(body, StandardCharsets.UTF_8)).withIsBase64Encoded(false).build();
    }

    private static SQSEvent primingSqsEvent(String messageBody, int round) {
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId("priming-" + round);
        record.setReceiptHandle("priming");
        record.setBody(messageBody);
        record.setEventSource("aws:sqs");
        record.setAttributes(Map.of("ApproximateReceiveCount", "1", "MessageGroupId", "priming"));
        record.setMessageAttributes(Map.of());
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(record));
        return event;
    }

    /** The rehearsal's queues: nothing leaves the process. */
    private static final class RehearsalQueues implements FlowQueues {
        @Override
        public void enqueue(Envelope envelope) {
        }

        @Override
        public void deadLetter(Envelope envelope, DeadLetterReason reason) {
        }

        @Override
        public void deadLetterUnreadable(String messageBody, String groupId, DeadLetterReason reason) {
        }

        @Override
        public void delayRetry(String receiptHandle, Duration delay) {
        }

        @Override
        public String deadLetterQueueName() {
            return "priming";
        }
    }
}
