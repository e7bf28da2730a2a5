package io.shopsync.connectors.klaviyo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.klaviyo.KlaviyoApi.Event;
import io.shopsync.connectors.klaviyo.KlaviyoApi.ProfileEvents;
import io.shopsync.reconcile.OrderReconciliation;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.Target;
import io.shopsync.http.TargetHttp;
import io.shopsync.http.TargetResponse;
import io.shopsync.mapping.Mapping;
import io.shopsync.mapping.MappingException;
import io.shopsync.observability.Telemetry;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Shopify orders and refunds into Klaviyo: the customer as a profile, and the order as the events
 * Klaviyo's flows and revenue reports are built on. What lands where is in the mapping files
 * ({@link KlaviyoMappings}); this class decides which calls to make.
 *
 * <ul>
 *   <li><b>Profile</b>, on every topic: {@code POST /api/profile-import} with the attributes
 *       {@code klaviyo-profile.json} names; Klaviyo leaves every other attribute as it is. Identity is
 *       the lower-cased e-mail, else the phone (E.164) with the Shopify customer id as external id, or
 *       {@code shopify-order-<id>} for a guest: never the phone alone, which Klaviyo refuses unless the
 *       account has SMS set up. An order with neither (a guest or POS sale, a
 *       redacted order, and every refund, whose payload names no customer) is {@code delivered} with
 *       nothing sent and counted ({@code OrdersWithoutIdentifier}), not failed. When Klaviyo answers 409
 *       {@code duplicate_profile} (the e-mail and the phone or customer id are on two profiles), the
 *       import is repeated once with the e-mail alone (else the external id alone), so the CRM's existing profiles are never merged
 *       or duplicated by us; counted as {@code ProfileIdentifierConflicts}.</li>
 *   <li><b>Events</b>, unless {@code sendOrderEvents} is false (a store running Klaviyo's native
 *       Shopify integration, which sends its own, so revenue would count twice): orders/create gives
 *       {@code Placed Order} ({@code unique_id} {@code shopify-order-<id>}) and one
 *       {@code Ordered Product} per line item ({@code shopify-order-<id>-li-<line item id>});
 *       orders/cancelled gives {@code Cancelled Order} ({@code shopify-order-<id>}, the Placed Order's
 *       key, which Klaviyo's CLV uses to link the two); refunds/create gives {@code Refunded Order}.
 *       orders/updated and orders/paid update the profile only.</li>
 *   <li><b>Refunded Order's unique_id is {@code shopify-order-<id>-refund-<refund id>}</b>. Klaviyo
 *       keeps only the first event per profile, metric and unique_id: keyed by the order id, as the CLV
 *       link would want, a second partial refund of the same order would be dropped by Klaviyo without
 *       a word. We record every refund with its own value and give up that CLV link (newer Klaviyo
 *       accounts map metrics at account level instead).</li>
 *   <li><b>Test orders</b> ({@code "test": true}: Shopify's "send test notification" sample, a fake
 *       cancelled order, or a test-gateway order) send nothing and are {@code delivered}, counted as
 *       {@code TestOrdersSkipped}: they would otherwise create a sample customer's profile and fake
 *       revenue.</li>
 *   <li><b>Batching</b>: when the batch's events number more than {@value #BULK_THRESHOLD} (an order
 *       with many line items, a burst of orders), they go through {@code POST /api/event-bulk-create-jobs}
 *       (at most 1,000 events and 4.5 MB per request, grouped per profile); otherwise one
 *       {@code POST /api/events} each, whose 400s name the event at fault. If Klaviyo refuses a bulk
 *       request as invalid, its events are sent one by one, so only the order at fault fails.</li>
 *   <li><b>Outcomes</b>: a 429, 5xx or timeout makes the affected order {@code retry-later} (not before
 *       Retry-After, or the wait Klaviyo's 429 detail names), and stops the batch: the orders not yet
 *       sent are retried too instead of hammering a throttled API. A 400 fails that order only, with
 *       Klaviyo's {@code detail}. A key rejected (401/403) after one reload fails the batch with
 *       "rotate the Klaviyo private key". A payload the mappings cannot map fails that order, category
 *       {@code mapping}.</li>
 * </ul>
 */
public final class KlaviyoOrders implements Target {

    public static final String NAME = "klaviyo";
    /** More events than this in one batch go through Bulk Create Events. */
    public static final int BULK_THRESHOLD = 10;

    static final String PLACED_ORDER = "Placed Order";
    static final String ORDERED_PRODUCT = "Ordered Product";
    static final String CANCELLED_ORDER = "Cancelled Order";
    static final String REFUNDED_ORDER = "Refunded Order";

    private static final Set<String> TOPICS = Set.of("orders/create", "orders/updated", "orders/paid",
            "orders/cancelled", "refunds/create", "customers/create", "customers/update");
    private static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{6,14}");
    private static final Pattern PHONE_PUNCTUATION = Pattern.compile("[\\s().\\-]");

    private final KlaviyoApi api;
    private final KlaviyoMappings mappings;
    private final boolean sendOrderEvents;
    private final Telemetry telemetry;
    private final ObjectMapper json;

    /**
     * @param baseUrl {@link KlaviyoApi#DEFAULT_BASE_URL}, or a test server
     * @param sendOrderEvents false sends profiles only (setting {@code KLAVIYO_ORDER_EVENTS})
     */
    public KlaviyoOrders(TargetHttp http, String baseUrl, CachedSecret apiKey, KlaviyoMappings mappings,
                         boolean sendOrderEvents, Telemetry telemetry, ObjectMapper json) {
        this(http, baseUrl, apiKey, mappings, sendOrderEvents, telemetry, json, Clock.systemUTC());
    }

    /** @param clock reads "Expected available in N seconds" against it */
    public KlaviyoOrders(TargetHttp http, String baseUrl, CachedSecret apiKey, KlaviyoMappings mappings,
                         boolean sendOrderEvents, Telemetry telemetry, ObjectMapper json, Clock clock) {
        this.api = new KlaviyoApi(http, baseUrl, apiKey, json, clock);
        this.mappings = mappings;
        this.sendOrderEvents = sendOrderEvents;
        this.telemetry = telemetry;
        this.json = json;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Placed Order and Ordered Product come only from orders/create, Cancelled Order only from orders/cancelled. */
    @Override
    public boolean carriesEvents(String topic) {
        return sendOrderEvents && ("orders/create".equals(topic) || "orders/cancelled".equals(topic));
    }

    /** One item's way through the calls. */
    private static final class Work {
        final DeliveryItem item;
        String orderId;
        ObjectNode profile;
        ObjectNode identity;
        List<Event> events = List.of();
        DeliveryOutcome outcome;

        Work(DeliveryItem item) {
            this.item = item;
        }
    }

    /** The first failure that stops the rest of the batch (throttling, an outage, a rejected key). */
    private static final class Halt {
        DeliveryOutcome outcome;
    }

    /**
     * Profiles first, then events. An order that fails after part of its calls succeeded is simply
     * sent again on retry: profile-import is create-or-update, and Klaviyo keeps only the first event
     * per profile, metric and unique_id, so the repeated events change nothing.
     */
    @Override
    public List<DeliveryOutcome> deliver(List<DeliveryItem> items) {
        List<Work> work = new ArrayList<>();
        for (DeliveryItem item : items) {
            work.add(plan(item));
        }
        Halt halt = new Halt();
        importProfiles(work, halt);
        sendEvents(work, halt);
        List<DeliveryOutcome> outcomes = new ArrayList<>();
        for (Work w : work) {
            outcomes.add(w.outcome != null ? w.outcome : new DeliveryOutcome.Delivered());
        }
        return outcomes;
    }

    // ---- mapping --------------------------------------------------------------------------------

    private Work plan(DeliveryItem item) {
        Work w = new Work(item);
        JsonNode payload = item.payload();
        if (!TOPICS.contains(item.topic())) {
            w.outcome = new DeliveryOutcome.PermanentFailure("the klaviyo order connector does not handle topic "
                    + item.topic() + ": take klaviyo off this flow's targets, or teach KlaviyoOrders the topic",
                    "unsupported-topic");
            return w;
        }
        boolean refund = item.topic().startsWith("refunds/");
        try {
            w.orderId = KlaviyoJson.shopifyId(payload.get(refund ? "order_id" : "id"), refund ? "order_id" : "id");
            if (payload.path("test").asBoolean(false)) {
                count(w, "TestOrdersSkipped", "test order: nothing sent to Klaviyo");
                w.outcome = new DeliveryOutcome.Delivered();
                return w;
            }
            Mapping profileMapping = item.topic().startsWith("customers/") ? mappings.customerProfile() : mappings.profile();
            w.profile = profile(KlaviyoJson.nest(json, apply(profileMapping, payload, item)), w.orderId);
            if (w.profile == null) {
                count(w, "OrdersWithoutIdentifier", (refund ? "refund" : "order")
                        + " without e-mail or phone: no Klaviyo profile or event sent");
                w.outcome = new DeliveryOutcome.Delivered();
                return w;
            }
            w.identity = identity(w.profile);
            if (sendOrderEvents) {
                w.events = events(w);
                if (OrderReconciliation.BACKFILL_SOURCE.equals(payload.path(OrderReconciliation.SOURCE_FIELD).asText())) {
                    // History: Klaviyo records the events (at the order's own time) but starts no flow with them.
                    w.events.forEach(event -> event.attributes().put("backfill", true));
                }
            }
        } catch (MappingException e) {
            w.outcome = new DeliveryOutcome.PermanentFailure("klaviyo, " + what(w) + ": " + e.getMessage()
                    + ": fix the mapping (docs/data-mapping.md) or the order in Shopify, then redrive the dead letter",
                    "mapping");
        }
        return w;
    }

    private List<Event> events(Work w) {
        DeliveryItem item = w.item;
        JsonNode payload = item.payload();
        String key = "shopify-order-" + w.orderId;
        switch (item.topic()) {
            case "orders/create":
                return placedOrder(item, key);
            case "orders/cancelled":
                List<Event> cancelled = new ArrayList<>();
                cancelled.add(new Event(CANCELLED_ORDER, key, KlaviyoJson.nest(json, apply(mappings.cancelledOrder(), payload, item))));
                cancelled.addAll(refundsOf(payload, key, item));
                return cancelled;
            case "orders/updated":
                return refundsOf(payload, key, item);
            case "refunds/create":
                return List.of(refunded(payload, key, item));
            default:
                return List.of();
        }
    }

    /**
     * Refunded Order for each refund the order carries. A refunds/create payload names no customer, so
     * refunds mostly reach Klaviyo this way: Shopify follows every refund with orders/updated (and a
     * cancellation with orders/cancelled), whose payload has the customer and {@code refunds[]}. Each
     * refund keeps its own unique_id, so Klaviyo records it once however many updates repeat it.
     */
    private List<Event> refundsOf(JsonNode order, String key, DeliveryItem item) {
        List<Event> events = new ArrayList<>();
        for (JsonNode refund : order.path("refunds")) {
            events.add(refunded(refund, key, item));
        }
        return events;
    }

    private Event refunded(JsonNode refundPayload, String key, DeliveryItem item) {
        ObjectNode refund = KlaviyoJson.nest(json, apply(mappings.refundedOrder(), refundPayload, item));
        if (!refund.has("value")) {
            refundedAmount(refundPayload).ifPresent(amount -> refund.set("value", DecimalNode.valueOf(amount)));
        }
        return new Event(REFUNDED_ORDER, key + "-refund-" + KlaviyoJson.shopifyId(refundPayload.get("id"), "id"), refund);
    }

    /** Placed Order with its Items, then one Ordered Product per line item carrying the order's context. */
    private List<Event> placedOrder(DeliveryItem item, String key) {
        ObjectNode placed = KlaviyoJson.nest(json, apply(mappings.placedOrder(), item.payload(), item));
        ObjectNode placedProperties = properties(placed);
        ArrayNode itemsProperty = json.createArrayNode();
        List<Event> events = new ArrayList<>();
        events.add(new Event(PLACED_ORDER, key, placed));
        for (JsonNode line : item.payload().path("line_items")) {
            String lineId = KlaviyoJson.shopifyId(line.get("id"), "line_items[].id");
            ObjectNode product = KlaviyoJson.nest(json, apply(mappings.orderedProduct(), line, item));
            ObjectNode lineProperties = properties(product);
            itemsProperty.add(lineProperties.deepCopy());
            ObjectNode productProperties = json.createObjectNode();
            copy(placedProperties, productProperties, "OrderId");
            copy(placedProperties, productProperties, "OrderName");
            productProperties.setAll(lineProperties);
            product.set("properties", productProperties);
            copy(placed, product, "value_currency");
            copy(placed, product, "time");
            events.add(new Event(ORDERED_PRODUCT, key + "-li-" + lineId, product));
        }
        if (!itemsProperty.isEmpty()) {
            placedProperties.set("Items", itemsProperty);
        }
        return events;
    }

    /** The refund's money: its successful refund transactions (a restock-only refund has none). */
    private static Optional<BigDecimal> refundedAmount(JsonNode refund) {
        BigDecimal sum = null;
        for (JsonNode transaction : refund.path("transactions")) {
            if ("refund".equals(transaction.path("kind").asText()) && "success".equals(transaction.path("status").asText())) {
                try {
                    BigDecimal amount = new BigDecimal(transaction.path("amount").asText().trim());
                    sum = sum == null ? amount : sum.add(amount);
                } catch (NumberFormatException e) {
                    throw new MappingException("klaviyo event Refunded Order.value: refund transaction amount "
                            + transaction.path("amount") + " is not an amount");
                }
            }
        }
        return Optional.ofNullable(sum);
    }

    /**
     * The profile attributes, or null when there is no e-mail or phone to identify the person by. A phone is
     * never the only identifier: Klaviyo accepts that only in accounts with SMS set up ("One or more
     * identifiers is required" otherwise), so a person without an e-mail or a Shopify customer id, known only
     * by phone, gets the external id {@code shopify-order-<order id>} beside it. Klaviyo's spec counts
     * {@code external_id} as an identifier in every account; an SMS account still finds the person by phone.
     */
    private static ObjectNode profile(ObjectNode profile, String orderId) {
        JsonNode phone = profile.get("phone_number");
        if (phone != null) {
            String cleaned = PHONE_PUNCTUATION.matcher(phone.asText()).replaceAll("");
            if (E164.matcher(cleaned).matches() || !profile.hasNonNull("email")) {
                // Not E.164 and no e-mail: sent for Klaviyo to judge, which names the problem.
                profile.put("phone_number", cleaned.isEmpty() ? phone.asText() : cleaned);
            } else {
                // Klaviyo would reject the whole profile for it; the e-mail identifies the person.
                profile.remove("phone_number");
            }
        }
        if (profile.hasNonNull("phone_number") && !profile.hasNonNull("email") && !profile.hasNonNull("external_id")) {
            profile.put("external_id", "shopify-order-" + orderId);
        }
        return profile.hasNonNull("email") || profile.hasNonNull("phone_number") ? profile : null;
    }

    /** The identifiers an event names its profile by: the same ones the profile was imported with. */
    private ObjectNode identity(ObjectNode profile) {
        ObjectNode identity = json.createObjectNode();
        for (String name : List.of("email", "phone_number", "external_id")) {
            if (profile.hasNonNull(name)) {
                identity.set(name, profile.get(name));
            }
        }
        return identity;
    }

    /**
     * The profile with its primary identifier only (the e-mail, else the external id; never the phone alone),
     * or null when it has nothing else to drop.
     */
    private static ObjectNode primaryIdentifierOnly(ObjectNode profile) {
        ObjectNode narrowed = profile.deepCopy();
        narrowed.remove("phone_number");
        if (narrowed.hasNonNull("email")) {
            narrowed.remove("external_id");
        }
        return narrowed.size() < profile.size() ? narrowed : null;
    }

    private static Map<String, JsonNode> apply(Mapping mapping, JsonNode node, DeliveryItem item) {
        try {
            return mapping.apply(node, item.shop(), item.topic());
        } catch (MappingException e) {
            throw new MappingException(e.getMessage() + " (mapping " + mapping.name() + ")");
        }
    }


    private static ObjectNode properties(ObjectNode attributes) {
        JsonNode properties = attributes.get("properties");
        return properties instanceof ObjectNode object ? object : attributes.putObject("properties");
    }

    private static void copy(ObjectNode from, ObjectNode to, String name) {
        if (from.hasNonNull(name) && !to.has(name)) {
            to.set(name, from.get(name));
        }
    }


    // ---- sending --------------------------------------------------------------------------------

    private void importProfiles(List<Work> work, Halt halt) {
        for (Work w : work) {
            if (w.outcome != null || w.profile == null || w.item.stateIsStale() || w.item.personIsStale()) {
                // A stale order or customer never overwrites the newer profile Klaviyo has; events name the person.
                continue;
            }
            if (halt.outcome != null) {
                w.outcome = halt.outcome;
                continue;
            }
            TargetResponse response = api.importProfile(w.profile);
            ObjectNode narrowed = primaryIdentifierOnly(w.profile);
            if (response instanceof TargetResponse.Permanent conflict && conflict.status() == 409 && narrowed != null) {
                count(w, "ProfileIdentifierConflicts",
                        "klaviyo: the customer's identifiers are on different profiles; imported by the primary one only");
                w.profile = narrowed;
                w.identity = identity(narrowed);
                response = api.importProfile(narrowed);
            }
            w.outcome = failure(response, w, "profile", mappings.profile(), halt);
        }
    }

    private void sendEvents(List<Work> work, Halt halt) {
        List<Work> sending = new ArrayList<>();
        int events = 0;
        for (Work w : work) {
            if (w.outcome == null && !w.events.isEmpty()) {
                sending.add(w);
                events += w.events.size();
            }
        }
        if (events > BULK_THRESHOLD) {
            sendInBulk(sending, halt);
        } else {
            for (Work w : sending) {
                sendOneByOne(w, w.events, halt);
            }
        }
    }

    private void sendOneByOne(Work w, List<Event> events, Halt halt) {
        for (Event event : events) {
            if (w.outcome != null) {
                return;
            }
            if (halt.outcome != null) {
                w.outcome = halt.outcome;
                return;
            }
            w.outcome = failure(api.createEvent(w.identity, event), w, event.metric() + " event", mappingOf(event), halt);
        }
    }

    /** The events of many orders, at most 1,000 (and 4.5 MB) per request; one order may span requests. */
    private void sendInBulk(List<Work> sending, Halt halt) {
        List<Map<Work, List<Event>>> requests = new ArrayList<>();
        Map<Work, List<Event>> current = new LinkedHashMap<>();
        int count = 0;
        long bytes = 0;
        for (Work w : sending) {
            for (Event event : w.events) {
                int size = api.sizeOf(event);
                if (count == KlaviyoApi.BULK_EVENT_LIMIT || (count > 0 && bytes + size > KlaviyoApi.BULK_BYTE_LIMIT)) {
                    requests.add(current);
                    current = new LinkedHashMap<>();
                    count = 0;
                    bytes = 0;
                }
                current.computeIfAbsent(w, k -> new ArrayList<>()).add(event);
                count++;
                bytes += size;
            }
        }
        if (count > 0) {
            requests.add(current);
        }
        for (Map<Work, List<Event>> request : requests) {
            List<Work> open = request.keySet().stream().filter(w -> w.outcome == null).toList();
            if (open.isEmpty()) {
                continue;
            }
            if (halt.outcome != null) {
                open.forEach(w -> w.outcome = halt.outcome);
                continue;
            }
            List<ProfileEvents> groups = open.stream().map(w -> new ProfileEvents(w.identity, request.get(w))).toList();
            TargetResponse response = api.createEvents(groups);
            if (response instanceof TargetResponse.Permanent permanent && permanent.status() == 400) {
                // Klaviyo refuses a whole job for one invalid event: one by one, only the order at fault fails.
                open.forEach(w -> sendOneByOne(w, request.get(w), halt));
                continue;
            }
            open.forEach(w -> w.outcome = failure(response, w, "events", null, halt));
        }
    }

    /**
     * The order's outcome for one response (null when it succeeded). Throttling, an outage or a
     * rejected key also stops the batch: the orders not yet sent get the same answer.
     */
    private DeliveryOutcome failure(TargetResponse response, Work w, String what, Mapping mapping, Halt halt) {
        if (response instanceof TargetResponse.Transient retry) {
            if (halt.outcome == null) {
                halt.outcome = new DeliveryOutcome.RetryLater("not sent: an earlier klaviyo request of the same batch "
                        + "failed: " + retry.reason(), retry.notBefore());
            }
            return new DeliveryOutcome.RetryLater(retry.reason() + " (" + what + " of " + what(w) + ")", retry.notBefore());
        }
        if (!(response instanceof TargetResponse.Permanent permanent)) {
            return null;
        }
        if (permanent.status() == 401 || permanent.status() == 403) {
            DeliveryOutcome.PermanentFailure rejected = permanent.outcome();
            if (halt.outcome == null) {
                halt.outcome = rejected;
            }
            return rejected;
        }
        String said = permanent.reason();
        if (permanent.status() == 409) {
            return new DeliveryOutcome.PermanentFailure("klaviyo could not import the profile of " + what(w)
                    + ": its identifiers belong to different Klaviyo profiles (" + said + "): merge the duplicate "
                    + "profiles in Klaviyo, then redrive the dead letter", permanent.category());
        }
        return new DeliveryOutcome.PermanentFailure("klaviyo rejected the " + what + " of " + what(w) + ": " + said
                + ": correct the order or customer in Shopify" + (mapping == null ? "" : ", or the mapping " + mapping.name())
                + ", then redrive the dead letter", permanent.category());
    }

    private Mapping mappingOf(Event event) {
        switch (event.metric()) {
            case PLACED_ORDER:
                return mappings.placedOrder();
            case ORDERED_PRODUCT:
                return mappings.orderedProduct();
            case CANCELLED_ORDER:
                return mappings.cancelledOrder();
            default:
                return mappings.refundedOrder();
        }
    }

    private static String what(Work w) {
        return (w.item.topic() == null ? "" : w.item.topic() + " ") + "order " + (w.orderId == null ? "?" : w.orderId);
    }

    private void count(Work w, String metric, String message) {
        DeliveryItem item = w.item;
        telemetry.line(item.envelope().flow(), message).field("target", NAME).field("shop", item.shop())
                .field("topic", item.topic()).field("orderId", w.orderId).field("webhookId", item.envelope().webhookId())
                .field("entity", item.envelope().entity()).count(metric).emit();
    }
}
