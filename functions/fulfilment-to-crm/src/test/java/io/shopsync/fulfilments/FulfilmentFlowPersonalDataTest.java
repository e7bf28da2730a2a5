package io.shopsync.fulfilments;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.shopsync.testing.KnownCustomer.EMAIL;
import static io.shopsync.testing.KnownCustomer.EMAIL_AT;
import static io.shopsync.testing.KnownCustomer.EMAIL_PERCENT;
import static io.shopsync.testing.KnownCustomer.FIRST_NAME;
import static io.shopsync.testing.KnownCustomer.LAST_NAME;
import static io.shopsync.testing.KnownCustomer.OTHER_PHONE;
import static io.shopsync.testing.KnownCustomer.PHONE_DIGITS;
import static io.shopsync.testing.KnownCustomer.STREET;
import static io.shopsync.testing.KnownCustomer.ZIP;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.envelope.Envelope;
import io.shopsync.testing.FakeCrmApis;
import io.shopsync.testing.KnownCustomer;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testing.LeakScanner;
import io.shopsync.testing.Outbound;
import io.shopsync.testkit.Fixtures;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fulfilment flow with the customer's address, phone and e-mail in the webhook and HubSpot and
 * Klaviyo echoing them (and our credentials) in their error answers: nothing of it may leave in a log
 * line, a dead-letter attribute or an alert.
 */
class FulfilmentFlowPersonalDataTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HUBSPOT_UPDATE = "/crm/objects/2026-09/orders/batch/update";
    private static final String HUBSPOT_TOKEN = "pat-eu1-0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";
    private static final String KLAVIYO_KEY = "pk_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a";
    private static final int LAST_ATTEMPT = 8;

    private FakeCrmApis apis;
    private final Outbound outbound = new Outbound();
    private final LeakScanner scanner = KnownCustomer.scanner()
            .secret("HubSpot token", HUBSPOT_TOKEN)
            .secret("Klaviyo private key", KLAVIYO_KEY)
            .secret("Shopify webhook secret", LambdaInvoker.DEV_SECRET);
    private FulfilmentToCrm function;

    @BeforeEach
    void start() {
        apis = new FakeCrmApis();
        function = new FulfilmentToCrm(outbound.environment(Map.of(
                "CRM_TARGETS", "hubspot,klaviyo",
                "HUBSPOT_TOKEN", HUBSPOT_TOKEN,
                "HUBSPOT_BASE_URL", apis.baseUrl(),
                "KLAVIYO_API_KEY", KLAVIYO_KEY,
                "KLAVIYO_BASE_URL", apis.baseUrl())));
    }

    @AfterEach
    void stop() {
        apis.close();
    }

    @Test
    void targetsRejectingTheShipment_andEchoingTheCustomer_leaveOnlyCodesAndFieldNames() throws Exception {
        // given: HubSpot refuses the order update (a 207 naming the order), Klaviyo the Fulfilled Order event
        answer(HUBSPOT_UPDATE, 207, "application/json", """
                {"status":"COMPLETE","results":[],"numErrors":1,"errors":[{"status":"error","category":"VALIDATION_ERROR",\
                "message":"Property hs_shipping_address_street: '%s, %s' of %s %s (%s) was rejected by a validation rule",\
                "context":{"ids":["820982911946154508"],"propertyName":["hs_shipping_address_street"]},\
                "errors":[{"message":"'%s' is not allowed","code":"INVALID_OPTION","in":"hs_shipping_address_street"}],\
                "links":{}}],"startedAt":"2026-11-28T13:05:00.010Z","completedAt":"2026-11-28T13:05:00.140Z"}"""
                .formatted(STREET, ZIP, FIRST_NAME, LAST_NAME, EMAIL_PERCENT, STREET));
        answer(FakeCrmApis.KLAVIYO_EVENTS, 400, "application/vnd.api+json", """
                {"errors":[{"id":"2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c","status":400,"code":"invalid",\
                "title":"Invalid input.","detail":"profile %s / %s: phone_number %s is not a valid phone number",\
                "source":{"pointer":"/data/attributes/profile/data/attributes/phone_number"},"links":{},"meta":{}}]}"""
                .formatted(EMAIL, EMAIL_AT, PHONE_DIGITS));

        // when
        deliver(received(), 1);

        // then
        assertThat(outbound.deadLetters()).as("the scenario dead-letters").isNotEmpty();
        assertThat(outbound.sns.published).as("the scenario alerts").isNotEmpty();
        assertThat(scanner.findIn(outbound.texts())).isEmpty();
        assertThat(outbound.deadLetterReasons()).contains("VALIDATION_ERROR").contains("hs_shipping_address_street")
                .contains("/data/attributes/profile/data/attributes/phone_number");
    }

    @Test
    void targetsFailingTransiently_andEchoingTheCustomer_leaveNothingOfItOnRetryNorWhenRetriesRunOut() throws Exception {
        // given
        answer(HUBSPOT_UPDATE, 503, "text/html", "<html><body><h1>503 Service Unavailable</h1><p>while updating the "
                + "order of " + FIRST_NAME + " " + LAST_NAME + ", " + STREET + "</p></body></html>");
        answer(FakeCrmApis.KLAVIYO_EVENTS, 500, "application/vnd.api+json", """
                {"errors":[{"id":"5e7f9a1b-3c5d-4e7f-8a9b-1c3d5e7f9a1b","status":500,"code":"error",\
                "title":"A server error occurred.","detail":"could not store the event of %s, %s"}]}"""
                .formatted(EMAIL, OTHER_PHONE));
        Envelope fulfilment = received();

        // when
        deliver(fulfilment, 1);
        for (int attempt = 2; attempt <= LAST_ATTEMPT; attempt++) { // only real attempts count
            deliver(fulfilment, attempt);
        }

        // then
        assertThat(outbound.log.raw).anySatisfy(line -> assertThat(line).contains("retry-later"));
        assertThat(outbound.deadLetters()).as("the scenario dead-letters").isNotEmpty();
        assertThat(outbound.sns.published).as("the scenario alerts").isNotEmpty();
        assertThat(scanner.findIn(outbound.texts())).isEmpty();
    }

    @Test
    void targetsRejectingOurCredentials_andQuotingThem_leaveNoCredentialBehind() throws Exception {
        // given
        answer(HUBSPOT_UPDATE, 401, "application/json", """
                {"status":"error","message":"Authentication credentials not found: %s is expired",\
                "correlationId":"8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d","category":"EXPIRED_AUTHENTICATION"}"""
                .formatted(HUBSPOT_TOKEN));
        answer(FakeCrmApis.KLAVIYO_EVENTS, 403, "application/vnd.api+json", """
                {"errors":[{"id":"3b2a1f0e-9d8c-4b7a-8f6e-5d4c3b2a1f0e","status":403,"code":"permission_denied",\
                "title":"You do not have permission to perform this action.",\
                "detail":"Key %s lacks the events:write scope"}]}""".formatted(KLAVIYO_KEY));

        // when
        deliver(received(), 1);

        // then
        assertThat(outbound.deadLetters()).as("the scenario dead-letters").isNotEmpty();
        assertThat(scanner.findIn(outbound.texts())).isEmpty();
    }

    private void answer(String path, int status, String contentType, String body) {
        apis.server.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", contentType).withBody(body)));
    }

    /** The create sample with the known customer in it, through intake (Klaviyo hears of a fulfilment on create). */
    private Envelope received() throws Exception {
        ObjectNode fulfilment = KnownCustomer.into(
                (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/fulfillments-create.json")));
        String event = LambdaInvoker.withBody(Fixtures.text("events/fulfilment-to-crm/fulfillments-create.json"),
                JSON.writeValueAsString(fulfilment));
        return outbound.received(function, event);
    }

    private void deliver(Envelope envelope, int receiveCount) {
        outbound.deliver(function, envelope, receiveCount);
    }
}
