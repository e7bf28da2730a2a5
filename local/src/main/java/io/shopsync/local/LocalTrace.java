package io.shopsync.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.trace.EntityTrace;
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
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * {@code GET /_local/trace?shop=DOMAIN&order=ID[&format=text]}: {@code scripts/shopsync trace} on the local stack,
 * the same {@link EntityTrace} over this stack's delivery store and dead-letter queues (peeked, never consumed).
 * The console's search box and {@code scripts/shopsync trace --local URL} ask it.
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

    /** 200 with the trace, 404 when nothing of the order is known, 400 when the query is not an order. */
    Reply answer(String rawQuery) {
        Map<String, String> query = parse(rawQuery);
        boolean text = "text".equals(query.get("format"));
        String shopText = query.getOrDefault("shop", "").trim().toLowerCase(Locale.ROOT);
        String shop = shopText.contains(".") ? shopText : shopText + ".myshopify.com";
        String order = query.getOrDefault("order", "").trim();
        if (ShopDomain.parse(shop).isEmpty() || !order.matches("[1-9][0-9]{0,24}")) {
            var error = json.createObjectNode();
            error.put("message", "Bad Request: give shop=<name>.myshopify.com and order=<the order's id, the number in "
                    + "its admin URL, not its name such as #1042>, e.g. "
                    + "/_local/trace?shop=shopsync-demo.myshopify.com&order=820982911946154508");
            return new Reply(400, error, null);
        }
        EntityTrace trace = new EntityTrace(stack.deliveryStore(), DynamoDbDeliveryStore.DEFAULT_RECORD_RETENTION,
                this::deadLetters, nextSteps(), Clock.systemUTC());
        EntityTrace.Report report = trace.trace(new EntityTrace.Query(shop, shop + "/order/" + order, "order " + order));
        int status = report.found() ? 200 : 404;
        return text ? new Reply(status, null, trace.text(report)) : new Reply(status, trace.json(report, json), null);
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
