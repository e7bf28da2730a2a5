package io.shopsync.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.delivery.DeliveryOutcome.PermanentFailure;
import io.shopsync.delivery.DeliveryOutcome.RetryLater;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.EntityKeys;
import io.shopsync.flow.Flow;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.ClaimCheckStore;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.FaultyDeliveryStore;
import io.shopsync.testing.FakeTarget;
import io.shopsync.testing.InMemoryDeliveryStore;
import io.shopsync.testing.RecordingAlerts;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testkit.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DeliveryLoopTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final Flow ORDERS = Flow.named("order-to-crm")
            .accepts(EntityKeys.byId("order", "id"), "orders/create", "orders/updated", "orders/paid")
            .acceptsEvents(EntityKeys.byId("order", "order_id"), "refunds/create")
            .withPerson("customer");
    private static final Instant NOW = Instant.parse("2026-11-27T16:00:00Z");

    private final RecordingFlowQueues queues = new RecordingFlowQueues();
    private final InMemoryDeliveryStore store = new InMemoryDeliveryStore();
    private final RecordingAlerts alerts = new RecordingAlerts();
    private final CapturedLines log = new CapturedLines();
    private final FakeTarget hubspot = new FakeTarget("hubspot");
    private final FakeTarget klaviyo = new FakeTarget("klaviyo");
    private final EnvelopeCodec codec = new EnvelopeCodec(JSON);
    private Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    private DeliveryLoop loop(List<Target> targets, int maxAttempts) {
        return loop(targets, maxAttempts, DeliverySettings.DEFAULT_MAX_RECEIVE_COUNT, store);
    }

    private DeliveryLoop loop(List<Target> targets, int maxAttempts, int maxReceiveCount, DeliveryStore store) {
        return loop(targets, maxAttempts, maxReceiveCount, store, StubResources.NONE);
    }

    private DeliveryLoop loop(List<Target> targets, int maxAttempts, int maxReceiveCount, DeliveryStore store,
                              StubResources stubs) {
        ClaimCheckStore noClaimChecks = new ClaimCheckStore() {
            public Body.ClaimCheck store(Envelope envelope, byte[] body) {
                throw new UnsupportedOperationException();
            }

            public byte[] fetch(Body.ClaimCheck claimCheck) {
                throw new IllegalStateException("s3://" + claimCheck.bucket() + "/" + claimCheck.key()
                        + " does not hold the body intake stored");
            }
        };
        return new DeliveryLoop(ORDERS, targets, store, queues, noClaimChecks, JSON, alerts,
                new Telemetry(JSON, log, clock), new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(900), () -> 0.5),
                new DeliverySettings(maxAttempts, maxReceiveCount, Duration.ofSeconds(13), DeliverySettings.DEFAULT_RUNBOOK),
                clock, stubs);
    }

    private DeliveryLoop loop() {
        return loop(List.of(hubspot), 8);
    }

    /** A realistic order payload from events/payloads with the given id and updated_at. */
    private static String order(String file, String id, String updatedAt) throws Exception {
        ObjectNode order = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/" + file));
        order.put("id", Long.parseLong(id));
        order.put("updated_at", updatedAt);
        return JSON.writeValueAsString(order);
    }

    private QueueMessage message(String topic, String body, String webhookId, int receiveCount, String triggeredAt)
            throws Exception {
        String entityField = topic.startsWith("refunds/") ? "order_id" : "id";
        String entity = SHOP + "/order/" + JSON.readTree(body).get(entityField).asText();
        Envelope envelope = new Envelope("order-to-crm", topic, SHOP, webhookId, UUID.randomUUID().toString(),
                Instant.parse(triggeredAt), "2026-10", NOW.minusSeconds(5), entity,
                new Body.Inline(body.getBytes(StandardCharsets.UTF_8)));
        return new QueueMessage(UUID.randomUUID().toString(), "receipt-" + webhookId, codec.encode(envelope),
                receiveCount, entity, Map.of());
    }

    private QueueMessage message(String topic, String body, String webhookId) throws Exception {
        return message(topic, body, webhookId, 1, "2026-11-27T10:15:47.234647458Z");
    }

    /** What Shopify's Admin API holds for a stub: the reads made, and the answer to give. */
    private static final class StubReads implements StubResources {
        final List<String> reads = new ArrayList<>();
        Fetched answer;

        StubReads answering(Fetched fetched) {
            this.answer = fetched;
            return this;
        }

        @Override
        public Fetched fetch(String shop, io.shopsync.flow.PayloadStub.Fetch fetch, String apiVersion) {
            reads.add(shop + " " + apiVersion + " " + fetch.path() + " " + fetch.root());
            return answer;
        }
    }

    private static final String STUB = "{\"id\":820982911946154508}";

    @Test
    void deliver_shouldReadTheResourceBehindAnIdOnlyStub_andDeliverIt_neverTheStub() throws Exception {
        String full = order("orders-paid.json", "820982911946154508", "2026-11-27T05:15:46-05:00");
        StubReads shopify = new StubReads().answering(new StubResources.Fetched.Resource(full.getBytes(StandardCharsets.UTF_8)));

        List<String> failed = loop(List.of(hubspot), 8, DeliverySettings.DEFAULT_MAX_RECEIVE_COUNT, store, shopify)
                .deliver(List.of(message("orders/paid", STUB, "w-stub")));

        assertThat(failed).isEmpty();
        assertThat(shopify.reads).containsExactly(SHOP + " 2026-10 orders/820982911946154508.json order");
        assertThat(hubspot.effects).singleElement().satisfies(item -> {
            assertThat(item.payload()).isEqualTo(JSON.readTree(full));
            assertThat(((Body.Inline) item.envelope().body()).bytes()).isEqualTo(full.getBytes(StandardCharsets.UTF_8));
        });
        assertThat(queues.deadLettered).isEmpty();
    }

    @Test
    void deliver_shouldRetryAStub_whenShopifyCannotBeReadNow_andSendNothing() throws Exception {
        StubReads shopify = new StubReads().answering(new StubResources.Fetched.Failed(
                new RetryLater("shopify GET /admin/api/2026-10/orders/820982911946154508.json answered 503")));

        List<String> failed = loop(List.of(hubspot), 8, DeliverySettings.DEFAULT_MAX_RECEIVE_COUNT, store, shopify)
                .deliver(List.of(message("orders/paid", STUB, "w-stub")));

        assertThat(failed).hasSize(1);
        assertThat(hubspot.effects).isEmpty();
        assertThat(queues.deadLettered).isEmpty();
        assertThat(queues.delays).hasSize(1);
    }

    @Test
    void deliver_shouldDeadLetterAStub_withWhatToSet_whenNoAdminApiTokenIsConfigured() throws Exception {
        List<String> failed = loop().deliver(List.of(message("orders/paid", STUB, "w-stub")));

        assertThat(failed).isEmpty();
        assertThat(hubspot.effects).isEmpty();
        assertThat(queues.deadLettered).singleElement().satisfies(dead -> {
            assertThat(dead.reason().category()).isEqualTo("payload-stub");
            assertThat(dead.reason().reason()).contains("ShopifyAdminTokensSecretName").contains("redrive");
            assertThat(((Body.Inline) dead.envelope().body()).bytes()).isEqualTo(STUB.getBytes(StandardCharsets.UTF_8));
        });
        assertThat(alerts.raised).hasSize(1);
    }

    @Test
    void deliver_shouldDeadLetterARedrivenRefundStub_whichCannotBeReadByItsOwnId() throws Exception {
        String entity = SHOP + "/order/820982911946154508";
        Envelope envelope = new Envelope("order-to-crm", "refunds/create", SHOP, "w-refund", null, null, "2026-10",
                NOW, entity, new Body.Inline("{\"id\":929361462}".getBytes(StandardCharsets.UTF_8)));
        StubReads shopify = new StubReads();

        loop(List.of(hubspot), 8, DeliverySettings.DEFAULT_MAX_RECEIVE_COUNT, store, shopify)
                .deliver(List.of(new QueueMessage("m-1", "r-1", codec.encode(envelope), 1, entity, Map.of())));

        assertThat(shopify.reads).isEmpty();
        assertThat(hubspot.effects).isEmpty();
        assertThat(queues.deadLettered).singleElement().satisfies(dead -> assertThat(dead.reason().reason())
                .contains("Shopify sent only the id (929361462) of this refunds/create payload"));
    }

    @Test
    void deliver_shouldChangeTheTargetOnce_whenTheSameWebhookArrivesTwice() throws Exception {
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");

        List<String> first = loop().deliver(List.of(message("orders/create", body, "w-1")));
        List<String> second = loop().deliver(List.of(message("orders/create", body, "w-1")));

        assertThat(first).isEmpty();
        assertThat(second).isEmpty();
        assertThat(hubspot.effects).hasSize(1);
        assertThat(log.parsed()).extracting(l -> l.path("outcome").asText()).containsExactly("delivered", "duplicate");
    }

    /** The reconciler's envelopes: marked in the log line, and kept out of DeliveryLatency (their triggered-at is updated_at). */
    @Test
    void deliver_shouldSayAnEnvelopeCameFromTheReconciler_andLeaveItOutOfTheLatency() throws Exception {
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");

        loop().deliver(List.of(message("orders/create", body, "shopsync-reconcile-820982911946154508-1764238545000", 1,
                "2026-11-27T10:15:45Z")));
        loop().deliver(List.of(message("orders/create", order("orders-create.json", "820982911946154509",
                "2026-11-27T05:15:45-05:00"), "b7c2a8f4-0c1e-4f5e-9a51-2d3c4e5f6a7b")));

        List<JsonNode> lines = log.parsed();
        assertThat(lines.get(0).path("source").asText()).startsWith("reconciler");
        assertThat(lines.get(0).has("DeliveryLatency")).isFalse();
        assertThat(lines.get(0).path("Delivered").asInt()).isEqualTo(1);
        assertThat(lines.get(1).has("source")).isFalse();
        assertThat(lines.get(1).has("DeliveryLatency")).isTrue();
    }

    @Test
    void deliver_shouldTreatASecondSubscriptionsCopyOfOneEvent_asADuplicate() throws Exception {
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        QueueMessage original = message("orders/create", body, "w-1");
        Envelope copy = codec.decode(original.body());
        Envelope sameEventOtherWebhook = new Envelope(copy.flow(), copy.topic(), copy.shop(), "w-2", copy.eventId(),
                copy.triggeredAt(), copy.apiVersion(), copy.receivedAt(), copy.entity(), copy.body());

        loop().deliver(List.of(original));
        loop().deliver(List.of(new QueueMessage("m-2", "r-2", codec.encode(sameEventOtherWebhook), 1,
                copy.entity(), Map.of())));

        assertThat(hubspot.effects).hasSize(1);
    }

    @Test
    void deliver_shouldSkipAnOlderVersionArrivingAfterANewerOne_asStale() throws Exception {
        String newer = order("orders-updated.json", "820982911946154508", "2026-11-27T09:42:18-05:00");
        String older = order("orders-paid.json", "820982911946154508", "2026-11-27T05:15:46-05:00");

        loop().deliver(List.of(message("orders/updated", newer, "w-new")));
        List<String> failed = loop().deliver(List.of(message("orders/paid", older, "w-old")));

        assertThat(failed).isEmpty();
        assertThat(hubspot.effectTopics()).containsExactly("orders/updated");
        assertThat(log.last().path("outcome").asText()).isEqualTo("stale");
        assertThat(log.last().path("Stale").asInt()).isEqualTo(1);
    }

    @Test
    void deliver_shouldNeverCallARefundStale_becauseItIsAnEventNotAVersion() throws Exception {
        String order = order("orders-updated.json", "820982911946154508", "2026-11-28T09:42:18-05:00");
        String refund = Fixtures.text("events/payloads/refunds-create.json");

        loop().deliver(List.of(message("orders/updated", order, "w-order")));
        loop().deliver(List.of(message("refunds/create", refund, "w-refund")));

        assertThat(hubspot.effectTopics()).containsExactly("orders/updated", "refunds/create");
    }

    @Test
    void deliver_shouldDeadLetterAPermanentFailureAtOnce_withItsReasonAndAnAlert() throws Exception {
        hubspot.thenAnswer(new PermanentFailure("HubSpot answered 400: Property values were not valid: email", "http-400"));
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");

        List<String> failed = loop().deliver(List.of(message("orders/create", body, "w-1")));

        assertThat(failed).as("not retried: it is in the DLQ").isEmpty();
        assertThat(queues.deadLettered).singleElement().satisfies(dead -> {
            assertThat(dead.reason().stage()).isEqualTo("delivery");
            assertThat(dead.reason().category()).isEqualTo("http-400");
            assertThat(dead.reason().targets()).containsExactly("hubspot");
            assertThat(dead.reason().reason()).contains("Property values were not valid");
        });
        assertThat(alerts.raised).singleElement().satisfies(alert -> {
            assertThat(alert.target()).isEqualTo("hubspot");
            assertThat(alert.details()).containsEntry("dead-letter queue", "test-flow-dlq.fifo")
                    .containsEntry("webhook id", "w-1");
            assertThat(alert.whatToDo()).contains("redrive");
        });
        assertThat(store.claim(new DeliveryStore.DeliveryKey(SHOP + ":w-1", "hubspot", "orders/create", null), false, NOW))
                .isInstanceOf(DeliveryStore.Claim.AlreadyFailed.class);
    }

    @Test
    void deliver_shouldDeadLetterTheExactBytes_whenTheBodyHoldsCharactersSqsRefusesAsText() throws Exception {
        hubspot.thenAnswer(new PermanentFailure("HubSpot answered 400: Property values were not valid: note", "http-400"));
        ObjectNode order = (ObjectNode) JSON.readTree(order("orders-create.json", "820982911946154508",
                "2026-11-27T05:15:45-05:00"));
        String body = JSON.writeValueAsString(order.put("note", "gift wrap \uFFFE\uFFFF please"));

        List<String> failed = loop().deliver(List.of(message("orders/create", body, "w-1")));

        assertThat(failed).as("not retried: it is in the DLQ").isEmpty();
        assertThat(queues.deadLettered).singleElement().satisfies(dead ->
                assertThat(((Body.Inline) dead.envelope().body()).bytes()).isEqualTo(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void deliver_shouldRetryATransientFailure_withGrowingDelays_honouringRetryAfter() throws Exception {
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        hubspot.always(item -> new RetryLater("HubSpot answered 503"));

        List<Duration> delays = new ArrayList<>();
        for (int attempt = 1; attempt <= 4; attempt++) {
            assertThat(loop().deliver(List.of(message("orders/create", body, "w-1", attempt, "2026-11-27T10:15:47Z"))))
                    .hasSize(1);
            delays.add(queues.delays.get(queues.delays.size() - 1).delay());
        }
        hubspot.thenAnswer(new RetryLater("HubSpot answered 429", Optional.of(NOW.plusSeconds(600))));
        loop().deliver(List.of(message("orders/create", body, "w-1", 5, "2026-11-27T10:15:47Z")));

        assertThat(delays).containsExactly(Duration.ofMillis(7_500), Duration.ofSeconds(15), Duration.ofSeconds(30),
                Duration.ofSeconds(60));
        assertThat(queues.delays.get(4).delay()).isEqualTo(Duration.ofSeconds(600));
        assertThat(queues.deadLettered).isEmpty();
        assertThat(hubspot.effects).isEmpty();
    }

    @Test
    void deliver_shouldDeadLetterAfterTheLastAttempt_whenTransientFailuresPersist() throws Exception {
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        hubspot.always(item -> new RetryLater("HubSpot answered 503"));
        DeliveryLoop loop = loop(List.of(hubspot), 3);

        List<String> first = loop.deliver(List.of(message("orders/create", body, "w-1", 1, "2026-11-27T10:15:47Z")));
        List<String> second = loop.deliver(List.of(message("orders/create", body, "w-1", 2, "2026-11-27T10:15:47Z")));
        List<String> third = loop.deliver(List.of(message("orders/create", body, "w-1", 3, "2026-11-27T10:15:47Z")));

        assertThat(first).hasSize(1);
        assertThat(second).hasSize(1);
        assertThat(third).isEmpty();
        assertThat(queues.deadLettered).singleElement().satisfies(dead -> {
            assertThat(dead.reason().category()).isEqualTo("retries-exhausted");
            assertThat(dead.reason().reason()).contains("retries exhausted after 3 attempts; last error: HubSpot answered 503");
        });
        assertThat(alerts.raised).hasSize(1);
    }

    @Test
    void deliver_shouldKeepAFailedEntitysLaterMessagesBehindIt_whileOtherEntitiesProceed() throws Exception {
        String a1 = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        String a2 = order("orders-updated.json", "820982911946154508", "2026-11-27T09:42:18-05:00");
        String b1 = order("orders-guest-pos.json", "734281950317462958", "2026-11-27T13:48:10-05:00");
        hubspot.always(item -> item.envelope().webhookId().equals("a1") ? new RetryLater("HubSpot answered 502")
                : new DeliveryOutcome.Delivered());
        QueueMessage mA1 = message("orders/create", a1, "a1");
        QueueMessage mB1 = message("orders/create", b1, "b1");
        QueueMessage mA2 = message("orders/updated", a2, "a2");

        List<String> failed = loop().deliver(List.of(mA1, mB1, mA2));

        assertThat(failed).containsExactly(mA1.messageId(), mA2.messageId());
        assertThat(queues.delays).extracting(RecordingFlowQueues.Delay::receiptHandle)
                .containsExactly(mA1.receiptHandle(), mA2.receiptHandle());
        assertThat(queues.delays.get(1).delay()).isEqualTo(queues.delays.get(0).delay());
        assertThat(hubspot.effects).extracting(i -> i.envelope().webhookId()).containsExactly("b1");
        assertThat(hubspot.calls).allSatisfy(call -> assertThat(call).extracting(i -> i.envelope().webhookId())
                .doesNotContain("a2"));
    }

    @Test
    void deliver_shouldSendOneMessagePerEntityPerCall_soAnEntitysOrderIsKeptWithinABatch() throws Exception {
        String a1 = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        String a2 = order("orders-updated.json", "820982911946154508", "2026-11-27T09:42:18-05:00");
        String b1 = order("orders-guest-pos.json", "734281950317462958", "2026-11-27T13:48:10-05:00");

        loop().deliver(List.of(message("orders/create", a1, "a1"), message("orders/create", b1, "b1"),
                message("orders/updated", a2, "a2")));

        assertThat(hubspot.calls).extracting(call -> call.stream().map(i -> i.envelope().webhookId()).toList())
                .containsExactly(List.of("a1", "b1"), List.of("a2"));
    }

    @Test
    void deliver_shouldRetryOnlyTheTargetThatFailed_andNeverRepeatAHealthyOne() throws Exception {
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        klaviyo.thenAnswer(new RetryLater("Klaviyo answered 429", Optional.of(NOW.plusSeconds(30))));
        DeliveryLoop loop = loop(List.of(hubspot, klaviyo), 8);

        List<String> first = loop.deliver(List.of(message("orders/create", body, "w-1", 1, "2026-11-27T10:15:47Z")));
        List<String> second = loop.deliver(List.of(message("orders/create", body, "w-1", 2, "2026-11-27T10:15:47Z")));

        assertThat(first).hasSize(1);
        assertThat(second).isEmpty();
        assertThat(hubspot.effects).hasSize(1);
        assertThat(klaviyo.effects).hasSize(1);
    }

    @Test
    void deliver_shouldRetryOnlyTheRedrivenTarget_whenADeadLetterComesBack() throws Exception {
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        klaviyo.thenAnswer(new PermanentFailure("Klaviyo answered 401: rotate the API key", "http-401"));
        DeliveryLoop loop = loop(List.of(hubspot, klaviyo), 8);
        loop.deliver(List.of(message("orders/create", body, "w-1")));
        QueueMessage original = message("orders/create", body, "w-1");
        QueueMessage redriven = new QueueMessage("m-redriven", "r", original.body(), 1, original.groupId(),
                Map.of("target", queues.deadLettered.get(0).reason().targets().get(0)));

        List<String> failed = loop.deliver(List.of(redriven));

        assertThat(failed).isEmpty();
        assertThat(hubspot.effects).as("hubspot already had it").hasSize(1);
        assertThat(klaviyo.effects).hasSize(1);
    }

    @Test
    void deliver_shouldLetTheNextAttemptTakeOver_whenACrashedAttemptsLeaseExpires() throws Exception {
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        QueueMessage message = message("orders/create", body, "w-1");
        String deliveryId = SHOP + ":w-1";
        // The crashed attempt: claimed, never completed or released.
        store.claim(new DeliveryStore.DeliveryKey(deliveryId, "hubspot", "orders/create", null), false, NOW);

        List<String> whileLeased = loop().deliver(List.of(message));
        clock = Clock.fixed(NOW.plusSeconds(91), ZoneOffset.UTC);
        List<String> afterLease = loop().deliver(List.of(message));

        assertThat(whileLeased).hasSize(1);
        assertThat(afterLease).isEmpty();
        assertThat(hubspot.effects).hasSize(1);
    }

    @Test
    void deliver_shouldDeadLetterAnUnreadableMessage_asItIs() {
        QueueMessage poison = new QueueMessage("m-1", "r-1", "{\"not\":\"an envelope\"}", 1, "g", Map.of());

        List<String> failed = loop().deliver(List.of(poison));

        assertThat(failed).isEmpty();
        assertThat(queues.unreadable).singleElement().satisfies(u -> {
            assertThat(u.messageBody()).isEqualTo("{\"not\":\"an envelope\"}");
            assertThat(u.reason().reason()).contains("unknown envelope version");
        });
        assertThat(alerts.raised).singleElement().satisfies(a -> assertThat(a.category()).isEqualTo("unprocessable"));
    }

    @Test
    void deliver_shouldDeadLetter_whenAClaimCheckedBodyDoesNotMatchItsHash() throws Exception {
        Envelope envelope = new Envelope("order-to-crm", "orders/create", SHOP, "w-1", null, null, "2026-10", NOW,
                SHOP + "/order/1", new Body.ClaimCheck("bucket", "key", "00", 10));

        loop().deliver(List.of(new QueueMessage("m-1", "r-1", codec.encode(envelope), 1, SHOP + "/order/1", Map.of())));

        assertThat(queues.deadLettered).singleElement()
                .satisfies(d -> assertThat(d.reason().category()).isEqualTo("claim-check"));
    }

    @Test
    void deliver_shouldDeadLetterLoudly_whenTheFlowHasNoTarget() throws Exception {
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");

        List<String> failed = loop(List.of(), 8).deliver(List.of(message("orders/create", body, "w-1")));

        assertThat(failed).isEmpty();
        assertThat(queues.deadLettered).singleElement()
                .satisfies(d -> assertThat(d.reason().reason()).contains("has no target configured"));
    }

    @Test
    void deliver_shouldRetry_whenATargetThrows() throws Exception {
        hubspot.throwing(new IllegalStateException("connection reset"));
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        QueueMessage message = message("orders/create", body, "w-1");

        assertThat(loop().deliver(List.of(message))).containsExactly(message.messageId());
        assertThat(log.last().path("reason").asText()).contains("connection reset");
        assertThat(log.last().path("Retried").asInt()).isEqualTo(1);
    }

    // ---- Guarantees under faults (issue #16, scenarios 1-6) ----

    @Test
    void deliver_shouldKeepTheMessageAndItsRecordOpen_whenTheDeadLetterQueueRefusesIt() throws Exception {
        hubspot.always(item -> new PermanentFailure("HubSpot answered 400 (VALIDATION_ERROR on email)", "http-400"));
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        queues.refusingDeadLetters(true);

        List<String> whileRefused = loop().deliver(List.of(message("orders/create", body, "w-1", 1, "2026-11-27T10:15:47Z")));
        queues.refusingDeadLetters(false);
        List<String> next = loop().deliver(List.of(message("orders/create", body, "w-1", 2, "2026-11-27T10:15:47Z")));

        assertThat(whileRefused).as("not stored anywhere yet: must stay on the work queue").hasSize(1);
        assertThat(log.parsed()).anySatisfy(line -> assertThat(line.path("DeadLetterFailed").asInt()).isEqualTo(1));
        assertThat(next).isEmpty();
        assertThat(queues.deadLettered).as("the next attempt dead-letters it, not 'already dead-lettered'").singleElement()
                .satisfies(dead -> assertThat(dead.reason().category()).isEqualTo("http-400"));
        assertThat(alerts.raised).hasSize(1);
    }

    @Test
    void deliver_shouldDeliverARedrivenCopyWithoutTargetAttribute_whenItsDeadLetterWasNeverStored() throws Exception {
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        hubspot.thenAnswer(new PermanentFailure("HubSpot answered 403: the token lacks a scope", "http-403"));
        queues.refusingDeadLetters(true);
        loop().deliver(List.of(message("orders/create", body, "w-1", 8, "2026-11-27T10:15:47Z")));
        queues.refusingDeadLetters(false);

        // SQS moved it after maxReceiveCount (no attributes of ours); the operator fixed the scope and redrove it.
        List<String> redriven = loop().deliver(List.of(message("orders/create", body, "w-1", 1, "2026-11-27T10:15:47Z")));

        assertThat(redriven).isEmpty();
        assertThat(hubspot.effects).as("delivered, not skipped as 'already dead-lettered'").hasSize(1);
    }

    @Test
    void deliver_shouldDeadLetterItself_onTheLastReceive_whenAnotherAttemptHoldsTheLease() throws Exception {
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        store.claim(new DeliveryStore.DeliveryKey(SHOP + ":w-1", "hubspot", "orders/create", null), false, NOW);

        List<String> failed = loop(List.of(hubspot), 8, 10, store)
                .deliver(List.of(message("orders/create", body, "w-1", 10, "2026-11-27T10:15:47Z")));

        assertThat(failed).as("SQS would move it without a reason").isEmpty();
        assertThat(queues.deadLettered).singleElement().satisfies(dead -> {
            assertThat(dead.reason().category()).isEqualTo("retries-exhausted");
            assertThat(dead.reason().targets()).containsExactly("hubspot");
            assertThat(dead.reason().reason()).contains("received 10 times").contains("another attempt holds the lease");
        });
        assertThat(alerts.raised).singleElement().satisfies(alert -> assertThat(alert.target()).isEqualTo("hubspot"));
    }

    @Test
    void deliver_shouldDeadLetterItself_onTheLastReceive_whenTheStoreCannotClaim() throws Exception {
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        FaultyDeliveryStore faulty = new FaultyDeliveryStore(store).failing(FaultyDeliveryStore.Operation.CLAIM);

        List<String> failed = loop(List.of(hubspot), 8, 10, faulty)
                .deliver(List.of(message("orders/create", body, "w-1", 10, "2026-11-27T10:15:47Z")));

        assertThat(failed).isEmpty();
        assertThat(hubspot.effects).isEmpty();
        assertThat(queues.deadLettered).singleElement()
                .satisfies(dead -> assertThat(dead.reason().reason()).contains("delivery store unavailable"));
        assertThat(alerts.raised).hasSize(1);
    }

    @Test
    void deliver_shouldDeadLetterItself_onTheLastReceive_whenTheStoreFailsWhileRecording() throws Exception {
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        FaultyDeliveryStore faulty = new FaultyDeliveryStore(store).failing(FaultyDeliveryStore.Operation.COMPLETE);

        List<String> failed = loop(List.of(hubspot), 8, 10, faulty)
                .deliver(List.of(message("orders/create", body, "w-1", 10, "2026-11-27T10:15:47Z")));

        assertThat(failed).isEmpty();
        assertThat(queues.deadLettered).singleElement().satisfies(dead -> assertThat(dead.reason().reason())
                .contains("delivered, but the delivery store is unavailable"));
    }

    /**
     * The attempt budget is for a target that keeps failing. A target that accepted the change while our store could
     * not record it has not failed: the retry (which the target's idempotency absorbs) must not use the budget up and
     * dead-letter a delivered webhook as "retries exhausted". The store's own failures are bounded by the queue's
     * receive limit, where the message is dead-lettered with the store's reason (the test above).
     */
    @Test
    void deliver_shouldNotCountAnAttempt_whenTheTargetAcceptedButTheStoreCouldNotRecordIt() throws Exception {
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        // The completion (record, watermark and event guard in one write) fails after each call, so nothing is
        // recorded and each retry calls the target again.
        FaultyDeliveryStore faulty = new FaultyDeliveryStore(store).failing(FaultyDeliveryStore.Operation.COMPLETE);
        DeliveryLoop loop = loop(List.of(hubspot), 2, 40, faulty);

        for (int receive = 1; receive <= 3; receive++) {
            QueueMessage copy = message("orders/create", body, "w-1", receive, "2026-11-27T10:15:47Z");
            assertThat(loop.deliver(List.of(copy))).as("receive " + receive + " is retried").containsExactly(copy.messageId());
        }
        assertThat(hubspot.calls).as("the target was called on each receive").hasSize(3);
        assertThat(queues.deadLettered).as("accepted by the target three times: not a failing target").isEmpty();

        faulty.healthy();
        QueueMessage fourth = message("orders/create", body, "w-1", 4, "2026-11-27T10:15:47Z");
        assertThat(loop.deliver(List.of(fourth))).isEmpty();
        assertThat(queues.deadLettered).isEmpty();
        assertThat(alerts.raised).isEmpty();
    }

    @Test
    void deliver_shouldDeadLetterAHeldBackMessage_onItsLastReceive_withTheReasonItWasHeld() throws Exception {
        String a1 = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        String a2 = order("orders-updated.json", "820982911946154508", "2026-11-27T09:42:18-05:00");
        hubspot.always(item -> new RetryLater("HubSpot answered 502"));
        QueueMessage head = message("orders/create", a1, "a1", 3, "2026-11-27T10:15:47Z");
        QueueMessage heldBack = message("orders/updated", a2, "a2", 10, "2026-11-27T14:42:19Z");

        List<String> failed = loop(List.of(hubspot), 8, 10, store).deliver(List.of(head, heldBack));

        assertThat(failed).containsExactly(head.messageId());
        assertThat(queues.deadLettered).singleElement().satisfies(dead -> {
            assertThat(dead.envelope().webhookId()).isEqualTo("a2");
            assertThat(dead.reason().targets()).as("redrive goes to every target").isEmpty();
            assertThat(dead.reason().reason()).contains("held behind message " + head.messageId());
        });
    }

    @Test
    void deliver_shouldDeadLetterARedrive_forATargetTheFlowNoLongerHas() throws Exception {
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        QueueMessage original = message("orders/create", body, "w-1");
        QueueMessage redriven = new QueueMessage("m-redriven", "r", original.body(), 1, original.groupId(),
                Map.of("target", "klaviyo"));

        List<String> failed = loop().deliver(List.of(redriven));

        assertThat(failed).isEmpty();
        assertThat(hubspot.calls).as("hubspot was not named by the redrive").isEmpty();
        assertThat(queues.deadLettered).singleElement().satisfies(dead -> {
            assertThat(dead.reason().category()).isEqualTo("unknown-target");
            assertThat(dead.reason().targets()).containsExactly("klaviyo");
            assertThat(dead.reason().reason()).contains("no longer has").contains("hubspot");
        });
        assertThat(alerts.raised).singleElement().satisfies(alert -> assertThat(alert.target()).isEqualTo("klaviyo"));
    }

    @Test
    void deliver_shouldFailOnlyTheAffectedMessage_whenAnotherAttemptTookItsLeaseOver() throws Exception {
        String slow = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        String other = order("orders-guest-pos.json", "734281950317462958", "2026-11-27T13:48:10-05:00");
        QueueMessage mSlow = message("orders/create", slow, "slow");
        QueueMessage mOther = message("orders/create", other, "other");
        hubspot.always(item -> {
            if (item.envelope().webhookId().equals("slow")) {
                // The call outlived the lease: another receive of the same webhook claimed the record meanwhile.
                store.claim(new DeliveryStore.DeliveryKey(SHOP + ":slow", "hubspot", "orders/create", null), false,
                        NOW.plusSeconds(91));
            }
            return new DeliveryOutcome.Delivered();
        });

        List<String> failed = loop().deliver(List.of(mSlow, mOther));

        assertThat(failed).containsExactly(mSlow.messageId());
        assertThat(log.parsed()).anySatisfy(line -> assertThat(line.path("reason").asText())
                .contains("another attempt took this delivery over"));
        assertThat(queues.deadLettered).isEmpty();
    }

    @Test
    void deliver_shouldStartNoCallItCannotFinish_andDeferTheRestWithoutCountingAnAttempt() throws Exception {
        List<QueueMessage> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String body = order("orders-updated.json", "820982911946154508", "2026-11-27T0" + i + ":42:18-05:00");
            batch.add(message("orders/updated", body, "w-" + i, 1, "2026-11-27T14:42:1" + i + "Z"));
        }
        long[] remainingMillis = {30_000};
        hubspot.always(item -> {
            remainingMillis[0] -= 6_000; // each call to HubSpot takes 6 s of the invocation
            return new DeliveryOutcome.Delivered();
        });

        List<String> failed = loop().deliver(batch, () -> Duration.ofMillis(remainingMillis[0]));

        assertThat(hubspot.effects).as("30 s, 6 s a call, 13 s budget: three calls fit").hasSize(3);
        assertThat(failed).containsExactlyElementsOf(batch.subList(3, 10).stream().map(QueueMessage::messageId).toList());
        assertThat(queues.delays).hasSize(7).allSatisfy(delay -> assertThat(delay.delay()).isZero());
        assertThat(queues.deadLettered).isEmpty();
        assertThat(log.parsed()).filteredOn(line -> line.path("reason").asText().startsWith("deferred")).hasSize(7);
    }

    @Test
    void deliver_shouldDeferATargetWhoseCallCannotFinish_withoutCountingItAsAnAttempt() throws Exception {
        String body = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        long[] remainingMillis = {20_000};
        hubspot.always(item -> {
            remainingMillis[0] -= 9_000;
            return new DeliveryOutcome.Delivered();
        });
        DeliveryLoop loop = loop(List.of(hubspot, klaviyo), 8);

        List<String> first = loop.deliver(List.of(message("orders/create", body, "w-1", 1, "2026-11-27T10:15:47Z")),
                () -> Duration.ofMillis(remainingMillis[0]));
        DeliveryStore.Claim klaviyoRecord = store.claim(
                new DeliveryStore.DeliveryKey(SHOP + ":w-1", "klaviyo", "orders/create", null), false, NOW);
        store.release(new DeliveryStore.DeliveryKey(SHOP + ":w-1", "klaviyo", "orders/create", null),
                (DeliveryStore.Claim.Claimed) klaviyoRecord, false);
        List<String> second = loop.deliver(List.of(message("orders/create", body, "w-1", 2, "2026-11-27T10:15:47Z")));

        assertThat(first).hasSize(1);
        assertThat(klaviyo.calls).as("klaviyo's call was not started on the first invocation").hasSize(1);
        assertThat(queues.delays.get(0).delay()).as("deferred, not backed off").isZero();
        assertThat(((DeliveryStore.Claim.Claimed) klaviyoRecord).attempts()).as("a deferral is not an attempt").hasValue(0);
        assertThat(second).isEmpty();
        assertThat(hubspot.effects).hasSize(1);
        assertThat(klaviyo.effects).hasSize(1);
    }

    @Test
    void deliver_shouldCountOnlyRealAttempts_soAMessageHeldBehindItsEntityIsNotDeadLetteredEarly() throws Exception {
        String a1 = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        String a2 = order("orders-updated.json", "820982911946154508", "2026-11-27T09:42:18-05:00");
        hubspot.always(item -> new RetryLater("HubSpot answered 502"));
        DeliveryLoop loop = loop(List.of(hubspot), 3, 10, store);

        for (int receive = 1; receive <= 3; receive++) {
            loop.deliver(List.of(message("orders/create", a1, "a1", receive, "2026-11-27T10:15:47Z"),
                    message("orders/updated", a2, "a2", receive, "2026-11-27T14:42:19Z")));
        }
        List<String> a2Alone = loop.deliver(List.of(message("orders/updated", a2, "a2", 4, "2026-11-27T14:42:19Z")));

        assertThat(queues.deadLettered).as("a1 used its three attempts").singleElement()
                .satisfies(dead -> assertThat(dead.envelope().webhookId()).isEqualTo("a1"));
        assertThat(a2Alone).as("a2 is retried: two real attempts of three, though received four times").hasSize(1);
        assertThat(hubspot.calls).extracting(call -> call.get(0).envelope().webhookId())
                .as("a2 goes once a1 is in the DLQ").containsExactly("a1", "a1", "a1", "a2", "a2");
    }

    // ---- Events a topic alone carries are never lost to a state watermark (issue #16, scenario 9) ----

    @Test
    void deliver_shouldStillSendACreatesEvents_whenItsOrdersUpdatedOvertookIt() throws Exception {
        klaviyo.carryingEventsOf("orders/create");
        String created = order("orders-create.json", "820982911946154508", "2026-11-27T05:15:45-05:00");
        String updated = order("orders-updated.json", "820982911946154508", "2026-11-27T09:42:18-05:00");
        DeliveryLoop loop = loop(List.of(hubspot, klaviyo), 8);

        loop.deliver(List.of(message("orders/updated", updated, "w-updated", 1, "2026-11-27T14:42:19Z")));
        List<String> failed = loop.deliver(List.of(message("orders/create", created, "w-create", 1, "2026-11-27T10:15:47Z")));
        loop.deliver(List.of(message("orders/create", created, "w-create", 2, "2026-11-27T10:15:47Z")));

        assertThat(failed).isEmpty();
        assertThat(hubspot.effectTopics()).as("HubSpot holds state only: the older create is stale")
                .containsExactly("orders/updated");
        assertThat(klaviyo.effects).extracting(DeliveryItem::topic, DeliveryItem::stateIsStale)
                .as("the create reaches Klaviyo once, marked so it sends its events and not its state")
                .containsExactly(org.assertj.core.groups.Tuple.tuple("orders/updated", false),
                        org.assertj.core.groups.Tuple.tuple("orders/create", true));
        assertThat(store.watermark(SHOP + "/order/820982911946154508", "klaviyo", NOW)).get()
                .satisfies(applied -> assertThat(applied.updatedAt()).isEqualTo(java.time.Instant.parse("2026-11-27T14:42:18Z")));
    }

    // ---- The person an order embeds is versioned on its own (issue #16, scenario 10) ----

    @Test
    void deliver_shouldMarkAnOlderCopyOfTheCustomerStale_evenOnANewerOrOtherOrder() throws Exception {
        ObjectNode recent = (ObjectNode) JSON.readTree(order("orders-create.json", "820982911946154508", "2026-12-01T09:05:00-05:00"));
        ((ObjectNode) recent.path("customer")).put("updated_at", "2026-12-01T09:00:00-05:00");
        ObjectNode old = (ObjectNode) JSON.readTree(order("orders-updated.json", "820982911946100001", "2026-12-02T10:00:00-05:00"));
        ((ObjectNode) old.path("customer")).put("updated_at", "2026-09-14T11:20:00-04:00");
        ObjectNode newer = (ObjectNode) JSON.readTree(order("orders-paid.json", "820982911946100001", "2026-12-03T10:00:00-05:00"));
        ((ObjectNode) newer.path("customer")).put("updated_at", "2026-12-03T09:59:00-05:00");

        loop().deliver(List.of(message("orders/create", JSON.writeValueAsString(recent), "w-recent")));
        loop().deliver(List.of(message("orders/updated", JSON.writeValueAsString(old), "w-old")));
        loop().deliver(List.of(message("orders/paid", JSON.writeValueAsString(newer), "w-newer")));

        assertThat(hubspot.effects).extracting(item -> item.envelope().webhookId(), DeliveryItem::stateIsStale,
                        DeliveryItem::personIsStale)
                .as("the old order's own state is new, but the customer it carries is older than the one applied")
                .containsExactly(org.assertj.core.groups.Tuple.tuple("w-recent", false, false),
                        org.assertj.core.groups.Tuple.tuple("w-old", false, true),
                        org.assertj.core.groups.Tuple.tuple("w-newer", false, false));
        assertThat(store.watermark(SHOP + "/customer/706405506930370084", "hubspot", NOW)).get()
                .satisfies(applied -> assertThat(applied.updatedAt()).isEqualTo(java.time.Instant.parse("2026-12-03T14:59:00Z")));
    }
}
