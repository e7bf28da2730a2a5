package io.shopsync.emulator;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What API Gateway's HTTP API does for one route with a Lambda proxy integration (payload format
 * 2.0), for tests and the local stack: turns an HTTP request into the event API Gateway would send,
 * invokes the handler, and turns the handler's answer back into an HTTP response.
 *
 * <p>As API Gateway does: header names are lower-cased and repeated headers joined with commas; a
 * {@code Cookie} header becomes the {@code cookies} array; repeated query parameters are joined with
 * commas; an empty body is left out. An answer without {@code statusCode} is taken as a 200 JSON body,
 * and a handler that throws or answers with something that is not JSON gives 500
 * {@code {"message":"Internal Server Error"}} (the failure is kept in {@link Response#crash()}).
 *
 * <p>Body encoding, the one rule chosen here: the body is passed as text only when the content type is
 * textual ({@code text/*}, JSON, XML, JavaScript) and the bytes are valid UTF-8; otherwise it is
 * base64-encoded with {@code isBase64Encoded: true}. Both forms are events API Gateway sends, so a
 * handler must accept both; this rule gives Shopify's JSON webhooks as text, as in {@code events/}.
 */
public final class HttpApiEventSource {

    /** One HTTP request as it reached API Gateway. Header names in any case; values in arrival order. */
    public record Request(String method, String rawPath, String rawQueryString, Map<String, List<String>> headers,
                          byte[] body, String sourceIp) {

        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(rawPath, "rawPath");
            rawQueryString = rawQueryString == null ? "" : rawQueryString;
            Map<String, List<String>> copy = new LinkedHashMap<>();
            headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
            headers = copy;
            body = body == null ? new byte[0] : body;
            sourceIp = sourceIp == null ? "127.0.0.1" : sourceIp;
        }

        /** A request with single-valued headers, from the loopback address. */
        public static Request of(String method, String rawPath, Map<String, String> headers, byte[] body) {
            Map<String, List<String>> multi = new LinkedHashMap<>();
            headers.forEach((name, value) -> multi.put(name, List.of(value)));
            return new Request(method, rawPath, "", multi, body, null);
        }
    }

    /**
     * The HTTP answer API Gateway would give.
     *
     * @param cookies {@code Set-Cookie} values, one per cookie
     * @param crash what made the invocation fail (a 500), or null
     */
    public record Response(int statusCode, Map<String, String> headers, List<String> cookies, byte[] body,
                           Throwable crash) {

        public Response {
            headers = Map.copyOf(headers);
            cookies = List.copyOf(cookies);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    /** The account id API Gateway reports; a local run has none. */
    private static final String ACCOUNT_ID = "000000000000";
    private static final String API_ID = "local";

    private final String method;
    private final String path;
    private final RequestStreamHandler handler;
    private final Clock clock;

    /** The route {@code method path} (for example {@code POST /webhooks/orders}) integrated with {@code handler}. */
    public HttpApiEventSource(String method, String path, RequestStreamHandler handler) {
        this(method, path, handler, Clock.systemUTC());
    }

    public HttpApiEventSource(String method, String path, RequestStreamHandler handler, Clock clock) {
        this.method = method.toUpperCase(Locale.ROOT);
        this.path = path;
        this.handler = handler;
        this.clock = clock;
    }

    /** The route key as API Gateway writes it: {@code POST /webhooks/orders}. */
    public String routeKey() {
        return method + " " + path;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    /** The payload 2.0 event API Gateway would send the handler for this request. */
    public ObjectNode event(Request request) {
        Instant now = clock.instant();
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        request.headers().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("cookie")) {
                values.forEach(value -> {
                    for (String cookie : value.split(";")) {
                        if (!cookie.isBlank()) {
                            cookies.add(cookie.trim());
                        }
                    }
                });
                return;
            }
            headers.merge(lower, String.join(",", values), (a, b) -> a + "," + b);
        });

        ObjectNode event = JSON.createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", routeKey());
        event.put("rawPath", request.rawPath());
        event.put("rawQueryString", request.rawQueryString());
        if (!cookies.isEmpty()) {
            cookies.forEach(event.withArray("cookies")::add);
        }
        ObjectNode headerNode = event.putObject("headers");
        headers.forEach(headerNode::put);
        Map<String, String> query = queryParameters(request.rawQueryString());
        if (!query.isEmpty()) {
            ObjectNode queryNode = event.putObject("queryStringParameters");
            query.forEach(queryNode::put);
        }

        String host = headers.getOrDefault("host", "localhost");
        ObjectNode context = event.putObject("requestContext");
        context.put("accountId", ACCOUNT_ID);
        context.put("apiId", API_ID);
        context.put("domainName", host);
        context.put("domainPrefix", host.contains(".") ? host.substring(0, host.indexOf('.')) : host);
        ObjectNode http = context.putObject("http");
        http.put("method", request.method().toUpperCase(Locale.ROOT));
        http.put("path", request.rawPath());
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", request.sourceIp());
        http.put("userAgent", headers.getOrDefault("user-agent", ""));
        context.put("requestId", requestId());
        context.put("routeKey", routeKey());
        context.put("stage", "$default");
        context.put("time", REQUEST_TIME.format(now));
        context.put("timeEpoch", now.toEpochMilli());

        byte[] body = request.body();
        if (body.length > 0) {
            if (isText(headers.get("content-type"), body)) {
                event.put("body", new String(body, StandardCharsets.UTF_8));
                event.put("isBase64Encoded", false);
            } else {
                event.put("body", Base64.getEncoder().encodeToString(body));
                event.put("isBase64Encoded", true);
            }
        } else {
            event.put("isBase64Encoded", false);
        }
        return event;
    }

    /** Invokes the handler as API Gateway would and answers as API Gateway would. */
    public Response invoke(Request request) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(event(request))), out, null);
        } catch (IOException | RuntimeException | Error e) {
            return internalError(e);
        }
        JsonNode answer;
        try {
            answer = out.size() == 0 ? null : JSON.readTree(out.toByteArray());
        } catch (IOException e) {
            return internalError(new IllegalStateException("the handler answered " + routeKey()
                    + " with something that is not JSON", e));
        }
        if (answer == null) {
            return internalError(new IllegalStateException("the handler wrote no answer to " + routeKey()));
        }
        if (!answer.isObject() || !answer.has("statusCode")) {
            // Payload 2.0: an answer without statusCode is the body of a 200 JSON response.
            return new Response(200, Map.of("content-type", "application/json"), List.of(), out.toByteArray(), null);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        answer.path("headers").properties().forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
        List<String> cookies = new ArrayList<>();
        answer.path("cookies").forEach(cookie -> cookies.add(cookie.asText()));
        JsonNode bodyNode = answer.get("body");
        byte[] body;
        if (bodyNode == null || bodyNode.isNull()) {
            body = new byte[0];
        } else if (answer.path("isBase64Encoded").asBoolean(false)) {
            body = Base64.getDecoder().decode(bodyNode.asText());
        } else {
            body = bodyNode.asText().getBytes(StandardCharsets.UTF_8);
        }
        return new Response(answer.path("statusCode").asInt(500), headers, cookies, body, null);
    }

    private static Response internalError(Throwable crash) {
        return new Response(500, Map.of("content-type", "application/json"), List.of(),
                "{\"message\":\"Internal Server Error\"}".getBytes(StandardCharsets.UTF_8), crash);
    }

    /** Text when the media type is textual and the bytes decode as UTF-8 without loss. */
    static boolean isText(String contentType, byte[] body) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        boolean textual = type.startsWith("text/") || type.equals("application/json") || type.endsWith("+json")
                || type.equals("application/xml") || type.endsWith("+xml") || type.equals("application/javascript");
        if (!textual) {
            return false;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static Map<String, String> queryParameters(String rawQueryString) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQueryString.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQueryString.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            parameters.merge(name, value, (a, b) -> a + "," + b);
        }
        return parameters;
    }

    private static String requestId() {
        byte[] id = new byte[10];
        RANDOM.nextBytes(id);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    }
}
