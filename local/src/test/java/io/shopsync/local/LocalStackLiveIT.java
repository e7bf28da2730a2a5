package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopsync.testing.FakeCrmApis;
import io.shopsync.testkit.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --live: the connectors send for real (here to a local server answering as HubSpot), nothing goes to the outbox. */
class LocalStackLiveIT {

    @TempDir
    Path logs;

    @Test
    void live_sendsTheConnectorsRequests_withTheEnvironmentsCredentials() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (FakeCrmApis hubspot = new FakeCrmApis("pat-na1-live-test", FakeCrmApis.KLAVIYO_API_KEY);
             RunningStack stack = RunningStack.start(new RunningStack.Options(StackTemplate.find(Path.of("")), 0,
                     logs.resolve("local-stack.log"), false, Map.of("CRM_TARGETS", "hubspot",
                     "HUBSPOT_TOKEN", "pat-na1-live-test", "HUBSPOT_BASE_URL", hubspot.baseUrl()), true),
                     new PrintStream(console, true, StandardCharsets.UTF_8))) {

            int status = SignedWebhooks.post(stack.url(), SignedWebhooks.event(
                    Fixtures.path("events/order-to-crm/orders-create.json")), RunningStack.DEV_SECRET).statusCode();
            JsonNode orders = SignedWebhooks.awaitIdle(stack.url(), Duration.ofSeconds(20)).path("flows").path("order-to-crm");

            assertThat(status).isEqualTo(200);
            assertThat(orders.path("delivered").asInt()).isEqualTo(1);
            assertThat(hubspot.bodies(FakeCrmApis.HUBSPOT_CONTACTS)).singleElement().satisfies(body ->
                    assertThat(body.path("inputs").get(0).path("id").asText()).isEqualTo("zoe.adams@example.com"));
            hubspot.server.verify(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                    com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo(FakeCrmApis.HUBSPOT_CONTACTS))
                    .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer pat-na1-live-test")));
            assertThat(SignedWebhooks.get(stack.url() + "/_local/outbox")).isEmpty();
            assertThat(console.toString(StandardCharsets.UTF_8)).contains("connectors LIVE");
        }
    }
}
