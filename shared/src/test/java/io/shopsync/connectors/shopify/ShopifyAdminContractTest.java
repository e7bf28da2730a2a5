package io.shopsync.connectors.shopify;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
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
import io.shopsync.testing.ShopifyGraphqlValidation;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The SKU look-up against a local server answering as Shopify's Admin GraphQL API (2026-10) does. */
class ShopifyAdminContractTest {

    static final String PATH = "/admin/api/2026-10/graphql.json";
    static final String SHOP = "shopsync-demo.myshopify.com";
    private static final Instant NOW = Instant.parse("2026-11-27T16:30:00Z");
    private WireMockServer shopify;
    private ShopifyAdmin admin;

    static String found(String sku, boolean tracked) {
        return "{\"data\":{\"inventoryItem\":{\"id\":\"gid://shopify/InventoryItem/437290762312585471\","
                + "\"sku\":" + (sku == null ? "null" : "\"" + sku + "\"") + ",\"tracked\":" + tracked + "}},"
                + "\"extensions\":{\"cost\":{\"requestedQueryCost\":2,\"actualQueryCost\":2,\"throttleStatus\":"
                + "{\"maximumAvailable\":2000.0,\"currentlyAvailable\":1998,\"restoreRate\":100.0}}}}";
    }

    @BeforeEach
    void start() {
        shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new ShopifyGraphqlValidation()));
        shopify.start();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        admin = new ShopifyAdmin(new TargetHttp("shopify", HttpTransport.of(HttpClient.newHttpClient()),
                Duration.ofSeconds(2), clock), shopify.baseUrl(),
                CachedSecret.fixed("Shopify Admin API tokens", "{\"" + SHOP + "\": \"shpat_0123456789abcdef\"}"),
                java.util.Set.of(), ShopifyAdmin.DEFAULT_API_VERSION, new ObjectMapper(), clock);
    }

    @AfterEach
    void stop() {
        shopify.stop();
    }

    /**
     * InventoryItem.variant is deprecated and needs read_products; the look-up uses the SKU and the
     * tracked flag only, so it asks for nothing else (the stand-in refuses other fields as Shopify would).
     */
    @Test
    void inventoryItem_shouldReturnTheSku_askingByGlobalIdForOnlyTheFieldsItUses() {
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody(found("SS-MCS-OAT-M", true))));

        ItemLookup lookup = admin.inventoryItem(SHOP, "437290762312585471");

        assertThat(lookup).isEqualTo(new ItemLookup.Found("SS-MCS-OAT-M", true));
        shopify.verify(postRequestedFor(urlEqualTo(PATH))
                .withHeader("X-Shopify-Access-Token", equalTo("shpat_0123456789abcdef"))
                .withRequestBody(matchingJsonPath("$.variables.id", equalTo("gid://shopify/InventoryItem/437290762312585471"))));
    }

    /** The drift query: one location's levels, the window as a search filter on the level's updated_at, the cursor read. */
    @Test
    void inventoryLevels_shouldReadEachLevelWithItsItem_atTheLocationAsked_andTheNextCursor() {
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody("""
                {"data":{"location":{"inventoryLevels":{"pageInfo":{"hasNextPage":true,"endCursor":"eyJsYXN0X2lkIjo0Mzd9"},
                 "nodes":[{"updatedAt":"2026-11-27T16:29:59Z","quantities":[{"name":"available","quantity":42},
                   {"name":"on_hand","quantity":45}],"item":{"id":"gid://shopify/InventoryItem/437290762312585471",
                   "sku":"SS-MCS-OAT-M","tracked":true,"duplicateSkuCount":0}}]}}},
                 "extensions":{"cost":{"requestedQueryCost":302,"actualQueryCost":9,"throttleStatus":
                  {"maximumAvailable":2000.0,"currentlyAvailable":1991,"restoreRate":100.0}}}}""")));

        ShopifyAdmin.InventoryPage page = admin.inventoryLevels(SHOP, "655441491", Instant.parse("2026-11-27T16:15:00.250Z"),
                Instant.parse("2026-11-27T16:30:00Z"), 50, null);

        assertThat(page).isEqualTo(new ShopifyAdmin.InventoryPage.Page(java.util.List.of(new ShopifyAdmin.ChangedItem(
                "437290762312585471", "SS-MCS-OAT-M", true, 0, java.util.List.of(new ShopifyAdmin.LevelAt("655441491", 42, 45,
                        "2026-11-27T16:29:59Z")))), java.util.Optional.of("eyJsYXN0X2lkIjo0Mzd9"), Duration.ZERO));
        shopify.verify(postRequestedFor(urlEqualTo(PATH))
                .withRequestBody(matchingJsonPath("$.variables.location", equalTo("gid://shopify/Location/655441491")))
                .withRequestBody(matchingJsonPath("$.variables.q",
                        equalTo("updated_at:>='2026-11-27T16:15:00Z' AND updated_at:<'2026-11-27T16:30:00Z'")))
                .withRequestBody(matchingJsonPath("$.variables.first", equalTo("50"))));
    }

    /** The import's query: every level at the location, no search filter at all. */
    @Test
    void inventoryLevels_shouldAskForEveryLevel_whenGivenNoWindow() {
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody("""
                {"data":{"location":{"inventoryLevels":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[]}}}}""")));

        ShopifyAdmin.InventoryPage page = admin.inventoryLevels(SHOP, "655441491", null, null, 100, null);

        assertThat(page).isEqualTo(new ShopifyAdmin.InventoryPage.Page(java.util.List.of(), java.util.Optional.empty(),
                Duration.ZERO));
        shopify.verify(postRequestedFor(urlEqualTo(PATH)).withRequestBody(matchingJsonPath("$.variables.q", absent())));
    }

    /** A mapped location Shopify does not have: location(id:) answers null, and the run says what to fix. */
    @Test
    void inventoryLevels_shouldFailNamingTheMapping_whenShopifyHasNoSuchLocation() {
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody("""
                {"data":{"location":null}}""")));

        ShopifyAdmin.InventoryPage page = admin.inventoryLevels(SHOP, "655441499", null, null, 100, null);

        assertThat(page).isInstanceOfSatisfying(ShopifyAdmin.InventoryPage.Failed.class, failed -> assertThat(
                ((DeliveryOutcome.PermanentFailure) failed.outcome()).reason()).contains("655441499", "LocationMapping"));
    }

    @Test
    void inventoryLevels_shouldSayHowLongToPause_whenTheBucketCannotHoldTheQueryAgain() {
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody("""
                {"data":{"location":{"inventoryLevels":{"pageInfo":{"hasNextPage":true,"endCursor":"eyJsYXN0X2lkIjo0Mzd9"},
                 "nodes":[]}}},
                 "extensions":{"cost":{"requestedQueryCost":402,"actualQueryCost":402,"throttleStatus":
                  {"maximumAvailable":2000.0,"currentlyAvailable":102,"restoreRate":100.0}}}}""")));

        ShopifyAdmin.InventoryPage page = admin.inventoryLevels(SHOP, "655441491", Instant.parse("2026-11-27T16:15:00Z"),
                Instant.parse("2026-11-27T16:30:00Z"), 50, "eyJsYXN0X2lkIjoxfQ");

        assertThat(((ShopifyAdmin.InventoryPage.Page) page).pause()).isEqualTo(Duration.ofSeconds(3));
        shopify.verify(postRequestedFor(urlEqualTo(PATH))
                .withRequestBody(matchingJsonPath("$.variables.after", equalTo("eyJsYXN0X2lkIjoxfQ"))));
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

    /**
     * Shopify sometimes answers 200 with errors[] instead of a 5xx: INTERNAL_SERVER_ERROR ("Internal error.
     * Looks like something went wrong on our end.") and other server-side codes pass; retry them.
     */
    @ParameterizedTest
    @ValueSource(strings = {"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT"})
    void inventoryItem_shouldRetryLater_whenShopifyAnswers200WithAServerSideError(String code) {
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody("""
                {"errors":[{"message":"Internal error. Looks like something went wrong on our end.\\nRequest ID: \
                3221c58f-3446-4843-a452-a517787121c6 (include this in support requests).",\
                "extensions":{"code":"%s","requestId":"3221c58f-3446-4843-a452-a517787121c6"}}]}""".formatted(code))));

        ItemLookup lookup = admin.inventoryItem(SHOP, "437290762312585471");

        assertThat(((ItemLookup.Failed) lookup).outcome()).isInstanceOfSatisfying(DeliveryOutcome.RetryLater.class,
                retry -> assertThat(retry.reason()).contains(code, "3221c58f-3446-4843-a452-a517787121c6"));
    }

    /** Errors the same request will meet again stay permanent: a missing scope, an inactive shop, a bad query. */
    @ParameterizedTest
    @ValueSource(strings = {"ACCESS_DENIED", "SHOP_INACTIVE", "MAX_COST_EXCEEDED", "undefinedField"})
    void inventoryItem_shouldFailPermanently_whenShopifyAnswers200WithAClientSideError(String code) {
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody("""
                {"errors":[{"message":"refused","extensions":{"code":"%s"}}]}""".formatted(code))));

        ItemLookup lookup = admin.inventoryItem(SHOP, "437290762312585471");

        assertThat(((ItemLookup.Failed) lookup).outcome()).isInstanceOfSatisfying(DeliveryOutcome.PermanentFailure.class,
                failure -> assertThat(failure.reason()).contains(code, "inventory item 437290762312585471"));
    }

    @Test
    void inventoryItem_shouldSayNotFound_forAnItemThatIsGone() {
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
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
