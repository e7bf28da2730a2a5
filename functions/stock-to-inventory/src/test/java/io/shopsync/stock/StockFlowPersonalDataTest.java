package io.shopsync.stock;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.shopsync.testing.KnownCustomer.EMAIL;
import static io.shopsync.testing.KnownCustomer.EMAIL_AT;
import static io.shopsync.testing.KnownCustomer.EMAIL_PERCENT;
import static io.shopsync.testing.KnownCustomer.FIRST_NAME;
import static io.shopsync.testing.KnownCustomer.LAST_NAME;
import static io.shopsync.testing.KnownCustomer.OTHER_PHONE;
import static io.shopsync.testing.KnownCustomer.PHONE_DIGITS;
import static io.shopsync.testing.KnownCustomer.STREET;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.shopsync.envelope.Envelope;
import io.shopsync.testing.KnownCustomer;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testing.LeakScanner;
import io.shopsync.testing.Outbound;
import io.shopsync.testkit.Fixtures;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stock flow with the inventory system (the signed webhook endpoint, or Katana) echoing personal
 * data (a location's contact) and our credentials in its error answers: nothing of it, nor the Shopify
 * Admin token, may leave in a log line, a dead-letter attribute or an alert.
 */
class StockFlowPersonalDataTest {

    private static final String GRAPHQL = "/admin/api/2026-10/graphql.json";
    private static final String ENDPOINT = "/inventory/shopsync";
    private static final String ADMIN_TOKEN = "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";
    private static final String WEBHOOK_SECRET = "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
    private static final String KATANA_KEY = "kat_6d5c4b3a2918f7e6d5c4b3a29180f7e6";
    private static final int LAST_ATTEMPT = 8;

    private WireMockServer server;
    private final Outbound outbound = new Outbound();
    private final LeakScanner scanner = KnownCustomer.scanner()
            .secret("Shopify Admin token", ADMIN_TOKEN)
            .secret("inventory webhook signing secret", WEBHOOK_SECRET)
            .secret("inventory webhook signing key", WEBHOOK_SECRET.substring("whsec_".length()))
            .secret("Katana API key", KATANA_KEY)
            .secret("Shopify webhook secret", LambdaInvoker.DEV_SECRET);
    private StockToInventory function;

    @BeforeEach
    void start() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        server.stubFor(post(urlEqualTo(GRAPHQL)).willReturn(okJson(
                "{\"data\":{\"inventoryItem\":{\"id\":\"gid://shopify/InventoryItem/437290762312585471\","
                        + "\"sku\":\"SS-MCS-OAT-M\",\"tracked\":true,\"variant\":{\"id\":\"gid://shopify/ProductVariant/41234567890123456\"}}},"
                        + "\"extensions\":{\"cost\":{\"requestedQueryCost\":2,\"throttleStatus\":{\"maximumAvailable\":2000.0,"
                        + "\"currentlyAvailable\":1998,\"restoreRate\":100.0}}}}")));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private void target(String target) {
        Map<String, String> variables = new HashMap<>(Map.of(
                "INVENTORY_TARGET", target,
                "SHOPIFY_ADMIN_TOKENS", ADMIN_TOKEN,
                "SHOPIFY_ALLOWED_SHOPS", "shopsync-demo.myshopify.com",
                "SHOPIFY_ADMIN_BASE_URL", server.baseUrl()));
        if (target.equals("webhook")) {
            variables.put("INVENTORY_WEBHOOK_URL", server.baseUrl() + ENDPOINT);
            variables.put("INVENTORY_WEBHOOK_SECRET", WEBHOOK_SECRET);
            variables.put("LOCATION_MAPPING", "{\"655441491\": \"WH-MAIN\"}");
        } else {
            variables.put("KATANA_API_KEY", KATANA_KEY);
            variables.put("KATANA_BASE_URL", server.baseUrl() + "/v1");
            variables.put("LOCATION_MAPPING", "{\"655441491\": \"12\"}");
        }
        function = new StockToInventory(outbound.environment(variables));
    }

    @Test
    void theWebhookEndpointRejectingTheLevel_andEchoingItsContact_leavesOnlyCodes() throws Exception {
        // given: the receiver answers 422 quoting the location's contact
        target("webhook");
        server.stubFor(post(urlEqualTo(ENDPOINT)).willReturn(aResponse().withStatus(422)
                .withHeader("Content-Type", "application/json").withBody("""
                {"error":"location_closed","message":"WH-MAIN (%s %s, %s, %s, %s) does not take stock updates",\
                "field":"data.locationRef"}""".formatted(FIRST_NAME, LAST_NAME, STREET, EMAIL_AT, OTHER_PHONE))));

        // when
        deliver(received(), 1);

        // then
        assertThat(outbound.deadLetters()).as("the scenario dead-letters").hasSize(1);
        assertThat(outbound.sns.published).as("the scenario alerts").isNotEmpty();
        assertThat(scanner.findIn(outbound.texts())).isEmpty();
        assertThat(outbound.deadLetterReasons()).contains("answered 422").contains("error=location_closed");
    }

    @Test
    void theWebhookEndpointRejectingTheSignature_andQuotingOurSecret_leavesNoSecretBehind() throws Exception {
        // given
        target("webhook");
        server.stubFor(post(urlEqualTo(ENDPOINT)).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("""
                {"error":"invalid_signature","message":"no v1 signature verifies with %s"}""".formatted(WEBHOOK_SECRET))));

        // when
        deliver(received(), 1);

        // then
        assertThat(outbound.deadLetters()).as("the scenario dead-letters").hasSize(1);
        assertThat(scanner.findIn(outbound.texts())).isEmpty();
    }

    @Test
    void theWebhookEndpointFailingTransiently_andEchoingItsContact_leavesNothingOfItWhenRetriesRunOut() throws Exception {
        // given
        target("webhook");
        server.stubFor(post(urlEqualTo(ENDPOINT)).willReturn(aResponse().withStatus(503)
                .withHeader("Content-Type", "text/plain")
                .withBody("warehouse of " + FIRST_NAME + " " + LAST_NAME + " (" + EMAIL + ") is closed today")));
        Envelope level = received();

        // when
        deliver(level, 1);
        for (int attempt = 2; attempt <= LAST_ATTEMPT; attempt++) { // only real attempts count
            deliver(level, attempt);
        }

        // then
        assertThat(outbound.deadLetters()).as("the scenario dead-letters").isNotEmpty();
        assertThat(scanner.findIn(outbound.texts())).isEmpty();
    }

    @Test
    void katanaRejectingTheAdjustment_andEchoingTheLocationsContact_leavesOnlyItsCodesAndPaths() throws Exception {
        // given
        target("katana");
        katanaKnowsTheVariant();
        server.stubFor(post(urlPathEqualTo("/v1/stock_adjustments")).willReturn(aResponse().withStatus(422)
                .withHeader("Content-Type", "application/json").withBody("""
                {"statusCode":422,"name":"UnprocessableEntityError","code":"VALIDATION_FAILED",\
                "message":"The request body is invalid. See error object `details` property for more info.",\
                "details":[{"path":".location_id","code":"invalid","message":"location 12 of %s %s (%s, %s) is not active"},\
                {"path":".additional_info","code":"maxLength","message":"'%s' is too long"}]}"""
                .formatted(FIRST_NAME, LAST_NAME, EMAIL_PERCENT, PHONE_DIGITS, STREET))));

        // when
        deliver(received(), 1);

        // then
        assertThat(outbound.deadLetters()).as("the scenario dead-letters").isNotEmpty();
        assertThat(outbound.sns.published).as("the scenario alerts").isNotEmpty();
        assertThat(scanner.findIn(outbound.texts())).isEmpty();
        assertThat(outbound.deadLetterReasons()).contains("VALIDATION_FAILED").contains(".location_id").contains("SS-MCS-OAT-M");
    }

    @Test
    void katanaRejectingTheKey_andQuotingIt_leavesNoKeyBehind() throws Exception {
        // given
        target("katana");
        server.stubFor(get(urlPathEqualTo("/v1/variants")).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"statusCode\":401,\"name\":\"UnauthorizedError\",\"message\":\"API key " + KATANA_KEY
                        + " is not valid\"}")));

        // when
        deliver(received(), 1);

        // then
        assertThat(outbound.deadLetters()).as("the scenario dead-letters").isNotEmpty();
        assertThat(scanner.findIn(outbound.texts())).isEmpty();
    }

    private void katanaKnowsTheVariant() {
        server.stubFor(get(urlPathEqualTo("/v1/variants"))
                .willReturn(okJson("{\"data\":[{\"id\":3301234,\"sku\":\"SS-MCS-OAT-M\",\"product_id\":88012}]}")));
        server.stubFor(get(urlPathEqualTo("/v1/inventory")).willReturn(okJson(
                "{\"data\":[{\"variant_id\":3301234,\"location_id\":12,\"quantity_in_stock\":\"45\"}]}")));
        server.stubFor(get(urlPathEqualTo("/v1/stock_adjustments")).willReturn(okJson("{\"data\":[]}")));
    }

    private Envelope received() {
        String event = Fixtures.text("events/stock-to-inventory/inventory-levels-update.json");
        return outbound.received(function, event);
    }

    private void deliver(Envelope envelope, int receiveCount) {
        outbound.deliver(function, envelope, receiveCount);
    }
}
