package io.shopsync.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.emulator.SqsEventSource;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.FakeCrmApis;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marketing consent on a real AWS-compatible endpoint: signed consent webhooks → intake → FIFO queue → the SQS
 * event source → delivery with DynamoDB records and watermarks → Klaviyo's subscription jobs and HubSpot's
 * communication preferences (a local server answering as both do, failures included).
 */
@ExtendWith(AwsBackend.class)
class OrderConsentDeliveryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String TOPIC = "customers_email_marketing_consent/update";
    private final AwsFlowStack stack;
    private final FakeCrmApis apis = new FakeCrmApis("pat-na1-e2e", "pk_e2e_0123456789");
    private final OrderToCrm function;
    private final SqsEventSource source;

    OrderConsentDeliveryIT(AwsClients aws) {
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        this.function = new OrderToCrm(stack.environment(Map.of(
                "CRM_TARGETS", "hubspot,klaviyo",
                "ORDER_FLOW_CONSENT_TOPICS", "true",
                "HUBSPOT_TOKEN", "pat-na1-e2e",
                "HUBSPOT_BASE_URL", apis.baseUrl(),
                "HUBSPOT_SUBSCRIPTION_TYPE_ID", "21439502",
                "KLAVIYO_API_KEY", "pk_e2e_0123456789",
                "KLAVIYO_BASE_URL", apis.baseUrl(),
                "KLAVIYO_LIST_ID", "Y6nRLr")));
        this.source = new SqsEventSource(aws.sqs(), stack.queues.workQueueUrl(), function);
    }

    @AfterEach
    void stop() {
        apis.close();
    }

    private String postConsent(String state, String at) throws Exception {
        ObjectNode payload = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/customers-email-marketing-consent-update.json"));
        ((ObjectNode) payload.get("email_marketing_consent")).put("state", state).put("consent_updated_at", at);
        String event = LambdaInvoker.withTopicAndBody(Fixtures.text("events/order-to-crm/orders-create.json"), TOPIC,
                JSON.writeValueAsString(payload));
        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);
        return JSON.readTree(event).path("headers").path("x-shopify-webhook-id").asText();
    }

    private void pollUntil(BooleanSupplier done) {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!done.getAsBoolean() && Instant.now().isBefore(deadline)) {
            source.pollOnce();
        }
        assertThat(done.getAsBoolean()).as("delivered within 30 s").isTrue();
    }

    private boolean completed(String webhookId, String target) {
        return "COMPLETED".equals(stack.item("delivery#" + SHOP + ":" + webhookId + "#" + target).get("state"));
    }

    @Test
    void aSubscribe_withBothTargetsFailingOnce_isDeliveredOnceToEach_underTheConsentsOwnWatermark() throws Exception {
        apis.answerNext(FakeCrmApis.KLAVIYO_SUBSCRIBE, 1, FakeCrmApis.klaviyoThrottled(1));
        apis.answerNext(FakeCrmApis.HUBSPOT_SUBSCRIPTION_STATUSES, 1, FakeCrmApis.hubspotServerError(502));
        String webhookId = postConsent("subscribed", "2026-11-27T05:14:58-05:00");

        pollUntil(() -> completed(webhookId, "klaviyo") && completed(webhookId, "hubspot"));

        assertThat(apis.bodies(FakeCrmApis.KLAVIYO_SUBSCRIBE)).hasSize(2);
        assertThat(apis.bodies(FakeCrmApis.HUBSPOT_SUBSCRIPTION_STATUSES)).hasSize(2);
        for (String target : new String[] {"hubspot", "klaviyo"}) {
            assertThat(stack.item("delivery#" + SHOP + ":" + webhookId + "#" + target))
                    .containsEntry("outcome", "delivered").containsEntry("entity", SHOP + "/customer/706405506930370084");
            assertThat(stack.item("watermark#" + SHOP + "/customer-email-consent/706405506930370084#" + target))
                    .containsKey("version");
            assertThat(stack.item("watermark#" + SHOP + "/customer/706405506930370084#" + target)).isEmpty();
        }
        assertThat(stack.aws.drain(stack.queues.deadLetterQueueUrl())).isEmpty();
    }

    @Test
    void anUnsubscribe_thenTheOlderSubscribeArrivingLate_leavesTheCustomerUnsubscribed() throws Exception {
        String newer = postConsent("unsubscribed", "2026-11-28T09:00:00-05:00");
        pollUntil(() -> completed(newer, "klaviyo") && completed(newer, "hubspot"));
        String older = postConsent("subscribed", "2026-11-27T05:14:58-05:00");

        pollUntil(() -> completed(older, "klaviyo") && completed(older, "hubspot"));

        assertThat(stack.item("delivery#" + SHOP + ":" + older + "#klaviyo")).containsEntry("outcome", "stale");
        assertThat(stack.item("delivery#" + SHOP + ":" + older + "#hubspot")).containsEntry("outcome", "stale");
        assertThat(apis.bodies(FakeCrmApis.KLAVIYO_SUBSCRIBE)).isEmpty();
        assertThat(apis.bodies(FakeCrmApis.KLAVIYO_UNSUBSCRIBE)).hasSize(1);
        JsonNode status = apis.bodies(FakeCrmApis.HUBSPOT_SUBSCRIPTION_STATUSES).get(0).path("inputs").get(0);
        assertThat(status.path("statusState").asText()).isEqualTo("UNSUBSCRIBED");
        assertThat(apis.bodies(FakeCrmApis.HUBSPOT_SUBSCRIPTION_STATUSES)).hasSize(1);
    }
}
