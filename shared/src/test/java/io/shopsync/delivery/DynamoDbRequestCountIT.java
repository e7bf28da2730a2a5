package io.shopsync.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.EntityKeys;
import io.shopsync.flow.Flow;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.ClaimCheckStore;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.FakeTarget;
import io.shopsync.testing.RecordingAlerts;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * How many DynamoDB requests the real delivery loop makes per webhook and target, counted on the
 * wire by an SDK interceptor (every HTTP attempt, retries included) against the test backend. The
 * goal (issue #12): at most 2 per new delivery per target, at most 1 per duplicate.
 */
@ExtendWith(AwsBackend.class)
class DynamoDbRequestCountIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final Flow ORDERS = Flow.named("order-to-crm")
            .accepts(EntityKeys.byId("order", "id"), "orders/create", "orders/updated", "orders/paid")
            .withPerson("customer");
    private static final Instant NOW = Instant.parse("2026-11-27T16:00:00Z");

    /** The operation name of every request sent, in order. */
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final DynamoDbDeliveryStore store;
    private final RecordingFlowQueues queues = new RecordingFlowQueues();
    private final FakeTarget hubspot = new FakeTarget("hubspot");
    private final FakeTarget klaviyo = new FakeTarget("klaviyo");
    private final EnvelopeCodec codec = new EnvelopeCodec(JSON);

    DynamoDbRequestCountIT(AwsClients aws) {
        DynamoDbClient counted = DynamoDbClient.builder().endpointOverride(aws.endpoint()).region(aws.region())
                .credentialsProvider(aws.credentials()).httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                        requests.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
                    }
                }))
                .build();
        store = DynamoDbDeliveryStore.withDefaults(counted, aws.createTable("shopsync-count-it"));
    }

    private DeliveryLoop loop(List<Target> targets) {
        ClaimCheckStore noClaimChecks = new ClaimCheckStore() {
            public Body.ClaimCheck store(Envelope envelope, byte[] body) {
                throw new UnsupportedOperationException();
            }

            public byte[] fetch(Body.ClaimCheck claimCheck) {
                throw new UnsupportedOperationException();
            }
        };
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        return new DeliveryLoop(ORDERS, targets, store, queues, noClaimChecks, JSON, new RecordingAlerts(),
                new Telemetry(JSON, new CapturedLines(), clock),
                new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(900), () -> 0.5),
                new DeliverySettings(8, DeliverySettings.DEFAULT_MAX_RECEIVE_COUNT, Duration.ofSeconds(13),
                        DeliverySettings.DEFAULT_RUNBOOK), clock);
    }

    /** events/payloads/orders-create.json (with its customer) as a webhook with an X-Shopify-Event-Id. */
    private QueueMessage order(String orderId, String updatedAt, String webhookId, String eventId) throws Exception {
        ObjectNode order = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-create.json"));
        order.put("id", Long.parseLong(orderId));
        order.put("updated_at", updatedAt);
        byte[] body = JSON.writeValueAsBytes(order);
        String entity = SHOP + "/order/" + orderId;
        Envelope envelope = new Envelope("order-to-crm", "orders/create", SHOP, webhookId, eventId,
                Instant.parse("2026-11-27T15:59:58.234647458Z"), "2026-10", NOW.minusSeconds(5), entity,
                new Body.Inline(body));
        return new QueueMessage(UUID.randomUUID().toString(), "receipt-" + webhookId, codec.encode(envelope), 1, entity,
                Map.of());
    }

    private List<String> requestsFor(Runnable delivery) {
        requests.clear();
        delivery.run();
        return List.copyOf(requests);
    }

    @Test
    void newDelivery_toOneTarget_shouldCostAtMostTwoRequests() throws Exception {
        QueueMessage message = order("820982911946154508", "2026-11-27T10:15:47-05:00", "w-new-1", UUID.randomUUID().toString());

        List<String> sent = requestsFor(() -> assertThat(loop(List.of(hubspot)).deliver(List.of(message))).isEmpty());

        assertThat(hubspot.effects).hasSize(1);
        assertThat(sent).as("DynamoDB requests for one new delivery to one target: %s", sent).hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void newDelivery_toTwoTargets_shouldCostAtMostTwoRequestsPerTarget() throws Exception {
        QueueMessage message = order("820982911946154509", "2026-11-27T10:15:47-05:00", "w-new-2", UUID.randomUUID().toString());

        List<String> sent = requestsFor(() -> assertThat(loop(List.of(hubspot, klaviyo)).deliver(List.of(message))).isEmpty());

        assertThat(hubspot.effects).hasSize(1);
        assertThat(klaviyo.effects).hasSize(1);
        assertThat(sent).as("DynamoDB requests for one new delivery to two targets: %s", sent).hasSizeLessThanOrEqualTo(4);
    }

    @Test
    void duplicate_shouldCostOneRequestPerTarget() throws Exception {
        String eventId = UUID.randomUUID().toString();
        QueueMessage first = order("820982911946154510", "2026-11-27T10:15:47-05:00", "w-dup", eventId);
        assertThat(loop(List.of(hubspot, klaviyo)).deliver(List.of(first))).isEmpty();
        // Shopify's retry of the same webhook: same webhook id, same body.
        QueueMessage redelivered = new QueueMessage(UUID.randomUUID().toString(), "receipt-again", first.body(), 1,
                first.groupId(), Map.of());

        List<String> sent = requestsFor(() -> assertThat(loop(List.of(hubspot, klaviyo)).deliver(List.of(redelivered))).isEmpty());

        assertThat(hubspot.effects).hasSize(1);
        assertThat(klaviyo.effects).hasSize(1);
        assertThat(sent).as("DynamoDB requests for a duplicate to two targets: %s", sent).hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void secondSubscriptionsCopy_ofOneMerchantAction_shouldCostOneRequestPerTarget() throws Exception {
        String eventId = UUID.randomUUID().toString();
        assertThat(loop(List.of(hubspot)).deliver(List.of(
                order("820982911946154511", "2026-11-27T10:15:47-05:00", "w-sub-a", eventId)))).isEmpty();
        QueueMessage otherSubscription = order("820982911946154511", "2026-11-27T10:15:47-05:00", "w-sub-b", eventId);

        List<String> sent = requestsFor(() -> assertThat(loop(List.of(hubspot)).deliver(List.of(otherSubscription))).isEmpty());

        assertThat(hubspot.effects).hasSize(1);
        assertThat(sent).as("DynamoDB requests for a second subscription's copy: %s", sent).hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void staleVersion_shouldCostTwoRequestsPerTarget_andNotReachTheTarget() throws Exception {
        assertThat(loop(List.of(hubspot)).deliver(List.of(
                order("820982911946154512", "2026-11-27T10:20:00-05:00", "w-newer", UUID.randomUUID().toString())))).isEmpty();
        QueueMessage older = order("820982911946154512", "2026-11-27T10:15:47-05:00", "w-older", UUID.randomUUID().toString());

        List<String> sent = requestsFor(() -> assertThat(loop(List.of(hubspot)).deliver(List.of(older))).isEmpty());

        assertThat(hubspot.effects).hasSize(1);
        // The refusal, then the record that makes a later copy of this webhook a duplicate.
        assertThat(sent).as("DynamoDB requests for a stale version: %s", sent).hasSizeLessThanOrEqualTo(2);
    }
}
