package io.shopsync.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.delivery.DeliveryStore;
import io.shopsync.envelope.Envelope;
import io.shopsync.flow.Flow;
import io.shopsync.flow.TopicRule;
import io.shopsync.flow.UnprocessableWebhookException;
import io.shopsync.flow.WebhookRoutes;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.FlowQueues;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The customer import of a backfill: every customer Shopify updated in the window, including those who never
 * ordered (an order import brings only the customers of its orders). Each is held against the person watermark the
 * order flow keeps per target ({@code <shop>/customer/<id>}: what its customers/* webhooks and the customer embedded
 * in its orders advance, see {@link Flow#withPerson}); a customer every target has in this version or a newer one
 * is current and left alone. Any other is queued on the order flow's work queue as Shopify's webhook for that
 * person and version would arrive: the REST-shaped payload ({@link CustomerPayload}), the flow's entity key as FIFO
 * group, {@code customers/create} when no target has the person at all, else {@code customers/update}.
 *
 * <p>The webhook id is {@code shopsync-reconcile-customer-<id>-<updated_at epoch millis>}: the same for every run
 * that finds this version, so an import resumed or run twice gives SQS the same deduplication id and the delivery
 * loop the same delivery record. Its triggered-at is the customer's {@code updated_at}, the lowest a webhook of that
 * version can carry: a live webhook of the same version delivered before makes the imported one stale. Every payload
 * carries {@code "shopsync_source": "backfill"} ({@link OrderReconciliation#SOURCE_FIELD}): the customer connectors
 * send profiles and contacts only, never events, so history starts no event-triggered automation.
 *
 * <p>The flow must take customers/* (a stack deployed with {@code OrderFlowCustomerTopics=true}): otherwise the
 * order flow would dead-letter every envelope, so the check refuses to start.
 */
public final class CustomerReconciliation implements ReconcileCheck {

    public static final String NAME = "customers";
    public static final String WEBHOOK_ID_PREFIX = Envelope.RECONCILER_WEBHOOK_ID_PREFIX + "customer-";
    private static final String CREATE = WebhookRoutes.CUSTOMER_TOPICS.get(0);
    private static final String UPDATE = WebhookRoutes.CUSTOMER_TOPICS.get(1);

    private final Flow flow;
    private final ShopifyCustomers customers;
    private final CustomerPayload payloads;
    private final TargetWatermarks watermarks;
    private final ReconcileSender sender;

    /**
     * @param flow the order flow as the stack takes it ({@link WebhookRoutes#orderFlow(boolean)})
     * @param targets the names of the order flow's configured targets (CRM_TARGETS)
     * @param queues the order flow's queues
     * @throws IllegalArgumentException when the flow does not take customers/*
     */
    public CustomerReconciliation(Flow flow, Set<String> targets, ShopifyCustomers customers, DeliveryStore store,
                                  FlowQueues queues, String apiVersion, ObjectMapper json, Telemetry telemetry, Clock clock) {
        for (String topic : WebhookRoutes.CUSTOMER_TOPICS) {
            if (flow.ruleFor(topic).isEmpty()) {
                throw new IllegalArgumentException("flow " + flow.name() + " does not take " + topic + ": the stack's "
                        + "order flow would dead-letter imported customers; deploy it with OrderFlowCustomerTopics=true "
                        + "(and subscribe customers/create and customers/update: webhooks register) before importing them");
            }
        }
        this.flow = flow;
        this.customers = customers;
        this.payloads = new CustomerPayload(json);
        this.watermarks = new TargetWatermarks(targets, store, clock);
        this.sender = new ReconcileSender(flow.name(), queues, apiVersion, json, telemetry, clock,
                "run the same command again to resume");
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
    public CheckReport run(String shop, ReconcileWindow window, boolean dryRun, ScanProgress progress) {
        TopicRule rule = flow.ruleFor(UPDATE).orElseThrow();
        int[] scanned = {0};
        int[] current = {0};
        List<CheckReport.Queued> queued = new ArrayList<>();
        customers.scan(shop, window.from(), window.to(), listed -> {
            ShopifyOrders.Version version = listed.version();
            if (progress.alreadyHandled(version)) {
                return;
            }
            scanned[0]++;
            ObjectNode payload;
            try {
                payload = payloads.webhookShape(listed.customer());
            } catch (UnprocessableWebhookException e) {
                throw new ReconcileFailedException("shop " + shop + ", customer " + version.orderId() + ": Shopify's "
                        + "answer cannot become a webhook payload (" + e.getMessage() + ")", e);
            }
            payload.put(OrderReconciliation.SOURCE_FIELD, OrderReconciliation.BACKFILL_SOURCE);
            Optional<TargetWatermarks.Behind> behind = watermarks.behind(shop, rule, payload);
            if (behind.isEmpty()) {
                current[0]++;
                progress.handled(version, ScanProgress.Handled.CURRENT);
                return;
            }
            String webhookId = WEBHOOK_ID_PREFIX + payload.get("id").asText() + "-"
                    + TargetWatermarks.versionOf(payload).updatedAt().toEpochMilli();
            queued.add(sender.queue(shop, behind.get().seenByAny() ? UPDATE : CREATE, webhookId,
                    rule.entity().of(shop, payload), payload, behind.get(), null, dryRun));
            progress.handled(version, ScanProgress.Handled.QUEUED);
        });
        return new CheckReport(NAME, scanned[0], current[0], queued);
    }
}
