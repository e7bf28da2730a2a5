package io.shopsync.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.delivery.DeliveryOutcome.Delivered;
import io.shopsync.delivery.DeliveryOutcome.PermanentFailure;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.EntityKeys;
import io.shopsync.flow.Flow;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.ClaimCheckStore;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.FaultyDeliveryStore;
import io.shopsync.testing.MutableClock;
import io.shopsync.testing.RecordingAlerts;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testkit.Fixtures;
import io.shopsync.trace.EntityTrace;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Once a version of an entity was sent to a target, no older version of it is sent to that target afterwards,
 * whatever order the queue hands the messages back in (a redrive, a reconciler's send and moto all reorder a
 * FIFO group). Each test replays one order of events through the real {@link DeliveryLoop} and a store that
 * fails as DynamoDB does; run against DynamoDB (IT) and the in-memory store (unit).
 */
abstract class NewestSentVersionContract {

    static final Duration LEASE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final Flow ORDERS = Flow.named("order-to-crm")
            .accepts(EntityKeys.byId("order", "id"), "orders/create", "orders/updated", "orders/paid")
            .withPerson("customer");
    private static final Instant NOW = Instant.parse("2026-11-27T16:00:00Z");
    private static final String V1 = "2026-11-27T09:42:18-05:00";
    private static final String V2 = "2026-11-27T09:58:03-05:00";

    /** The store under test; the loop reaches it through {@link #faulty}. */
    abstract DeliveryStore store();

    private final String orderId = Long.toString(820982911946000000L + Math.abs(UUID.randomUUID().getLeastSignificantBits() % 100000));
    private final String entity = SHOP + "/order/" + orderId;
    private final MutableClock clock = new MutableClock(NOW);
    private final RecordingFlowQueues queues = new RecordingFlowQueues();
    private final CapturedLines log = new CapturedLines();
    private final Receiver receiver = new Receiver();
    private final EnvelopeCodec codec = new EnvelopeCodec(JSON);
    private FaultyDeliveryStore faulty;

    private DeliveryLoop loop() {
        if (faulty == null) {
            faulty = new FaultyDeliveryStore(store());
        }
        ClaimCheckStore noClaimChecks = new ClaimCheckStore() {
            public Body.ClaimCheck store(Envelope envelope, byte[] body) {
                throw new UnsupportedOperationException();
            }

            public byte[] fetch(Body.ClaimCheck claimCheck) {
                throw new UnsupportedOperationException();
            }
        };
        return new DeliveryLoop(ORDERS, List.of(receiver), faulty, queues, noClaimChecks, JSON, new RecordingAlerts(),
                new Telemetry(JSON, log, clock), new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(4), () -> 0.5),
                new DeliverySettings(4, 40, Duration.ofSeconds(2), DeliverySettings.DEFAULT_RUNBOOK), clock);
    }

    /**
     * events/payloads/orders-updated.json as this test's order at {@code updatedAt}, on the queue for the
     * {@code receive}th time (its webhook id and triggered-at stay the same across receives, as Shopify's do).
     */
    private QueueMessage version(String updatedAt, String webhookId, int receive, Map<String, String> attributes)
            throws Exception {
        ObjectNode order = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-updated.json"));
        order.put("id", Long.parseLong(orderId));
        order.put("updated_at", updatedAt);
        Instant triggered = OffsetDateTime.parse(updatedAt).toInstant().plusMillis(1234);
        Envelope envelope = new Envelope("order-to-crm", "orders/updated", SHOP, webhookId, null, triggered, "2026-10",
                triggered.plusSeconds(1), entity, new Body.Inline(JSON.writeValueAsBytes(order)));
        return new QueueMessage(UUID.randomUUID().toString(), "receipt-" + webhookId + "-" + receive,
                codec.encode(envelope), receive, entity, attributes);
    }

    private QueueMessage version(String updatedAt, String webhookId, int receive) throws Exception {
        return version(updatedAt, webhookId, receive, Map.of());
    }

    private List<String> outcomesOf(String webhookId) {
        return log.parsed().stream().filter(l -> webhookId.equals(l.path("webhookId").asText()))
                .map(l -> l.path("outcome").asText()).toList();
    }

    /** The line the loop logged for the last outcome of this webhook. */
    private JsonNode lastLineOf(String webhookId) {
        return log.parsed().stream().filter(l -> webhookId.equals(l.path("webhookId").asText()))
                .reduce((first, second) -> second).orElseThrow();
    }

    /**
     * FaultSuiteIT's row 3 failure under load, step by step: v2 is sent and applied, its completion (record,
     * watermark, event guard) hits a DynamoDB failure, the queue hands the older v1 back first, then v2's retry
     * reaches a receiver that absorbs it by its webhook id.
     */
    @Test
    void olderVersion_shouldBeStale_whenANewerOneWasSentButItsCompletionFailed_andTheNewersRetryLeavesTheTargetAtIt()
            throws Exception {
        DeliveryLoop loop = loop();
        faulty.failing(FaultyDeliveryStore.Operation.COMPLETE);
        QueueMessage v2 = version(V2, "w-v2", 1);
        assertThat(loop.deliver(List.of(v2))).as("v2 applied, its completion failed: retried").containsExactly(v2.messageId());
        faulty.healthy();

        List<String> v1Failed = loop.deliver(List.of(version(V1, "w-v1", 1)));
        List<String> v2Failed = loop.deliver(List.of(version(V2, "w-v2", 2)));

        assertThat(v1Failed).isEmpty();
        assertThat(v2Failed).isEmpty();
        assertThat(receiver.state.get(entity)).as("the receiver ends at the newest version").isEqualTo(V2);
        assertThat(receiver.calls).as("v1 never reaches the target after v2 was sent")
                .containsExactly("w-v2", "w-v2");
        assertThat(outcomesOf("w-v1")).containsExactly("stale");
        assertThat(lastLineOf("w-v1").path("why").asText())
                .isEqualTo("superseded by version 2026-11-27T14:58:03Z already sent to receiver (its completion is not"
                        + " recorded yet, or it was dead-lettered): an older version must not follow it");
        assertThat(outcomesOf("w-v2")).containsExactly("retry-later", "delivered");
        assertThat(store().watermark(entity, "receiver", clock.instant())).get()
                .satisfies(applied -> assertThat(applied.updatedAt()).isEqualTo(Instant.parse("2026-11-27T14:58:03Z")));
        assertThat(store().records(entity, clock.instant())).filteredOn(r -> r.origin().webhookId().equals("w-v1"))
                .singleElement().satisfies(r -> {
                    assertThat(r.outcome()).isEqualTo("stale");
                    assertThat(r.staleAgainst()).get().satisfies(v ->
                            assertThat(v.updatedAt()).isEqualTo(Instant.parse("2026-11-27T14:58:03Z")));
                });
        assertThat(queues.deadLettered).isEmpty();
    }

    @Test
    void olderVersion_shouldBeStale_whileACrashedAttemptOfTheNewerHoldsItsLease_andTheNewerGoesOnceTheLeaseRunsOut()
            throws Exception {
        receiver.crashAfterApplying = true;
        assertThatThrownBy(() -> loop().deliver(List.of(version(V2, "w-v2", 1))))
                .as("the invocation dies after the receiver applied v2").isInstanceOf(Receiver.Crash.class);

        List<String> v1Failed = loop().deliver(List.of(version(V1, "w-v1", 1)));
        clock.advance(LEASE.plusSeconds(1));
        List<String> v2Failed = loop().deliver(List.of(version(V2, "w-v2", 2)));

        assertThat(v1Failed).isEmpty();
        assertThat(outcomesOf("w-v1")).containsExactly("stale");
        assertThat(v2Failed).as("the same version, claimed again after the lease").isEmpty();
        assertThat(outcomesOf("w-v2")).containsExactly("delivered");
        assertThat(receiver.calls).containsExactly("w-v2", "w-v2");
        assertThat(receiver.state.get(entity)).isEqualTo(V2);
    }

    /**
     * A newer version the target refused is dead-lettered: it was still sent, so an older one is stale after it
     * (Shopify's payloads carry the whole state, so nothing is lost: the dead letter holds the newest). Its redrive
     * must still deliver it.
     */
    @Test
    void olderVersion_shouldBeStale_afterTheNewerWasDeadLettered_andTheNewersRedriveStillDelivers() throws Exception {
        receiver.refusing.add("w-v2");
        assertThat(loop().deliver(List.of(version(V2, "w-v2", 1)))).isEmpty();
        assertThat(queues.deadLettered).singleElement()
                .satisfies(dead -> assertThat(dead.reason().category()).isEqualTo("http-400"));

        loop().deliver(List.of(version(V1, "w-v1", 1)));
        receiver.refusing.clear();
        List<String> redriveFailed = loop().deliver(List.of(version(V2, "w-v2", 1,
                Map.of("target", queues.deadLettered.get(0).reason().targets().get(0)))));

        assertThat(outcomesOf("w-v1")).containsExactly("stale");
        assertThat(redriveFailed).isEmpty();
        assertThat(outcomesOf("w-v2")).containsExactly("permanent-failure", "delivered");
        assertThat(receiver.state.get(entity)).isEqualTo(V2);
        assertThat(receiver.calls).containsExactly("w-v2", "w-v2");
    }

    /**
     * The trace of an older version refused because a newer one was SENT (dead-lettered here, so the target never had
     * it) says so, and does not claim the target has the newer version; one refused by an applied version still does.
     */
    @Test
    void trace_ofAnOlderVersionRefusedByANewerOneSentOnly_saysItWasSent_notThatTheTargetHasIt() throws Exception {
        receiver.refusing.add("w-v2");
        loop().deliver(List.of(version(V2, "w-v2", 1)));
        loop().deliver(List.of(version(V1, "w-v1", 1)));
        EntityTrace trace = new EntityTrace(store(), Duration.ofHours(72), List::of, new EntityTrace.NextSteps() {
            public String redrive(String flow) {
                return "redrive " + flow;
            }

            public String unknown(String what) {
                return "look elsewhere";
            }
        }, clock);

        EntityTrace.Report report = trace.trace(new EntityTrace.Query(SHOP, entity, "order " + orderId));

        assertThat(outcomesOf("w-v1")).containsExactly("stale");
        assertThat(trace.text(report)).contains("stale: not sent: superseded by version 2026-11-27T14:58:03Z, already sent "
                        + "(its completion not recorded yet, or dead-lettered)")
                .doesNotContain("the target already has the version of");
        JsonNode v1 = webhookIn(trace.json(report, JSON), "w-v1");
        assertThat(v1.path("staleAgainst").asText()).isEqualTo("2026-11-27T14:58:03Z");
        assertThat(v1.path("staleAgainstSentOnly").asBoolean()).isTrue();

        // The redrive delivers v2; a copy of v1 under another webhook id now meets the applied version.
        receiver.refusing.clear();
        loop().deliver(List.of(version(V2, "w-v2", 1, Map.of("target", queues.deadLettered.get(0).reason().targets().get(0)))));
        loop().deliver(List.of(version(V1, "w-v1-again", 1)));
        String after = trace.text(trace.trace(new EntityTrace.Query(SHOP, entity, "order " + orderId)));
        assertThat(after).contains("stale: not sent: the target already has the version of 2026-11-27T14:58:03Z");
        assertThat(webhookIn(trace.json(trace.trace(new EntityTrace.Query(SHOP, entity, "order " + orderId)), JSON),
                "w-v1-again").path("staleAgainstSentOnly").asBoolean(true)).isFalse();
    }

    /** The JSON trace's line of {@code webhookId} under its one target. */
    private static JsonNode webhookIn(JsonNode trace, String webhookId) {
        JsonNode found = null;
        for (JsonNode webhook : trace.path("targets").get(0).path("webhooks")) {
            if (webhook.path("webhookId").asText().equals(webhookId)) {
                found = webhook;
            }
        }
        assertThat(found).as(webhookId + " in " + trace).isNotNull();
        return found;
    }

    @Test
    void newerVersion_shouldStillGo_afterAnOlderOneWasSentAndNotYetRecorded() throws Exception {
        DeliveryLoop loop = loop();
        faulty.failing(FaultyDeliveryStore.Operation.COMPLETE);
        loop.deliver(List.of(version(V1, "w-v1", 1)));
        faulty.healthy();

        assertThat(loop.deliver(List.of(version(V2, "w-v2", 1)))).isEmpty();
        assertThat(loop.deliver(List.of(version(V1, "w-v1", 2)))).isEmpty();

        assertThat(outcomesOf("w-v2")).containsExactly("delivered");
        assertThat(outcomesOf("w-v1")).as("v1's retry comes after v2 was applied").containsExactly("retry-later", "stale");
        assertThat(receiver.state.get(entity)).isEqualTo(V2);
    }

    /**
     * Applies each order version as the entity's state (last write wins, an upsert) and, as Standard Webhooks
     * advises receivers, applies a repeated webhook id only once (as FaultSuiteIT's VersionedReceiver does).
     */
    static final class Receiver implements Target {

        static final class Crash extends Error {
            Crash() {
                super("invocation killed after the receiver applied the batch");
            }
        }

        final Map<String, String> state = new HashMap<>();
        final List<String> calls = new ArrayList<>();
        final Set<String> refusing = new HashSet<>();
        private final Set<String> applied = new HashSet<>();
        boolean crashAfterApplying;

        @Override
        public String name() {
            return "receiver";
        }

        @Override
        public synchronized List<DeliveryOutcome> deliver(List<DeliveryItem> items) {
            List<DeliveryOutcome> outcomes = new ArrayList<>();
            for (DeliveryItem item : items) {
                String webhookId = item.envelope().webhookId();
                calls.add(webhookId);
                if (refusing.contains(webhookId)) {
                    outcomes.add(new PermanentFailure("receiver answered 400 Bad Request: {\"error\":\"unknown currency\"}",
                            "http-400"));
                    continue;
                }
                if (applied.add(webhookId)) {
                    state.put(item.envelope().entity(), item.payload().path("updated_at").asText());
                }
                outcomes.add(new Delivered());
            }
            if (crashAfterApplying) {
                crashAfterApplying = false;
                throw new Crash();
            }
            return outcomes;
        }
    }
}
