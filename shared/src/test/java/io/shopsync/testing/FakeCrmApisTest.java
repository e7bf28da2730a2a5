package io.shopsync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The CRM stand-in answers as HubSpot and Klaviyo do, or the flow tests built on it prove nothing. */
class FakeCrmApisTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeCrmApis apis = new FakeCrmApis();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        apis.close();
    }

    private HttpResponse<String> post(String path, Map<String, String> headers, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apis.baseUrl() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final String TWO_CONTACTS = """
            {"inputs":[{"idProperty":"email","id":"zoe.adams@example.com","objectWriteTraceId":"t-1","properties":{}},
                       {"idProperty":"email","id":"bad@@example","objectWriteTraceId":"t-2","properties":{}}]}""";

    @Test
    void hubSpot_answers401_withoutTheBearerToken_orWithAnotherOne() throws Exception {
        HttpResponse<String> none = post(FakeCrmApis.HUBSPOT_CONTACTS, Map.of(), TWO_CONTACTS);
        HttpResponse<String> other = post(FakeCrmApis.HUBSPOT_CONTACTS, Map.of("Authorization", "Bearer pat-na1-other"),
                TWO_CONTACTS);
        HttpResponse<String> bare = post(FakeCrmApis.HUBSPOT_CONTACTS, Map.of("Authorization", FakeCrmApis.HUBSPOT_TOKEN),
                TWO_CONTACTS);

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(other.statusCode()).isEqualTo(401);
        assertThat(bare.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(none.body()).path("category").asText()).isEqualTo("INVALID_AUTHENTICATION");
    }

    @Test
    void hubSpot_answers207_withTheRejectedInputsErrorNamingItsTraceId() throws Exception {
        apis.rejectHubSpotInput("bad@@example", "VALIDATION_ERROR", "Property values were not valid");

        HttpResponse<String> response = post(FakeCrmApis.HUBSPOT_CONTACTS,
                Map.of("Authorization", "Bearer " + FakeCrmApis.HUBSPOT_TOKEN), TWO_CONTACTS);

        assertThat(response.statusCode()).isEqualTo(207);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.path("results")).singleElement()
                .satisfies(result -> assertThat(result.path("objectWriteTraceId").asText()).isEqualTo("t-1"));
        assertThat(answer.path("numErrors").asInt()).isEqualTo(1);
        assertThat(answer.path("errors").get(0).path("category").asText()).isEqualTo("VALIDATION_ERROR");
        assertThat(answer.path("errors").get(0).path("context").path("objectWriteTraceId").get(0).asText()).isEqualTo("t-2");
    }

    @Test
    void answerNext_failsThatManyRequests_thenAnswersAsUsual() throws Exception {
        apis.answerNext(FakeCrmApis.KLAVIYO_EVENTS, 2, FakeCrmApis.klaviyoThrottled(3));
        Map<String, String> klaviyo = Map.of("Authorization", "Klaviyo-API-Key " + FakeCrmApis.KLAVIYO_API_KEY,
                "revision", "2026-10-15");

        HttpResponse<String> first = post(FakeCrmApis.KLAVIYO_EVENTS, klaviyo, "{}");
        HttpResponse<String> second = post(FakeCrmApis.KLAVIYO_EVENTS, klaviyo, "{}");
        HttpResponse<String> third = post(FakeCrmApis.KLAVIYO_EVENTS, klaviyo, "{}");

        assertThat(first.statusCode()).isEqualTo(429);
        assertThat(first.headers().firstValue("Retry-After")).contains("3");
        assertThat(JSON.readTree(first.body()).path("errors").get(0).path("code").asText()).isEqualTo("throttled");
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(third.statusCode()).isEqualTo(202);
    }

    @Test
    void klaviyo_answers401_withoutItsKeyScheme_and400_withoutARevision() throws Exception {
        HttpResponse<String> bare = post(FakeCrmApis.KLAVIYO_PROFILES,
                Map.of("Authorization", FakeCrmApis.KLAVIYO_API_KEY, "revision", "2026-10-15"), "{}");
        HttpResponse<String> noRevision = post(FakeCrmApis.KLAVIYO_PROFILES,
                Map.of("Authorization", "Klaviyo-API-Key " + FakeCrmApis.KLAVIYO_API_KEY), "{}");

        assertThat(bare.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(bare.body()).path("errors").get(0).path("code").asText()).isEqualTo("not_authenticated");
        assertThat(noRevision.statusCode()).isEqualTo(400);
    }
}
