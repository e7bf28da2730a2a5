package io.shopsync.reconcile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.flow.EntityVersion;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.FlowQueues;
import io.shopsync.queue.QueueUnavailableException;
import java.time.Clock;

/**
 * Puts a reconciled payload on its flow's work queue as a webhook's envelope would be (the order, fulfilment and
 * customer checks): no event id, its {@code updated_at} as triggered-at, the Admin API's version, and one log line
 * ("reconcile: queued", or "reconcile: would queue" in a dry run, which sends nothing).
 */
final class ReconcileSender {

    private final String flow;
    private final FlowQueues queues;
    private final String apiVersion;
    private final ObjectMapper json;
    private final Telemetry telemetry;
    private final Clock clock;
    private final String whatNext;

    ReconcileSender(String flow, FlowQueues queues, String apiVersion, ObjectMapper json, Telemetry telemetry, Clock clock) {
        this(flow, queues, apiVersion, json, telemetry, clock, "the next run queues it again");
    }

    /** @param whatNext what the operator does when the queue refuses an envelope, for the error */
    ReconcileSender(String flow, FlowQueues queues, String apiVersion, ObjectMapper json, Telemetry telemetry, Clock clock,
                    String whatNext) {
        this.flow = flow;
        this.queues = queues;
        this.apiVersion = apiVersion;
        this.json = json;
        this.telemetry = telemetry;
        this.clock = clock;
        this.whatNext = whatNext;
    }

    /**
     * @param warning what the payload lacks that the log line should say (more line items than read), or null
     * @throws ReconcileFailedException when the queue cannot take it: the next run queues it again
     */
    CheckReport.Queued queue(String shop, String topic, String webhookId, String entity, ObjectNode payload,
                             TargetWatermarks.Behind behind, String warning, boolean dryRun) {
        EntityVersion version = TargetWatermarks.versionOf(payload);
        String why = String.join("; ", behind.why());
        Telemetry.Line line = telemetry.line(flow, dryRun ? "reconcile: would queue" : "reconcile: queued")
                .field("shop", shop).field("topic", topic).field("webhookId", webhookId).field("entity", entity)
                .field("why", why).field("dryRun", dryRun).field("warning", warning);
        if (!dryRun) {
            byte[] body;
            try {
                body = json.writeValueAsBytes(payload);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write a reconciled payload", e);
            }
            try {
                queues.enqueue(new Envelope(flow, topic, shop, webhookId, null, version.updatedAt(), apiVersion,
                        clock.instant(), entity, new Body.Inline(body)));
            } catch (QueueUnavailableException e) {
                throw new ReconcileFailedException("shop " + shop + ": cannot queue " + webhookId + " for " + entity
                        + " (" + e.getMessage() + "); " + whatNext, e);
            }
        }
        line.emit();
        return new CheckReport.Queued(flow, topic, entity, webhookId, why);
    }
}
