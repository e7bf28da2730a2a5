package io.shopsync.connectors.inventory;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.testing.HttpWarmUp;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * StandardWebhooksInventory against a local receiver that verifies Standard Webhooks 1.0.0 signatures
 * as a receiver would (its own HMAC, not the connector's code) and answers as the spec allows.
 */
class StandardWebhooksInventoryContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-27T16:00:00Z");
    private static final String PATH = "/hooks/shopsync/inventory";
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String NEXT_SECRET = "whsec_ISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0A=";

    private WireMockServer receiver;
    private final AtomicInteger secretLoads = new AtomicInteger();
    private final List<String> storedSecrets = new ArrayList<>(List.of(SECRET));
    private StandardWebhooksInventory target;

    @BeforeAll
    static void warmUp() throws Exception {
        HttpWarmUp.once();
    }

    @BeforeEach
    void start() {
        receiver = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        receiver.start();
        target = connector(Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() {
        receiver.stop();
    }

    private StandardWebhooksInventory connector(Duration requestTimeout) {
        return connector(requestTimeout, NOW);
    }

    /** The connector as an invocation at {@code now} runs it (a retry is another invocation, perhaps another container). */
    private StandardWebhooksInventory connector(Duration requestTimeout, Instant now) {
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        TargetHttp http = new TargetHttp("webhook", HttpTransport.of(HttpClient.newHttpClient()), requestTimeout, clock);
        CachedSecret secret = new CachedSecret("Secrets Manager secret shopsync/inventory-webhook-secret", () -> {
            int load = secretLoads.getAndIncrement();
            return storedSecrets.get(Math.min(load, storedSecrets.size() - 1)); // what Secrets Manager holds then
        }, Clock.systemUTC(), Duration.ZERO);
        return new StandardWebhooksInventory(http, URI.create(receiver.baseUrl() + PATH), secret, JSON, clock);
    }

    private static StockLevel level(String deliveryId, Integer available) {
        return new StockLevel("shopsync-demo.myshopify.com", "TSHIRT-RED-M", "49148385033402", "40999320797370",
                "68459659450", "WH-MAIN", available, Instant.parse("2026-11-27T15:59:58Z"), deliveryId);
    }

    /** A receiver's check, written from the spec: HMAC-SHA256(base64-decoded key, "id.timestamp.body"). */
    private static String expectedSignature(String secret, String id, String timestamp, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    /** Matches a request whose timestamp is within 5 minutes and one of whose signatures verifies with {@code secret}. */
    private static MatchResult verifiedWith(String secret, Request request) {
        try {
            String id = request.getHeader("webhook-id");
            String timestamp = request.getHeader("webhook-timestamp");
            String header = request.getHeader("webhook-signature");
            if (id == null || timestamp == null || header == null
                    || Math.abs(Long.parseLong(timestamp) - NOW.getEpochSecond()) > 300) {
                return MatchResult.noMatch();
            }
            byte[] expected = expectedSignature(secret, id, timestamp, request.getBody()).getBytes(StandardCharsets.UTF_8);
            for (String signature : header.split(" ")) {
                if (MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8))) {
                    return MatchResult.exactMatch();
                }
            }
            return MatchResult.noMatch();
        } catch (Exception e) {
            return MatchResult.noMatch();
        }
    }

    /** The receiver: 204 for a request signed with {@code secret}, 401 for anything else. */
    private void receiverVerifying(String secret) {
        receiver.stubFor(post(urlEqualTo(PATH)).atPriority(1).andMatching(request -> verifiedWith(secret, request))
                .willReturn(aResponse().withStatus(204)));
        receiver.stubFor(post(urlEqualTo(PATH)).atPriority(10).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid signature\"}")));
    }

    private void receiverAnswering(int status, String... headerPairs) {
        var response = aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"status " + status + "\"}");
        for (int i = 0; i < headerPairs.length; i += 2) {
            response = response.withHeader(headerPairs[i], headerPairs[i + 1]);
        }
        receiver.stubFor(post(urlEqualTo(PATH)).willReturn(response));
    }

    private List<LoggedRequest> received() {
        return receiver.findAll(postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void report_shouldPostOneSignedEventPerLevel_thatTheReceiverVerifies() throws Exception {
        // given
        receiverVerifying(SECRET);

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("shopsync-demo.myshopify.com:w-1", 42),
                level("shopsync-demo.myshopify.com:w-2", 41)));

        // then
        assertThat(outcomes).containsExactly(new DeliveryOutcome.Delivered(), new DeliveryOutcome.Delivered());
        assertThat(received()).hasSize(2);
        LoggedRequest first = received().get(0);
        assertThat(first.getHeader("webhook-signature"))
                .isEqualTo(expectedSignature(SECRET, first.getHeader("webhook-id"), first.getHeader("webhook-timestamp"),
                        first.getBody()));
        assertThat(first.getHeader("webhook-id")).matches("msg_[0-9a-f]{32}");
        assertThat(first.getHeader("Idempotency-Key")).isEqualTo(first.getHeader("webhook-id"));
        assertThat(first.getHeader("webhook-timestamp")).isEqualTo(Long.toString(NOW.getEpochSecond()));
        assertThat(first.getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(first.getHeader("User-Agent")).isEqualTo("Shopsync/0.1");
        assertThat(received().get(1).getHeader("webhook-id")).isNotEqualTo(first.getHeader("webhook-id"));
        JsonNode event = JSON.readTree(first.getBody());
        assertThat(event.path("type").asText()).isEqualTo("inventory.level.set");
        assertThat(event.path("timestamp").asText()).as("when the level changed in Shopify, not when it was sent")
                .isEqualTo("2026-11-27T15:59:58Z");
        JsonNode data = event.path("data");
        assertThat(data.path("sku").asText()).isEqualTo("TSHIRT-RED-M");
        assertThat(data.path("locationRef").asText()).isEqualTo("WH-MAIN");
        assertThat(data.path("available").isInt()).isTrue();
        assertThat(data.path("available").asInt()).isEqualTo(42);
        assertThat(data.path("sourceUpdatedAt").asText()).isEqualTo("2026-11-27T15:59:58Z");
        assertThat(data.path("shop").asText()).isEqualTo("shopsync-demo.myshopify.com");
        assertThat(data.path("inventoryItemId").isTextual()).isTrue();
        assertThat(data.path("inventoryItemId").asText()).isEqualTo("49148385033402");
        assertThat(data.path("shopifyLocationId").asText()).isEqualTo("68459659450");
    }

    @Test
    void report_shouldSendTheSameWebhookId_whenTheSameLevelIsRetried() {
        // given
        receiverAnswering(503);
        StockLevel level = level("shopsync-demo.myshopify.com:w-1", 42);

        // when
        target.report(List.of(level));
        target.report(List.of(level));

        // then
        assertThat(received()).hasSize(2);
        assertThat(received().get(1).getHeader("webhook-id")).isEqualTo(received().get(0).getHeader("webhook-id"));
    }

    @Test
    void report_shouldSendUnknown_withAvailableNull_notZero_whenShopifyDoesNotKnowTheLevel() throws Exception {
        // given
        receiverVerifying(SECRET);

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("shopsync-demo.myshopify.com:w-3", null)));

        // then
        assertThat(outcomes).containsExactly(new DeliveryOutcome.Delivered());
        JsonNode event = JSON.readTree(received().get(0).getBody());
        assertThat(event.path("type").asText()).isEqualTo("inventory.level.unknown");
        assertThat(event.path("data").has("available")).isTrue();
        assertThat(event.path("data").path("available").isNull()).isTrue();
    }

    @Test
    void report_shouldSignWithBothSecrets_duringARotation_soEitherVerifies() throws Exception {
        // given
        storedSecrets.set(0, SECRET + " " + NEXT_SECRET);
        receiverVerifying(NEXT_SECRET);

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("shopsync-demo.myshopify.com:w-4", 42)));

        // then
        assertThat(outcomes).containsExactly(new DeliveryOutcome.Delivered());
        LoggedRequest request = received().get(0);
        String id = request.getHeader("webhook-id");
        String timestamp = request.getHeader("webhook-timestamp");
        assertThat(request.getHeader("webhook-signature")).isEqualTo(expectedSignature(SECRET, id, timestamp,
                request.getBody()) + " " + expectedSignature(NEXT_SECRET, id, timestamp, request.getBody()));
    }

    @Test
    void report_shouldReloadTheSecretOnce_andResign_whenTheReceiverAnswers401() {
        // given: Secrets Manager already holds the receiver's new secret; this container has the old one
        storedSecrets.add(NEXT_SECRET);
        receiverVerifying(NEXT_SECRET);

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("shopsync-demo.myshopify.com:w-5", 42)));

        // then
        assertThat(outcomes).containsExactly(new DeliveryOutcome.Delivered());
        assertThat(secretLoads.get()).isEqualTo(2);
        assertThat(received()).hasSize(2);
    }

    @Test
    void report_shouldFailPermanently_whenTheReceiverKeepsRejectingTheSignature() {
        // given
        receiverVerifying(NEXT_SECRET);

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("shopsync-demo.myshopify.com:w-6", 42)));

        // then
        DeliveryOutcome.PermanentFailure failure = (DeliveryOutcome.PermanentFailure) outcomes.get(0);
        assertThat(failure.category()).isEqualTo("http-401");
        assertThat(failure.reason()).contains("shopsync/inventory-webhook-secret").doesNotContain(SECRET);
    }

    @Test
    void report_shouldFailPermanently_andAskForTheEndpointToBeFixed_whenTheReceiverAnswers410() {
        // given
        receiverAnswering(410);

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("shopsync-demo.myshopify.com:w-7", 42)));

        // then
        DeliveryOutcome.PermanentFailure failure = (DeliveryOutcome.PermanentFailure) outcomes.get(0);
        assertThat(failure.category()).isEqualTo("http-410");
        assertThat(failure.reason()).startsWith("the endpoint asked to be disabled (410 Gone): fix or remove the"
                + " endpoint, then redrive");
    }

    @Test
    void report_shouldRetryNotBeforeRetryAfter_whenTheReceiverThrottlesWith429() {
        // given
        receiverAnswering(429, "Retry-After", "30");

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("shopsync-demo.myshopify.com:w-8", 42)));

        // then
        assertThat(outcomes.get(0)).isInstanceOf(DeliveryOutcome.RetryLater.class);
        assertThat(((DeliveryOutcome.RetryLater) outcomes.get(0)).notBefore()).contains(NOW.plusSeconds(30));
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504})
    void report_shouldRetry_whenTheReceiverFailsWith5xx(int status) {
        // given
        receiverAnswering(status, "Retry-After", "120");

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("shopsync-demo.myshopify.com:w-9", 42)));

        // then
        DeliveryOutcome.RetryLater retry = (DeliveryOutcome.RetryLater) outcomes.get(0);
        assertThat(retry.reason()).contains("answered " + status);
        assertThat(retry.notBefore()).contains(NOW.plusSeconds(120));
    }

    @Test
    void report_shouldFailPermanently_whenTheReceiverRejectsTheLevelWith400() {
        // given
        receiverAnswering(400);

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("shopsync-demo.myshopify.com:w-10", 42)));

        // then
        DeliveryOutcome.PermanentFailure failure = (DeliveryOutcome.PermanentFailure) outcomes.get(0);
        assertThat(failure.category()).isEqualTo("http-400");
        assertThat(failure.reason()).contains("answered 400").contains("redrive");
    }

    @Test
    void report_shouldRetry_whenTheReceiverTimesOut() {
        // given
        receiver.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(204).withFixedDelay(2_000)));
        StandardWebhooksInventory impatient = connector(Duration.ofMillis(300));

        // when
        List<DeliveryOutcome> outcomes = impatient.report(List.of(level("shopsync-demo.myshopify.com:w-11", 42)));

        // then
        DeliveryOutcome.RetryLater retry = (DeliveryOutcome.RetryLater) outcomes.get(0);
        assertThat(retry.reason()).contains("timed out");
        assertThat(retry.notBefore()).isEqualTo(Optional.empty());
    }

    @Test
    void report_shouldFailEveryLevelAsAConfigurationError_withoutSending_whenTheSecretIsMalformed() {
        // given
        storedSecrets.set(0, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        receiverAnswering(204);

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("shopsync-demo.myshopify.com:w-12", 42),
                level("shopsync-demo.myshopify.com:w-13", 40)));

        // then
        assertThat(outcomes).hasSize(2).allSatisfy(outcome -> {
            DeliveryOutcome.PermanentFailure failure = (DeliveryOutcome.PermanentFailure) outcome;
            assertThat(failure.category()).isEqualTo("configuration");
            assertThat(failure.reason()).contains("shopsync/inventory-webhook-secret").contains("whsec_")
                    .doesNotContain("MfKQ9r8G");
        });
        assertThat(received()).isEmpty();
    }

    @Test
    void constructor_shouldRefuseAPlainHttpEndpoint_outsideLoopback() {
        assertThatThrownBy(() -> new StandardWebhooksInventory(null, URI.create("http://ims.example.com/hooks"),
                CachedSecret.fixed("test", SECRET), JSON, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("https://");
    }

    @Test
    void report_shouldSendNothing_forNoLevels() {
        assertThat(target.report(List.of())).isEmpty();
        assertThat(received()).isEmpty();
        assertThat(secretLoads.get()).isZero();
    }

    @Test
    void report_shouldNotFollowRedirects() {
        // given
        receiverAnswering(308, "Location", "https://elsewhere.example.com/hooks");

        // when
        List<DeliveryOutcome> outcomes = target.report(List.of(level("shopsync-demo.myshopify.com:w-14", 42)));

        // then
        assertThat(((DeliveryOutcome.PermanentFailure) outcomes.get(0)).category()).isEqualTo("http-308");
        receiver.verify(1, postRequestedFor(urlEqualTo(PATH)).withHeader("webhook-id", matching("msg_.*"))
                .withHeader("User-Agent", equalTo("Shopsync/0.1")));
    }

    @Test
    void report_shouldSendTheSameMessageOnARetry_withOnlyTheAttemptTimestampAndSignatureNew() throws Exception {
        // given: the receiver is down for the first attempt; the runtime retries 90 seconds later
        receiver.stubFor(post(urlEqualTo(PATH)).inScenario("outage").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("back"));
        receiver.stubFor(post(urlEqualTo(PATH)).inScenario("outage").whenScenarioStateIs("back")
                .andMatching(request -> verifiedWith(SECRET, request)).willReturn(aResponse().withStatus(204)));
        StockLevel level = level("shopsync-demo.myshopify.com:w-1", 42);
        Instant retryAt = NOW.plusSeconds(90);

        // when
        DeliveryOutcome first = target.report(List.of(level)).get(0);
        DeliveryOutcome retry = connector(Duration.ofSeconds(2), retryAt).report(List.of(level)).get(0);

        // then: Standard Webhooks 1.0.0: the event's timestamp stays, the attempt's timestamp is updated
        assertThat(first).isInstanceOf(DeliveryOutcome.RetryLater.class);
        assertThat(retry).isEqualTo(new DeliveryOutcome.Delivered());
        List<LoggedRequest> attempts = received();
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(1).getBody()).as("the same message, byte for byte").isEqualTo(attempts.get(0).getBody());
        assertThat(JSON.readTree(attempts.get(1).getBody()).path("timestamp").asText())
                .isEqualTo(level.sourceUpdatedAt().toString());
        assertThat(attempts.get(1).getHeader("webhook-id")).isEqualTo(attempts.get(0).getHeader("webhook-id"));
        assertThat(attempts.get(0).getHeader("webhook-timestamp")).isEqualTo(Long.toString(NOW.getEpochSecond()));
        assertThat(attempts.get(1).getHeader("webhook-timestamp")).isEqualTo(Long.toString(retryAt.getEpochSecond()));
    }
}
