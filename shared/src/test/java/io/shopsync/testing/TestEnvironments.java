package io.shopsync.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.delivery.Target;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.http.HttpTransport;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.queue.ClaimCheckStore;
import io.shopsync.observability.Telemetry;
import io.shopsync.webhook.SigningSecrets;
import io.shopsync.webhook.SigningSecretsSource;
import java.time.Clock;

/** Flow environments for unit tests: the dev signing secret, recording queues, captured log lines. */
public final class TestEnvironments {

    private TestEnvironments() {}

    public static FlowEnvironment recording(RecordingFlowQueues queues, CapturedLines log) {
        ObjectMapper json = new ObjectMapper();
        return FlowEnvironment.builder()
                .secrets(SigningSecretsSource.fixed(SigningSecrets.parse(LambdaInvoker.DEV_SECRET, "dev secret")))
                .queues(queues)
                .json(json)
                .telemetry(new Telemetry(json, log, Clock.systemUTC()))
                .build();
    }

    public static FlowEnvironment recording(RecordingFlowQueues queues) {
        return recording(queues, new CapturedLines());
    }

    /** Intake and delivery in memory: recording queues and alerts, the in-memory store, these targets. */
    public static FlowEnvironment delivering(RecordingFlowQueues queues, RecordingAlerts alerts, Target... targets) {
        return delivering(queues, alerts, java.util.Map.of(), targets);
    }

    /** The same, with the function environment variables a flow reads to build its connectors. */
    public static FlowEnvironment delivering(RecordingFlowQueues queues, RecordingAlerts alerts,
                                             java.util.Map<String, String> variables, Target... targets) {
        return builder(queues, alerts, variables, new CapturedLines(), targets).build();
    }

    /** The same, with the connectors' requests going to {@code transport} (answered there, never sent). */
    public static FlowEnvironment delivering(RecordingFlowQueues queues, RecordingAlerts alerts,
                                             java.util.Map<String, String> variables, HttpTransport transport) {
        return builder(queues, alerts, variables, new CapturedLines()).transport(transport).build();
    }

    /**
     * The same, with the connectors' requests going through {@code transport} (which sees every request
     * the flow would send, to any host) and the log lines kept in {@code log}.
     */
    public static FlowEnvironment deliveringThrough(HttpTransport transport, RecordingFlowQueues queues,
                                                    RecordingAlerts alerts, java.util.Map<String, String> variables,
                                                    CapturedLines log) {
        return builder(queues, alerts, variables, log).transport(transport).build();
    }

    private static FlowEnvironment.Builder builder(RecordingFlowQueues queues, RecordingAlerts alerts,
                                                   java.util.Map<String, String> variables, CapturedLines log,
                                                   Target... targets) {
        ObjectMapper json = new ObjectMapper();
        FlowEnvironment.Builder builder = FlowEnvironment.builder()
                .variables(variables)
                .secrets(SigningSecretsSource.fixed(SigningSecrets.parse(LambdaInvoker.DEV_SECRET, "dev secret")))
                .queues(queues)
                .json(json)
                .telemetry(new Telemetry(json, log, Clock.systemUTC()))
                .deliveryStore(new InMemoryDeliveryStore())
                .skuCache(new InMemorySkuCache())
                .reportedLevels(new InMemoryReportedLevels())
                .alerts(alerts)
                .claimChecks(new ClaimCheckStore() {
                    public Body.ClaimCheck store(Envelope envelope, byte[] body) {
                        throw new UnsupportedOperationException("no claim checks in unit tests");
                    }

                    public byte[] fetch(Body.ClaimCheck claimCheck) {
                        throw new UnsupportedOperationException("no claim checks in unit tests");
                    }
                });
        for (Target target : targets) {
            builder.target(target);
        }
        return builder;
    }
}
