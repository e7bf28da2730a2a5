package io.shopsync.fulfilments;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.shopsync.emulator.SqsEventSource;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.FakeCrmApis;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Signed fulfilment webhook → intake → FIFO queue → delivery → HubSpot's batch update and Klaviyo's
 * events (a local server answering as both do), on a real AWS-compatible endpoint, with the DynamoDB
 * records, the DLQ and the alerts topic checked.
 */
@ExtendWith(AwsBackend.class)
class FulfilmentToCrmEndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String ORDER = SHOP + "/order/820982911946154508";
    private static final String FULFILMENT = SHOP + "/fulfillment/255858046011252993";
    private static final String HUBSPOT_UPDATE = FulfilmentFlowCrmTest.HUBSPOT_UPDATE;

    private final AwsFlowStack stack;
    private final FakeCrmApis apis = new FakeCrmApis("pat-na1-e2e", "pk_e2e_0123456789");
    private final FulfilmentToCrm function;
    private final SqsEventSource source;

    FulfilmentToCrmEndToEndIT(AwsClients aws) {
        this.stack = AwsFlowStack.create(aws, "fulfilment-to-crm");
        this.function = new FulfilmentToCrm(stack.environment(Map.of(
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

    @Test
    void aSignedFulfilmentUpdatesItsHubSpotOrder_andReachesKlaviyo_andTheStoreRecordsBothDeliveries() throws Exception {
        // given
        hubspotAnswers(aResponse().withStatus(200).withTransformers("hubspot-batch-answers"));

        // when
        String webhookId = postWebhook("fulfillments-create.json");
        pollUntil(() -> apis.bodies(HUBSPOT_UPDATE).size() == 1 && apis.bodies(FakeCrmApis.KLAVIYO_EVENTS).size() == 1
                && "COMPLETED".equals(record(webhookId, "hubspot").get("state"))
                && "COMPLETED".equals(record(webhookId, "klaviyo").get("state")));

        // then
        JsonNode input = apis.bodies(HUBSPOT_UPDATE).get(0).path("inputs").get(0);
        assertThat(input.path("idProperty").asText()).isEqualTo("shopify_order_id");
        assertThat(input.path("id").asText()).isEqualTo("820982911946154508");
        assertThat(input.path("properties").path("hs_shipping_tracking_number").asText()).isEqualTo("1Z999AA10123456784");
        assertThat(apis.bodies(FakeCrmApis.HUBSPOT_ORDERS)).isEmpty();
        JsonNode event = apis.bodies(FakeCrmApis.KLAVIYO_EVENTS).get(0).path("data").path("attributes");
        assertThat(event.path("metric").path("data").path("attributes").path("name").asText()).isEqualTo("Fulfilled Order");
        assertThat(event.path("unique_id").asText()).isEqualTo("shopify-fulfillment-255858046011252993");
        for (String target : new String[] {"hubspot", "klaviyo"}) {
            Map<String, String> record = record(webhookId, target);
            assertThat(record).containsEntry("state", "COMPLETED").containsEntry("outcome", "delivered")
                    .containsEntry("topic", "fulfillments/create").containsEntry("entity", ORDER);
            assertThat(Long.parseLong(record.get("expiresAt")))
                    .isGreaterThan(Instant.now().plus(Duration.ofHours(47)).getEpochSecond());
            assertThat(stack.item("watermark#" + FULFILMENT + "#" + target)).containsKey("version");
        }
        assertThat(stack.aws.drain(stack.queues.deadLetterQueueUrl())).isEmpty();
    }

    @Test
    void aFulfilmentWhoseOrderNeverReachesHubSpot_isRetried_thenDeadLetteredWithThatReason_andAlerted() throws Exception {
        // given: HubSpot has no order 820982911946154508 (the order flow never delivered it)
        hubspotAnswers(aResponse().withStatus(207).withHeader("Content-Type", "application/json").withBody("""
                {"status":"COMPLETE","results":[],"numErrors":1,
                 "errors":[{"status":"error","category":"OBJECT_NOT_FOUND",
                   "message":"Could not find orders with shopify_order_id values: 820982911946154508",
                   "context":{"ids":["820982911946154508"]},"errors":[],"links":{}}],
                 "startedAt":"2026-11-28T13:05:00.010Z","completedAt":"2026-11-28T13:05:00.140Z"}"""));

        // when
        String webhookId = postWebhook("fulfillments-create.json");
        pollUntil(() -> "FAILED".equals(record(webhookId, "hubspot").get("state")));

        // then: tried on every receive, then dead-lettered by the function itself, for HubSpot only
        assertThat(apis.bodies(HUBSPOT_UPDATE)).hasSize(AwsFlowStack.MAX_RECEIVE_COUNT);
        assertThat(apis.bodies(FakeCrmApis.KLAVIYO_EVENTS)).as("Klaviyo delivered once, never repeated").hasSize(1);
        assertThat(record(webhookId, "klaviyo")).containsEntry("state", "COMPLETED");
        List<Message> dead = stack.aws.drain(stack.queues.deadLetterQueueUrl());
        assertThat(dead).hasSize(1);
        var attributes = dead.get(0).messageAttributes();
        assertThat(attributes.get("reason").stringValue()).contains("retries exhausted after "
                + AwsFlowStack.MAX_RECEIVE_COUNT + " attempts; last error: the order is not in HubSpot yet");
        assertThat(attributes.get("category").stringValue()).isEqualTo("retries-exhausted");
        assertThat(attributes.get("target").stringValue()).isEqualTo("hubspot");
        List<Message> alerts = stack.aws.drain(stack.alerts.queueUrl());
        assertThat(alerts).hasSize(1);
        JsonNode alert = JSON.readTree(alerts.get(0).body());
        assertThat(alert.path("Subject").asText())
                .isEqualTo("Shopsync fulfilment-to-crm: dead-lettered (hubspot, retries-exhausted)");
        assertThat(alert.path("Message").asText()).contains("could not deliver to hubspot (retries-exhausted)")
                .contains("dlq inspect fulfilment-to-crm")
                .as("the reason stays in the DLQ: the alert leaves AWS as e-mail")
                .doesNotContain("the order is not in HubSpot yet");
    }

    private void hubspotAnswers(ResponseDefinitionBuilder answer) {
        apis.server.stubFor(post(urlEqualTo(HUBSPOT_UPDATE)).willReturn(answer));
    }

    private String postWebhook(String eventFile) throws Exception {
        String event = Fixtures.text("events/fulfilment-to-crm/" + eventFile);
        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);
        return JSON.readTree(event).path("headers").path("x-shopify-webhook-id").asText();
    }

    private Map<String, String> record(String webhookId, String target) {
        return stack.item("delivery#" + SHOP + ":" + webhookId + "#" + target);
    }

    /** Polls the queue as Lambda's event source would, until {@code done} (retries wait out their backoff). */
    private void pollUntil(BooleanSupplier done) {
        Instant deadline = Instant.now().plusSeconds(40);
        while (!done.getAsBoolean() && Instant.now().isBefore(deadline)) {
            source.pollOnce();
        }
        assertThat(done.getAsBoolean()).as("done within 40 s").isTrue();
    }
}
