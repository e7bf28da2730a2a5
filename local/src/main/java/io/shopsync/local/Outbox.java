package io.shopsync.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.shopsync.http.HttpTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The connectors' dry run: every request a connector would send is recorded here, in send order, and
 * answered by a responder registered for its host (by default 200 with {@code {}}), instead of leaving
 * the machine. Secrets in headers (Authorization, API keys, tokens) are recorded as {@code ***}.
 */
final class Outbox {

    /**
     * One recorded request.
     *
     * @param flow the flow whose delivery sent it
     * @param target the target's name, from the host (or the registered name for it)
     * @param body the JSON body, or the text as a JSON string when it is not JSON
     */
    record Request(String flow, String target, String method, String url, Map<String, String> headers, JsonNode body) {}

    /** How a dry-run target answers one request. */
    @FunctionalInterface
    interface Responder extends Function<HttpRequest, HttpTransport.Answer> {}

    static final HttpTransport.Answer OK = new HttpTransport.Answer(200,
            HttpHeaders.of(Map.of("content-type", List.of("application/json")), (a, b) -> true), "{}");

    private final ObjectMapper json;
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, String> targetNames = new ConcurrentHashMap<>();
    private final Map<String, Responder> responders = new ConcurrentHashMap<>();

    /** The targets' API hosts as the connectors call them; any other host is named by {@link #targetOf}. */
    private static final Map<String, String> KNOWN_TARGETS = Map.of(
            "api.hubapi.com", "hubspot",
            "a.klaviyo.com", "klaviyo",
            "api.katanamrp.com", "katana");

    Outbox(ObjectMapper json) {
        this.json = json;
        targetNames.putAll(KNOWN_TARGETS);
    }

    /** Names the target behind a host (otherwise the host's first label that is not api/www names it). */
    void nameTarget(String host, String target) {
        targetNames.put(host.toLowerCase(Locale.ROOT), target);
    }

    /** Answers requests to {@code host} with {@code responder} instead of 200 {@code {}}. */
    void respond(String host, Responder responder) {
        responders.put(host.toLowerCase(Locale.ROOT), responder);
    }

    /** The transport a flow's connectors send through. */
    OutboxTransport transportFor(String flow) {
        return new OutboxTransport(this, flow);
    }

    /** Records the request, then answers it as its host's responder does. */
    HttpTransport.Answer exchange(String flow, HttpRequest request) throws IOException {
        record(flow, request);
        String host = request.uri().getHost() == null ? "" : request.uri().getHost().toLowerCase(Locale.ROOT);
        Responder responder = responders.get(host);
        if (responder == null && host.indexOf('.') > 0) {
            responder = responders.get("*" + host.substring(host.indexOf('.'))); // e.g. *.myshopify.com
        }
        return responder == null ? OK : responder.apply(request);
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Requests per target for one flow, in first-seen order. */
    synchronized Map<String, Integer> countByTarget(String flow) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Request request : requests) {
            if (request.flow().equals(flow)) {
                counts.merge(request.target(), 1, Integer::sum);
            }
        }
        return counts;
    }

    private void record(String flow, HttpRequest request) throws IOException {
        URI uri = request.uri();
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().map().forEach((name, values) ->
                headers.put(name.toLowerCase(Locale.ROOT), isSecret(name) ? "***" : String.join(",", values)));
        String body = bodyOf(request);
        JsonNode parsed;
        try {
            parsed = body.isEmpty() ? null : json.readTree(body);
        } catch (IOException notJson) {
            parsed = TextNode.valueOf(request.headers().firstValue("Content-Type").orElse("")
                    .startsWith("application/x-www-form-urlencoded") ? maskedForm(body) : body);
        }
        Request recorded = new Request(flow, targetNames.getOrDefault(host, targetOf(host)), request.method(),
                uri.toString(), headers, parsed);
        synchronized (this) {
            requests.add(recorded);
        }
    }

    /** A form body (the client credentials grant) with the values of secret fields masked: client_secret=***. */
    static String maskedForm(String body) {
        StringBuilder masked = new StringBuilder();
        for (String pair : body.split("&", -1)) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            masked.append(masked.length() == 0 ? "" : "&").append(equals >= 0 && isSecret(name) ? name + "=***" : pair);
        }
        return masked.toString();
    }

    static boolean isSecret(String header) {
        String name = header.toLowerCase(Locale.ROOT);
        return name.equals("authorization") || name.equals("proxy-authorization") || name.contains("api-key")
                || name.contains("apikey") || name.contains("token") || name.contains("secret")
                || name.equals("cookie");
    }

    /** A host's registrable name without its suffix: {@code inventory.example.com} is {@code example}. */
    static String targetOf(String host) {
        if (host.isEmpty()) {
            return "unknown";
        }
        if (host.endsWith(".myshopify.com")) {
            return "shopify"; // a store's own Admin API, whatever the store is called
        }
        String[] labels = host.split("\\.");
        return labels.length >= 2 ? labels[labels.length - 2] : labels[0];
    }

    /** The bytes a request publishes, as text (the JDK hands them to subscribers only). */
    static String bodyOf(HttpRequest request) throws IOException {
        if (request.bodyPublisher().isEmpty() || request.bodyPublisher().get().contentLength() == 0) {
            return "";
        }
        BodyCollector collector = new BodyCollector();
        request.bodyPublisher().get().subscribe(collector);
        return collector.text();
    }

    /** Collects a request body publisher's bytes (they are in memory: connectors publish strings or bytes). */
    private static final class BodyCollector implements Flow.Subscriber<ByteBuffer> {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<String> done = new CompletableFuture<>();

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(ByteBuffer item) {
            byte[] chunk = new byte[item.remaining()];
            item.get(chunk);
            bytes.write(chunk, 0, chunk.length);
        }

        @Override
        public void onError(Throwable throwable) {
            done.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            done.complete(bytes.toString(StandardCharsets.UTF_8));
        }

        String text() throws IOException {
            try {
                return done.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException("cannot read the request body for the outbox: " + e.getMessage(), e);
            }
        }
    }
}
