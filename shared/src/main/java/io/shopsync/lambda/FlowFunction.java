package io.shopsync.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.delivery.DeliveryLoop;
import io.shopsync.delivery.SqsEvents;
import io.shopsync.delivery.Target;
import io.shopsync.flow.Flow;
import io.shopsync.intake.HttpResponse;
import io.shopsync.intake.WebhookIntake;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * The Lambda entry point every flow extends. It reads the raw invocation event and dispatches on
 * its shape, so one function per flow serves both its HTTP route (intake) and its FIFO queue
 * (delivery, answering with the failed message ids). A flow class only says which flow it is and
 * which targets it writes to; all plumbing lives here.
 */
public abstract class FlowFunction implements RequestStreamHandler {

    private final Flow flow;
    private final ObjectMapper json;
    private final WebhookIntake intake;
    private final Optional<DeliveryLoop> delivery;

    protected FlowFunction(Flow flow, FlowEnvironment environment) {
        this(flow, environment, List.of());
    }

    /** @param targets the systems this flow writes to, built from the environment by the flow */
    protected FlowFunction(Flow flow, FlowEnvironment environment, List<Target> targets) {
        this.flow = flow;
        this.json = environment.json();
        this.intake = environment.intakeFor(flow);
        this.delivery = environment.deliveryFor(flow, targets);
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
        if (event != null && SqsEvents.isSqsEvent(event)) {
            DeliveryLoop loop = delivery.orElseThrow(() -> new IllegalStateException("flow " + flow.name()
                    + " received an SQS event but its delivery path is not configured (IDEMPOTENCY_TABLE, ALERTS_TOPIC_ARN)"));
            List<String> failed = loop.deliver(SqsEvents.messages(event));
            json.writeValue(output, SqsEvents.batchResponse(json, failed));
            return;
        }
        throw new IllegalArgumentException("flow " + flow.name() + " received an event it does not handle: expected an"
                + " API Gateway HTTP API (payload 2.0) event or an SQS event; check the function's triggers in template.yaml");
    }
}
