package io.shopsync.connectors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopsync.connectors.hubspot.HubSpotApi.BatchAnswer;
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
 * <p>An order without an e-mail (a guest or POS sale, or redacted data) is delivered as order data
 * without a contact and counted ({@code OrdersWithoutContact}), not failed. A contact or order that
 * HubSpot rejects fails permanently for that order only; the rest of the batch goes on.
 */
public final class HubSpotOrders implements Target {

    public static final String NAME = "hubspot";

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
        upsertOrders(work);
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
            BatchAnswer answer = api.upsert("contacts", chunk);
            for (Work w : work) {
                UpsertInput input = w.contact == null ? null : byEmail.get(w.email);
                if (w.outcome != null || input == null || !chunk.contains(input)) {
                    continue;
                }
                w.outcome = failure(answer, input.traceId(), "contact");
                if (w.outcome == null) {
                    w.contactId = ((BatchAnswer.Answered) answer).ids().get(input.traceId());
                }
            }
        }
    }

    private void upsertOrders(List<Work> work) {
        List<Work> pending = work.stream().filter(w -> w.outcome == null && w.order != null).toList();
        List<UpsertInput> inputs = new ArrayList<>();
        for (Work w : pending) {
            inputs.add(new UpsertInput(w.orderTrace, "shopify_order_id", w.order.get("shopify_order_id"), w.order));
        }
        for (List<UpsertInput> chunk : chunks(inputs)) {
            BatchAnswer answer = api.upsert("orders", chunk);
            for (Work w : pending) {
                if (chunk.stream().noneMatch(input -> input.traceId().equals(w.orderTrace))) {
                    continue;
                }
                w.outcome = failure(answer, w.orderTrace, "order");
                if (w.outcome == null) {
                    w.orderId = ((BatchAnswer.Answered) answer).ids().get(w.orderTrace);
                }
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
        TargetResponse response = api.associateDefault("orders", "contacts", pairs);
        for (Work w : work) {
            if (w.outcome == null && w.orderId != null && pairs.containsKey(w.orderId)) {
                w.outcome = requestFailure(response, "associating the order with its contact");
            }
        }
    }

    /** The item's outcome from a batch answer, or null when its input succeeded. */
    private static DeliveryOutcome failure(BatchAnswer answer, String traceId, String what) {
        if (answer instanceof BatchAnswer.Failed failed) {
            return requestFailure(failed.failure(), "upserting the " + what);
        }
        BatchAnswer.Answered answered = (BatchAnswer.Answered) answer;
        String error = answered.errors().get(traceId);
        if (error != null) {
            boolean retryable = error.contains("RATE_LIMIT") || error.contains("CONFLICT") || error.contains("LOCKED");
            return retryable ? new DeliveryOutcome.RetryLater(error + " (" + what + ")")
                    : new DeliveryOutcome.PermanentFailure(error + " (" + what + "): correct it in Shopify or the "
                            + "mapping, then redrive", "hubspot-" + what + "-rejected");
        }
        if (!answered.ids().containsKey(traceId)) {
            return new DeliveryOutcome.RetryLater("hubspot answered without a result for this " + what);
        }
        return null;
    }

    private static DeliveryOutcome requestFailure(TargetResponse response, String doing) {
        if (response instanceof TargetResponse.Transient retry) {
            return new DeliveryOutcome.RetryLater(retry.reason() + " (" + doing + ")", retry.notBefore());
        }
        if (response instanceof TargetResponse.Permanent permanent) {
            return new DeliveryOutcome.PermanentFailure(permanent.reason() + " (" + doing + ")", permanent.category());
        }
        return null;
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
