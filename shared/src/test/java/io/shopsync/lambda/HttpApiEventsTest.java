package io.shopsync.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.intake.HttpRequest;
import io.shopsync.intake.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class HttpApiEventsTest {

    private final ObjectMapper json = new ObjectMapper();

    private JsonNode event(String body, boolean base64) {
        var node = json.createObjectNode();
        node.put("version", "2.0");
        node.put("routeKey", "POST /webhooks/orders");
        node.putObject("requestContext").putObject("http").put("method", "POST");
        node.putObject("headers").put("x-shopify-topic", "orders/create").put("content-type", "application/json");
        node.put("body", body);
        node.put("isBase64Encoded", base64);
        return node;
    }

    @Test
    void request_shouldDecodeBase64Bodies_toTheExactBytes() {
        byte[] raw = "{\"name\":\"Zoë\"}\n".getBytes(StandardCharsets.UTF_8);

        HttpRequest request = HttpApiEvents.request(event(Base64.getEncoder().encodeToString(raw), true));

        assertThat(request.body()).isEqualTo(raw);
        assertThat(request.headers()).containsEntry("x-shopify-topic", "orders/create");
    }

    @Test
    void request_shouldRefuseABodyMarkedBase64ThatIsNotBase64_withItsOwnException() {
        assertThatThrownBy(() -> HttpApiEvents.request(event("{\"id\":820982911946154508}", true)))
                .isInstanceOf(HttpApiEvents.UnreadableBodyException.class)
                .hasMessage("body is marked isBase64Encoded but is not base64");
    }

    @Test
    void request_shouldTakeThePlainBodyAsUtf8Bytes() {
        HttpRequest request = HttpApiEvents.request(event("{\"name\":\"Zoë\"}", false));

        assertThat(request.body()).isEqualTo("{\"name\":\"Zoë\"}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void isHttpApiEvent_shouldTellHttpApiEventsFromSqsEvents() throws Exception {
        assertThat(HttpApiEvents.isHttpApiEvent(event("{}", false))).isTrue();
        assertThat(HttpApiEvents.isHttpApiEvent(json.readTree("{\"Records\":[{\"eventSource\":\"aws:sqs\"}]}"))).isFalse();
    }

    @Test
    void response_shouldBeAnHttpApiResponse() {
        JsonNode response = HttpApiEvents.response(json, new HttpResponse(401, "{\"message\":\"Unauthorized\"}"));

        assertThat(response.path("statusCode").asInt()).isEqualTo(401);
        assertThat(response.path("body").asText()).isEqualTo("{\"message\":\"Unauthorized\"}");
        assertThat(response.path("headers").path("content-type").asText()).isEqualTo("application/json");
    }
}
