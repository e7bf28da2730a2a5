package io.shopsync.connectors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopsync.connectors.FulfilmentScope;
import io.shopsync.connectors.hubspot.HubSpotApi.UpdateInput;
import io.shopsync.connectors.hubspot.HubSpotApi.UpdateResult;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.Target;
import io.shopsync.http.TargetResponse;
import io.shopsync.mapping.Mapping;
import io.shopsync.mapping.MappingException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Shopify fulfilments into HubSpot: each fulfillments/create or /update updates its order, found by
 * {@code shopify_order_id} = the fulfilment's {@code order_id}, with the properties
 * {@code hubspot-fulfilment.json} names (fulfilment status, tracking numbers and links, carrier,
 * shipment status). It uses batch update, never upsert: a fulfilment must not create an order.
 *
 * <p>When the order is not in HubSpot yet (the fulfilment webhook came before the order's, or the
 * order flow has not delivered it), the fulfilment is {@code retry-later}: the runtime retries with
 * backoff and, on the queue's last attempt, dead-letters it with "retries exhausted ... last error: the
 * order is not in HubSpot yet". That is the bounded wait for the order flow.
 *
 * <p>A rejected input fails its fulfilment only, with HubSpot's reason; rate limits, conflicts and
 * locks on an input, 429, 5xx and timeouts are retried (not before Retry-After); a 401 reloads the
 * token once, then fails saying to rotate it.
 */
public final class HubSpotFulfilments implements Target {

    public static final String NAME = "hubspot";
    /** The mapping file: {@code mappings/hubspot-fulfilment.json}. */
    public static final String MAPPING = "hubspot-fulfilment";
    static final String ORDER_KEY = "shopify_order_id";
    static final String NOT_IN_HUBSPOT_YET = "the order is not in HubSpot yet (its orders webhook has not been delivered)";

    private static final Set<String> TOPICS = Set.of("fulfillments/create", "fulfillments/update");
    /** Per-input error categories the same input may get past later. */
    private static final Set<String> TRANSIENT_CATEGORIES = Set.of("RATE_LIMIT", "RATE_LIMITS", "CONFLICT", "LOCKED");

    private final HubSpotApi api;
    private final Mapping mapping;

    public HubSpotFulfilments(HubSpotApi api, Mapping mapping) {
        this.api = api;
        this.mapping = mapping;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<DeliveryOutcome> deliver(List<DeliveryItem> items) {
        DeliveryOutcome[] outcomes = new DeliveryOutcome[items.size()];
        Map<String, Integer> itemByTrace = new LinkedHashMap<>();
        List<UpdateInput> inputs = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            DeliveryItem item = items.get(i);
            if (!TOPICS.contains(item.topic())) {
                outcomes[i] = new DeliveryOutcome.PermanentFailure("the hubspot fulfilment connector does not handle topic "
                        + item.topic() + ": take hubspot off this flow's targets, or teach HubSpotFulfilments the topic",
                        "unsupported-topic");
                continue;
            }
            try {
                Map<String, String> properties = strings(mapping.apply(FulfilmentScope.annotated(item.payload()),
                        item.shop(), item.topic()));
                String orderId = properties.get(ORDER_KEY);
                if (orderId == null) {
                    throw new MappingException("mapping " + mapping.name() + " must map " + ORDER_KEY
                            + " (the key of the order to update)");
                }
                String trace = "fulfilment-" + i;
                itemByTrace.put(trace, i);
                inputs.add(new UpdateInput(trace, ORDER_KEY, orderId, properties));
            } catch (MappingException e) {
                outcomes[i] = new DeliveryOutcome.PermanentFailure("hubspot, fulfilment " + fulfilmentId(item) + ": "
                        + e.getMessage() + ": fix the mapping (docs/data-mapping.md) or the fulfilment in Shopify, then "
                        + "redrive the dead letter", "mapping");
            }
        }
        for (int start = 0; start < inputs.size(); start += HubSpotApi.BATCH_LIMIT) {
            List<UpdateInput> chunk = inputs.subList(start, Math.min(inputs.size(), start + HubSpotApi.BATCH_LIMIT));
            Map<String, UpdateResult> results = api.update("orders", chunk);
            for (UpdateInput input : chunk) {
                outcomes[itemByTrace.get(input.traceId())] = outcome(results.get(input.traceId()), input.id());
            }
        }
        return Arrays.asList(outcomes);
    }

    private static DeliveryOutcome outcome(UpdateResult result, String orderId) {
        if (result instanceof UpdateResult.Updated) {
            return new DeliveryOutcome.Delivered();
        }
        if (result instanceof UpdateResult.NotFound) {
            return new DeliveryOutcome.RetryLater(NOT_IN_HUBSPOT_YET + ": no HubSpot order has " + ORDER_KEY + " "
                    + orderId + "; if this is dead-lettered, deliver the order first (check the order-to-crm "
                    + "dead-letter queue for it, or sync an order older than Shopsync into HubSpot), then redrive");
        }
        if (result instanceof UpdateResult.Rejected rejected) {
            String reason = rejected.reason() + " (updating order " + orderId + " with its fulfilment)";
            return TRANSIENT_CATEGORIES.contains(rejected.category()) ? new DeliveryOutcome.RetryLater(reason)
                    : new DeliveryOutcome.PermanentFailure(reason + ": correct it in Shopify or the mapping "
                            + MAPPING + ", then redrive", "hubspot-fulfilment-rejected");
        }
        TargetResponse failure = ((UpdateResult.RequestFailed) result).failure();
        if (failure instanceof TargetResponse.Transient retry) {
            return new DeliveryOutcome.RetryLater(retry.reason() + " (updating order " + orderId + ")", retry.notBefore());
        }
        TargetResponse.Permanent permanent = (TargetResponse.Permanent) failure;
        return new DeliveryOutcome.PermanentFailure(permanent.reason() + " (updating order " + orderId + ")",
                permanent.category());
    }

    private static String fulfilmentId(DeliveryItem item) {
        JsonNode id = item.payload().get("id");
        return id != null && id.isIntegralNumber() ? id.bigIntegerValue().toString() : String.valueOf(id);
    }

    private static Map<String, String> strings(Map<String, JsonNode> values) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((name, value) -> out.put(name, value.isValueNode() ? value.asText() : value.toString()));
        return out;
    }
}
