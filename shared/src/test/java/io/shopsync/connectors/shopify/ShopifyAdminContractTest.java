package io.shopsync.connectors.shopify;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.shopify.ShopifyAdmin.ItemLookup;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.testing.ShopifyGraphQl;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SKU look-up against a local server answering as Shopify's Admin GraphQL API (2026-10) does. */
class ShopifyAdminContractTest {

    static final String PATH = "/admin/api/2026-10/graphql.json";
    static final String SHOP = "shopsync-demo.myshopify.com";
    private static final Instant NOW = Instant.parse("2026-11-27T16:30:00Z");
    private WireMockServer shopify;
    private ShopifyAdmin admin;

    static String found(String sku, boolean tracked) {
        return "{\"data\":{\"inventoryItem\":{\"id\":\"gid://shopify/InventoryItem/437290762312585471\","
                + "\"sku\":" + (sku == null ? "null" : "\"" + sku + "\"") + ",\"tracked\":" + tracked
                + ",\"variant\":{\"id\":\"gid://shopify/ProductVariant/41234567890123456\"}}},"
                + "\"extensions\":{\"cost\":{\"requestedQueryCost\":2,\"actualQueryCost\":2,\"throttleStatus\":"
                + "{\"maximumAvailable\":2000.0,\"currentlyAvailable\":1998,\"restoreRate\":100.0}}}}";
    }

    @BeforeEach
    void start() {
        shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new ShopifyGraphQl()));
        shopify.start();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        admin = new ShopifyAdmin(new TargetHttp("shopify", HttpTransport.of(HttpClient.newHttpClient()),
                Duration.ofSeconds(2), clock), shopify.baseUrl(),
                CachedSecret.fixed("Shopify Admin API tokens", "{\"" + SHOP + "\": \"shpat_0123456789abcdef\"}"),
                ShopifyAdmin.DEFAULT_API_VERSION, new ObjectMapper(), clock);
    }

    @AfterEach
    void stop() {
        shopify.stop();
    }

    @Test
    void inventoryItem_shouldReturnTheSkuAndVariant_askingByGlobalId() {
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withTransformers(ShopifyGraphQl.NAME)
                .withBody(found("SS-MCS-OAT-M", true))));

        ItemLookup lookup = admin.inventoryItem(SHOP, "437290762312585471");

        assertThat(lookup).isEqualTo(new ItemLookup.Found("SS-MCS-OAT-M", true, "41234567890123456"));
        shopify.verify(postRequestedFor(urlEqualTo(PATH))
                .withHeader("X-Shopify-Access-Token", equalTo("shpat_0123456789abcdef"))
                .withRequestBody(matchingJsonPath("$.variables.id", equalTo("gid://shopify/InventoryItem/437290762312585471"))));
    }

    @Test
    void inventoryItem_shouldRetryWhenTheBucketHasRefilled_whenThrottled() {
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody("""
                {"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED",
                  "documentation":"https://shopify.dev/api/usage/rate-limits"}}],
                 "extensions":{"cost":{"requestedQueryCost":502,"actualQueryCost":null,
                  "throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":2,"restoreRate":100.0}}}}""")));

        ItemLookup lookup = admin.inventoryItem(SHOP, "437290762312585471");

        assertThat(lookup).isInstanceOf(ItemLookup.Failed.class);
        DeliveryOutcome.RetryLater retry = (DeliveryOutcome.RetryLater) ((ItemLookup.Failed) lookup).outcome();
        assertThat(retry.notBefore()).contains(NOW.plusSeconds(5));
    }

    @Test
    void inventoryItem_shouldSayNotFound_forAnItemThatIsGone() {
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withTransformers(ShopifyGraphQl.NAME)
                .withBody("{\"data\":{\"inventoryItem\":null},\"extensions\":{\"cost\":{\"requestedQueryCost\":2}}}")));

        assertThat(admin.inventoryItem(SHOP, "437290762312585471")).isInstanceOf(ItemLookup.NotFound.class);
    }

    @Test
    void inventoryItem_shouldFailPermanently_forAShopWithoutAToken_andOnAnUnauthorisedToken() {
        ItemLookup noToken = admin.inventoryItem("other-store.myshopify.com", "437290762312585471");
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(401)
                .withBody("{\"errors\":\"[API] Invalid API key or access token (unrecognized login or wrong password)\"}")));
        ItemLookup unauthorised = admin.inventoryItem(SHOP, "437290762312585471");

        assertThat(((DeliveryOutcome.PermanentFailure) ((ItemLookup.Failed) noToken).outcome()).reason())
                .contains("no Shopify Admin API token for shop other-store.myshopify.com");
        assertThat(((DeliveryOutcome.PermanentFailure) ((ItemLookup.Failed) unauthorised).outcome()).reason())
                .contains("rotate the shop's Admin API token");
    }

    @Test
    void inventoryItem_shouldRetry_whenShopifyIsUnavailable() {
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(503).withHeader("Retry-After", "3")));

        ItemLookup lookup = admin.inventoryItem(SHOP, "437290762312585471");

        assertThat(((DeliveryOutcome.RetryLater) ((ItemLookup.Failed) lookup).outcome()).notBefore())
                .contains(NOW.plusSeconds(3));
    }
}
