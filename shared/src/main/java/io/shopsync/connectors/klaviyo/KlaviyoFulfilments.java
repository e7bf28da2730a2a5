package io.shopsync.connectors.klaviyo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.FulfilmentScope;
import io.shopsync.connectors.klaviyo.KlaviyoApi.Event;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.Target;
import io.shopsync.http.TargetResponse;
import io.shopsync.mapping.Mapping;
import io.shopsync.mapping.MappingException;
import io.shopsync.observability.Telemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Shopify fulfilments into Klaviyo: a shipped fulfilment becomes the event {@code Fulfilled Order}, or
 * {@code Fulfilled Partial Order} when it leaves units of its order to fulfil ({@link FulfilmentScope}),
 * with the tracking properties {@code klaviyo-fulfilled-order.json} names. Klaviyo's custom-integration
 * names, so its flows and reports find them.
 *
 * <ul>
 *   <li><b>Profile</b>: the fulfilment's {@code email}, trimmed and lower-cased, the identity the order
 *       flow's profiles have. A fulfilment without one is {@code delivered} with nothing sent and counted
 *       ({@code FulfilmentsWithoutIdentifier}). No profile attributes are written: the order flow owns them.</li>
 *   <li><b>One event per fulfilment</b>, {@code unique_id} {@code shopify-fulfillment-<fulfilment id>}, sent
 *       from fulfillments/create with status {@code success}. fulfillments/update sends nothing, for three
 *       reasons: Klaviyo keeps only the first event per profile, metric and unique_id, so the same key
 *       could not add later tracking; a key per update (say, per shipment_status) would fire the
 *       shipping-confirmation flows built on Fulfilled Order again and count the fulfilment twice; and an
 *       update's line items carry the order's remainder at that time, so once later fulfilments ship the
 *       rest, an update of a partial fulfilment reads complete and would record it under the other metric
 *       too. So tracking added by a later update reaches HubSpot, not Klaviyo; a fulfilment created
 *       pending or open (older fulfilment services) and only later successful sends no event.</li>
 *   <li><b>Not a second revenue</b>: the event has no {@code value}; Placed Order carries the revenue.</li>
 *   <li><b>{@code sendEvents} false</b> ({@code KLAVIYO_ORDER_EVENTS=false}: the store runs Klaviyo's native
 *       Shopify integration, which records its own Fulfilled Order and Fulfilled Partial Order) sends
 *       nothing at all: an API event of the same name would be a second, separate metric.</li>
 *   <li><b>Outcomes</b> as for orders: 429, 5xx and timeouts {@code retry-later} (not before Retry-After or
 *       the wait Klaviyo's 429 names) and stop the batch; a 400 fails that fulfilment with Klaviyo's
 *       {@code detail}; a key rejected after one reload fails the batch saying to rotate it.</li>
 * </ul>
 */
public final class KlaviyoFulfilments implements Target {

    public static final String NAME = "klaviyo";
    /** The mapping file: {@code mappings/klaviyo-fulfilled-order.json}. */
    public static final String MAPPING = "klaviyo-fulfilled-order";

    static final String FULFILLED_ORDER = "Fulfilled Order";
    static final String FULFILLED_PARTIAL_ORDER = "Fulfilled Partial Order";

    private static final String CREATE = "fulfillments/create";
    private static final Set<String> TOPICS = Set.of(CREATE, "fulfillments/update");

    private final KlaviyoApi api;
    private final Mapping mapping;
    private final boolean sendEvents;
    private final Telemetry telemetry;
    private final ObjectMapper json;

    /** @param sendEvents false sends nothing (setting {@code KLAVIYO_ORDER_EVENTS}) */
    public KlaviyoFulfilments(KlaviyoApi api, Mapping mapping, boolean sendEvents, Telemetry telemetry, ObjectMapper json) {
        this.api = api;
        this.mapping = mapping;
        this.sendEvents = sendEvents;
        this.telemetry = telemetry;
        this.json = json;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** One fulfilment's way: the event to send, or the outcome already known. */
    private static final class Work {
        final DeliveryItem item;
        String fulfilmentId;
        ObjectNode identity;
        Event event;
        DeliveryOutcome outcome;

        Work(DeliveryItem item) {
            this.item = item;
        }
    }

    @Override
    public List<DeliveryOutcome> deliver(List<DeliveryItem> items) {
        List<Work> work = new ArrayList<>();
        for (DeliveryItem item : items) {
            work.add(plan(item));
        }
        DeliveryOutcome halt = null;
        for (Work w : work) {
            if (w.outcome != null) {
                continue;
            }
            if (halt != null) {
                w.outcome = halt;
                continue;
            }
            TargetResponse response = api.createEvent(w.identity, w.event);
            w.outcome = outcome(response, w);
            if (response instanceof TargetResponse.Transient retry) {
                // Throttled or down: the rest of the batch waits too instead of hammering Klaviyo.
                halt = new DeliveryOutcome.RetryLater("not sent: an earlier klaviyo request of the same batch failed: "
                        + retry.reason(), retry.notBefore());
            } else if (response instanceof TargetResponse.Permanent rejected && (rejected.status() == 401
                    || rejected.status() == 403)) {
                halt = w.outcome;
            }
        }
        List<DeliveryOutcome> outcomes = new ArrayList<>();
        for (Work w : work) {
            outcomes.add(w.outcome);
        }
        return outcomes;
    }

    private Work plan(DeliveryItem item) {
        Work w = new Work(item);
        JsonNode payload = item.payload();
        if (!TOPICS.contains(item.topic())) {
            w.outcome = new DeliveryOutcome.PermanentFailure("the klaviyo fulfilment connector does not handle topic "
                    + item.topic() + ": take klaviyo off this flow's targets, or teach KlaviyoFulfilments the topic",
                    "unsupported-topic");
            return w;
        }
        Optional<FulfilmentScope> scope = FulfilmentScope.of(payload);
        if (!sendEvents || !CREATE.equals(item.topic()) || scope.isEmpty()) {
            w.outcome = new DeliveryOutcome.Delivered(); // nothing to send: see the class comment
            return w;
        }
        try {
            w.fulfilmentId = KlaviyoJson.shopifyId(payload.get("id"), "id");
            String email = email(payload.get("email"));
            if (email == null) {
                telemetry.line(item.envelope().flow(), "fulfilment without e-mail: no Klaviyo event sent")
                        .field("target", NAME).field("shop", item.shop()).field("topic", item.topic())
                        .field("fulfillmentId", w.fulfilmentId).field("webhookId", item.envelope().webhookId())
                        .field("entity", item.envelope().entity()).count("FulfilmentsWithoutIdentifier").emit();
                w.outcome = new DeliveryOutcome.Delivered();
                return w;
            }
            w.identity = json.createObjectNode().put("email", email);
            String metric = scope.get() == FulfilmentScope.PARTIAL ? FULFILLED_PARTIAL_ORDER : FULFILLED_ORDER;
            w.event = new Event(metric, "shopify-fulfillment-" + w.fulfilmentId,
                    KlaviyoJson.nest(json, mapping.apply(FulfilmentScope.annotated(payload), item.shop(), item.topic())));
        } catch (MappingException e) {
            w.outcome = new DeliveryOutcome.PermanentFailure("klaviyo, fulfilment " + (w.fulfilmentId == null ? "?"
                    : w.fulfilmentId) + ": " + e.getMessage() + " (mapping " + mapping.name() + "): fix the mapping "
                    + "(docs/data-mapping.md) or the fulfilment in Shopify, then redrive the dead letter", "mapping");
        }
        return w;
    }

    /** The fulfilment's outcome for Klaviyo's answer to its event. */
    private DeliveryOutcome outcome(TargetResponse response, Work w) {
        String what = w.event.metric() + " event of fulfilment " + w.fulfilmentId;
        if (response instanceof TargetResponse.Transient retry) {
            return new DeliveryOutcome.RetryLater(retry.reason() + " (" + what + ")", retry.notBefore());
        }
        if (response instanceof TargetResponse.Permanent permanent) {
            if (permanent.status() == 401 || permanent.status() == 403) {
                return permanent.outcome(); // KlaviyoApi already says to rotate the key, and which scopes it needs
            }
            String said = permanent.reason();
            return new DeliveryOutcome.PermanentFailure("klaviyo rejected the " + what + ": " + said
                    + ": correct the fulfilment in Shopify or the mapping " + mapping.name()
                    + ", then redrive the dead letter", permanent.category());
        }
        return new DeliveryOutcome.Delivered();
    }

    private static String email(JsonNode value) {
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            return null;
        }
        return value.asText().trim().toLowerCase(Locale.ROOT);
    }


}
