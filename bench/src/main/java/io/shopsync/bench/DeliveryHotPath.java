package io.shopsync.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.delivery.Backoff;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryLoop;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.DeliverySettings;
import io.shopsync.delivery.Jitter;
import io.shopsync.delivery.QueueMessage;
import io.shopsync.delivery.Target;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.OrderFlow;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.lambda.FlowFunction;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.ClaimCheckStore;
import io.shopsync.queue.SqsIds;
import io.shopsync.testing.InMemoryDeliveryStore;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testing.RecordingAlerts;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.webhook.SigningSecrets;
import io.shopsync.webhook.SigningSecretsSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Delivery CPU per item (issue #12): the order flow's delivery loop over one SQS batch of {@value #BATCH} new
 * orders (the signed samples of events/order-to-crm, each under its own order id, queued by the real intake), on
 * an in-memory delivery store that starts empty for every batch (so each item is a new delivery: claim, watermark,
 * target, completion, never an early duplicate), a target that accepts every item and a queue that keeps nothing.
 * What it leaves out is the network: DynamoDB's and the target's round trips. {@code scripts/bench hot-path}
 * prints the batch's time divided by {@value #BATCH}, next to the intake's floor.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DeliveryHotPath {

    /** SQS's largest batch for a FIFO event source: the batch Lambda hands a busy function. */
    static final int BATCH = 10;

    private static final List<String> SAMPLES = List.of("orders-create.json", "orders-updated.json",
            "orders-paid.json", "orders-cancelled.json", "orders-guest-pos.json");

    private ObjectMapper json;
    private Clock clock;
    private Telemetry nowhere;
    private List<QueueMessage> batch;
    private AcceptingTarget target;
    private DeliveryLoop loop;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        json = new ObjectMapper();
        clock = Clock.systemUTC();
        nowhere = new Telemetry(json, line -> { }, clock);
        batch = queuedOrders();
        freshStore();
        List<String> failed = delivery();
        if (!failed.isEmpty() || target.accepted != BATCH) {
            throw new IllegalStateException("the batch was not delivered as " + BATCH + " new orders (failed " + failed
                    + ", target got " + target.accepted + "), so the figure would say nothing");
        }
    }

    /** A new, empty store for every batch, so each of its orders is a new delivery. */
    @Setup(Level.Invocation)
    public void freshStore() {
        target = new AcceptingTarget();
        loop = new DeliveryLoop(OrderFlow.FLOW, List.of(target), new InMemoryDeliveryStore(), new IntakeHotPath.NoQueues(),
                new NoClaimChecks(), json, new RecordingAlerts(), nowhere,
                new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(900), Jitter.SHARED), DeliverySettings.defaults(),
                clock);
    }

    @Benchmark
    public List<String> delivery() {
        return loop.deliver(batch);
    }

    /** The samples under {@value #BATCH} distinct order ids, through the real intake, as SQS hands them over. */
    private List<QueueMessage> queuedOrders() throws IOException {
        Path repo = Path.of(System.getProperty("shopsync.repo", "."));
        RecordingFlowQueues queues = new RecordingFlowQueues(clock);
        FlowEnvironment environment = FlowEnvironment.builder()
                .secrets(SigningSecretsSource.fixed(SigningSecrets.parse(ColdStart.DEV_SECRET, "bench")))
                .allowedShops(Set.of(ColdStart.SHOP)).queues(queues).json(json).telemetry(nowhere).clock(clock).build();
        FlowFunction intake = new FlowFunction(OrderFlow.FLOW, environment) { };
        for (int i = 0; i < BATCH; i++) {
            String event = Files.readString(repo.resolve("events/order-to-crm/" + SAMPLES.get(i % SAMPLES.size())));
            ObjectNode order = (ObjectNode) json.readTree(json.readTree(event).path("body").asText());
            order.put("id", 820982911946154508L + i);
            String answer = LambdaInvoker.invoke(intake, LambdaInvoker.withBody(event, json.writeValueAsString(order))).toString();
            if (!answer.contains("\"statusCode\":200")) {
                throw new IllegalStateException("sample " + SAMPLES.get(i % SAMPLES.size()) + " was not queued: " + answer);
            }
        }
        EnvelopeCodec codec = new EnvelopeCodec(json);
        List<QueueMessage> messages = new ArrayList<>();
        for (Envelope envelope : queues.enqueued) {
            messages.add(new QueueMessage("bench-" + messages.size(), "receipt-" + messages.size(), codec.encode(envelope),
                    1, SqsIds.groupId(envelope), Map.of()));
        }
        return List.copyOf(messages);
    }

    /** Accepts every item, as a target whose API answered 2xx. */
    private static final class AcceptingTarget implements Target {
        int accepted;

        @Override
        public String name() {
            return "hubspot";
        }

        @Override
        public List<DeliveryOutcome> deliver(List<DeliveryItem> items) {
            accepted += items.size();
            return items.stream().<DeliveryOutcome>map(item -> new DeliveryOutcome.Delivered()).toList();
        }
    }

    /** The samples fit in a message: a claim check here would be a bug in the benchmark. */
    private static final class NoClaimChecks implements ClaimCheckStore {
        @Override
        public Body.ClaimCheck store(Envelope envelope, byte[] body) {
            throw new IllegalStateException("no claim check expected for " + body.length + " bytes");
        }

        @Override
        public byte[] fetch(Body.ClaimCheck claimCheck) {
            throw new IllegalStateException("no claim check expected: " + claimCheck.key());
        }
    }
}
