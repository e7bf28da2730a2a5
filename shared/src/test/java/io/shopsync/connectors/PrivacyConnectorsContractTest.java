package io.shopsync.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.hubspot.HubSpotPrivacy;
import io.shopsync.connectors.klaviyo.KlaviyoPrivacy;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.observability.Telemetry;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.FakeCrmApis;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testkit.Fixtures;
import io.shopsync.webhook.SigningSecrets;
import io.shopsync.webhook.SigningSecretsSource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** KlaviyoPrivacy and HubSpotPrivacy against a local server answering as Klaviyo and HubSpot do, failures included. */
class PrivacyConnectorsContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";

    private final FakeCrmApis apis = new FakeCrmApis();
    private final CapturedLines log = new CapturedLines();
    private final FlowEnvironment environment = FlowEnvironment.builder()
            .secrets(SigningSecretsSource.fixed(SigningSecrets.parse(LambdaInvoker.DEV_SECRET, "dev secret")))
            .queues(new RecordingFlowQueues()).json(JSON).telemetry(new Telemetry(JSON, log, Clock.systemUTC()))
            .variables(Map.of("HUBSPOT_TOKEN", FakeCrmApis.HUBSPOT_TOKEN, "HUBSPOT_BASE_URL", apis.baseUrl(),
                    "KLAVIYO_API_KEY", FakeCrmApis.KLAVIYO_API_KEY, "KLAVIYO_BASE_URL", apis.baseUrl()))
            .build();
    private final KlaviyoPrivacy klaviyo = environment.klaviyo().privacy();
    private final HubSpotPrivacy hubspot = environment.hubspot().privacy();

    @AfterEach
    void stop() {
        apis.close();
    }

    private static DeliveryItem redact(String webhookId, JsonNode payload) {
        byte[] body = payload.toString().getBytes(StandardCharsets.UTF_8);
        return new DeliveryItem(new Envelope("order-to-crm", "customers/redact", SHOP, webhookId, "event-" + webhookId,
                Instant.parse("2026-12-01T09:00:00Z"), "2026-10", Instant.parse("2026-12-01T09:00:01Z"),
                SHOP + "/privacy", new Body.Inline(body)), payload);
    }

    private static ObjectNode shopifysRedact() throws Exception {
        return (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/customers-redact.json"));
    }

    @Test
    void redact_asksKlaviyoOnceByEmailAndOnceByPhone_andHubSpotByEmail_eachOneIdentifier() throws Exception {
        List<DeliveryOutcome> k = klaviyo.deliver(List.of(redact("wh-1", shopifysRedact())));
        List<DeliveryOutcome> h = hubspot.deliver(List.of(redact("wh-1", shopifysRedact())));

        assertThat(k).singleElement().isInstanceOf(DeliveryOutcome.Delivered.class);
        assertThat(h).singleElement().isInstanceOf(DeliveryOutcome.Delivered.class);
        List<JsonNode> jobs = apis.bodies(FakeCrmApis.KLAVIYO_DELETION_JOBS);
        assertThat(jobs).hasSize(2);
        assertThat(jobs.get(0).path("data").path("attributes").path("profile").path("data").path("attributes").toString())
                .isEqualTo("{\"email\":\"zoe.adams@example.com\"}");
        assertThat(jobs.get(1).path("data").path("attributes").path("profile").path("data").path("attributes").toString())
                .isEqualTo("{\"phone_number\":\"+13175550142\"}");
        assertThat(apis.bodies(FakeCrmApis.HUBSPOT_GDPR_DELETE)).singleElement().satisfies(body ->
                assertThat(body.toString()).isEqualTo("{\"objectId\":\"zoe.adams@example.com\",\"idProperty\":\"email\"}"));
    }

    @Test
    void redact_ofACustomerWithoutEmailOrPhone_sendsNothing_andIsDelivered_counted() throws Exception {
        ObjectNode payload = shopifysRedact();
        ((ObjectNode) payload.get("customer")).putNull("email").putNull("phone");

        assertThat(klaviyo.deliver(List.of(redact("wh-2", payload)))).singleElement().isInstanceOf(DeliveryOutcome.Delivered.class);
        assertThat(hubspot.deliver(List.of(redact("wh-2", payload)))).singleElement().isInstanceOf(DeliveryOutcome.Delivered.class);

        assertThat(apis.server.getAllServeEvents()).isEmpty();
        assertThat(log.raw).filteredOn(line -> line.contains("RedactWithoutIdentifier")).hasSize(2);
    }

    @Test
    void redact_withAPhoneNotInE164Form_likeShopifysSample_asksKlaviyoByEmailOnly() throws Exception {
        ObjectNode payload = shopifysRedact();
        ((ObjectNode) payload.get("customer")).put("phone", "555-625-1199");

        assertThat(klaviyo.deliver(List.of(redact("wh-6", payload)))).singleElement().isInstanceOf(DeliveryOutcome.Delivered.class);

        assertThat(apis.bodies(FakeCrmApis.KLAVIYO_DELETION_JOBS)).singleElement().satisfies(job -> assertThat(
                job.path("data").path("attributes").path("profile").path("data").path("attributes").has("email")).isTrue());
        assertThat(log.raw).anyMatch(line -> line.contains("RedactPhoneNotE164"));
    }

    @Test
    void redact_thatHubSpotThrottles_waitsForTheWindow_andHoldsBackTheRestOfTheBatch() throws Exception {
        apis.answerNext(FakeCrmApis.HUBSPOT_GDPR_DELETE, 1, FakeCrmApis.hubspotRateLimited(null));

        List<DeliveryOutcome> outcomes = hubspot.deliver(List.of(redact("wh-3", shopifysRedact()), redact("wh-4", shopifysRedact())));

        assertThat(outcomes).hasSize(2).allSatisfy(outcome -> assertThat(outcome).isInstanceOf(DeliveryOutcome.RetryLater.class));
        assertThat(((DeliveryOutcome.RetryLater) outcomes.get(0)).notBefore()).isPresent();
        assertThat(apis.bodies(FakeCrmApis.HUBSPOT_GDPR_DELETE)).hasSize(1);
    }

    @Test
    void redact_thatKlaviyoRefusesForAMissingScope_failsPermanently_sayingWhichScope() throws Exception {
        apis.answerAlways(FakeCrmApis.KLAVIYO_DELETION_JOBS, FakeCrmApis.klaviyoError(403, "permission_denied",
                "You do not have permission to perform this action.", "This API key is missing required scopes."));

        DeliveryOutcome outcome = klaviyo.deliver(List.of(redact("wh-5", shopifysRedact()))).get(0);

        assertThat(outcome).isInstanceOfSatisfying(DeliveryOutcome.PermanentFailure.class, failure -> {
            assertThat(failure.reason()).contains("data-privacy:write").contains("customer 706405506930370084")
                    .doesNotContain("zoe").doesNotContain("13175550142");
            assertThat(failure.category()).isEqualTo("http-403");
        });
    }

    @Test
    void privacyConnectors_takeCustomersRedactOnly() {
        for (String topic : List.of("shop/redact", "customers/data_request", "orders/create")) {
            assertThat(klaviyo.takes(topic)).as(topic).isFalse();
            assertThat(hubspot.takes(topic)).as(topic).isFalse();
        }
        assertThat(klaviyo.takes("customers/redact")).isTrue();
        assertThat(hubspot.takes("customers/redact")).isTrue();
    }
}
