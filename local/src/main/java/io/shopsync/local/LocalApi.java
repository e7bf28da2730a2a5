package io.shopsync.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.shopsync.alerts.Alert;
import io.shopsync.emulator.EventBridgeRule;
import io.shopsync.emulator.HttpApiEventSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The local HTTP server's requests: the template's webhook routes, answered by each flow's handler
 * through the HTTP API emulation, and the JSON endpoints for people and scripts under {@code /_local/}.
 */
final class LocalApi implements HttpHandler {

    /** The DLQ message attributes shown by {@code GET /_local/dlq}, as the delivery and intake paths set them. */
    private static final List<String> DLQ_FIELDS = List.of("reason", "topic", "webhookId", "shop", "stage", "category",
            "target", "entity");

    private final RunningStack stack;
    private final ObjectMapper json;
    private final LocalConsole console;
    private final LocalTrace trace;

    LocalApi(RunningStack stack, ObjectMapper json) {
        this.stack = stack;
        this.json = json;
        this.console = new LocalConsole(stack, json);
        this.trace = new LocalTrace(stack, json);
    }

    /**
     * The names this server answers to. It listens on 127.0.0.1 only, but a web page can still reach it
     * under a name of its own that resolves there (DNS rebinding), and read the outbox or post webhooks
     * that a --live stack sends on with real credentials; such a request carries the page's name as Host.
     */
    private static final Pattern LOCAL_HOST = Pattern.compile("(?i)(?:127\\.0\\.0\\.1|localhost)(?::[0-9]{1,5})?");
    private static final int SHOWN_HOST_LENGTH = 64;

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            String path = exchange.getRequestURI().getRawPath();
            String host = exchange.getRequestHeaders().getFirst("Host");
            if (host == null || !LOCAL_HOST.matcher(host).matches()) {
                String shown = host == null ? "(none)" : host.length() > SHOWN_HOST_LENGTH
                        ? host.substring(0, SHOWN_HOST_LENGTH) + "..." : host;
                ObjectNode refused = json.createObjectNode();
                refused.put("message", "Forbidden: this local stack answers only requests for Host 127.0.0.1 or"
                        + " localhost, not " + shown + "; use " + stack.url());
                stack.console().println("refused " + method + " " + path + ": Host " + shown.replaceAll("\\p{Cntrl}", "?")
                        + " is not 127.0.0.1 or localhost");
                send(exchange, 403, refused);
                return;
            }
            if (path.startsWith("/admin/api/") && stack.shopifyStandIn().isPresent()) {
                stack.shopifyStandIn().get().handle(exchange);
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            for (RunningStack.LocalFlow flow : stack.flows()) {
                Optional<HttpApiEventSource> route = flow.routeFor(method, path);
                if (route.isPresent()) {
                    webhook(exchange, route.get(), method, path, body);
                    return;
                }
            }
            if (method.equals("POST")) {
                // Every POST that is not a webhook changes the stack: only its own page or a script may send it.
                Optional<String> refusal = console.sameOriginRefusal(exchange);
                if (refusal.isPresent()) {
                    ObjectNode refused = json.createObjectNode();
                    refused.put("message", refusal.get());
                    stack.console().println("refused POST " + path + ": no same-origin proof (Origin of this stack, or "
                            + LocalConsole.PROOF_HEADER + ")");
                    send(exchange, 403, refused);
                    return;
                }
            }
            if (method.equals("POST") && path.equals("/_local/dlq/redrive")) {
                Answer answer = console.redrive(body);
                send(exchange, answer.status(), answer.body());
                return;
            }
            if (method.equals("GET") && LocalConsole.isPageFile(path)) {
                console.servePageFile(exchange, path);
                return;
            }
            if (method.equals("POST") && path.equals("/_local/eventbridge")) {
                Answer answer = eventBridge(body);
                send(exchange, answer.status(), answer.body());
                return;
            }
            if (method.equals("POST") && path.equals("/_local/reconcile")) {
                Answer answer = reconcile();
                send(exchange, answer.status(), answer.body());
                return;
            }
            if (method.equals("GET") && path.equals("/_local/trace")) {
                LocalTrace.Reply reply = trace.answer(exchange.getRequestURI().getRawQuery());
                if (reply.text() != null) {
                    sendText(exchange, reply.status(), reply.text());
                } else {
                    send(exchange, reply.status(), reply.json());
                }
                return;
            }
            if (method.equals("GET")) {
                switch (path) {
                    case "/_local/status":
                        send(exchange, 200, status());
                        return;
                    case "/_local/outbox":
                        send(exchange, 200, outbox());
                        return;
                    case "/_local/dlq":
                        send(exchange, 200, deadLetters());
                        return;
                    case "/_local/alerts":
                        send(exchange, 200, alerts());
                        return;
                    default:
                        break;
                }
            }
            ObjectNode notFound = json.createObjectNode();
            notFound.put("message", "Not Found: " + method + " " + path + " is not a route of this stack. Routes: "
                    + stack.flows().stream().map(f -> f.route().routeKey()).collect(Collectors.joining(", "))
                    + "; POST /_local/eventbridge, /_local/reconcile, /_local/dlq/redrive; GET / (the console), /_local/status,"
                    + " /_local/outbox, /_local/dlq, /_local/alerts, /_local/trace?shop=DOMAIN&order=ID");
            send(exchange, 404, notFound);
        } catch (RuntimeException e) {
            ObjectNode error = json.createObjectNode();
            error.put("message", "the local stack failed on this request: " + e);
            send(exchange, 500, error);
        }
    }

    private void webhook(HttpExchange exchange, HttpApiEventSource route, String method, String path, byte[] body)
            throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        HttpApiEventSource.Response response = route.invoke(new HttpApiEventSource.Request(method, path, query,
                exchange.getRequestHeaders(), body, exchange.getRemoteAddress().getAddress().getHostAddress()));
        if (response.crash() != null) {
            stack.console().println(route.routeKey() + ": the handler failed (API Gateway answers 500): "
                    + response.crash());
        }
        response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        response.cookies().forEach(cookie -> exchange.getResponseHeaders().add("Set-Cookie", cookie));
        byte[] answer = response.body();
        exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
        if (answer.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
    }

    /** An answer of this server: its status and JSON body. */
    record Answer(int status, ObjectNode body) {}

    /**
     * {@code POST /_local/eventbridge}: one event as Shopify puts it on the partner bus, routed as the
     * template's rules route it (the flow whose rule names its topic) and invoked as Lambda invokes
     * asynchronously (three attempts). 202 with the flow and the handler's answer; 404 when no flow's rule
     * takes it (deployed, it would be kept in the unrouted-events queue); 500 when every attempt failed
     * (deployed, it would be kept in the flow's events DLQ).
     */
    Answer eventBridge(byte[] event) {
        ObjectNode answer = json.createObjectNode();
        for (RunningStack.LocalFlow flow : stack.flows()) {
            if (!flow.rule().matches(event)) {
                continue;
            }
            EventBridgeRule.Invocation invocation = flow.rule().invoke(event);
            answer.put("flow", flow.name());
            answer.put("attempts", invocation.attempts());
            if (invocation.deadLettered()) {
                answer.put("message", "every attempt failed; deployed, the event would be in the " + flow.name()
                        + " events dead-letter queue: " + invocation.failure());
                stack.console().println("eventbridge -> " + flow.name() + ": the handler failed " + invocation.attempts()
                        + " times: " + invocation.failure());
                return new Answer(500, answer);
            }
            try {
                answer.set("answer", json.readTree(invocation.answer()));
            } catch (IOException e) {
                answer.put("answer", invocation.answer());
            }
            return new Answer(202, answer);
        }
        answer.put("message", "no flow's rule takes this event (topic " + EventBridgeRule.topicOf(event).orElse("not found")
                + ", detail-type must be shopifyWebhook, topic under " + EventBridgeRule.TOPIC_KEYS
                + "); deployed, it would be kept in the unrouted-events queue");
        return new Answer(404, answer);
    }

    /**
     * {@code POST /_local/reconcile}: one reconciler run now (after the one in progress, if any): 200 with what it
     * scanned and queued, 404 when the stack runs no reconciler.
     */
    Answer reconcile() {
        if (stack.reconciler().isEmpty()) {
            ObjectNode answer = json.createObjectNode();
            answer.put("message", "this stack runs no reconciler: the start's \"reconciler:\" line says why");
            return new Answer(404, answer);
        }
        LocalReconciler reconciler = stack.reconciler().get();
        return new Answer(200, reconciler.json(reconciler.run("on demand")));
    }

    ObjectNode status() {
        ObjectNode root = json.createObjectNode();
        ObjectNode flows = root.putObject("flows");
        FlowMetrics metrics = stack.metrics();
        for (RunningStack.LocalFlow flow : stack.flows()) {
            ObjectNode node = flows.putObject(flow.name());
            node.put("received", metrics.total(flow.name(), "WebhooksReceived"));
            node.put("delivered", metrics.total(flow.name(), "Delivered"));
            node.put("duplicate", metrics.total(flow.name(), "Duplicate"));
            node.put("stale", metrics.total(flow.name(), "Stale"));
            node.put("retried", metrics.total(flow.name(), "Retried"));
            node.put("deadLettered", metrics.total(flow.name(), "DeadLettered"));
            node.put("inFlight", stack.inFlight(flow));
            node.put("inDeadLetterQueue", stack.sqs().inFlight(flow.queues().deadLetterQueueUrl()));
            metrics.lastRetryReason(flow.name()).ifPresent(reason -> node.put("lastRetryReason", reason));
        }
        stack.reconciler().ifPresentOrElse(reconciler -> root.set("reconciler", reconciler.status()),
                () -> root.putNull("reconciler"));
        return root;
    }

    ArrayNode outbox() {
        ArrayNode array = json.createArrayNode();
        for (Outbox.Request request : stack.outbox().requests()) {
            ObjectNode node = array.addObject();
            node.put("flow", request.flow());
            node.put("target", request.target());
            node.put("method", request.method());
            node.put("url", request.url());
            ObjectNode headers = node.putObject("headers");
            request.headers().forEach(headers::put);
            node.set("body", request.body());
        }
        return array;
    }

    ObjectNode deadLetters() {
        ObjectNode root = json.createObjectNode();
        for (RunningStack.LocalFlow flow : stack.flows()) {
            ArrayNode items = root.putArray(flow.name());
            for (Message message : stack.sqs().peek(flow.queues().deadLetterQueueUrl())) {
                Map<String, String> attributes = attributes(message);
                ObjectNode item = items.addObject();
                item.put("messageId", message.messageId());
                for (String field : DLQ_FIELDS) {
                    if (attributes.containsKey(field)) {
                        item.put(field, attributes.get(field));
                    }
                }
            }
        }
        return root;
    }

    /** Each dead letter's message attributes, read without consuming it. */
    static List<Map<String, String>> deadLetterAttributes(RunningStack stack, RunningStack.LocalFlow flow) {
        List<Map<String, String>> result = new ArrayList<>();
        for (Message message : stack.sqs().peek(flow.queues().deadLetterQueueUrl())) {
            result.add(attributes(message));
        }
        return result;
    }

    /** A message's string attributes (the dead-letter reason, topic, shop, webhook id, entity ...). */
    static Map<String, String> attributes(Message message) {
        return message.messageAttributes().entrySet().stream().filter(e -> e.getValue().stringValue() != null)
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().stringValue()));
    }

    ArrayNode alerts() {
        ArrayNode array = json.createArrayNode();
        for (Alert alert : stack.alerts().raised()) {
            ObjectNode node = array.addObject();
            node.put("flow", alert.flow());
            node.put("target", alert.target());
            node.put("category", alert.category());
            node.put("subject", alert.subject());
            node.put("whatFailed", alert.whatFailed());
            ObjectNode details = node.putObject("details");
            alert.details().forEach(details::put);
            node.put("whatToDo", alert.whatToDo());
            node.put("text", ConsoleAlerts.text(alert));
        }
        return array;
    }

    private static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
