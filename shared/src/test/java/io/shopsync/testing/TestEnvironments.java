package io.shopsync.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.lambda.FlowEnvironment;
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
}
