package io.shopsync.connectors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopsync.connectors.hubspot.HubSpotApi.UpdateInput;
import io.shopsync.connectors.hubspot.HubSpotApi.UpdateResult;
import io.shopsync.connectors.hubspot.HubSpotApi.UpsertInput;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.Target;
import io.shopsync.http.TargetResponse;
import io.shopsync.mapping.Mapping;
import io.shopsync.mapping.MappingException;
import io.shopsync.observability.Telemetry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shopify orders and refunds into HubSpot: the customer as a contact (upsert by lower-cased e-mail,
 * so one person is one contact however the address was cased), the order as a Commerce order (upsert
 * by {@code shopify_order_id}), then order → contact associated. Only the properties the mappings
 * name are written: the CRM owns everything else on the contact.
 *
 * <p>When the deployment also takes customers/create and customers/update, those upsert the contact
 * alone, from the customer mapping.
 *
 * <p>A refund updates its order and never creates one: when the order is not in HubSpot yet the refund is
 * retried and, once the queue's attempts are spent, dead-lettered saying so.
 *
 * <p>An order without an e-mail (a guest or POS sale, or redacted data) is delivered as order data
 * without a contact and counted ({@code OrdersWithoutContact}), not failed. A contact, order or
 * association that HubSpot rejects (per input, inside a 200 or 207, or a whole batch refused with 400 for
 * one input, which {@link HubSpotApi} splits) fails permanently for that order only; the rest of the
 * batch goes on. Per-input rate limits, conflicts and locks are retried.
 */
public final class HubSpotOrders implements Target {

    public static final String NAME = "hubspot";
    private static final String ORDER_KEY = "shopify_order_id";

    private final HubSpotApi api;
    private final Mapping contactMapping;
    private final Mapping orderMapping;
    private final Mapping refundMapping;
    private final Mapping customerMapping;
    private final Telemetry telemetry;
    private final String flow;

    /** @param customerMapping contacts from customers/* webhooks (a deployment may take those topics too) */
    public HubSpotOrders(HubSpotApi api, Mapping contactMapping, Mapping orderMapping, Mapping refundMapping,
                         Mapping customerMapping, Telemetry telemetry, String flow) {
        this.api = api;
        this.contactMapping = contactMapping;
        this.orderMapping = orderMapping;
        this.refundMapping = refundMapping;
        this.customerMapping = customerMapping;
        this.telemetry = telemetry;
        this.flow = flow;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** One item's way through the three calls. */
    private static final class Work {
        final DeliveryItem item;
        final String orderTrace;
        String email;
        Map<String, String> contact;
        Map<String, String> order;
        String contactId;
        String orderId;
        DeliveryOutcome outcome;

        Work(DeliveryItem item, int index) {
            this.item = item;
            this.orderTrace = "order-" + index;
        }
    }

    @Override
    public List<DeliveryOutcome> deliver(List<DeliveryItem> items) {
        List<Work> work = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            work.add(map(new Work(items.get(i), i)));
        }
        upsertContacts(work);
        writeOrders(work);
        associate(work);
        List<DeliveryOutcome> outcomes = new ArrayList<>();
        for (Work w : work) {
            outcomes.add(w.outcome != null ? w.outcome : new DeliveryOutcome.Delivered());
        }
        return outcomes;
    }

    private Work map(Work w) {
        DeliveryItem item = w.item;
        try {
            if (item.topic().startsWith("customers/")) {
                w.contact = strings(customerMapping.apply(item.payload(), item.shop(), item.topic()));
                w.email = w.contact.get("email");
                if (w.email == null) {
                    w.contact = null; // a customer with a phone only: nothing HubSpot can key a contact by
                }
                return w;
            }
            boolean refund = item.topic().startsWith("refunds/");
            w.order = strings((refund ? refundMapping : orderMapping).apply(item.payload(), item.shop(), item.topic()));
            if (!refund) {
                w.contact = strings(contactMapping.apply(item.payload(), item.shop(), item.topic()));
                w.email = w.contact.get("email");
                if (w.email == null) {
                    w.contact = null;
                    telemetry.line(flow, "order without e-mail: delivered without a contact").field("target", NAME)
                            .field("webhookId", item.envelope().webhookId()).field("entity", item.envelope().entity())
                            .count("OrdersWithoutContact").emit();
                } else if (item.personIsStale()) {
                    // HubSpot has a newer version of this customer: find the contact, change none of its properties.
                    w.contact = Map.of("email", w.email);
                }
            }
        } catch (MappingException e) {
            w.outcome = new DeliveryOutcome.PermanentFailure(e.getMessage()
                    + ": fix the mapping (docs/data-mapping.md) or the order in Shopify, then redrive", "mapping");
        }
        return w;
    }

    private void upsertContacts(List<Work> work) {
        Map<String, UpsertInput> byEmail = new LinkedHashMap<>();
        for (Work w : work) {
            if (w.outcome == null && w.contact != null) {
                byEmail.putIfAbsent(w.email, new UpsertInput("contact-" + byEmail.size(), "email", w.email, w.contact));
            }
        }
        for (List<UpsertInput> chunk : chunks(new ArrayList<>(byEmail.values()))) {
            Map<String, UpdateResult> results = api.upsert("contacts", chunk);
            for (Work w : work) {
                UpsertInput input = w.contact == null ? null : byEmail.get(w.email);
                if (w.outcome != null || input == null || !results.containsKey(input.traceId())) {
                    continue;
                }
                UpdateResult result = results.get(input.traceId());
                w.outcome = failure(result, "upserting the contact", "contact");
                if (w.outcome == null) {
                    w.contactId = ((UpdateResult.Updated) result).objectId();
                }
            }
        }
    }

    /**
     * Orders are upserted; refunds only update the order they belong to, so a refund that comes before its
     * order never creates a bare order holding only the refund's fields: it waits for the order.
     */
    private void writeOrders(List<Work> work) {
        List<Work> pending = work.stream().filter(w -> w.outcome == null && w.order != null).toList();
        List<UpdateInput> upserts = new ArrayList<>();
        List<UpdateInput> updates = new ArrayList<>();
        for (Work w : pending) {
            UpdateInput input = new UpdateInput(w.orderTrace, ORDER_KEY, w.order.get(ORDER_KEY), w.order);
            (w.item.topic().startsWith("refunds/") ? updates : upserts).add(input);
        }
        Map<String, UpdateResult> results = new LinkedHashMap<>();
        for (List<UpdateInput> chunk : chunks(upserts)) {
            results.putAll(api.upsert("orders", chunk.stream()
                    .map(i -> new UpsertInput(i.traceId(), i.idProperty(), i.id(), i.properties())).toList()));
        }
        for (List<UpdateInput> chunk : chunks(updates)) {
            results.putAll(api.update("orders", chunk));
        }
        for (Work w : pending) {
            UpdateResult result = results.get(w.orderTrace);
            w.outcome = failure(result, "writing the order", "order");
            if (w.outcome == null) {
                w.orderId = ((UpdateResult.Updated) result).objectId();
            }
        }
    }

    private void associate(List<Work> work) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (Work w : work) {
            if (w.outcome == null && w.orderId != null && w.contactId != null) {
                pairs.put(w.orderId, w.contactId);
            }
        }
        if (pairs.isEmpty()) {
            return;
        }
        Map<String, UpdateResult> results = api.associateDefault("orders", "contacts", pairs);
        for (Work w : work) {
            if (w.outcome == null && w.orderId != null && results.containsKey(w.orderId)) {
                w.outcome = failure(results.get(w.orderId), "associating the order with its contact", "association");
            }
        }
    }

    /** The item's outcome from HubSpot's answer for its input, or null when the input was written (also for consent). */
    static DeliveryOutcome failure(UpdateResult result, String doing, String what) {
        if (result instanceof UpdateResult.Updated) {
            return null;
        }
        if (result instanceof UpdateResult.NotFound notFound) {
            // Only a refund's update can miss its order; an object just written can be missing for a moment.
            return new DeliveryOutcome.RetryLater(!"order".equals(what) ? notFound.reason() + " (" + doing + ")"
                    : HubSpotFulfilments.NOT_IN_HUBSPOT_YET + " (" + doing + "); if this is dead-lettered, deliver the "
                            + "order first (check the order-to-crm dead-letter queue for its orders/* webhook), then redrive");
        }
        if (result instanceof UpdateResult.Rejected rejected) {
            return rejected.retryable() ? new DeliveryOutcome.RetryLater(rejected.reason() + " (" + doing + ")")
                    : new DeliveryOutcome.PermanentFailure(rejected.reason() + " (" + doing + "): correct it in Shopify "
                            + "or the mapping, then redrive", "hubspot-" + what + "-rejected");
        }
        TargetResponse response = ((UpdateResult.RequestFailed) result).failure();
        if (response instanceof TargetResponse.Transient retry) {
            return new DeliveryOutcome.RetryLater(retry.reason() + " (" + doing + ")", retry.notBefore());
        }
        TargetResponse.Permanent permanent = (TargetResponse.Permanent) response;
        return new DeliveryOutcome.PermanentFailure(permanent.reason() + " (" + doing + ")", permanent.category());
    }

    private static Map<String, String> strings(Map<String, JsonNode> values) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((name, value) -> out.put(name, value.isValueNode() ? value.asText() : value.toString()));
        return out;
    }

    private static <T> List<List<T>> chunks(List<T> all) {
        List<List<T>> chunks = new ArrayList<>();
        for (int i = 0; i < all.size(); i += HubSpotApi.BATCH_LIMIT) {
            chunks.add(all.subList(i, Math.min(all.size(), i + HubSpotApi.BATCH_LIMIT)));
        }
        return chunks;
    }
}
