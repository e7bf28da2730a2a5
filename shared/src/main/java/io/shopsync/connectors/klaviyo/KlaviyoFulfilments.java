package io.shopsync.connectors.klaviyo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.FulfilmentScope;
import io.shopsync.connectors.shopify.ShopifyAdmin;
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
 *       flow's profiles have. Shopify's fulfilment payload may leave it out (its 2026-07 examples do): then
 *       the order's e-mail is looked up through Shopify's Admin API ({@code FulfilmentEmailLookups}). No
 *       token configured, or an order without e-mail either (a guest known by phone, a POS sale): the
 *       fulfilment is dead-lettered ({@code no-identifier}) with what to do, never dropped in silence. No
 *       profile attributes are written: the order flow owns them.</li>
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

    static final String NO_IDENTIFIER = "no-identifier";
    private static final String CREATE = "fulfillments/create";
    private static final Set<String> TOPICS = Set.of(CREATE, "fulfillments/update");

    private final KlaviyoApi api;
    private final Optional<ShopifyAdmin> orders;
    private final Mapping mapping;
    private final boolean sendEvents;
    private final Telemetry telemetry;
    private final ObjectMapper json;

    /**
     * @param orders looks up the order's e-mail when the fulfilment has none; empty when the flow has no
     *               Shopify Admin API token (such fulfilments are then dead-lettered, saying so)
     * @param sendEvents false sends nothing (setting {@code KLAVIYO_ORDER_EVENTS})
     */
    public KlaviyoFulfilments(KlaviyoApi api, Optional<ShopifyAdmin> orders, Mapping mapping, boolean sendEvents,
                              Telemetry telemetry, ObjectMapper json) {
        this.api = api;
        this.orders = orders;
        this.mapping = mapping;
        this.sendEvents = sendEvents;
        this.telemetry = telemetry;
        this.json = json;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Fulfilled Order comes only from fulfillments/create: an update that overtook it must not cost the event. */
    @Override
    public boolean carriesEvents(String topic) {
        return sendEvents && CREATE.equals(topic);
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
                Lookup person = orderEmail(item, w.fulfilmentId, KlaviyoJson.shopifyId(payload.get("order_id"), "order_id"));
                if (person.outcome() != null) {
                    w.outcome = person.outcome();
                    return w;
                }
                email = person.email();
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

    /** The person of a fulfilment without e-mail: the order's e-mail, or why there is none. */
    private record Lookup(String email, DeliveryOutcome outcome) {}

    private Lookup orderEmail(DeliveryItem item, String fulfilmentId, String orderId) {
        String what = "klaviyo, fulfilment " + fulfilmentId + " of order " + orderId + ": ";
        if (orders.isEmpty()) {
            return new Lookup(null, new DeliveryOutcome.PermanentFailure(what + "the fulfilment carries no e-mail (Shopify's"
                    + " fulfilment payload may leave it out) and no Shopify Admin API token is configured to look up the"
                    + " order's: set SHOPIFY_ADMIN_TOKENS_SECRET_ID for the fulfilment flow (scope read_orders), then"
                    + " redrive", NO_IDENTIFIER));
        }
        ShopifyAdmin.OrderLookup found;
        try {
            found = orders.get().orderEmail(item.shop(), orderId);
        } catch (RuntimeException e) {
            // The token could not be read (Secrets Manager down, secret missing): retried, then dead-lettered saying so.
            return new Lookup(null, new DeliveryOutcome.RetryLater(what + "cannot look up the order's e-mail: "
                    + e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        if (found instanceof ShopifyAdmin.OrderLookup.Failed failed) {
            if (failed.outcome() instanceof DeliveryOutcome.RetryLater retry) {
                return new Lookup(null, new DeliveryOutcome.RetryLater(what + retry.reason(), retry.notBefore()));
            }
            DeliveryOutcome.PermanentFailure permanent = (DeliveryOutcome.PermanentFailure) failed.outcome();
            return new Lookup(null, new DeliveryOutcome.PermanentFailure(what + permanent.reason(), permanent.category()));
        }
        if (found instanceof ShopifyAdmin.OrderLookup.NotFound) {
            return new Lookup(null, new DeliveryOutcome.PermanentFailure(what + "the order does not exist in Shopify"
                    + " (deleted since the fulfilment?): nothing to send; discard the dead letter", "unknown-order"));
        }
        String email = email(((ShopifyAdmin.OrderLookup.Found) found).email());
        if (email == null) {
            return new Lookup(null, new DeliveryOutcome.PermanentFailure(what + "neither the fulfilment nor its order has"
                    + " an e-mail, the identity of the order flow's Klaviyo profiles: the event is not sent. Add the"
                    + " customer's e-mail to the order in Shopify, then redrive; or discard the dead letter", NO_IDENTIFIER));
        }
        telemetry.line(item.envelope().flow(), "fulfilment without e-mail: the order's e-mail was looked up in Shopify")
                .field("target", NAME).field("shop", item.shop()).field("topic", item.topic())
                .field("fulfillmentId", fulfilmentId).field("orderId", orderId)
                .field("webhookId", item.envelope().webhookId()).count("FulfilmentEmailLookups").emit();
        return new Lookup(email, null);
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
        return value == null || !value.isTextual() ? null : email(value.asText());
    }

    private static String email(String value) {
        return value == null || value.isBlank() ? null : value.trim().toLowerCase(Locale.ROOT);
    }


}
