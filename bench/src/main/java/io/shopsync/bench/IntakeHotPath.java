package io.shopsync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.Envelope;
import io.shopsync.flow.OrderFlow;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.lambda.FlowFunction;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.DeadLetterReason;
import io.shopsync.queue.FlowQueues;
import io.shopsync.webhook.SigningSecrets;
import io.shopsync.webhook.SigningSecretsSource;
import io.shopsync.webhook.WebhookSignature;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Intake CPU per webhook (issue #12): the whole handler on the signed orders/create sample of events/, its
 * queue a no-op and its log lines dropped, against the floor every intake pays: HMAC-SHA256 over the body
 * plus reading the API Gateway event. {@code scripts/bench hot-path} prints floor / intake (goal >= 0.5).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class IntakeHotPath {

    private ObjectMapper json;
    private byte[] event;
    private byte[] body;
    private String secret;
    private FlowFunction handler;

    @Setup
    public void setUp() throws IOException {
        json = new ObjectMapper();
        Path repo = Path.of(System.getProperty("shopsync.repo", "."));
        event = Files.readAllBytes(repo.resolve("events/order-to-crm/orders-create.json"));
        body = json.readTree(event).path("body").asText().getBytes(StandardCharsets.UTF_8);
        secret = ColdStart.DEV_SECRET;
        Clock clock = Clock.systemUTC();
        FlowEnvironment environment = FlowEnvironment.builder()
                .secrets(SigningSecretsSource.fixed(SigningSecrets.parse(secret, "bench")))
                .allowedShops(Set.of(ColdStart.SHOP))
                .queues(new NoQueues())
                .json(json)
                .telemetry(new Telemetry(json, line -> { }, clock))
                .clock(clock)
                .build();
        handler = new FlowFunction(OrderFlow.FLOW, environment) { };
        String answer = intake();
        if (!answer.contains("\"statusCode\":200")) {
            throw new IllegalStateException("the sample webhook was not accepted, so the figure would say nothing: " + answer);
        }
    }

    /** HMAC-SHA256 over the body, as Shopify signs it, plus reading the event: what no intake can skip. */
    @Benchmark
    public Object floor() throws IOException {
        JsonNode tree = json.readTree(event);
        return WebhookSignature.sign(body, secret) + tree.size();
    }

    @Benchmark
    public String intake() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Accepts every envelope and keeps none (a recording queue would grow through the run). */
    static final class NoQueues implements FlowQueues {
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
            return "bench";
        }
    }
}
