package io.shopsync.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.delivery.DeliveryStore;
import io.shopsync.envelope.Envelope;
import io.shopsync.flow.EntityVersion;
import io.shopsync.flow.Flow;
import io.shopsync.flow.TopicRule;
import io.shopsync.flow.UnprocessableWebhookException;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.FlowQueues;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Fulfilments whose webhooks were missed or are behind. For each order Shopify updated in the window, each of
 * its fulfilments (id and {@code updatedAt}, listed by the scan) has its entity and watermark keys computed as
 * the fulfilment flow computes them ({@link Flow#ruleFor}: the order is the entity, so the envelope gets the FIFO
 * group a fulfillments/* webhook of that order gets; each fulfilment has its own watermark). When a target lacks
 * that version, the fulfilment is read in full, converted to the webhook's shape ({@link FulfilmentPayload}) and
 * queued on the fulfilment flow's queue: as {@code fulfillments/create} when no target has it at all (Klaviyo's
 * Fulfilled Order is then sent; its unique_id keeps it once), else {@code fulfillments/update}.
 *
 * <p>The webhook id is {@code shopsync-reconcile-fulfillment-<fulfilment id>-<updated_at epoch millis>}: the same
 * for every run that finds this version, so overlapping runs queue and deliver it once.
 *
 * <p>Why a check of its own, with its own scan and checkpoint ({@code fulfilments}), rather than riding on the
 * order check's scan: the checks fail, advance and report independently (a fulfilment the fulfilment queue cannot
 * take holds back neither the order check's checkpoint nor its {@code MissedQueued} with flow=order-to-crm, and
 * this check's metric carries flow=fulfilment-to-crm, as {@link Reconciler} emits per check), and the order scan
 * stays at ids only (2 + 250 points a page). The price is a second listing of the window's orders: at 50 orders
 * a page with up to 10 fulfilment ids each (about 2 + 550 points), a typical 15-minute window costs a few hundred
 * points of a bucket that refills 100 a second; full reads happen only for fulfilments a target lacks.
 */
public final class FulfilmentReconciliation implements ReconcileCheck {

    public static final String NAME = "fulfilments";
    static final String WEBHOOK_ID_PREFIX = Envelope.RECONCILER_WEBHOOK_ID_PREFIX + "fulfillment-";
    private static final String CREATE = "fulfillments/create";
    private static final String UPDATED = "fulfillments/update";

    private final Flow flow;
    private final ShopifyOrders shopify;
    private final FulfilmentPayload payloads;
    private final TargetWatermarks watermarks;
    private final ReconcileSender sender;
    private final ObjectMapper json;
    private final Telemetry telemetry;

    /**
     * @param flow the fulfilment flow ({@link io.shopsync.flow.FulfilmentFlow#FLOW})
     * @param targets the fulfilment flow's configured targets (CRM_TARGETS)
     * @param queues the fulfilment flow's queues
     */
    public FulfilmentReconciliation(Flow flow, Set<String> targets, ShopifyOrders shopify, DeliveryStore store,
                                    FlowQueues queues, String apiVersion, ObjectMapper json, Telemetry telemetry, Clock clock) {
        this.flow = flow;
        this.shopify = shopify;
        this.payloads = new FulfilmentPayload(json);
        this.watermarks = new TargetWatermarks(targets, store, clock);
        this.sender = new ReconcileSender(flow.name(), queues, apiVersion, json, telemetry, clock);
        this.json = json;
        this.telemetry = telemetry;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String flow() {
        return flow.name();
    }

    @Override
    public CheckReport run(String shop, ReconcileWindow window, boolean dryRun) {
        return run(shop, window, dryRun, Deadline.NONE);
    }

    @Override
    public CheckReport run(String shop, ReconcileWindow window, boolean dryRun, Deadline deadline) {
        TopicRule rule = flow.ruleFor(UPDATED).orElseThrow(() -> new IllegalStateException("flow " + flow.name()
                + " does not take " + UPDATED + ": it is not the fulfilment flow"));
        int[] scanned = {0};
        int[] current = {0};
        List<CheckReport.Queued> queued = new ArrayList<>();
        Optional<Instant> stopped = shopify.scanFulfilments(shop, window.from(), window.to(), deadline, version -> {
            scanned[0]++;
            ObjectNode stub = json.createObjectNode();
            stub.put("id", new BigInteger(version.fulfilmentId()));
            stub.put("order_id", new BigInteger(version.orderId()));
            stub.put("updated_at", version.updatedAt().toString());
            if (watermarks.behind(shop, rule, stub).isEmpty()) {
                current[0]++;
                return;
            }
            Optional<JsonNode> fulfilment = shopify.fulfilment(shop, version.fulfilmentId());
            if (fulfilment.isEmpty()) {
                telemetry.line(flow.name(), "reconcile: fulfilment gone").field("shop", shop)
                        .field("orderId", version.orderId()).field("fulfilmentId", version.fulfilmentId())
                        .field("why", "listed on its order, but Shopify no longer has it: nothing to queue").emit();
                return;
            }
            ObjectNode payload;
            try {
                payload = payloads.webhookShape(fulfilment.get());
            } catch (UnprocessableWebhookException e) {
                throw new ReconcileFailedException("shop " + shop + ", fulfilment " + version.fulfilmentId() + " of order "
                        + version.orderId() + ": Shopify's answer cannot become a webhook payload (" + e.getMessage() + ")", e);
            }
            // Read now, it may be newer than the scan saw, and meanwhile a webhook may have delivered it.
            Optional<TargetWatermarks.Behind> behind = watermarks.behind(shop, rule, payload);
            if (behind.isEmpty()) {
                current[0]++;
                return;
            }
            queued.add(queue(shop, rule, payload, behind.get(), FulfilmentPayload.lineItemsTruncated(fulfilment.get()), dryRun));
        });
        return new CheckReport(NAME, scanned[0], current[0], queued, java.util.Map.of(), stopped.orElse(null));
    }

    private CheckReport.Queued queue(String shop, TopicRule rule, ObjectNode payload, TargetWatermarks.Behind behind,
                                     boolean truncated, boolean dryRun) {
        EntityVersion version = TargetWatermarks.versionOf(payload);
        String webhookId = WEBHOOK_ID_PREFIX + payload.get("id").asText() + "-" + version.updatedAt().toEpochMilli();
        return sender.queue(shop, behind.seenByAny() ? UPDATED : CREATE, webhookId, rule.entity().of(shop, payload),
                payload, behind, truncated ? "the fulfilment has more than 50 line items: the payload lists the first 50"
                        : null, dryRun);
    }
}
