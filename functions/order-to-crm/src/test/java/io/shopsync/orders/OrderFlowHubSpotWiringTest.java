package io.shopsync.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.aws.SecretValues;
import io.shopsync.connectors.hubspot.HubSpot;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.observability.Telemetry;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.FakeCrmApis;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testing.MutableClock;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testkit.Fixtures;
import io.shopsync.webhook.SigningSecrets;
import io.shopsync.webhook.SigningSecretsSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The order flow's HubSpot connectors (orders, consent, privacy) as its environment wires them: one account, one token read, one rate limit. */
class OrderFlowHubSpotWiringTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String TOKEN_SECRET = "shopsync/hubspot-token";
    private static final Instant NOW = Instant.parse("2026-12-01T09:00:00Z");

    private final FakeCrmApis apis = new FakeCrmApis();
    private final MutableClock clock = new MutableClock(NOW);
    private final AtomicInteger secretReads = new AtomicInteger();

    /** Answers GetSecretValue as Secrets Manager does: the token for its secret, ResourceNotFound for any other. */
    private final SecretValues secretsManager = secretId -> {
        secretReads.incrementAndGet();
        if (!secretId.equals(TOKEN_SECRET)) {
            throw software.amazon.awssdk.core.exception.SdkServiceException.builder().statusCode(400)
                    .message("ResourceNotFoundException: Secrets Manager can't find the specified secret.").build();
        }
        return FakeCrmApis.HUBSPOT_TOKEN;
    };

    @AfterEach
    void stop() {
        apis.close();
    }

    private FlowEnvironment environment(Map<String, String> variables) {
        return FlowEnvironment.builder()
                .secrets(SigningSecretsSource.fixed(SigningSecrets.parse(LambdaInvoker.DEV_SECRET, "dev secret")))
                .queues(new RecordingFlowQueues()).json(JSON).clock(clock)
                .telemetry(new Telemetry(JSON, new CapturedLines(), clock))
                .secretsManager(secretsManager)
                .variables(variables)
                .build();
    }

    private static DeliveryItem item(String topic, String file, String entity) throws Exception {
        JsonNode payload = JSON.readTree(Fixtures.text("events/payloads/" + file));
        return new DeliveryItem(new Envelope("order-to-crm", topic, SHOP, "wh-" + topic.replace('/', '-'), null, NOW,
                "2026-10", NOW, SHOP + "/" + entity, new Body.Inline(new byte[0])), payload);
    }

    @Test
    void hubspot_shouldReadItsTokenOnce_acrossTheOrderAndPrivacyConnectors() throws Exception {
        // given a flow wired with both of HubSpot's connectors, its token in Secrets Manager
        HubSpot hubspot = environment(Map.of("HUBSPOT_TOKEN_SECRET_ID", TOKEN_SECRET, "HUBSPOT_BASE_URL", apis.baseUrl()))
                .hubspot();
        var privacy = hubspot.privacy();
        var orders = hubspot.orders("order-to-crm");

        // when each delivers
        List<DeliveryOutcome> redacted = privacy.deliver(List.of(item("customers/redact", "customers-redact.json",
                "customer/207119551")));
        List<DeliveryOutcome> ordered = orders.deliver(List.of(item("orders/create", "orders-create.json",
                "order/820982911946154508")));

        // then both reach HubSpot with the one token, read once (it is cached; a rejection reloads it)
        assertThat(redacted).singleElement().isInstanceOf(DeliveryOutcome.Delivered.class);
        assertThat(ordered).singleElement().isInstanceOf(DeliveryOutcome.Delivered.class);
        assertThat(apis.bodies(FakeCrmApis.HUBSPOT_ORDERS)).hasSize(1);
        assertThat(secretReads).as("Secrets Manager reads of the HubSpot token").hasValue(1);
    }

    @Test
    void hubspot_shouldKeepOneRateLimit_acrossTheOrderAndPrivacyConnectors() throws Exception {
        // given one HubSpot account allowing a single request per 10 s, and a flow wired with both of its connectors
        HubSpot hubspot = environment(Map.of("HUBSPOT_TOKEN_SECRET_ID", TOKEN_SECRET, "HUBSPOT_BASE_URL", apis.baseUrl(),
                "HUBSPOT_REQUESTS_PER_10S", "1")).hubspot();
        var privacy = hubspot.privacy();
        var orders = hubspot.orders("order-to-crm");

        // when the privacy connector spends the permit, then an order comes within the same 10 s
        List<DeliveryOutcome> redacted = privacy.deliver(List.of(item("customers/redact", "customers-redact.json",
                "customer/207119551")));
        int requestsAfterRedact = apis.server.getAllServeEvents().size();
        List<DeliveryOutcome> early = orders.deliver(List.of(item("orders/create", "orders-create.json",
                "order/820982911946154508")));

        // then the order waits for the account's next permit instead of going over the configured rate
        assertThat(redacted).singleElement().isInstanceOf(DeliveryOutcome.Delivered.class);
        assertThat(requestsAfterRedact).isEqualTo(1);
        assertThat(early).singleElement().isInstanceOf(DeliveryOutcome.RetryLater.class);
        assertThat(apis.server.getAllServeEvents()).as("requests HubSpot received within the 10 s").hasSize(1);
    }
}
