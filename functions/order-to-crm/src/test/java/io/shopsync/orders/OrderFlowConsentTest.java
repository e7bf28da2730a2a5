package io.shopsync.orders;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.envelope.Envelope;
import io.shopsync.testing.FakeCrmApis;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testing.QueueEvents;
import io.shopsync.testing.RecordingAlerts;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testing.TestEnvironments;
import io.shopsync.testkit.Fixtures;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Marketing consent (issue #14) through the real intake and delivery path: Shopify's consent webhooks, signed,
 * queued and delivered to a server answering as Klaviyo's subscription jobs and HubSpot's communication
 * preferences do (their specs' required fields checked, failures as they answer them).
 */
class OrderFlowConsentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EMAIL_TOPIC = "customers_email_marketing_consent/update";
    private static final String SMS_TOPIC = "customers_marketing_consent/update";
    private static final String LIST_ID = "Y6nRLr";
    private static final String SUBSCRIPTION_TYPE_ID = "21439502";

    private FakeCrmApis apis;
    private final RecordingFlowQueues queues = new RecordingFlowQueues();
    private OrderToCrm function;

    @BeforeEach
    void start() {
        apis = new FakeCrmApis();
        function = function(Map.of());
    }

    private OrderToCrm function(Map<String, String> extra) {
        Map<String, String> variables = new HashMap<>(Map.of(
                "CRM_TARGETS", "hubspot,klaviyo",
                "ORDER_FLOW_CONSENT_TOPICS", "true",
                "HUBSPOT_TOKEN", FakeCrmApis.HUBSPOT_TOKEN,
                "HUBSPOT_BASE_URL", apis.baseUrl(),
                "HUBSPOT_SUBSCRIPTION_TYPE_ID", SUBSCRIPTION_TYPE_ID,
                "KLAVIYO_API_KEY", FakeCrmApis.KLAVIYO_API_KEY,
                "KLAVIYO_BASE_URL", apis.baseUrl(),
                "KLAVIYO_LIST_ID", LIST_ID));
        variables.putAll(extra);
        return new OrderToCrm(TestEnvironments.delivering(queues, new RecordingAlerts(), variables));
    }

    @AfterEach
    void stop() {
        apis.close();
    }

    /** Shopify's e-mail consent sample for Zoë Adams (the order fixtures' customer) in {@code state}, at {@code at}. */
    private static String emailConsent(String state, String at) throws Exception {
        ObjectNode payload = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/customers-email-marketing-consent-update.json"));
        ObjectNode consent = (ObjectNode) payload.get("email_marketing_consent");
        consent.put("state", state);
        consent.put("consent_updated_at", at);
        return JSON.writeValueAsString(payload);
    }

    private static String smsConsent(String state, String at) throws Exception {
        ObjectNode payload = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/customers-marketing-consent-update.json"));
        ObjectNode consent = (ObjectNode) payload.get("sms_marketing_consent");
        consent.put("state", state);
        consent.put("consent_updated_at", at);
        return JSON.writeValueAsString(payload);
    }

    /** Signs and posts a webhook of {@code topic} on the orders route; returns the envelope intake queued. */
    private Envelope received(String topic, String body) {
        String event = LambdaInvoker.withTopicAndBody(Fixtures.text("events/order-to-crm/orders-create.json"), topic, body);
        assertThat(LambdaInvoker.invoke(function, event).path("statusCode").asInt()).isEqualTo(200);
        assertThat(queues.deadLettered).as("intake accepts the consent topic").isEmpty();
        return queues.enqueued.get(queues.enqueued.size() - 1);
    }

    private Envelope received(String eventFile) {
        assertThat(LambdaInvoker.invoke(function, Fixtures.text("events/order-to-crm/" + eventFile))
                .path("statusCode").asInt()).isEqualTo(200);
        return queues.enqueued.get(queues.enqueued.size() - 1);
    }

    private JsonNode deliver(Envelope... envelopes) {
        return LambdaInvoker.invoke(function, QueueEvents.of(envelopes));
    }

    private List<JsonNode> subscribes() {
        return apis.bodies(FakeCrmApis.KLAVIYO_SUBSCRIBE);
    }

    private List<JsonNode> unsubscribes() {
        return apis.bodies(FakeCrmApis.KLAVIYO_UNSUBSCRIBE);
    }

    private List<JsonNode> statuses() {
        return apis.bodies(FakeCrmApis.HUBSPOT_SUBSCRIPTION_STATUSES);
    }

    @Test
    void anEmailSubscribed_subscribesTheProfileInKlaviyoWithShopifysConsentTime_andTheContactInHubSpot() throws Exception {
        JsonNode response = deliver(received(EMAIL_TOPIC, emailConsent("subscribed", "2026-11-27T05:14:58-05:00")));

        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(queues.deadLettered).isEmpty();
        JsonNode job = subscribes().get(0).path("data");
        assertThat(job.path("type").asText()).isEqualTo("profile-subscription-bulk-create-job");
        assertThat(job.path("attributes").path("historical_import").asBoolean()).isTrue();
        JsonNode profile = job.path("attributes").path("profiles").path("data").get(0).path("attributes");
        assertThat(profile.path("email").asText()).isEqualTo("zoe.adams@example.com");
        assertThat(profile.path("subscriptions").path("email").path("marketing").path("consent").asText()).isEqualTo("SUBSCRIBED");
        assertThat(profile.path("subscriptions").path("email").path("marketing").path("consented_at").asText())
                .isEqualTo("2026-11-27T10:14:58Z");
        assertThat(profile.path("subscriptions").has("sms")).isFalse();
        assertThat(job.path("relationships").path("list").path("data").path("id").asText()).isEqualTo(LIST_ID);
        assertThat(subscribes()).hasSize(1);
        assertThat(unsubscribes()).isEmpty();

        JsonNode status = statuses().get(0).path("inputs").get(0);
        assertThat(status.path("subscriberIdString").asText()).isEqualTo("zoe.adams@example.com");
        assertThat(status.path("subscriptionId").asLong()).isEqualTo(21439502L);
        assertThat(status.path("statusState").asText()).isEqualTo("SUBSCRIBED");
        assertThat(status.path("channel").asText()).isEqualTo("EMAIL");
        assertThat(status.path("legalBasis").asText()).isEqualTo("CONSENT_WITH_NOTICE");
        assertThat(status.path("legalBasisExplanation").asText()).contains("706405506930370084").doesNotContain("@");
        assertThat(statuses()).hasSize(1);
    }

    @Test
    void anEmailUnsubscribed_unsubscribesInKlaviyoAndHubSpot() throws Exception {
        JsonNode response = deliver(received(EMAIL_TOPIC, emailConsent("unsubscribed", "2026-11-28T09:00:00-05:00")));

        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(subscribes()).isEmpty();
        JsonNode job = unsubscribes().get(0).path("data");
        assertThat(job.path("type").asText()).isEqualTo("profile-subscription-bulk-delete-job");
        JsonNode profile = job.path("attributes").path("profiles").path("data").get(0).path("attributes");
        assertThat(profile.path("email").asText()).isEqualTo("zoe.adams@example.com");
        assertThat(profile.path("subscriptions").path("email").path("marketing").path("consent").asText()).isEqualTo("UNSUBSCRIBED");
        assertThat(statuses()).singleElement().satisfies(body ->
                assertThat(body.path("inputs").get(0).path("statusState").asText()).isEqualTo("UNSUBSCRIBED"));
    }

    @Test
    void anOlderConsentArrivingAfterANewerOne_sendsNothing() throws Exception {
        Envelope subscribed = received(EMAIL_TOPIC, emailConsent("subscribed", "2026-11-27T05:14:58-05:00"));
        Envelope unsubscribed = received(EMAIL_TOPIC, emailConsent("unsubscribed", "2026-11-28T09:00:00-05:00"));

        deliver(unsubscribed);
        JsonNode late = deliver(subscribed); // Shopify's late delivery of the older consent

        assertThat(late.path("batchItemFailures")).isEmpty();
        assertThat(queues.deadLettered).isEmpty();
        assertThat(subscribes()).isEmpty();
        assertThat(unsubscribes()).hasSize(1);
        assertThat(statuses()).hasSize(1);
        assertThat(statuses().get(0).path("inputs").get(0).path("statusState").asText()).isEqualTo("UNSUBSCRIBED");
    }

    @Test
    void aNewerNotSubscribedOrPendingConsent_sendsNothing_andStillKeepsAnOlderSubscribeOut() throws Exception {
        Envelope subscribed = received(EMAIL_TOPIC, emailConsent("subscribed", "2026-11-27T05:14:58-05:00"));
        Envelope pending = received(EMAIL_TOPIC, emailConsent("pending", "2026-11-28T09:00:00-05:00"));
        Envelope notSubscribed = received(EMAIL_TOPIC, emailConsent("not_subscribed", "2026-11-28T10:00:00-05:00"));

        assertThat(deliver(pending).path("batchItemFailures")).isEmpty();
        assertThat(deliver(notSubscribed).path("batchItemFailures")).isEmpty();
        deliver(subscribed);

        assertThat(subscribes()).isEmpty();
        assertThat(unsubscribes()).isEmpty();
        assertThat(statuses()).isEmpty();
        assertThat(queues.deadLettered).isEmpty();
    }

    @Test
    void theCustomersOwnUpdatedAt_neverMakesAConsentStale() throws Exception {
        function = function(Map.of("ORDER_FLOW_CUSTOMER_TOPICS", "true"));
        // The customer record changed a day after the consent was given: the consent is still the newest consent.
        ObjectNode customer = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-create.json")).get("customer");
        customer.put("updated_at", "2026-11-28T12:00:00-05:00");
        deliver(received("customers/update", JSON.writeValueAsString(customer)));

        deliver(received(EMAIL_TOPIC, emailConsent("subscribed", "2026-11-27T05:14:58-05:00")));

        assertThat(subscribes()).hasSize(1);
        assertThat(statuses()).hasSize(1);
    }

    @Test
    void aGuestOrderWithoutConsent_andAnOrderOfACustomer_makeNoConsentCall() throws Exception {
        JsonNode guest = deliver(received("orders-guest-pos.json"));
        JsonNode order = deliver(received("orders-create.json"));

        assertThat(guest.path("batchItemFailures")).isEmpty();
        assertThat(order.path("batchItemFailures")).isEmpty();
        apis.server.verify(0, postRequestedFor(urlEqualTo(FakeCrmApis.KLAVIYO_SUBSCRIBE)));
        apis.server.verify(0, postRequestedFor(urlEqualTo(FakeCrmApis.KLAVIYO_UNSUBSCRIBE)));
        apis.server.verify(0, postRequestedFor(urlEqualTo(FakeCrmApis.HUBSPOT_SUBSCRIPTION_STATUSES)));
        // The order's contact is written without any marketing status: only consent makes a marketing contact.
        JsonNode contact = apis.bodies(FakeCrmApis.HUBSPOT_CONTACTS).get(0).path("inputs").get(0).path("properties");
        assertThat(contact.has("hs_marketable_status")).isFalse();
        assertThat(contact.fieldNames()).toIterable().noneMatch(name -> name.contains("marketing") || name.contains("consent"));
    }

    @Test
    void klaviyoThrottledAndHubSpotDown_thenRecovering_subscribeOnceEach() throws Exception {
        apis.answerNext(FakeCrmApis.KLAVIYO_SUBSCRIBE, 1, FakeCrmApis.klaviyoThrottled(3));
        apis.answerNext(FakeCrmApis.HUBSPOT_SUBSCRIPTION_STATUSES, 1, FakeCrmApis.hubspotServerError(503));
        Envelope consent = received(EMAIL_TOPIC, emailConsent("subscribed", "2026-11-27T05:14:58-05:00"));

        JsonNode first = LambdaInvoker.invoke(function, QueueEvents.of(List.of(consent), 1));
        JsonNode second = LambdaInvoker.invoke(function, QueueEvents.of(List.of(consent), 2));
        JsonNode third = LambdaInvoker.invoke(function, QueueEvents.of(List.of(consent), 3)); // SQS's redelivery

        assertThat(first.path("batchItemFailures")).hasSize(1);
        assertThat(second.path("batchItemFailures")).isEmpty();
        assertThat(third.path("batchItemFailures")).isEmpty();
        assertThat(subscribes()).hasSize(2); // the throttled one and the one that went through
        assertThat(statuses()).hasSize(2); // the 503 and the one that went through
        assertThat(queues.deadLettered).isEmpty();
    }

    @Test
    void anSmsSubscribe_goesToKlaviyoByPhone_andNotToHubSpot_whichTakesEmailOnly() throws Exception {
        JsonNode response = deliver(received(SMS_TOPIC, smsConsent("subscribed", "2026-11-27T05:14:58-05:00")));

        assertThat(response.path("batchItemFailures")).isEmpty();
        JsonNode profile = subscribes().get(0).path("data").path("attributes").path("profiles").path("data").get(0)
                .path("attributes");
        assertThat(profile.path("phone_number").asText()).isEqualTo("+13175550142");
        assertThat(profile.path("subscriptions").path("sms").path("marketing").path("consent").asText()).isEqualTo("SUBSCRIBED");
        assertThat(profile.path("subscriptions").has("email")).isFalse();
        assertThat(statuses()).isEmpty();
    }

    @Test
    void emailAndSmsConsent_areVersionedApart_soANewerEmailConsentNeverMakesAnSmsConsentStale() throws Exception {
        deliver(received(EMAIL_TOPIC, emailConsent("unsubscribed", "2026-11-29T09:00:00-05:00")));
        deliver(received(SMS_TOPIC, smsConsent("subscribed", "2026-11-27T05:14:58-05:00")));

        assertThat(unsubscribes()).hasSize(1);
        assertThat(subscribes()).singleElement().satisfies(body -> assertThat(body.path("data").path("attributes")
                .path("profiles").path("data").get(0).path("attributes").path("subscriptions").has("sms")).isTrue());
    }

    @Test
    void klaviyoRefusingSmsConsent_deadLettersItWithWhatToDo() throws Exception {
        apis.answerAlways(FakeCrmApis.KLAVIYO_SUBSCRIBE, FakeCrmApis.klaviyoError(400, "invalid", "Invalid input.",
                "SMS is not set up for this account."));

        deliver(received(SMS_TOPIC, smsConsent("subscribed", "2026-11-27T05:14:58-05:00")));

        assertThat(queues.deadLettered).singleElement().satisfies(dead ->
                assertThat(dead.reason().reason()).contains("SMS set up").contains("706405506930370084")
                        .doesNotContain("+13175550142"));
    }

    @Test
    void aKlaviyoKeyWithoutTheSubscriptionScopes_deadLettersTheConsent_namingTheScopesItNeeds() throws Exception {
        apis.answerAlways(FakeCrmApis.KLAVIYO_SUBSCRIBE, FakeCrmApis.klaviyoError(403, "permission_denied",
                "You do not have permission to perform this action.", "This API key is missing required scopes."));

        deliver(received(EMAIL_TOPIC, emailConsent("subscribed", "2026-11-27T05:14:58-05:00")));

        assertThat(queues.deadLettered).singleElement().satisfies(dead -> assertThat(dead.reason().reason())
                .contains("lists:write").contains("subscriptions:write").doesNotContain("zoe.adams"));
        assertThat(statuses()).hasSize(1); // HubSpot's delivery is its own
    }
}
