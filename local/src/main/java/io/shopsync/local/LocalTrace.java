package io.shopsync.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.trace.EntityTrace;
import io.shopsync.trace.OrderNames;
import io.shopsync.trace.SkuTrace;
import io.shopsync.webhook.ShopDomain;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * {@code GET /_local/trace?shop=DOMAIN&(order=ID | name=#1001 | sku=SKU[&location=ID] | webhook=ID)[&format=text]}:
 * {@code scripts/shopsync trace} on the local stack, the same {@link EntityTrace} (and {@link SkuTrace}) over this
 * stack's delivery store and dead-letter queues (peeked, never consumed). A SKU or an order's name is resolved by the
 * same Admin API search a deployed trace sends, answered by the stack's Shopify stand-in. The console's search box and
 * {@code scripts/shopsync trace --local URL} ask it.
 */
final class LocalTrace {

    private final RunningStack stack;
    private final ObjectMapper json;

    LocalTrace(RunningStack stack, ObjectMapper json) {
        this.stack = stack;
        this.json = json;
    }

    /** An answer: JSON, or the operator's text when {@code text} is set. */
    record Reply(int status, ObjectNode json, String text) {}

    /**
     * 200 with the trace, 404 when nothing of the record is known (or the SKU is not the shop's), 400 when the query
     * names no record.
     */
    Reply answer(String rawQuery) {
        Map<String, String> query = parse(rawQuery);
        boolean text = "text".equals(query.get("format"));
        String shopText = query.getOrDefault("shop", "").trim().toLowerCase(Locale.ROOT);
        String shop = shopText.contains(".") ? shopText : shopText + ".myshopify.com";
        String order = query.getOrDefault("order", "").trim();
        String name = query.getOrDefault("name", "").trim();
        String sku = query.getOrDefault("sku", "").trim();
        String location = query.getOrDefault("location", "").trim();
        String webhook = query.getOrDefault("webhook", "").trim();
        int named = (order.isEmpty() ? 0 : 1) + (name.isEmpty() ? 0 : 1) + (sku.isEmpty() ? 0 : 1)
                + (webhook.isEmpty() ? 0 : 1);
        if (ShopDomain.parse(shop).isEmpty() || named != 1 || (!order.isEmpty() && !order.matches("[1-9][0-9]{0,24}"))
                || (!location.isEmpty() && (sku.isEmpty() || !location.matches("[1-9][0-9]{0,24}")))
                || (!webhook.isEmpty() && !webhook.matches("[A-Za-z0-9-]{1,64}")) || sku.length() > 255
                || (!name.isEmpty() && !OrderNames.plausible(name))) {
            return message(400, "Bad Request: give shop=<name>.myshopify.com and one of order=<the order's id, the "
                    + "number in its admin URL, not its name such as #1042>, name=<the order's name, e.g. %231001>, "
                    + "sku=<a variant's SKU> (with location=<a location id> for one level) or webhook=<an "
                    + "X-Shopify-Webhook-Id>, e.g. "
                    + "/_local/trace?shop=shopsync-demo.myshopify.com&order=820982911946154508", text);
        }
        EntityTrace trace = new EntityTrace(stack.deliveryStore(), DynamoDbDeliveryStore.DEFAULT_RECORD_RETENTION,
                this::deadLetters, nextSteps(), Clock.systemUTC());
        if (!sku.isEmpty()) {
            return sku(trace, shop, sku, location.isEmpty() ? Optional.empty() : Optional.of(location), text);
        }
        String what = "order " + order;
        if (!name.isEmpty()) {
            Optional<ShopifyAdminStandIn> shopify = stack.shopifyStandIn();
            ObjectNode found = shopify.map(s -> s.answer(OrderNames.QUERY, OrderNames.variables(name, json))).orElse(null);
            Optional<String> id = found == null ? Optional.empty() : OrderNames.id(found.path("data"), name);
            if (id.isEmpty()) {
                return message(404, shopify.isEmpty() ? "this stack resolves no order name: its Shopify Admin stand-in is "
                        + "not running (the start line says why); give the order's id (order=ID)"
                        : "shop " + shop + " has no order named " + name + " (asked the stack's Shopify stand-in, which "
                        + "knows the order payloads of " + shopify.get().fixture() + "): check the name, with its "
                        + "prefix (#1001), or give the order's id", text);
            }
            order = id.get();
            what = "order " + name + " (id " + order + ")";
        }
        EntityTrace.Report report = !webhook.isEmpty() ? trace.traceWebhook(shop, webhook)
                : trace.trace(new EntityTrace.Query(shop, shop + "/order/" + order, what));
        int status = report.found() ? 200 : 404;
        return text ? new Reply(status, null, trace.text(report)) : new Reply(status, trace.json(report, json), null);
    }

    /** A SKU's levels: its items from the Shopify stand-in (the search a deployed trace sends), each level traced. */
    private Reply sku(EntityTrace trace, String shop, String sku, Optional<String> location, boolean text) {
        Optional<ShopifyAdminStandIn> shopify = stack.shopifyStandIn();
        if (shopify.isEmpty()) {
            return message(404, "this stack resolves no SKU: its Shopify Admin stand-in is not running (the start "
                    + "line says why); trace the level by a webhook of it instead (webhook=<X-Shopify-Webhook-Id>)", text);
        }
        ObjectNode answer = shopify.get().answer(SkuTrace.QUERY, SkuTrace.variables(sku, json));
        if (answer.has("errors")) {
            return message(500, "the Shopify stand-in refused the SKU search: " + answer.path("errors"), text);
        }
        List<SkuTrace.Item> items = SkuTrace.items(answer.path("data"), sku);
        if (items.isEmpty()) {
            return message(404, "shop " + shop + " has no inventory item with SKU " + sku + " (asked the stack's Shopify "
                    + "stand-in, which knows the inventory_items payloads of " + shopify.get().fixture() + "): check the "
                    + "SKU (it is case-sensitive)", text);
        }
        SkuTrace.Answer traced = SkuTrace.trace(trace, shop, sku, location, items);
        int status = traced.found() ? 200 : 404;
        return text ? new Reply(status, null, SkuTrace.text(traced, trace))
                : new Reply(status, SkuTrace.json(traced, trace, json), null);
    }

    private Reply message(int status, String message, boolean text) {
        return text ? new Reply(status, null, message + "\n") : new Reply(status, json.createObjectNode().put("message",
                message), null);
    }

    private List<EntityTrace.DeadLetter> deadLetters() {
        List<EntityTrace.DeadLetter> letters = new ArrayList<>();
        for (RunningStack.LocalFlow flow : stack.flows()) {
            String url = flow.queues().deadLetterQueueUrl();
            for (Message message : stack.sqs().peek(url)) {
                Map<String, String> attributes = LocalApi.attributes(message);
                String sent = message.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP);
                letters.add(new EntityTrace.DeadLetter(flow.name(), url.substring(url.lastIndexOf('/') + 1),
                        message.messageId(), sent == null ? null : Instant.ofEpochMilli(Long.parseLong(sent)), attributes));
            }
        }
        return letters;
    }

    private EntityTrace.NextSteps nextSteps() {
        return new EntityTrace.NextSteps() {
            @Override
            public String redrive(String flow) {
                return "the console's redrive button, or curl -X POST -H 'X-Shopsync-Local: 1' " + stack.url()
                        + "/_local/dlq/redrive -d '{\"flow\": \"" + flow + "\"}'";
            }

            @Override
            public String unknown(String what) {
                return "check that the webhook was posted to this stack (scripts/local --replay posts events/), or run "
                        + "the reconciler: curl -X POST -H 'X-Shopsync-Local: 1' " + stack.url() + "/_local/reconcile";
            }
        };
    }

    private static Map<String, String> parse(String rawQuery) {
        Map<String, String> values = new LinkedHashMap<>();
        if (rawQuery == null) {
            return values;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            values.putIfAbsent(name, value);
        }
        return values;
    }
}
