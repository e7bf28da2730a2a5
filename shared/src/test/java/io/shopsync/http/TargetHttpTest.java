package io.shopsync.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetHttpTest {

    private static final Instant NOW = Instant.parse("2026-11-27T16:00:00Z");
    private static final String PATH = "/crm/objects/2026-09/contacts/batch/upsert";
    private WireMockServer server;
    private TargetHttp http;

    /**
     * The first request of a JVM loads the JDK client's and WireMock's classes, which takes seconds on a
     * busy machine: that is not the 500 ms request timeout under test, so it is paid here, once.
     */
    @BeforeAll
    static void loadTheHttpStack() throws Exception {
        WireMockServer warm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        warm.start();
        try {
            warm.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")));
            HttpTransport.of(HttpClient.newHttpClient()).exchange(HttpRequest.newBuilder(URI.create(warm.baseUrl() + PATH))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        } finally {
            warm.stop();
        }
    }

    @BeforeEach
    void start() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        http = new TargetHttp("hubspot", HttpTransport.of(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .build()), Duration.ofSeconds(3), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private TargetResponse send() {
        return http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + PATH))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[]}")));
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 201, 202, 207})
    void send_shouldReturnTheBody_forEvery2xx(int status) {
        server.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(status)
                .withBody("{\"status\":\"COMPLETE\",\"results\":[]}")));

        TargetResponse response = send();

        assertThat(response).isInstanceOf(TargetResponse.Success.class);
        assertThat(((TargetResponse.Success) response).body()).contains("COMPLETE");
    }

    @Test
    void send_shouldHonourRetryAfterInSeconds_on429() {
        server.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "10")
                .withBody("{\"status\":\"error\",\"message\":\"You have reached your ten_secondly_rolling limit.\","
                        + "\"errorType\":\"RATE_LIMIT\",\"policyName\":\"TEN_SECONDLY_ROLLING\"}")));

        TargetResponse response = send();

        assertThat(response).isInstanceOf(TargetResponse.Transient.class);
        TargetResponse.Transient retry = (TargetResponse.Transient) response;
        assertThat(retry.notBefore()).contains(NOW.plusSeconds(10));
        assertThat(retry.reason()).startsWith("hubspot POST " + PATH + " answered 429: ").contains("RATE_LIMIT");
    }

    @Test
    void send_shouldHonourRetryAfterAsAnHttpDate_andRetryWithoutOne() {
        server.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(503)
                .withHeader("Retry-After", "Fri, 27 Nov 2026 16:02:00 GMT")));

        assertThat(((TargetResponse.Transient) send()).notBefore()).contains(Instant.parse("2026-11-27T16:02:00Z"));

        server.resetAll();
        server.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(429)));
        assertThat(((TargetResponse.Transient) send()).notBefore()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 409, 500, 502, 504})
    void send_shouldCallRequestTimeoutConflictAnd5xxTransient(int status) {
        server.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(status)));

        assertThat(send()).isInstanceOf(TargetResponse.Transient.class);
    }

    /**
     * Answers that say "not now" without a 5xx: HubSpot's 423 Locked (wait at least 2 s) and 477
     * Migration in progress (honour Retry-After), and RFC 8470's 425 Too Early. Permanent would
     * dead-letter a delivery that succeeds seconds later.
     */
    @ParameterizedTest
    @ValueSource(ints = {423, 425, 477})
    void send_shouldCallLockedTooEarlyAndMigrationInProgressTransient(int status) {
        server.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(status).withHeader("Retry-After", "2")));

        assertThat(send()).isInstanceOf(TargetResponse.Transient.class);
    }

    @Test
    void send_shouldCallAValidationErrorPermanent_withoutLeakingEmailAddresses() {
        server.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(400).withBody("""
                {"status":"error","message":"Property values were not valid: [{\\"isValid\\":false,\
                \\"message\\":\\"Email address Zoe.Adams@Example is invalid\\",\\"error\\":\\"INVALID_EMAIL\\",\
                \\"name\\":\\"email\\"}] for zoe.adams@example.com","category":"VALIDATION_ERROR"}""")));

        TargetResponse response = send();

        assertThat(response).isInstanceOf(TargetResponse.Permanent.class);
        TargetResponse.Permanent permanent = (TargetResponse.Permanent) response;
        assertThat(permanent.category()).isEqualTo("http-400");
        assertThat(permanent.reason()).contains("category=VALIDATION_ERROR").contains("INVALID_EMAIL")
                .contains("message.name=email").doesNotContainIgnoringCase("zoe.adams@example")
                .doesNotContain("Property values were not valid");
        assertThat(permanent.answer()).as("the answer, for the connector to read").contains("zoe.adams@example.com");
    }

    @Test
    void send_shouldSayToRotateTheToken_on401() {
        server.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(401).withBody(
                "{\"status\":\"error\",\"message\":\"Authentication credentials not found.\",\"category\":\"INVALID_AUTHENTICATION\"}")));

        TargetResponse.Permanent permanent = (TargetResponse.Permanent) send();

        assertThat(permanent.category()).isEqualTo("http-401");
        assertThat(permanent.reason()).contains("rotate the token in Secrets Manager");
    }

    @Test
    void send_shouldCallATimeoutTransient() {
        server.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withFixedDelay(5_000)));

        TargetResponse response = send();

        assertThat(response).isInstanceOf(TargetResponse.Transient.class);
        assertThat(((TargetResponse.Transient) response).reason()).contains("timed out after 3000 ms");
    }

    @Test
    void send_shouldCallABrokenConnectionTransient() {
        server.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        assertThat(send()).isInstanceOf(TargetResponse.Transient.class);
    }

    @Test
    void retryAfter_shouldIgnoreValuesItCannotRead() {
        assertThat(TargetHttp.retryAfter("soon", NOW)).isEmpty();
        assertThat(TargetHttp.retryAfter("-5", NOW)).isEmpty();
        assertThat(TargetHttp.retryAfter(" 0 ", NOW)).contains(NOW);
    }
}
