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
 * Orders whose webhooks were missed or are behind: for each order Shopify updated in the window, its entity
 * and watermark keys are computed exactly as the order flow computes them ({@link Flow#ruleFor}), and each
 * target's watermark is read. When every target has this version or a newer one, the order is current.
 * Otherwise the order is read in full, converted to the webhook's shape ({@link OrderPayload}) and queued on
 * the order flow's work queue like a webhook (same FIFO group, claim check for a large body): as
 * {@code orders/create} when no target has the order at all (Klaviyo's Placed Order is then sent; its
 * unique_id keeps it once), else {@code orders/updated}.
 *
 * <p>The envelope's webhook id is {@code shopsync-reconcile-<order id>-<updated_at epoch millis>}
 * ({@link Envelope#RECONCILER_WEBHOOK_ID_PREFIX}): the same for every run that finds this version, so two
 * overlapping runs give SQS the same deduplication id and the delivery loop the same delivery record, and
 * the version is queued and delivered once. It carries no event id; its triggered-at is the order's
 * {@code updated_at} and its API version the Admin API's.
 */
public final class OrderReconciliation implements ReconcileCheck {

    public static final String NAME = "orders";
    /**
     * The payload field a backfilled order carries ({@code "shopsync_source": "backfill"}), and its value: the
     * connectors send history so that the CRM's automations do not take it for new (Klaviyo's {@code backfill}
     * flag; a property mappings may carry for HubSpot workflows to filter on).
     */
    public static final String SOURCE_FIELD = "shopsync_source";
    public static final String BACKFILL_SOURCE = "backfill";
    private static final String CREATE = "orders/create";
    private static final String UPDATED = "orders/updated";

    private final Flow flow;
    private final Set<String> targets;
    private final TargetWatermarks watermarks;
    private final ReconcileSender sender;
    private final ShopifyOrders orders;
    private final OrderPayload payloads;
    private final DeliveryStore store;
    private final FlowQueues queues;
    private final String apiVersion;
    private final ObjectMapper json;
    private final Telemetry telemetry;
    private final Clock clock;
    private final boolean backfill;

    /**
     * @param flow the order flow ({@link io.shopsync.flow.OrderFlow#FLOW})
     * @param targets the names of the order flow's configured targets (CRM_TARGETS)
     * @param queues the order flow's queues
     */
    public OrderReconciliation(Flow flow, Set<String> targets, ShopifyOrders orders, DeliveryStore store,
                               FlowQueues queues, String apiVersion, ObjectMapper json, Telemetry telemetry, Clock clock) {
        this(flow, targets, orders, store, queues, apiVersion, json, telemetry, clock, false);
    }

    private OrderReconciliation(Flow flow, Set<String> targets, ShopifyOrders orders, DeliveryStore store,
                                FlowQueues queues, String apiVersion, ObjectMapper json, Telemetry telemetry, Clock clock,
                                boolean backfill) {
        this.backfill = backfill;
        this.flow = flow;
        this.targets = Set.copyOf(targets);
        this.watermarks = new TargetWatermarks(targets, store, clock);
        this.sender = new ReconcileSender(flow.name(), queues, apiVersion, json, telemetry, clock);
        this.orders = orders;
        this.payloads = new OrderPayload(json);
        this.store = store;
        this.queues = queues;
        this.apiVersion = apiVersion;
        this.json = json;
        this.telemetry = telemetry;
        this.clock = clock;
    }

    /**
     * The same check, for a backfill: each payload it queues carries {@link #SOURCE_FIELD} {@code backfill},
     * so the connectors deliver it as history.
     */
    public OrderReconciliation backfill() {
        return new OrderReconciliation(flow, targets, orders, store, queues, apiVersion, json, telemetry, clock, true);
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
        return run(shop, window, dryRun, ScanProgress.NONE);
    }

    @Override
    public CheckReport run(String shop, ReconcileWindow window, boolean dryRun, Deadline deadline) {
        return run(shop, window, dryRun, ScanProgress.NONE, deadline);
    }

    @Override
    public CheckReport run(String shop, ReconcileWindow window, boolean dryRun, ScanProgress progress) {
        return run(shop, window, dryRun, progress, Deadline.NONE);
    }

    private CheckReport run(String shop, ReconcileWindow window, boolean dryRun, ScanProgress progress, Deadline deadline) {
        TopicRule rule = flow.ruleFor(UPDATED).orElseThrow(() -> new IllegalStateException("flow " + flow.name()
                + " does not take " + UPDATED + ": it is not the order flow"));
        int[] scanned = {0};
        int[] current = {0};
        List<CheckReport.Queued> queued = new ArrayList<>();
        Optional<Instant> stopped = orders.scan(shop, window.from(), window.to(), deadline, version -> {
            if (progress.alreadyHandled(version)) {
                return;
            }
            scanned[0]++;
            ObjectNode stub = json.createObjectNode();
            stub.put("id", new BigInteger(version.orderId()));
            stub.put("updated_at", version.updatedAt().toString());
            if (behind(shop, rule, stub).isEmpty()) {
                current[0]++;
                progress.handled(version, ScanProgress.Handled.CURRENT);
                return;
            }
            Optional<JsonNode> order = orders.order(shop, version.orderId());
            if (order.isEmpty()) {
                telemetry.line(flow.name(), "reconcile: order gone").field("shop", shop).field("orderId", version.orderId())
                        .field("why", "listed as updated, but Shopify no longer has it (deleted): nothing to queue").emit();
                progress.handled(version, ScanProgress.Handled.GONE);
                return;
            }
            ObjectNode payload;
            try {
                payload = payloads.webhookShape(order.get());
            } catch (UnprocessableWebhookException e) {
                throw new ReconcileFailedException("shop " + shop + ", order " + version.orderId() + ": Shopify's answer"
                        + " cannot become a webhook payload (" + e.getMessage() + ")", e);
            }
            if (backfill) {
                payload.put(SOURCE_FIELD, BACKFILL_SOURCE);
            }
            // The order as read now may be newer than the scan saw, and meanwhile a webhook may have delivered it.
            Optional<TargetWatermarks.Behind> behind = behind(shop, rule, payload);
            if (behind.isEmpty()) {
                current[0]++;
                progress.handled(version, ScanProgress.Handled.CURRENT);
                return;
            }
            queued.add(queue(shop, rule, payload, behind.get(), OrderPayload.lineItemsTruncated(order.get()), dryRun));
            progress.handled(version, ScanProgress.Handled.QUEUED);
        });
        return new CheckReport(NAME, scanned[0], current[0], queued, java.util.Map.of(), stopped.orElse(null));
    }

    private Optional<TargetWatermarks.Behind> behind(String shop, TopicRule rule, ObjectNode payload) {
        return watermarks.behind(shop, rule, payload);
    }

    private CheckReport.Queued queue(String shop, TopicRule rule, ObjectNode payload, TargetWatermarks.Behind behind,
                                     boolean truncated, boolean dryRun) {
        EntityVersion version = TargetWatermarks.versionOf(payload);
        String webhookId = Envelope.RECONCILER_WEBHOOK_ID_PREFIX + payload.get("id").asText() + "-"
                + version.updatedAt().toEpochMilli();
        return sender.queue(shop, behind.seenByAny() ? UPDATED : CREATE, webhookId, rule.entity().of(shop, payload),
                payload, behind, truncated ? "the order has more than 100 line items: the payload lists the first 100" : null,
                dryRun);
    }
}
