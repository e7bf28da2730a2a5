package io.shopsync.reconciler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.lambda.ReconcilerEnvironment;
import io.shopsync.reconcile.CheckReport;
import io.shopsync.reconcile.Deadline;
import io.shopsync.reconcile.Reconciler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * The reconciler's Lambda entry point, invoked by the schedule (ReconcileSchedule, one execution at a
 * time): reconciles every served shop and answers with what it did. A failed check does not fail the
 * invocation (a retry would only repeat the window the next run repeats anyway): it is alerted, counted
 * ({@code RunFailed}) and logged. {@code {"dryRun": true}} as the event, or RECONCILE_DRY_RUN=true, queues
 * nothing and moves no checkpoint. A run stops starting pages {@link #DEADLINE_MARGIN} before the function's
 * timeout: it answers {@code "complete": false} with what is {@code partial}, and the next run continues there.
 */
public final class Reconcile implements RequestStreamHandler {

    /** How long before the function's timeout a run stops starting pages (the template's Timeout is 600 s). */
    static final Duration DEADLINE_MARGIN = Duration.ofSeconds(120);

    private final Reconciler reconciler;
    private final java.util.Map<String, String> skipped;
    private final boolean dryRunByDefault;
    private final ObjectMapper json;

    /** What Lambda calls. */
    public Reconcile() {
        this(ReconcilerEnvironment.fromLambda());
    }

    /** What tests call: every check the environment enables ({@link ReconcilerEnvironment#checks()}). */
    public Reconcile(ReconcilerEnvironment environment) {
        this.reconciler = environment.reconciler(environment.checks());
        this.skipped = environment.skipped();
        this.dryRunByDefault = environment.dryRun();
        this.json = environment.json();
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = json.readTree(input);
        boolean dryRun = dryRunByDefault || (event != null && event.path("dryRun").asBoolean(false));
        json.writeValue(output, answer(reconciler.run(dryRun, deadline(context))));
    }

    /**
     * Stop starting pages {@link #DEADLINE_MARGIN} before Lambda's timeout: the page under way (up to 250 orders,
     * each possibly read in full and queued) and the checkpoint write must fit in that margin. No context (a test,
     * a local invoke without one): no deadline.
     */
    static Deadline deadline(Context context) {
        if (context == null) {
            return Deadline.NONE;
        }
        return () -> context.getRemainingTimeInMillis() < DEADLINE_MARGIN.toMillis();
    }

    private ObjectNode answer(Reconciler.RunReport report) {
        ObjectNode answer = json.createObjectNode();
        answer.put("succeeded", report.succeeded());
        answer.put("complete", report.complete());
        answer.put("dryRun", report.dryRun());
        ArrayNode checks = answer.putArray("checks");
        for (Reconciler.CheckRun run : report.runs()) {
            ObjectNode check = checks.addObject().put("shop", run.shop()).put("check", run.report().check())
                    .put("from", run.window().from().toString()).put("to", run.window().to().toString())
                    .put("scanned", run.report().scanned()).put("current", run.report().current());
            if (run.report().partial()) {
                check.put("coveredTo", run.report().coveredTo().toString());
            }
            run.report().counts().forEach(check::put);
            ArrayNode queued = check.putArray(report.dryRun() ? "wouldQueue" : "queued");
            for (CheckReport.Queued item : run.report().queued()) {
                queued.addObject().put("flow", item.flow()).put("topic", item.topic()).put("entity", item.entity())
                        .put("webhookId", item.webhookId()).put("why", item.why());
            }
        }
        ObjectNode skippedChecks = answer.putObject("skipped");
        skipped.forEach(skippedChecks::put);
        ObjectNode failures = answer.putObject("failures");
        report.failures().forEach(failures::put);
        ObjectNode partial = answer.putObject("partial");
        report.partial().forEach(partial::put);
        return answer;
    }
}
