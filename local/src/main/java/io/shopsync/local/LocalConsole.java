package io.shopsync.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The live console of the local stack: {@code GET /} serves one static page (HTML, CSS and JS shipped in this
 * jar, no build step) that polls the JSON endpoints under {@code /_local/}, and {@code POST /_local/dlq/redrive}
 * moves a flow's dead letters back to its work queue. Also the same-origin check every state-changing local
 * endpoint needs: the Host check stops DNS rebinding, not a form another site posts to http://127.0.0.1:PORT.
 */
final class LocalConsole {

    /**
     * The header a script (curl, a test) sends as its proof that no web page sent the request: a browser sends a
     * custom header cross-origin only after a CORS preflight, which this server never grants.
     */
    static final String PROOF_HEADER = "X-Shopsync-Local";

    /** The page's files: path -> resource and content type. */
    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"console/index.html", "text/html; charset=utf-8"},
            "/_local/console.css", new String[] {"console/console.css", "text/css; charset=utf-8"},
            "/_local/console.js", new String[] {"console/console.js", "text/javascript; charset=utf-8"});

    /**
     * Scripts and styles from this origin only, nothing inline, no framing: a payload that slipped past the page's
     * escaping still could not run, and another site cannot overlay the redrive button (clickjacking).
     */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final RunningStack stack;
    private final ObjectMapper json;

    LocalConsole(RunningStack stack, ObjectMapper json) {
        this.stack = stack;
        this.json = json;
    }

    /** Whether {@code GET path} is one of the page's files. */
    static boolean isPageFile(String path) {
        return FILES.containsKey(path);
    }

    void servePageFile(HttpExchange exchange, String path) throws IOException {
        String[] file = FILES.get(path);
        byte[] bytes;
        try (InputStream in = LocalConsole.class.getResourceAsStream(file[0])) {
            if (in == null) {
                throw new IllegalStateException("the console's " + file[0] + " is missing from the local jar: rebuild it"
                        + " (mvn -DskipTests package -pl local -am)");
            }
            bytes = in.readAllBytes();
        }
        exchange.getResponseHeaders().set("content-type", file[1]);
        exchange.getResponseHeaders().set("cache-control", "no-store");
        exchange.getResponseHeaders().set("content-security-policy", CONTENT_SECURITY_POLICY);
        exchange.getResponseHeaders().set("x-frame-options", "DENY");
        exchange.getResponseHeaders().set("x-content-type-options", "nosniff");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * Why a state-changing request (a POST other than a webhook) is refused, or empty when it may go ahead: it must
     * come from this stack's own page (an {@code Origin} of this stack) or from a client that is not a web page (no
     * {@code Origin}, and the {@link #PROOF_HEADER}). A foreign Origin is refused even with the header.
     */
    Optional<String> sameOriginRefusal(HttpExchange exchange) {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        int port = stack.port();
        if (origin != null) {
            String normalized = origin.trim().toLowerCase(java.util.Locale.ROOT);
            if (normalized.equals("http://127.0.0.1:" + port) || normalized.equals("http://localhost:" + port)) {
                return Optional.empty();
            }
            String shown = origin.length() > 64 ? origin.substring(0, 64) + "..." : origin;
            return Optional.of("Forbidden: a page of another origin (" + shown.replaceAll("\\p{Cntrl}", "?")
                    + ") may not change this local stack; use the console at " + stack.url() + "/");
        }
        if (exchange.getRequestHeaders().getFirst(PROOF_HEADER) != null) {
            return Optional.empty();
        }
        return Optional.of("Forbidden: a request that changes this local stack must come from its console ("
                + stack.url() + "/) or carry the header " + PROOF_HEADER + ": 1 (curl -H '" + PROOF_HEADER
                + ": 1' ...), which a web page of another origin cannot send");
    }

    /**
     * {@code POST /_local/dlq/redrive} with {@code {"flow": NAME}} (every dead letter of the flow) or {@code {"flow":
     * NAME, "messageId": ID}} (one, the id {@code GET /_local/dlq} shows): moves them back to the flow's work queue,
     * where the flow delivers each again to the target(s) it failed for. 200 with how many moved and how many are
     * left; 400 for a body that names no flow; 404 for an unknown flow or a dead letter no longer there.
     */
    LocalApi.Answer redrive(byte[] body) {
        ObjectNode answer = json.createObjectNode();
        JsonNode request;
        try {
            request = body.length == 0 ? json.createObjectNode() : json.readTree(body);
        } catch (IOException e) {
            request = null;
        }
        if (request == null || !request.path("flow").isTextual()) {
            answer.put("message", "Bad Request: send {\"flow\": NAME} to redrive a flow's dead letters, or {\"flow\": NAME,"
                    + " \"messageId\": ID} for one (ids as GET /_local/dlq shows them)");
            return new LocalApi.Answer(400, answer);
        }
        String flowName = request.path("flow").asText();
        Optional<RunningStack.LocalFlow> found = stack.flows().stream().filter(f -> f.name().equals(flowName)).findFirst();
        if (found.isEmpty()) {
            answer.put("message", "Not Found: no flow named " + flowName.replaceAll("\\p{Cntrl}", "?") + " in this stack;"
                    + " its flows: " + stack.flows().stream().map(RunningStack.LocalFlow::name).collect(Collectors.joining(", ")));
            return new LocalApi.Answer(404, answer);
        }
        RunningStack.LocalFlow flow = found.get();
        String messageId = request.path("messageId").isTextual() ? request.path("messageId").asText() : null;
        List<String> moved = stack.sqs().moveBack(flow.queues().deadLetterQueueUrl(), flow.queues().workQueueUrl(),
                message -> messageId == null || message.messageId().equals(messageId));
        int left = stack.sqs().inFlight(flow.queues().deadLetterQueueUrl());
        answer.put("flow", flow.name());
        answer.put("moved", moved.size());
        answer.put("left", left);
        if (messageId != null && moved.isEmpty()) {
            answer.put("message", "Not Found: dead letter " + messageId.replaceAll("\\p{Cntrl}", "?") + " is no longer in the "
                    + flow.name() + " dead-letter queue (already redriven?); GET /_local/dlq lists what is there");
            return new LocalApi.Answer(404, answer);
        }
        answer.put("message", moved.size() + " dead letter" + (moved.size() == 1 ? "" : "s") + " of " + flow.name()
                + " moved back to its work queue; the flow delivers each again to the target(s) it failed for. "
                + left + " left in its dead-letter queue");
        stack.console().println("redrive " + flow.name() + ": " + moved.size() + " moved back to the work queue, " + left
                + " left in the dead-letter queue");
        return new LocalApi.Answer(200, answer);
    }
}
