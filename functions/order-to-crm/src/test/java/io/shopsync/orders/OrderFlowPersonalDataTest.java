package io.shopsync.orders;

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
import static io.shopsync.testing.KnownCustomer.STREET_2;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
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
 * The order flow with a customer's personal data in the webhook and HubSpot and Klaviyo echoing it
 * (and our credentials) in their error answers, as they do: nothing of it may leave in a log line, a
 * dead-letter attribute or an alert. What the operator needs stays: status, error codes, field names.
 */
class OrderFlowPersonalDataTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HUBSPOT_TOKEN = "pat-na1-7c1e9f04-2b5d-4e8a-9f3c-61d0a2b4c8e7";
    private static final String KLAVIYO_KEY = "pk_5f0c2a9e7b3d41c68e2f9a7b0d4c6e81a3";
    private static final int LAST_ATTEMPT = 8;

    private FakeCrmApis apis;
    private final Outbound outbound = new Outbound();
    private final LeakScanner scanner = KnownCustomer.scanner()
            .secret("HubSpot token", HUBSPOT_TOKEN)
            .secret("Klaviyo private key", KLAVIYO_KEY)
            .secret("Shopify webhook secret", LambdaInvoker.DEV_SECRET);
    private OrderToCrm function;

    @BeforeEach
    void start() {
        apis = new FakeCrmApis();
        function = new OrderToCrm(outbound.environment(Map.of(
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
    void targetsRejectingTheCustomer_andEchoingIt_leaveOnlyCodesAndFieldNames() throws Exception {
        // given: HubSpot refuses the contact (its property-validation 400) and one order input (a 200
        // with errors); Klaviyo refuses the profile and the events, each quoting the values it was sent
        answer(FakeCrmApis.HUBSPOT_CONTACTS, 400, """
                {"status":"error","message":"Property values were not valid: [{\\"isValid\\":false,\\"message\\":\\"Email \
                address %s is invalid\\",\\"error\\":\\"INVALID_EMAIL\\",\\"name\\":\\"email\\",\\"localizedErrorMessage\\":\
                \\"Email address %s is invalid\\"},{\\"isValid\\":false,\\"message\\":\\"%s is not a valid phone number\\",\
                \\"error\\":\\"INVALID_PHONE_NUMBER\\",\\"name\\":\\"phone\\"}]","correlationId":"3d1c2b8a-5a3e-4a39-9c55-0d6f3f8e2a11",\
                "category":"VALIDATION_ERROR"}""".formatted(EMAIL_PERCENT, EMAIL, PHONE_DIGITS));
        apis.server.stubFor(post(urlEqualTo(FakeCrmApis.HUBSPOT_ORDERS)).willReturn(aResponse().withStatus(207)
                .withHeader("Content-Type", "application/json")
                .withTransformers("response-template").withBody("""
                {"status":"COMPLETE","results":[],"numErrors":1,"errors":[{"status":"error","category":"VALIDATION_ERROR",\
                "message":"Property hs_shipping_address_street: '%s, %s' for %s %s exceeds the allowed length",\
                "context":{"objectWriteTraceId":["{{jsonPath request.body '$.inputs[0].objectWriteTraceId'}}"],\
                "propertyName":["hs_shipping_address_street"],"ids":["%s"]},"errors":[{"message":"'%s' is too long",\
                "code":"INVALID_STRING_LENGTH","in":"hs_shipping_address_street"}],"links":{}}],\
                "startedAt":"2026-11-27T16:00:00.010Z","completedAt":"2026-11-27T16:00:00.140Z"}"""
                        .formatted(STREET, STREET_2, FIRST_NAME, LAST_NAME, EMAIL, STREET))));
        answer(FakeCrmApis.KLAVIYO_PROFILES, 400, """
                {"errors":[{"id":"4b6b7c0e-8f3a-4d2c-9e1b-7a5d3c2f1e0a","status":400,"code":"invalid",\
                "title":"Invalid input.","detail":"Invalid phone number format for %s (%s): %s",\
                "source":{"pointer":"/data/attributes/phone_number"},"links":{},"meta":{}}]}"""
                .formatted(EMAIL_AT, FIRST_NAME + " " + LAST_NAME, PHONE_DIGITS));
        answer(FakeCrmApis.KLAVIYO_EVENTS, 400, """
                {"errors":[{"id":"9d2e4f6a-1b3c-4d5e-8f7a-0b1c2d3e4f5a","status":400,"code":"invalid",\
                "title":"Invalid input.","detail":"'%s' in properties.ShippingAddress is not valid; contact %s",\
                "source":{"pointer":"/data/attributes/properties/ShippingAddress"},"links":{},"meta":{}}]}"""
                .formatted(STREET, OTHER_PHONE));

        // when
        deliver(received(), 1);

        // then
        assertThat(outbound.deadLetters()).as("the scenario dead-letters").isNotEmpty();
        assertThat(outbound.sns.published).as("the scenario alerts").isNotEmpty();
        assertThat(scanner.findIn(outbound.texts())).isEmpty();
        assertThat(outbound.deadLetterReasons()).contains("answered 400").contains("VALIDATION_ERROR").contains("INVALID_EMAIL")
                .contains("INVALID_PHONE_NUMBER").contains("/data/attributes/phone_number");
    }

    @Test
    void targetsFailingTransiently_andEchoingTheCustomer_leaveNothingOfItOnRetryNorWhenRetriesRunOut() throws Exception {
        // given: HubSpot's 500 and Klaviyo's 503 quote the customer
        answer(FakeCrmApis.HUBSPOT_CONTACTS, 500, """
                {"status":"error","message":"internal error while indexing contact %s (%s %s, %s)",\
                "correlationId":"7e0c9a4d-2f6b-4c1e-b8d3-5a9f0e2c4b6d","category":"INTERNAL_ERROR"}"""
                .formatted(EMAIL, FIRST_NAME, LAST_NAME, PHONE_DIGITS));
        answer(FakeCrmApis.KLAVIYO_PROFILES, 503, """
                {"errors":[{"id":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","status":503,"code":"service_unavailable",\
                "title":"Service unavailable.","detail":"profile %s at %s could not be saved, retry later"}]}"""
                .formatted(EMAIL_PERCENT, STREET));
        Envelope order = received();

        // when: the first attempt is retried; the queue's last one dead-letters
        deliver(order, 1);
        for (int attempt = 2; attempt <= LAST_ATTEMPT; attempt++) { // only real attempts count
            deliver(order, attempt);
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
        answer(FakeCrmApis.HUBSPOT_CONTACTS, 401, """
                {"status":"error","message":"Authentication credentials not found: Bearer %s is not a valid token",\
                "correlationId":"1f2e3d4c-5b6a-4798-8a6b-5c4d3e2f1a0b","category":"INVALID_AUTHENTICATION"}"""
                .formatted(HUBSPOT_TOKEN));
        answer(FakeCrmApis.KLAVIYO_PROFILES, 401, """
                {"errors":[{"id":"6c5b4a39-2817-4f6e-9d5c-4b3a29180f7e","status":401,"code":"not_authenticated",\
                "title":"Incorrect authentication credentials.","detail":"Private key %s is invalid or revoked"}]}"""
                .formatted(KLAVIYO_KEY));

        // when
        deliver(received(), 1);

        // then
        assertThat(outbound.deadLetters()).as("the scenario dead-letters").isNotEmpty();
        assertThat(scanner.findIn(outbound.texts())).isEmpty();
        assertThat(outbound.deadLetterReasons()).contains("401").contains("Secrets Manager");
    }

    @Test
    void anOrderWhoseIdsAndTimestampsCarryTheCustomer_isDeadLetteredAtIntake_withoutQuotingThem() throws Exception {
        // given: authentic, but its id and updated_at hold the customer's e-mail and phone
        ObjectNode order = KnownCustomer.into((ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-create.json")));
        order.put("id", EMAIL);
        ObjectNode other = order.deepCopy().put("id", 820982911946155777L).put("updated_at", PHONE_DIGITS);
        String event = Fixtures.text("events/order-to-crm/orders-create.json");

        // when
        LambdaInvoker.invoke(function, LambdaInvoker.withBody(event, JSON.writeValueAsString(order)));
        deliver(outbound.received(function, LambdaInvoker.withBody(event.replace("f1e47194", "f1e47195"),
                JSON.writeValueAsString(other))), 1);

        // then
        assertThat(outbound.deadLetters()).as("the scenario dead-letters").hasSize(2);
        assertThat(scanner.findIn(outbound.texts())).isEmpty();
        assertThat(outbound.deadLetterReasons()).contains("id is not a positive integer id: a text of")
                .contains("updated_at is not an ISO-8601 timestamp: a text of");
    }

    private void answer(String path, int status, String body) {
        MappingBuilder stub = post(urlEqualTo(path)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", path.startsWith("/api/") ? "application/vnd.api+json" : "application/json")
                .withBody(body));
        apis.server.stubFor(stub);
    }

    /** The sample order with the known customer in it, through intake. */
    private Envelope received() throws Exception {
        ObjectNode order = KnownCustomer.into((ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-create.json")));
        String event = LambdaInvoker.withBody(Fixtures.text("events/order-to-crm/orders-create.json"),
                JSON.writeValueAsString(order));
        return outbound.received(function, event);
    }

    private void deliver(Envelope envelope, int receiveCount) {
        outbound.deliver(function, envelope, receiveCount);
    }
}
