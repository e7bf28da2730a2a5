package io.shopsync.orders;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.shopsync.emulator.SqsEventSource;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.FakeCrmApis;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Signed webhook → intake → FIFO queue → delivery → HubSpot and Klaviyo (a local server answering as
 * both do), on a real AWS-compatible endpoint, with the DynamoDB records checked.
 */
@ExtendWith(AwsBackend.class)
class OrderToCrmEndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private final AwsFlowStack stack;
    private final FakeCrmApis apis = new FakeCrmApis("pat-na1-e2e", "pk_e2e_0123456789");
    private final OrderToCrm function;
    private final SqsEventSource source;

    OrderToCrmEndToEndIT(AwsClients aws) {
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        this.function = new OrderToCrm(stack.environment(Map.of(
                "CRM_TARGETS", "hubspot,klaviyo",
                "HUBSPOT_TOKEN", "pat-na1-e2e",
                "HUBSPOT_BASE_URL", apis.baseUrl(),
                "KLAVIYO_API_KEY", "pk_e2e_0123456789",
                "KLAVIYO_BASE_URL", apis.baseUrl())));
        this.source = new SqsEventSource(aws.sqs(), stack.queues.workQueueUrl(), function);
    }

    @AfterEach
    void stop() {
        apis.close();
    }

    private String postWebhook(String eventFile) throws Exception {
        String event = Fixtures.text("events/order-to-crm/" + eventFile);
        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);
        return JSON.readTree(event).path("headers").path("x-shopify-webhook-id").asText();
    }

    private void pollUntil(BooleanSupplier done) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!done.getAsBoolean() && Instant.now().isBefore(deadline)) {
            source.pollOnce();
        }
        assertThat(done.getAsBoolean()).as("delivered within 20 s").isTrue();
    }

    @Test
    void aSignedOrderReachesHubSpotAndKlaviyo_andTheStoreRecordsBothDeliveries() throws Exception {
        String webhookId = postWebhook("orders-create.json");

        pollUntil(() -> apis.bodies(FakeCrmApis.HUBSPOT_ASSOCIATE).size() == 1
                && apis.bodies(FakeCrmApis.KLAVIYO_EVENTS).size() == 4);

        JsonNode order = apis.bodies(FakeCrmApis.HUBSPOT_ORDERS).get(0).path("inputs").get(0);
        assertThat(order.path("id").asText()).isEqualTo("820982911946154508");
        assertThat(apis.bodies(FakeCrmApis.HUBSPOT_CONTACTS).get(0).path("inputs").get(0).path("id").asText())
                .isEqualTo("zoe.adams@example.com");
        assertThat(apis.bodies(FakeCrmApis.KLAVIYO_PROFILES)).hasSize(1);
        assertThat(apis.bodies(FakeCrmApis.KLAVIYO_EVENTS)).extracting(e ->
                e.path("data").path("attributes").path("metric").path("data").path("attributes").path("name").asText())
                .containsExactly("Placed Order", "Ordered Product", "Ordered Product", "Ordered Product");
        for (String target : new String[] {"hubspot", "klaviyo"}) {
            Map<String, String> record = stack.item("delivery#" + SHOP + ":" + webhookId + "#" + target);
            assertThat(record).containsEntry("state", "COMPLETED").containsEntry("outcome", "delivered")
                    .containsEntry("topic", "orders/create")
                    .containsEntry("entity", SHOP + "/order/820982911946154508");
            assertThat(Long.parseLong(record.get("expiresAt"))).isGreaterThan(Instant.now().plus(Duration.ofHours(47)).getEpochSecond());
            assertThat(stack.item("watermark#" + SHOP + "/order/820982911946154508#" + target)).containsKey("version");
        }
    }

    @Test
    void whenKlaviyoFailsForAWhile_onlyKlaviyoIsRetried_andHubSpotIsWrittenOnce() throws Exception {
        apis.server.stubFor(post(urlEqualTo(FakeCrmApis.KLAVIYO_PROFILES)).inScenario("outage")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody("{\"errors\":[{\"status\":503,\"code\":\"service_unavailable\","
                        + "\"title\":\"Service unavailable.\",\"detail\":\"Please try again later.\"}]}"))
                .willSetStateTo("recovered"));
        String webhookId = postWebhook("orders-paid.json");

        pollUntil(() -> apis.bodies(FakeCrmApis.KLAVIYO_PROFILES).size() == 2
                && "COMPLETED".equals(stack.item("delivery#" + SHOP + ":" + webhookId + "#klaviyo").get("state")));

        assertThat(apis.bodies(FakeCrmApis.HUBSPOT_ORDERS)).hasSize(1);
        assertThat(stack.item("delivery#" + SHOP + ":" + webhookId + "#hubspot")).containsEntry("state", "COMPLETED");
        assertThat(stack.aws.drain(stack.queues.deadLetterQueueUrl())).isEmpty();
    }
}
