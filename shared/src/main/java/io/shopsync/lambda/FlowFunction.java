package io.shopsync.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.flow.Flow;
import io.shopsync.intake.HttpResponse;
import io.shopsync.intake.WebhookIntake;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The Lambda entry point every flow extends. It reads the raw invocation event and dispatches on
 * its shape, so one function per flow serves its HTTP route (intake). A flow class only says which
 * flow it is; all plumbing lives here.
 */
public abstract class FlowFunction implements RequestStreamHandler {

    private final Flow flow;
    private final ObjectMapper json;
    private final WebhookIntake intake;

    protected FlowFunction(Flow flow, FlowEnvironment environment) {
        this.flow = flow;
        this.json = environment.json();
        this.intake = environment.intakeFor(flow);
    }

    public Flow flow() {
        return flow;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = json.readTree(input);
        if (event != null && HttpApiEvents.isHttpApiEvent(event)) {
            HttpResponse response = intake.handle(HttpApiEvents.request(event)).response();
            json.writeValue(output, HttpApiEvents.response(json, response));
            return;
        }
        throw new IllegalArgumentException("flow " + flow.name() + " received an event it does not handle: expected an"
                + " API Gateway HTTP API (payload 2.0) event; check the function's triggers in template.yaml");
    }
}
