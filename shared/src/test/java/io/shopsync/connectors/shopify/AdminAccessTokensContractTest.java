package io.shopsync.connectors.shopify;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.shopify.ShopifyAdmin.ItemLookup;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.testing.MutableClock;
import io.shopsync.testing.ShopifyGraphqlValidation;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Admin API token per shop, by the shape of its entry in shopify-admin-tokens, against a local server
 * answering as Shopify's OAuth endpoint ({@code POST /admin/oauth/access_token}) and Admin GraphQL API do.
 * The clock is moved by hand: a token obtained with the client credentials grant lives {@code expires_in}
 * seconds (86399 in Shopify's answers).
 */
class AdminAccessTokensContractTest {

    private static final String GRAPHQL = "/admin/api/2026-10/graphql.json";
    private static final String OAUTH = "/admin/oauth/access_token";
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String CLIENT_ID = "7d2c4c4e0b1f4b8a9c3e5f6a7b8c9d0e";
    private static final String CLIENT_SECRET = "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";
    private static final String FIRST = "shpat_cc11111111111111111111111111aa";
    private static final String SECOND = "shpat_cc22222222222222222222222222bb";
    private static final String CLIENT_CREDENTIALS = "{\"" + SHOP + "\": {\"clientId\": \"" + CLIENT_ID
            + "\", \"clientSecret\": \"" + CLIENT_SECRET + "\"}}";
    private static final Instant NOW = Instant.parse("2026-12-03T09:30:00Z");
    private static final String ITEM = "437290762312585471";

    private final MutableClock clock = new MutableClock(NOW);
    private WireMockServer shopify;

    static String granted(String token) {
        return "{\"access_token\":\"" + token + "\",\"scope\":\"read_inventory,read_orders\",\"expires_in\":86399}";
    }

    static String found() {
        return "{\"data\":{\"inventoryItem\":{\"sku\":\"SS-MCS-OAT-M\",\"tracked\":true}},"
                + "\"extensions\":{\"cost\":{\"requestedQueryCost\":1,\"actualQueryCost\":1,\"throttleStatus\":"
                + "{\"maximumAvailable\":2000.0,\"currentlyAvailable\":1999,\"restoreRate\":100.0}}}}";
    }

    /** What the Admin API answers to a token it does not accept (expired, revoked). */
    static final String INVALID_TOKEN = "{\"errors\":\"[API] Invalid API key or access token (unrecognized login or wrong password)\"}";

    @BeforeEach
    void start() {
        shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new ShopifyGraphqlValidation()));
        shopify.start();
    }

    @AfterEach
    void stop() {
        shopify.stop();
    }

    private ShopifyAdmin admin(String stored, Set<String> allowedShops) {
        return new ShopifyAdmin(new TargetHttp("shopify", HttpTransport.of(HttpClient.newHttpClient()),
                Duration.ofSeconds(2), clock), shopify.baseUrl(),
                new CachedSecret("secret shopsync/shopify-admin-tokens", () -> stored, clock, Duration.ofMinutes(1)),
                allowedShops, ShopifyAdmin.DEFAULT_API_VERSION, new ObjectMapper(), clock);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> fields = new java.util.HashMap<>();
        for (String pair : body.split("&")) {
            String[] kv = pair.split("=", 2);
            fields.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return fields;
    }

    private int oauthRequests() {
        return shopify.findAll(postRequestedFor(urlEqualTo(OAUTH))).size();
    }

    private int graphqlRequests() {
        return shopify.findAll(postRequestedFor(urlEqualTo(GRAPHQL))).size();
    }

    private static String reason(ItemLookup lookup) {
        assertThat(lookup).isInstanceOf(ItemLookup.Failed.class);
        DeliveryOutcome outcome = ((ItemLookup.Failed) lookup).outcome();
        return outcome instanceof DeliveryOutcome.PermanentFailure p ? p.reason() : ((DeliveryOutcome.RetryLater) outcome).reason();
    }

    @Test
    void clientCredentials_shouldObtainATokenAsShopifyDocuments_andSendItToTheAdminApi() {
        shopify.stubFor(post(urlEqualTo(OAUTH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(granted(FIRST))));
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).withHeader("X-Shopify-Access-Token", equalTo(FIRST))
                .willReturn(aResponse().withStatus(200).withBody(found())));

        ItemLookup lookup = admin(CLIENT_CREDENTIALS, Set.of()).inventoryItem(SHOP, ITEM);

        assertThat(lookup).isEqualTo(new ItemLookup.Found("SS-MCS-OAT-M", true));
        var requests = shopify.findAll(postRequestedFor(urlEqualTo(OAUTH))
                .withHeader("Content-Type", containing("application/x-www-form-urlencoded")));
        assertThat(requests).singleElement().satisfies(request -> assertThat(form(request.getBodyAsString()))
                .containsExactlyInAnyOrderEntriesOf(Map.of("grant_type", "client_credentials",
                        "client_id", CLIENT_ID, "client_secret", CLIENT_SECRET)));
    }

    @Test
    void clientCredentials_shouldReuseTheTokenUntilFiveMinutesBeforeItExpires_thenObtainANewOne() {
        shopify.stubFor(post(urlEqualTo(OAUTH)).inScenario("grant").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withBody(granted(FIRST))).willSetStateTo("second"));
        shopify.stubFor(post(urlEqualTo(OAUTH)).inScenario("grant").whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(200).withBody(granted(SECOND))));
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).willReturn(aResponse().withStatus(200).withBody(found())));
        ShopifyAdmin admin = admin(CLIENT_CREDENTIALS, Set.of());

        admin.inventoryItem(SHOP, ITEM);
        clock.advance(Duration.ofSeconds(86399).minusMinutes(5).minusSeconds(1));
        admin.inventoryItem(SHOP, ITEM);
        assertThat(oauthRequests()).as("token requests while the first token is fresh").isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        admin.inventoryItem(SHOP, ITEM);

        assertThat(oauthRequests()).isEqualTo(2);
        assertThat(shopify.findAll(postRequestedFor(urlEqualTo(GRAPHQL))).stream()
                .map(request -> request.getHeader("X-Shopify-Access-Token")).toList())
                .containsExactly(FIRST, FIRST, SECOND);
    }

    /** A token can stop working before its expires_in (the app reinstalled, the secret rotated): obtain a new one once. */
    @Test
    void clientCredentials_shouldObtainANewTokenOnce_whenTheAdminApiAnswers401() {
        shopify.stubFor(post(urlEqualTo(OAUTH)).inScenario("grant").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withBody(granted(FIRST))).willSetStateTo("second"));
        shopify.stubFor(post(urlEqualTo(OAUTH)).inScenario("grant").whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(200).withBody(granted(SECOND))));
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).withHeader("X-Shopify-Access-Token", equalTo(FIRST))
                .willReturn(aResponse().withStatus(401).withBody(INVALID_TOKEN)));
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).withHeader("X-Shopify-Access-Token", equalTo(SECOND))
                .willReturn(aResponse().withStatus(200).withBody(found())));
        ShopifyAdmin admin = admin(CLIENT_CREDENTIALS, Set.of());

        ItemLookup first = admin.inventoryItem(SHOP, ITEM);
        ItemLookup second = admin.inventoryItem(SHOP, ITEM);

        assertThat(first).isEqualTo(new ItemLookup.Found("SS-MCS-OAT-M", true));
        assertThat(second).isEqualTo(first);
        assertThat(oauthRequests()).isEqualTo(2);
        assertThat(graphqlRequests()).as("the refused request, its retry, the next look-up").isEqualTo(3);
    }

    @Test
    void clientCredentials_shouldFailPermanentlyAfterOneRetry_whenTheNewTokenIsRefusedToo() {
        shopify.stubFor(post(urlEqualTo(OAUTH)).willReturn(aResponse().withStatus(200).withBody(granted(FIRST))));
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).willReturn(aResponse().withStatus(401).withBody(INVALID_TOKEN)));

        ItemLookup lookup = admin(CLIENT_CREDENTIALS, Set.of()).inventoryItem(SHOP, ITEM);

        assertThat(((ItemLookup.Failed) lookup).outcome()).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
        assertThat(reason(lookup)).contains("401", SHOP).doesNotContain(FIRST, CLIENT_SECRET);
        assertThat(oauthRequests()).isEqualTo(2);
        assertThat(graphqlRequests()).isEqualTo(2);
    }

    /** Shopify's answer to a client id or secret it does not know, or an app not installed on the store. */
    @Test
    void clientCredentials_shouldFailPermanentlyWithoutAnyAdminRequest_whenShopifyAnswersInvalidClient() {
        shopify.stubFor(post(urlEqualTo(OAUTH)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"invalid_client\",\"error_description\":\"Client authentication failed due to "
                        + "unknown client, no client authentication included, or unsupported authentication method.\"}")));

        ItemLookup lookup = admin(CLIENT_CREDENTIALS, Set.of()).inventoryItem(SHOP, ITEM);

        assertThat(((ItemLookup.Failed) lookup).outcome()).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
        assertThat(reason(lookup)).contains("invalid_client", SHOP, "client id", "secret shopsync/shopify-admin-tokens")
                .doesNotContain(CLIENT_SECRET, CLIENT_ID);
        assertThat(graphqlRequests()).isZero();
    }

    @Test
    void clientCredentials_shouldFailPermanently_whenShopifyAnswers401ToTheGrant() {
        shopify.stubFor(post(urlEqualTo(OAUTH)).willReturn(aResponse().withStatus(401)
                .withBody("{\"error\":\"invalid_client\"}")));

        ItemLookup lookup = admin(CLIENT_CREDENTIALS, Set.of()).inventoryItem(SHOP, ITEM);

        assertThat(((ItemLookup.Failed) lookup).outcome()).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
        assertThat(reason(lookup)).contains("401", SHOP).doesNotContain(CLIENT_SECRET);
        assertThat(graphqlRequests()).isZero();
    }

    @Test
    void clientCredentials_shouldRetryWhenShopifySays_whenTheGrantIsRateLimited() {
        shopify.stubFor(post(urlEqualTo(OAUTH)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")
                .withBody("{\"errors\":\"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.\"}")));

        ItemLookup lookup = admin(CLIENT_CREDENTIALS, Set.of()).inventoryItem(SHOP, ITEM);

        DeliveryOutcome.RetryLater retry = (DeliveryOutcome.RetryLater) ((ItemLookup.Failed) lookup).outcome();
        assertThat(retry.notBefore()).contains(NOW.plusSeconds(7));
        assertThat(retry.reason()).contains("429", SHOP);
        assertThat(graphqlRequests()).isZero();
    }

    @Test
    void clientCredentials_shouldRetryLater_andObtainTheTokenNextTime_whenShopifyFailsWith5xx() {
        shopify.stubFor(post(urlEqualTo(OAUTH)).inScenario("grant").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody("")).willSetStateTo("up"));
        shopify.stubFor(post(urlEqualTo(OAUTH)).inScenario("grant").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody(granted(FIRST))));
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).willReturn(aResponse().withStatus(200).withBody(found())));
        ShopifyAdmin admin = admin(CLIENT_CREDENTIALS, Set.of());

        ItemLookup failed = admin.inventoryItem(SHOP, ITEM);
        ItemLookup later = admin.inventoryItem(SHOP, ITEM);

        assertThat(((ItemLookup.Failed) failed).outcome()).isInstanceOf(DeliveryOutcome.RetryLater.class);
        assertThat(reason(failed)).contains("503", SHOP);
        assertThat(later).isEqualTo(new ItemLookup.Found("SS-MCS-OAT-M", true));
    }

    @Test
    void clientCredentials_shouldRetryLater_whenTheGrantAnswerHasNoToken() {
        shopify.stubFor(post(urlEqualTo(OAUTH)).willReturn(aResponse().withStatus(200).withBody("<html>maintenance</html>")));

        ItemLookup lookup = admin(CLIENT_CREDENTIALS, Set.of()).inventoryItem(SHOP, ITEM);

        assertThat(((ItemLookup.Failed) lookup).outcome()).isInstanceOf(DeliveryOutcome.RetryLater.class);
        assertThat(graphqlRequests()).isZero();
    }

    /** Each shop keeps its own kind: a legacy token beside a Dev Dashboard app. */
    @Test
    void shouldChooseTheKindPerShop_fromTheShapeOfItsEntry() {
        String legacyShop = "legacy-store.myshopify.com";
        String stored = "{\"" + legacyShop + "\": \"shpat_0123456789abcdef\", \"" + SHOP + "\": {\"clientId\": \""
                + CLIENT_ID + "\", \"clientSecret\": \"" + CLIENT_SECRET + "\"}}";
        shopify.stubFor(post(urlEqualTo(OAUTH)).willReturn(aResponse().withStatus(200).withBody(granted(FIRST))));
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).willReturn(aResponse().withStatus(200).withBody(found())));
        ShopifyAdmin admin = admin(stored, Set.of());

        admin.inventoryItem(legacyShop, ITEM);
        admin.inventoryItem(SHOP, ITEM);

        assertThat(shopify.findAll(postRequestedFor(urlEqualTo(GRAPHQL))).stream()
                .map(request -> request.getHeader("X-Shopify-Access-Token")).toList())
                .containsExactly("shpat_0123456789abcdef", FIRST);
        assertThat(oauthRequests()).isEqualTo(1);
    }

    /**
     * Expiring offline tokens rotate their refresh token on every refresh, and Shopsync cannot write the new
     * one back to Secrets Manager: refused before anything is sent, with what to use instead.
     */
    @Test
    void offlineTokenWithRefreshToken_shouldBeRefusedWithoutAnyRequest_sayingWhatToStoreInstead() {
        String stored = "{\"" + SHOP + "\": {\"accessToken\": \"shpat_offline0123456789\", \"refreshToken\": "
                + "\"shprt_0123456789abcdef\", \"expiresAt\": \"2026-12-03T10:30:00Z\"}}";

        ItemLookup lookup = admin(stored, Set.of()).inventoryItem(SHOP, ITEM);

        assertThat(((ItemLookup.Failed) lookup).outcome()).isInstanceOf(DeliveryOutcome.PermanentFailure.class);
        assertThat(reason(lookup)).contains(SHOP, "refresh token", "clientId", "clientSecret")
                .doesNotContain("shpat_offline0123456789", "shprt_0123456789abcdef");
        assertThat(shopify.getAllServeEvents()).isEmpty();
    }

    /** A half-filled entry is a configuration error: it names the fields to fill, never the values it holds. */
    @Test
    void shouldRefuseAnEntryOfNoKnownShape_namingTheFieldsAndNotTheirValues() {
        String stored = "{\"" + SHOP + "\": {\"clientId\": \"" + CLIENT_ID + "\", \"client_secret\": \"" + CLIENT_SECRET + "\"}}";

        assertThatThrownBy(() -> admin(stored, Set.of()).inventoryItem(SHOP, ITEM))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(SHOP).hasMessageContaining("\"clientSecret\"")
                .message().doesNotContain(CLIENT_ID, CLIENT_SECRET);
        assertThat(shopify.getAllServeEvents()).isEmpty();
    }

    @Test
    void clientCredentials_shouldSendNothing_forAShopThatIsNotConfigured() {
        ItemLookup lookup = admin(CLIENT_CREDENTIALS, Set.of()).inventoryItem("other-store.myshopify.com", ITEM);

        assertThat(reason(lookup)).contains("is not a shop this deployment serves", "no request was sent");
        assertThat(shopify.getAllServeEvents()).isEmpty();
    }

    /** Without a base URL override: the grant and the query go to the configured shop, and nowhere else. */
    @Test
    void clientCredentials_shouldOnlyEverContactTheConfiguredShop() {
        List<HttpRequest> sent = new ArrayList<>();
        HttpHeaders headers = HttpHeaders.of(Map.of("content-type", List.of("application/json")), (a, b) -> true);
        HttpTransport everyHost = request -> {
            sent.add(request);
            return request.uri().getPath().equals(OAUTH)
                    ? new HttpTransport.Answer(200, headers, granted(FIRST))
                    : new HttpTransport.Answer(200, headers, found());
        };
        ShopifyAdmin admin = new ShopifyAdmin(new TargetHttp("shopify", everyHost, Duration.ofSeconds(2), clock), null,
                CachedSecret.fixed("secret shopsync/shopify-admin-tokens", CLIENT_CREDENTIALS), Set.of(SHOP),
                ShopifyAdmin.DEFAULT_API_VERSION, new ObjectMapper(), clock);

        admin.inventoryItem("attacker.example:8443/steal?x=", ITEM);
        admin.inventoryItem(SHOP, ITEM);

        assertThat(sent).extracting(HttpRequest::uri).containsExactly(URI.create("https://" + SHOP + OAUTH),
                URI.create("https://" + SHOP + GRAPHQL));
    }
}
