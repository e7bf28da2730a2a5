package io.shopsync.stock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.http.HttpTransport;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testing.QueueEvents;
import io.shopsync.testing.RecordingAlerts;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testing.TestEnvironments;
import io.shopsync.testkit.Fixtures;
import io.shopsync.webhook.WebhookSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Hostile input at a flow's intake, through the real handler entry (API Gateway HTTP API 2.0 events
 * as JSON, as Lambda calls it), then whatever was queued through the same handler's delivery path.
 * The stock flow is the one whose connectors call a host named by configuration (Shopify's Admin API
 * for the configured shop, the inventory endpoint), so it is where a request to another host would show.
 *
 * <p>Invariants: unauthenticated is never queued and never gets 2xx; authentic is never lost (queued,
 * or dead-lettered with a reason); no 5xx except our own dependency failures; no exception escapes
 * the handler; no request leaves for a host that is not configured. Tries are bounded per property
 * (seeds are random; jqwik prints the seed of any failure, and {@code @Property(seed = "...")} replays it).
 */
class HostileIntakeProperties {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String INVENTORY_HOST = "inventory.shopsync.example";
    private static final Set<String> CONFIGURED_HOSTS = Set.of(SHOP, INVENTORY_HOST);
    private static final String EVENT = Fixtures.text("events/stock-to-inventory/inventory-levels-update.json");
    private static final String LEVEL = Fixtures.text("events/payloads/inventory-levels-update.json");
    private static final String ITEM = Fixtures.text("events/payloads/inventory-items-update.json");
    private static final List<String> TOPICS = List.of("inventory_levels/update", "inventory_levels/connect",
            "inventory_levels/disconnect", "inventory_items/create", "inventory_items/update");
    private static final String GRAPHQL_ITEM = "{\"data\":{\"inventoryItem\":{\"id\":\"gid://shopify/InventoryItem/437290762312585471\","
            + "\"sku\":\"SS-MCS-OAT-M\",\"tracked\":true}},\"extensions\":{\"cost\":{\"requestedQueryCost\":2,"
            + "\"throttleStatus\":{\"maximumAvailable\":2000.0,\"currentlyAvailable\":1998,\"restoreRate\":100.0}}}}";
    private static final HttpHeaders NO_HEADERS = HttpHeaders.of(Map.of(), (name, value) -> true);

    /** A body as the sender's bytes, with what kind of hostile it is (for the failure report). */
    record RawBody(String kind, byte[] bytes) {
        @Override
        public String toString() {
            String text = new String(bytes, 0, Math.min(bytes.length, 120), StandardCharsets.UTF_8);
            return kind + "[" + bytes.length + " bytes: " + text + (bytes.length > 120 ? "…" : "") + "]";
        }
    }

    /** One flow function with recording queues, and every request its connectors tried to send. */
    private static final class Stack {
        final RecordingFlowQueues queues;
        final List<URI> requests = new ArrayList<>();
        final StockToInventory function;

        Stack(RecordingFlowQueues queues) {
            this.queues = queues;
            HttpTransport transport = request -> {
                synchronized (requests) {
                    requests.add(request.uri());
                }
                return request.uri().getPath().endsWith("/graphql.json")
                        ? new HttpTransport.Answer(200, NO_HEADERS, GRAPHQL_ITEM)
                        : new HttpTransport.Answer(204, NO_HEADERS, "");
            };
            this.function = new StockToInventory(TestEnvironments.delivering(queues, new RecordingAlerts(), Map.of(
                    "INVENTORY_TARGET", "webhook",
                    "INVENTORY_WEBHOOK_URL", "https://" + INVENTORY_HOST + "/inventory/shopsync",
                    "INVENTORY_WEBHOOK_SECRET", "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
                    // The shops this deployment serves, as the README's deploy steps set them: the allow-list
                    // intake checks, and the per-shop Admin token map the look-ups use.
                    "SHOPIFY_ALLOWED_SHOPS", SHOP,
                    "SHOPIFY_ADMIN_TOKENS", "{\"" + SHOP + "\": \"shpat_0123456789abcdef\"}",
                    "LOCATION_MAPPING", "{\"655441491\": \"WH-MAIN\", \"655441492\": \"WH-EAST\"}"), transport));
        }

        JsonNode post(String event) {
            JsonNode response = LambdaInvoker.invoke(function, event);
            assertThat(response.path("statusCode").isInt()).as("an HTTP API response: %s", response).isTrue();
            return response;
        }

        /** Delivers everything intake queued, through the handler as the SQS trigger would. */
        void deliverQueued() {
            for (Envelope envelope : List.copyOf(queues.enqueued)) {
                JsonNode response = LambdaInvoker.invoke(function, QueueEvents.of(envelope));
                assertThat(response.path("batchItemFailures").isArray()).as("an SQS batch response: %s", response).isTrue();
            }
        }

        void assertNoRequestLeftForAnUnconfiguredHost() {
            assertThat(requests).extracting(URI::getHost).allMatch(CONFIGURED_HOSTS::contains,
                    "a configured host (" + CONFIGURED_HOSTS + ")");
        }

        void assertNothingStored() {
            assertThat(queues.enqueued).isEmpty();
            assertThat(queues.deadLettered).isEmpty();
            assertThat(queues.unreadable).isEmpty();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Properties

    @Property(tries = 250)
    void authenticDeliveries_areQueuedOrDeadLetteredWithAReason_withTheExactBytes_andAnswered200(
            @ForAll("bodies") RawBody body, @ForAll("topicHeaders") String topic, @ForAll long spelling) {
        Stack stack = new Stack(new RecordingFlowQueues());
        Random random = new Random(spelling);
        Map<String, String> headers = shopifyHeaders(random, topic, SHOP);
        headers.put(name(random, "hmac-sha256"), WebhookSignature.sign(body.bytes(), LambdaInvoker.DEV_SECRET));

        JsonNode response = stack.post(event(headers, body.bytes(), random.nextBoolean()));
        stack.deliverQueued();

        assertThat(response.path("statusCode").asInt()).isEqualTo(200);
        List<Envelope> stored = new ArrayList<>(stack.queues.enqueued);
        if (stack.queues.enqueued.isEmpty()) {
            assertThat(stack.queues.deadLettered).as("queued or dead-lettered").isNotEmpty();
            assertThat(stack.queues.deadLettered.get(0).reason().reason()).isNotBlank();
            assertThat(stack.queues.deadLettered.get(0).reason().stage()).isEqualTo("intake");
            stored.add(stack.queues.deadLettered.get(0).envelope());
        }
        assertThat(stored).singleElement().satisfies(envelope -> {
            assertThat(((Body.Inline) envelope.body()).bytes()).isEqualTo(body.bytes());
            assertThat(envelope.shop()).isEqualTo(SHOP);
        });
        stack.assertNoRequestLeftForAnUnconfiguredHost();
    }

    @Property(tries = 200)
    void unauthenticatedDeliveries_areNeverQueued_andNeverAnswered2xx(
            @ForAll("bodies") RawBody body, @ForAll("topicHeaders") String topic,
            @ForAll("forgedSignatures") Forgery forgery, @ForAll long spelling) {
        Stack stack = new Stack(new RecordingFlowQueues());
        Random random = new Random(spelling);
        Map<String, String> headers = shopifyHeaders(random, topic, SHOP);
        byte[] sent = forgery.apply(body.bytes(), headers, random);

        JsonNode response = stack.post(event(headers, sent, random.nextBoolean()));

        assertThat(response.path("statusCode").asInt()).isEqualTo(401);
        stack.assertNothingStored();
        assertThat(stack.requests).isEmpty();
    }

    @Property(tries = 100)
    void bodiesMarkedBase64ThatAreNotBase64_areNeverQueued_andNeverCrashTheHandler(
            @ForAll("invalidBase64") String notBase64, @ForAll boolean signTheText, @ForAll long spelling) {
        Stack stack = new Stack(new RecordingFlowQueues());
        Random random = new Random(spelling);
        Map<String, String> headers = shopifyHeaders(random, "inventory_levels/update", SHOP);
        if (signTheText) {
            headers.put(name(random, "hmac-sha256"),
                    WebhookSignature.sign(notBase64.getBytes(StandardCharsets.UTF_8), LambdaInvoker.DEV_SECRET));
        }
        ObjectNode event = eventNode(headers);
        event.put("body", notBase64);
        event.put("isBase64Encoded", true);

        JsonNode response = stack.post(write(event));

        assertThat(response.path("statusCode").asInt()).isBetween(400, 499);
        stack.assertNothingStored();
    }

    @Property(tries = 100)
    void ourOwnQueueFailing_isTheOnly5xx_andAuthenticDeliveriesAreNeverAnswered2xxUnstored(
            @ForAll("bodies") RawBody body, @ForAll boolean signed, @ForAll long spelling) {
        Stack stack = new Stack(new RecordingFlowQueues().failing());
        Random random = new Random(spelling);
        Map<String, String> headers = shopifyHeaders(random, TOPICS.get(random.nextInt(TOPICS.size())), SHOP);
        if (signed) {
            headers.put(name(random, "hmac-sha256"), WebhookSignature.sign(body.bytes(), LambdaInvoker.DEV_SECRET));
        }

        JsonNode response = stack.post(event(headers, body.bytes(), random.nextBoolean()));

        assertThat(response.path("statusCode").asInt()).isEqualTo(signed ? 503 : 401);
        stack.assertNothingStored();
    }

    /**
     * The shop header is not signed: only a bare {@code <name>.myshopify.com} that this deployment
     * serves (SHOPIFY_ALLOWED_SHOPS) may pass, whatever the signature. Every other shape
     * is 401, nothing is queued, and no request leaves for a host the header names.
     */
    @Property(tries = 200)
    void shopHeadersOfAnyOtherShape_areAnswered401_evenWithAnAuthenticBody_andNoRequestLeaves(
            @ForAll("otherShops") String shop, @ForAll("realisticBodies") RawBody body, @ForAll long spelling) {
        Stack stack = new Stack(new RecordingFlowQueues());
        Random random = new Random(spelling);
        Map<String, String> headers = shopifyHeaders(random, body.kind().startsWith("item") ? "inventory_items/update"
                : "inventory_levels/update", shop);
        headers.put(name(random, "hmac-sha256"), WebhookSignature.sign(body.bytes(), LambdaInvoker.DEV_SECRET));

        JsonNode response = stack.post(event(headers, body.bytes(), false));
        stack.deliverQueued();

        stack.assertNoRequestLeftForAnUnconfiguredHost();
        assertThat(response.path("statusCode").asInt()).as("answer to shop header %s", shop).isEqualTo(401);
        stack.assertNothingStored();
    }

    // ---------------------------------------------------------------------------------------------
    // The EventBridge front door: no signature (the bus is AWS-authenticated), the same allow-list and envelope

    /**
     * Shopify's event-bus delivery for a served shop, whatever its payload text and metadata spelling, is stored
     * (queued, or dead-lettered with a reason) with the payload's exact bytes, or the invocation fails so the
     * rule's retries and DLQ keep it. It is never acknowledged unstored, and no request leaves for another host.
     */
    @Property(tries = 150)
    void eventBridgeDeliveries_areStoredWithTheExactPayload_orFailTheInvocation(
            @ForAll("jsonBodies") RawBody body, @ForAll("topicHeaders") String topic, @ForAll long spelling) {
        Stack stack = new Stack(new RecordingFlowQueues());
        Random random = new Random(spelling);
        Map<String, String> metadata = shopifyHeaders(random, topic, SHOP);

        Throwable failed = invokeEventBridge(stack, busEvent(metadata, body.bytes()));
        stack.deliverQueued();

        List<Envelope> stored = new ArrayList<>(stack.queues.enqueued);
        stack.queues.deadLettered.forEach(dead -> {
            assertThat(dead.reason().reason()).isNotBlank();
            stored.add(dead.envelope());
        });
        if (failed == null) {
            assertThat(stored).as("acknowledged, so stored").isNotEmpty();
            assertThat(((Body.Inline) stored.get(0).body()).bytes()).isEqualTo(body.bytes());
            assertThat(stored.get(0).shop()).isEqualTo(SHOP);
        } else {
            assertThat(failed).isInstanceOf(io.shopsync.lambda.FlowFunction.IntakeFailedException.class);
            assertThat(stack.queues.enqueued).as("failed, so EventBridge retries: nothing queued").isEmpty();
        }
        stack.assertNoRequestLeftForAnUnconfiguredHost();
    }

    /** A bus event naming a shop of any other shape fails the invocation (kept in the events DLQ), storing nothing. */
    @Property(tries = 100)
    void eventBridgeDeliveriesForAShopOfAnyOtherShape_failTheInvocation_andStoreNothing(
            @ForAll("otherShops") String shop, @ForAll("realisticBodies") RawBody body, @ForAll long spelling) {
        Stack stack = new Stack(new RecordingFlowQueues());
        Random random = new Random(spelling);
        Map<String, String> metadata = shopifyHeaders(random, body.kind().startsWith("item") ? "inventory_items/update"
                : "inventory_levels/update", shop);

        Throwable failed = invokeEventBridge(stack, busEvent(metadata, body.bytes()));
        stack.deliverQueued();

        assertThat(failed).as("shop %s", shop).isInstanceOf(io.shopsync.lambda.FlowFunction.IntakeFailedException.class);
        stack.assertNothingStored();
        assertThat(stack.requests).isEmpty();
    }

    /**
     * Realistic, Unicode-laden, huge-array and huge-number payloads that are valid JSON, as the bus only carries
     * JSON (a number with leading zeros, which the huge numbers can have, is not).
     */
    @Provide
    Arbitrary<RawBody> jsonBodies() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, realisticBodies()),
                Tuple.of(3, unicodeBodies()),
                Tuple.of(1, hugeNumberBodies()),
                Tuple.of(1, hugeArrayBodies())).filter(body -> isJson(body.bytes()));
    }

    private static boolean isJson(byte[] bytes) {
        try {
            JSON.readTree(bytes);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Shopify's EventBridge event around the payload's own bytes, the metadata as sent. */
    private static String busEvent(Map<String, String> metadata, byte[] payload) {
        ObjectNode event = (ObjectNode) read(Fixtures.text("events/eventbridge/stock-to-inventory.json"));
        ObjectNode detail = (ObjectNode) event.path("detail");
        detail.remove("payload");
        ObjectNode sent = detail.putObject("metadata");
        metadata.forEach(sent::put);
        String text = write(event);
        int at = text.lastIndexOf("\"metadata\"");
        return text.substring(0, at) + "\"payload\":" + new String(payload, StandardCharsets.UTF_8) + "," + text.substring(at);
    }

    /** @return what the invocation threw, or null when it answered */
    private static Throwable invokeEventBridge(Stack stack, String event) {
        try {
            stack.function.handleRequest(new java.io.ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)),
                    new java.io.ByteArrayOutputStream(), null);
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            return e;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Bodies

    @Provide
    Arbitrary<RawBody> bodies() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, realisticBodies()),
                Tuple.of(3, unicodeBodies()),
                Tuple.of(2, truncatedBodies()),
                Tuple.of(1, deeplyNestedBodies()),
                Tuple.of(1, hugeArrayBodies()),
                Tuple.of(1, hugeNumberBodies()),
                Tuple.of(2, Arbitraries.bytes().array(byte[].class).ofMaxSize(2048).map(b -> new RawBody("bytes", b))),
                Tuple.of(1, Arbitraries.of("", " ", "null", "[]", "{}", "\"\"", "0", "{\"id\":null}", "\uFEFF{}")
                        .map(s -> new RawBody("tiny", utf8(s)))));
    }

    /** Shopify's own payloads with random ids, locations and amounts. */
    @Provide
    Arbitrary<RawBody> realisticBodies() {
        Arbitrary<Long> ids = Arbitraries.longs().between(1, Long.MAX_VALUE);
        Arbitrary<Long> locations = Arbitraries.oneOf(Arbitraries.of(655441491L, 655441492L), ids);
        Arbitrary<Integer> available = Arbitraries.integers().between(-100_000, 100_000);
        Arbitrary<RawBody> levels = Combinators.combine(ids, locations, available).as((item, location, count) -> {
            ObjectNode level = (ObjectNode) read(LEVEL);
            level.put("inventory_item_id", item).put("location_id", location).put("available", count);
            return new RawBody("level", utf8(write(level)));
        });
        Arbitrary<RawBody> items = Combinators.combine(ids, text(40)).as((id, sku) -> {
            ObjectNode item = (ObjectNode) read(ITEM);
            item.put("id", id).put("sku", sku);
            return new RawBody("item", utf8(write(item)));
        });
        return Arbitraries.oneOf(levels, items);
    }

    /** Text fields holding anything Unicode has: noncharacters, controls, BOM, bidi overrides, emoji. */
    private Arbitrary<RawBody> unicodeBodies() {
        return Combinators.combine(realisticBodies(), text(200)).as((base, note) -> {
            ObjectNode node = (ObjectNode) read(new String(base.bytes(), StandardCharsets.UTF_8));
            node.put("note", note).put(note.isEmpty() ? "empty" : note, note);
            return new RawBody(base.kind() + "+unicode", utf8(write(node)));
        });
    }

    private Arbitrary<RawBody> truncatedBodies() {
        return Combinators.combine(realisticBodies(), Arbitraries.doubles().between(0, 1)).as((base, cut) ->
                new RawBody(base.kind() + "+truncated", java.util.Arrays.copyOf(base.bytes(), (int) (base.bytes().length * cut))));
    }

    private Arbitrary<RawBody> deeplyNestedBodies() {
        return Combinators.combine(Arbitraries.integers().between(1, 5_000), Arbitraries.of("[", "{\"a\":"),
                Arbitraries.of(true, false)).as((depth, open, closed) -> {
                    StringBuilder body = new StringBuilder("{\"inventory_item_id\":437290762312585471,\"location_id\":655441491,\"x\":");
                    body.append(open.repeat(depth)).append("1");
                    if (closed) {
                        body.append((open.equals("[") ? "]" : "}").repeat(depth));
                    }
                    return new RawBody("nested-" + depth + (closed ? "" : "-unclosed"), utf8(body.append("}").toString()));
                });
    }

    private Arbitrary<RawBody> hugeArrayBodies() {
        return Arbitraries.integers().between(1_000, 20_000).map(size -> {
            StringBuilder body = new StringBuilder("{\"inventory_item_id\":437290762312585471,\"location_id\":655441491,"
                    + "\"available\":1,\"updated_at\":\"2026-11-27T11:29:59-05:00\",\"line_items\":[");
            for (int i = 0; i < size; i++) {
                body.append(i == 0 ? "" : ",").append("{\"id\":").append(866550311766439020L + i).append('}');
            }
            return new RawBody("array-" + size, utf8(body.append("]}").toString()));
        });
    }

    private Arbitrary<RawBody> hugeNumberBodies() {
        return Arbitraries.strings().numeric().ofMinLength(19).ofMaxLength(3_000).map(digits ->
                new RawBody("number-" + digits.length(), utf8("{\"inventory_item_id\":" + digits + ",\"location_id\":"
                        + digits + ",\"id\":" + digits + ",\"available\":" + digits + "}")));
    }

    /** Strings of any code point, weighted towards the ones that break things. */
    private static Arbitrary<String> text(int maxLength) {
        Arbitrary<Integer> codePoints = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(0x20, 0x7E)),
                Tuple.of(2, Arbitraries.integers().between(0, 0x1F)),
                Tuple.of(2, Arbitraries.of(0xFFFE, 0xFFFF, 0xFDD0, 0xFEFF, 0xFFFD, 0x202E, 0x2028, 0x200B, 0x7F, 0x85)),
                Tuple.of(2, Arbitraries.integers().between(0x80, 0xD7FF)),
                Tuple.of(1, Arbitraries.integers().between(0xE000, 0xFFFF)),
                Tuple.of(2, Arbitraries.integers().between(0x10000, 0x10FFFF)));
        return codePoints.list().ofMaxSize(maxLength).map(list -> {
            StringBuilder text = new StringBuilder();
            list.forEach(text::appendCodePoint);
            return text.toString();
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Headers

    /** Accepted topics in any case, topics of other flows, junk, and none at all (null). */
    @Provide
    Arbitrary<String> topicHeaders() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(TOPICS)),
                Tuple.of(2, Arbitraries.of(TOPICS).map(t -> t.toUpperCase(Locale.ROOT))),
                Tuple.of(2, Arbitraries.of("orders/create", "products/update", "app/uninstalled", "inventory_levels",
                        "inventory_levels/update,inventory_levels/update", "../../inventory_levels/update")),
                Tuple.of(1, text(64)),
                Tuple.of(1, Arbitraries.<String>just(null)));
    }

    /**
     * The Shopify headers a sender might send: each under {@code X-Shopify-*} or {@code shopify-*} in
     * any letter case, optional ones sometimes missing, repeated (API Gateway joins repeats with a
     * comma) or oversized, plus unrelated headers.
     */
    private static Map<String, String> shopifyHeaders(Random random, String topic, String shop) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(anyCase(random, "content-type"), random.nextInt(4) == 0 ? "application/octet-stream" : "application/json");
        headers.put("user-agent", "Shopify-Captain-Hook");
        if (topic != null) {
            headers.put(name(random, "topic"), topic);
        }
        if (shop != null) {
            headers.put(name(random, "shop-domain"), shop);
        }
        optional(random, headers, "api-version", "2026-10");
        optional(random, headers, "webhook-id", java.util.UUID.nameUUIDFromBytes(longBytes(random.nextLong())).toString());
        optional(random, headers, "event-id", java.util.UUID.nameUUIDFromBytes(longBytes(random.nextLong())).toString());
        optional(random, headers, "triggered-at", random.nextInt(5) == 0 ? "yesterday at noon" : "2026-11-27T16:30:00.118502736Z");
        for (int extra = random.nextInt(4); extra > 0; extra--) {
            headers.put("x-junk-" + random.nextInt(1000), oversizedOrNot(random, "v" + random.nextInt()));
        }
        return headers;
    }

    private static void optional(Random random, Map<String, String> headers, String suffix, String value) {
        int shape = random.nextInt(6);
        if (shape == 0) {
            return; // missing
        }
        String sent = switch (shape) {
            case 1 -> value + "," + value;                          // repeated
            case 2 -> oversizedOrNot(random, value);                // up to 16 KB
            case 3 -> value + ", " + Long.toHexString(random.nextLong()); // repeated with another value
            default -> value;
        };
        headers.put(name(random, suffix), sent);
    }

    private static String oversizedOrNot(Random random, String value) {
        return random.nextBoolean() ? value : value.repeat(1 + random.nextInt(16_384 / Math.max(1, value.length())));
    }

    /** A Shopify header's name as some sender spells it: either prefix, any letter case. */
    private static String name(Random random, String suffix) {
        return anyCase(random, (random.nextBoolean() ? "x-shopify-" : "shopify-") + suffix);
    }

    private static String anyCase(Random random, String name) {
        StringBuilder spelled = new StringBuilder(name.length());
        for (char c : name.toCharArray()) {
            spelled.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
        }
        return spelled.toString();
    }

    // ---------------------------------------------------------------------------------------------
    // Forged signatures

    /** One way to send a body without Shopify's signature for it; returns the bytes actually sent. */
    interface Forgery {
        byte[] apply(byte[] body, Map<String, String> headers, Random random);
    }

    private static Forgery forgery(String description, Forgery forgery) {
        return new Forgery() {
            @Override
            public byte[] apply(byte[] body, Map<String, String> headers, Random random) {
                return forgery.apply(body, headers, random);
            }

            @Override
            public String toString() {
                return description;
            }
        };
    }

    @Provide
    Arbitrary<Forgery> forgedSignatures() {
        return Arbitraries.of(
                forgery("no signature", (body, headers, random) -> body),
                forgery("empty signature", (body, headers, random) -> {
                    headers.put(name(random, "hmac-sha256"), random.nextBoolean() ? "" : "   ");
                    return body;
                }),
                forgery("random bytes as base64", (body, headers, random) -> {
                    byte[] mac = new byte[32];
                    random.nextBytes(mac);
                    headers.put(name(random, "hmac-sha256"), Base64.getEncoder().encodeToString(mac));
                    return body;
                }),
                forgery("hex instead of base64", (body, headers, random) -> {
                    headers.put(name(random, "hmac-sha256"), HexFormat.of().formatHex(
                            Base64.getDecoder().decode(WebhookSignature.sign(body, LambdaInvoker.DEV_SECRET))));
                    return body;
                }),
                forgery("signed with another secret", (body, headers, random) -> {
                    headers.put(name(random, "hmac-sha256"), WebhookSignature.sign(body, "shpss_attacker_guess_" + random.nextInt()));
                    return body;
                }),
                forgery("body altered after signing", (body, headers, random) -> {
                    headers.put(name(random, "hmac-sha256"), WebhookSignature.sign(body, LambdaInvoker.DEV_SECRET));
                    byte[] altered = body.length == 0 ? new byte[] {'{'} : body.clone();
                    if (body.length > 0) {
                        int at = random.nextInt(altered.length);
                        altered[at] = (byte) (altered[at] ^ (1 << random.nextInt(8)));
                    }
                    return altered;
                }),
                forgery("signature of another body", (body, headers, random) -> {
                    byte[] other = java.util.Arrays.copyOf(body, body.length + 1);
                    other[body.length] = ' ';
                    headers.put(name(random, "hmac-sha256"), WebhookSignature.sign(other, LambdaInvoker.DEV_SECRET));
                    return body;
                }),
                forgery("signature repeated", (body, headers, random) -> {
                    String signature = WebhookSignature.sign(body, LambdaInvoker.DEV_SECRET);
                    headers.put(name(random, "hmac-sha256"), signature + "," + signature);
                    return body;
                }),
                forgery("signature under a non-Shopify name", (body, headers, random) -> {
                    headers.put(anyCase(random, random.nextBoolean() ? "x-hmac-sha256" : "x-shopify-hmac"),
                            WebhookSignature.sign(body, LambdaInvoker.DEV_SECRET));
                    return body;
                }),
                forgery("oversized signature", (body, headers, random) -> {
                    headers.put(name(random, "hmac-sha256"),
                            WebhookSignature.sign(body, LambdaInvoker.DEV_SECRET).repeat(400));
                    return body;
                }));
    }

    /** isBase64Encoded with text that is not base64: bad alphabet, bad padding, bad length. */
    @Provide
    Arbitrary<String> invalidBase64() {
        Arbitrary<String> valid = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300)
                .map(b -> Base64.getEncoder().encodeToString(b));
        return Arbitraries.oneOf(
                Combinators.combine(valid, Arbitraries.of("!", "*", "~", "é", "-", "_", " ", "\n", "%", "\u0000"),
                        Arbitraries.doubles().between(0, 1)).as((text, bad, at) -> {
                            int index = (int) (text.length() * at);
                            return text.substring(0, index) + bad + text.substring(index);
                        }),
                valid.filter(text -> text.length() > 4).map(text -> text.substring(0, text.length() - 1) + "==="),
                valid.map(text -> "=" + text),
                Arbitraries.strings().withCharRange('A', 'Z').ofLength(1),
                Arbitraries.just("{\"inventory_item_id\":437290762312585471}"));
    }

    /**
     * Shop headers other than the configured shop: ports, paths, userinfo, trailing dots, schemes,
     * other hosts, look-alikes, repeated values, well-formed shops this deployment does not serve, junk.
     */
    @Provide
    Arbitrary<String> otherShops() {
        Arbitrary<String> shapes = Arbitraries.of(
                SHOP + ":8443", SHOP + ":443", SHOP + "/admin", SHOP + "/steal?x=", SHOP + "?x=1", SHOP + "#frag",
                "user@" + SHOP, "user:pass@" + SHOP, SHOP + "@attacker.example", SHOP + "\\@attacker.example",
                SHOP + ".", SHOP + "..", "https://" + SHOP, "//" + SHOP, SHOP + ".attacker.example",
                "attacker.example", "attacker.example:8443/steal?x=", "127.0.0.1", "[::1]", "169.254.169.254",
                "localhost", "myshopify.com", ".myshopify.com", "-.myshopify.com", "shopsync-demo.myshopify.co",
                "shopsync demo.myshopify.com", "shopsync-demo.myshopify.com%2fsteal", "shopsync-demo%2emyshopify.com",
                "shopsync-demo.myshopıfy.com", "shopsync-demo\uFF0Emyshopify.com", "shopsync-dem\u043E.myshopify.com",
                SHOP + "," + SHOP, SHOP + ",attacker.example", "attacker.example," + SHOP,
                "another-store.myshopify.com", "shopsync-demo-2.myshopify.com", "a.b.myshopify.com",
                "shopsync-demo.myshopify.com\u0000", "shopsync-demo.myshopify.com\r\nx-injected: 1");
        Arbitrary<String> unknownButWellFormed = Arbitraries.strings().withCharRange('a', 'z').numeric().withChars('-')
                .ofMinLength(1).ofMaxLength(40).map(name -> name + ".myshopify.com");
        return Arbitraries.frequencyOf(Tuple.of(5, shapes), Tuple.of(2, unknownButWellFormed), Tuple.of(2, text(80)))
                .filter(shop -> !normalised(shop).equals(SHOP));
    }

    /** What a lenient reader could make of a header value: never counted as a different shop here. */
    private static String normalised(String shop) {
        return shop.strip().toLowerCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------------------------------------
    // Events

    /** The API Gateway event of the events/ sample, with these headers and this body. */
    private static String event(Map<String, String> headers, byte[] body, boolean base64) {
        ObjectNode event = eventNode(headers);
        String text = strictUtf8(body);
        if (base64 || text == null) {
            event.put("body", Base64.getEncoder().encodeToString(body));
            event.put("isBase64Encoded", true);
        } else {
            event.put("body", text);
            event.put("isBase64Encoded", false);
        }
        return write(event);
    }

    private static ObjectNode eventNode(Map<String, String> headers) {
        ObjectNode event = (ObjectNode) read(EVENT);
        ObjectNode sent = event.putObject("headers");
        sent.put("host", "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com");
        headers.forEach(sent::put);
        return event;
    }

    private static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] longBytes(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
