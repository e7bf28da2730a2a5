package io.shopsync.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HttpApiEventSourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T10:15:47.570Z"), ZoneOffset.UTC);

    private final AtomicReference<JsonNode> received = new AtomicReference<>();

    /** A handler that keeps the event it got and answers with {@code answer}. */
    private RequestStreamHandler answering(String answer) {
        return (in, out, context) -> {
            received.set(JSON.readTree(in));
            out.write(answer.getBytes(StandardCharsets.UTF_8));
        };
    }

    private HttpApiEventSource route(RequestStreamHandler handler) {
        return new HttpApiEventSource("POST", "/webhooks/orders", handler, CLOCK);
    }

    @Test
    void event_isPayload2_withLowerCasedHeaders_andJsonBodyAsText() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of("application/json"));
        headers.put("X-Shopify-Topic", List.of("orders/create"));
        headers.put("Host", List.of("127.0.0.1:3000"));
        headers.put("User-Agent", List.of("Shopify-Captain-Hook"));
        byte[] body = "{\"id\":820982911946154508,\"name\":\"Zoë\"}".getBytes(StandardCharsets.UTF_8);

        JsonNode event = route(answering("{}")).event(new HttpApiEventSource.Request("POST", "/webhooks/orders", "",
                headers, body, "34.73.0.1"));

        assertThat(event.path("version").asText()).isEqualTo("2.0");
        assertThat(event.path("routeKey").asText()).isEqualTo("POST /webhooks/orders");
        assertThat(event.path("rawPath").asText()).isEqualTo("/webhooks/orders");
        assertThat(event.path("headers").path("x-shopify-topic").asText()).isEqualTo("orders/create");
        assertThat(event.path("headers").path("content-type").asText()).isEqualTo("application/json");
        assertThat(event.path("headers").has("X-Shopify-Topic")).isFalse();
        assertThat(event.path("isBase64Encoded").asBoolean()).isFalse();
        assertThat(event.path("body").asText().getBytes(StandardCharsets.UTF_8)).isEqualTo(body);
        JsonNode context = event.path("requestContext");
        assertThat(context.path("http").path("method").asText()).isEqualTo("POST");
        assertThat(context.path("http").path("path").asText()).isEqualTo("/webhooks/orders");
        assertThat(context.path("http").path("sourceIp").asText()).isEqualTo("34.73.0.1");
        assertThat(context.path("http").path("userAgent").asText()).isEqualTo("Shopify-Captain-Hook");
        assertThat(context.path("stage").asText()).isEqualTo("$default");
        assertThat(context.path("routeKey").asText()).isEqualTo("POST /webhooks/orders");
        assertThat(context.path("time").asText()).isEqualTo("27/Nov/2026:10:15:47 +0000");
        assertThat(context.path("timeEpoch").asLong()).isEqualTo(CLOCK.millis());
        assertThat(context.path("requestId").asText()).isNotBlank();
    }

    @Test
    void event_base64EncodesTheBody_whenItIsNotValidUtf8() {
        byte[] body = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

        JsonNode event = route(answering("{}")).event(HttpApiEventSource.Request.of("POST", "/webhooks/orders",
                Map.of("content-type", "application/json"), body));

        assertThat(event.path("isBase64Encoded").asBoolean()).isTrue();
        assertThat(Base64.getDecoder().decode(event.path("body").asText())).isEqualTo(body);
    }

    @Test
    void event_base64EncodesTheBody_whenTheContentTypeIsNotText() {
        byte[] body = "plain bytes".getBytes(StandardCharsets.UTF_8);

        JsonNode withBinaryType = route(answering("{}")).event(HttpApiEventSource.Request.of("POST", "/x",
                Map.of("Content-Type", "application/octet-stream"), body));
        JsonNode withoutType = route(answering("{}")).event(HttpApiEventSource.Request.of("POST", "/x", Map.of(), body));

        assertThat(withBinaryType.path("isBase64Encoded").asBoolean()).isTrue();
        assertThat(Base64.getDecoder().decode(withBinaryType.path("body").asText())).isEqualTo(body);
        assertThat(withoutType.path("isBase64Encoded").asBoolean()).isTrue();
    }

    @Test
    void event_joinsRepeatedHeadersAndQueryParameters_andMovesCookiesOut() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("X-Many", List.of("a", "b"));
        headers.put("Cookie", List.of("one=1; two=2"));

        JsonNode event = route(answering("{}")).event(new HttpApiEventSource.Request("POST", "/webhooks/orders",
                "a=1&a=2&b=x%20y", headers, new byte[0], null));

        assertThat(event.path("headers").path("x-many").asText()).isEqualTo("a,b");
        assertThat(event.path("headers").has("cookie")).isFalse();
        assertThat(event.path("cookies")).extracting(JsonNode::asText).containsExactly("one=1", "two=2");
        assertThat(event.path("queryStringParameters").path("a").asText()).isEqualTo("1,2");
        assertThat(event.path("queryStringParameters").path("b").asText()).isEqualTo("x y");
        assertThat(event.path("rawQueryString").asText()).isEqualTo("a=1&a=2&b=x%20y");
        assertThat(event.has("body")).isFalse();
    }

    @Test
    void invoke_answersWithTheHandlersStatusHeadersAndBody() {
        HttpApiEventSource route = route(answering(
                "{\"statusCode\":401,\"headers\":{\"content-type\":\"application/json\"},\"body\":\"{\\\"message\\\":\\\"Unauthorized\\\"}\",\"isBase64Encoded\":false}"));

        HttpApiEventSource.Response response = route.invoke(HttpApiEventSource.Request.of("POST", "/webhooks/orders",
                Map.of("Content-Type", "application/json"), "{}".getBytes(StandardCharsets.UTF_8)));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers()).containsEntry("content-type", "application/json");
        assertThat(response.bodyText()).isEqualTo("{\"message\":\"Unauthorized\"}");
        assertThat(response.crash()).isNull();
        assertThat(received.get().path("body").asText()).isEqualTo("{}");
    }

    @Test
    void invoke_decodesABase64AnswerBody() {
        String encoded = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3});
        HttpApiEventSource.Response response = route(answering(
                "{\"statusCode\":200,\"body\":\"" + encoded + "\",\"isBase64Encoded\":true,\"cookies\":[\"a=1\"]}"))
                .invoke(HttpApiEventSource.Request.of("POST", "/webhooks/orders", Map.of(), new byte[0]));

        assertThat(response.body()).containsExactly(1, 2, 3);
        assertThat(response.cookies()).containsExactly("a=1");
    }

    @Test
    void invoke_takesAnAnswerWithoutStatusCode_asA200JsonBody() {
        HttpApiEventSource.Response response = route(answering("{\"ok\":true}"))
                .invoke(HttpApiEventSource.Request.of("POST", "/webhooks/orders", Map.of(), new byte[0]));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers()).containsEntry("content-type", "application/json");
        assertThat(response.bodyText()).isEqualTo("{\"ok\":true}");
    }

    @Test
    void invoke_answers500_whenTheHandlerThrows_andKeepsTheFailure() {
        HttpApiEventSource route = route((in, out, context) -> {
            throw new IllegalStateException("boom");
        });

        HttpApiEventSource.Response response = route.invoke(HttpApiEventSource.Request.of("POST", "/webhooks/orders",
                Map.of(), new byte[0]));

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.bodyText()).isEqualTo("{\"message\":\"Internal Server Error\"}");
        assertThat(response.crash()).hasMessage("boom");
    }

    @Test
    void invoke_answers500_whenTheHandlerAnswersWithSomethingThatIsNotJson() {
        HttpApiEventSource.Response response = route(answering("not json"))
                .invoke(HttpApiEventSource.Request.of("POST", "/webhooks/orders", Map.of(), new byte[0]));

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.crash()).hasMessageContaining("not JSON");
    }
}
