package io.shopsync.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.alerts.SnsAlerts;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.lambda.FlowFunction;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.ClaimCheckStore;
import io.shopsync.queue.SqsFlowQueues;
import io.shopsync.webhook.SigningSecrets;
import io.shopsync.webhook.SigningSecretsSource;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * A flow environment wired as deployed, with everything that leaves the function recorded where the
 * AWS SDK would send it: each log line; each SQS message through the real {@link SqsFlowQueues} (work
 * queue and DLQ, with their message attributes); each alert through the real {@link SnsAlerts} (subject,
 * message, attributes). For checks that no secret or personal data leaves in them.
 */
public final class Outbound {

    public static final String WORK_QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/shopsync-test.fifo";
    public static final String DEAD_LETTER_QUEUE_URL =
            "https://sqs.us-east-1.amazonaws.com/123456789012/shopsync-test-dlq.fifo";
    private static final String TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:shopsync-alerts";
    private static final ObjectMapper JSON = new ObjectMapper();

    public final CapturedLines log = new CapturedLines();
    public final RecordingSqs sqs = new RecordingSqs();
    public final RecordingSns sns = new RecordingSns();
    private final EnvelopeCodec codec = new EnvelopeCodec(JSON);

    /** Intake and delivery with these function variables; delivery records in memory; every alert published. */
    public FlowEnvironment environment(Map<String, String> variables) {
        Telemetry telemetry = new Telemetry(JSON, log, Clock.systemUTC());
        ClaimCheckStore noClaimChecks = new ClaimCheckStore() {
            public Body.ClaimCheck store(Envelope envelope, byte[] body) {
                throw new UnsupportedOperationException("no claim checks in this test");
            }

            public byte[] fetch(Body.ClaimCheck claimCheck) {
                throw new UnsupportedOperationException("no claim checks in this test");
            }
        };
        return FlowEnvironment.builder()
                .variables(variables)
                .secrets(SigningSecretsSource.fixed(SigningSecrets.parse(LambdaInvoker.DEV_SECRET, "dev secret")))
                .queues(new SqsFlowQueues(sqs, WORK_QUEUE_URL, DEAD_LETTER_QUEUE_URL, noClaimChecks, codec,
                        SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES))
                .json(JSON)
                .telemetry(telemetry)
                .deliveryStore(new InMemoryDeliveryStore())
                .skuCache(new InMemorySkuCache())
                .reportedLevels(new InMemoryReportedLevels())
                .alerts(new SnsAlerts(sns, TOPIC_ARN, (key, now) -> true, Duration.ofMinutes(60), telemetry,
                        Clock.systemUTC()))
                .claimChecks(noClaimChecks)
                .build();
    }

    /** Posts a signed API Gateway event to the function's intake; the envelope it queued. */
    public Envelope received(FlowFunction function, String event) {
        int status = LambdaInvoker.invoke(function, event).path("statusCode").asInt();
        if (status != 200) {
            throw new AssertionError("intake answered " + status + ", not 200");
        }
        List<Envelope> enqueued = enqueued();
        return enqueued.get(enqueued.size() - 1);
    }

    /** Hands the envelope to the function as the queue would on its {@code receiveCount}th delivery. */
    public void deliver(FlowFunction function, Envelope envelope, int receiveCount) {
        LambdaInvoker.invoke(function, QueueEvents.of(List.of(envelope), receiveCount));
    }

    /** The envelopes intake put on the work queue, in order. */
    public List<Envelope> enqueued() {
        return sqs.sentTo(WORK_QUEUE_URL).stream().map(r -> codec.decode(r.messageBody())).toList();
    }

    public List<SendMessageRequest> deadLetters() {
        return sqs.sentTo(DEAD_LETTER_QUEUE_URL);
    }

    /** The {@code reason} attributes of the dead letters, one a line. */
    public String deadLetterReasons() {
        return String.join("\n", deadLetters().stream()
                .map(d -> d.messageAttributes().get("reason").stringValue()).toList());
    }

    /**
     * Every text that left, by where it went: log lines; message attributes of both queues; alert
     * subjects, messages and attributes. Not message bodies: the envelope carries the webhook's exact
     * body by design (it is what a redrive delivers), and rests only in the flow's encrypted queues.
     */
    public Map<String, String> texts() {
        Map<String, String> texts = new LinkedHashMap<>();
        List<String> lines = List.copyOf(log.raw);
        for (int i = 0; i < lines.size(); i++) {
            texts.put("log line " + (i + 1), lines.get(i));
        }
        List<SendMessageRequest> messages = List.copyOf(sqs.sent);
        for (int i = 0; i < messages.size(); i++) {
            SendMessageRequest message = messages.get(i);
            String queue = message.queueUrl().equals(DEAD_LETTER_QUEUE_URL) ? "DLQ" : "work queue";
            int n = i + 1;
            message.messageAttributes().forEach((name, value) ->
                    texts.put(queue + " message " + n + " attribute " + name, value.stringValue()));
            texts.put(queue + " message " + n + " group id", message.messageGroupId());
            texts.put(queue + " message " + n + " deduplication id", message.messageDeduplicationId());
        }
        List<RecordingSns.Published> alerts = List.copyOf(sns.published);
        for (int i = 0; i < alerts.size(); i++) {
            RecordingSns.Published alert = alerts.get(i);
            int n = i + 1;
            texts.put("alert " + n + " subject", alert.subject());
            texts.put("alert " + n + " message", alert.message());
            alert.attributes().forEach((name, value) -> texts.put("alert " + n + " attribute " + name, value));
        }
        return texts;
    }
}
