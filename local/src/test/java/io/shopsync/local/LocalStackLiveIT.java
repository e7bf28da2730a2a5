package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopsync.testing.FakeCrmApis;
import io.shopsync.testkit.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --live: the connectors send for real (here to a local server answering as HubSpot), nothing goes to the outbox. */
class LocalStackLiveIT {

    /** Stands for the Shopify app's client secret a live run is given (never the public dev secret). */
    private static final String APP_SECRET = "shpss_live-test-app-client-secret";

    @TempDir
    Path logs;

    @Test
    void live_sendsTheConnectorsRequests_withTheEnvironmentsCredentials() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (FakeCrmApis hubspot = new FakeCrmApis("pat-na1-live-test", FakeCrmApis.KLAVIYO_API_KEY);
             RunningStack stack = RunningStack.start(new RunningStack.Options(StackTemplate.find(Path.of("")), 0,
                     logs.resolve("local-stack.log"), false, Map.of("CRM_TARGETS", "hubspot",
                     "HUBSPOT_TOKEN", "pat-na1-live-test", "HUBSPOT_BASE_URL", hubspot.baseUrl(),
                     "SHOPIFY_WEBHOOK_SECRET", APP_SECRET), true),
                     new PrintStream(console, true, StandardCharsets.UTF_8))) {

            JsonNode event = SignedWebhooks.event(Fixtures.path("events/order-to-crm/orders-create.json"));
            int signedWithTheDevSecret = SignedWebhooks.post(stack.url(), event, RunningStack.DEV_SECRET).statusCode();
            int status = SignedWebhooks.post(stack.url(), event, APP_SECRET).statusCode();
            JsonNode orders = SignedWebhooks.awaitIdle(stack.url(), Duration.ofSeconds(20)).path("flows").path("order-to-crm");

            assertThat(signedWithTheDevSecret).isEqualTo(401);
            assertThat(status).isEqualTo(200);
            assertThat(orders.path("delivered").asInt()).isEqualTo(1);
            assertThat(hubspot.bodies(FakeCrmApis.HUBSPOT_CONTACTS)).singleElement().satisfies(body ->
                    assertThat(body.path("inputs").get(0).path("id").asText()).isEqualTo("zoe.adams@example.com"));
            hubspot.server.verify(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                    com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo(FakeCrmApis.HUBSPOT_CONTACTS))
                    .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer pat-na1-live-test")));
            assertThat(SignedWebhooks.get(stack.url() + "/_local/outbox")).isEmpty();
            assertThat(console.toString(StandardCharsets.UTF_8)).contains("connectors LIVE")
                    .contains("signing secret: (from SHOPIFY_WEBHOOK_SECRET)");
        }
    }

    @Test
    void live_refusesToStart_whenItWouldAcceptThePublicDevSecret() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = free.getLocalPort();
        }
        List<Map<String, String>> environments = List.of(
                Map.of(), // the dev secret would be the default
                Map.of("SHOPIFY_WEBHOOK_SECRET", APP_SECRET + ", " + RunningStack.DEV_SECRET),
                Map.of("SHOPIFY_WEBHOOK_SECRET", "{\"clientSecrets\": [\"" + APP_SECRET + "\"], \"shopSigningKeys\":"
                        + " {\"shopsync-demo.myshopify.com\": \"" + RunningStack.DEV_SECRET + "\"}}"));
        for (Map<String, String> environment : environments) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();

            int code = LocalStack.execute(new String[] {"--live", "--port", Integer.toString(port), "--log",
                    logs.resolve("refused.log").toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), environment, false);

            assertThat(code).as(environment.toString()).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).as(environment.toString())
                    .contains("public dev secret " + RunningStack.DEV_SECRET).contains("SHOPIFY_WEBHOOK_SECRET");
            assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("ready:");
            // Refused before anything started: the port was never taken.
            try (ServerSocket stillFree = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                assertThat(stillFree.isBound()).isTrue();
            }
        }
    }
}
