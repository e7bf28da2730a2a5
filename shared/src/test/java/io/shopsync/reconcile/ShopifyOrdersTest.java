package io.shopsync.reconcile;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
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
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.testing.MutableClock;
import io.shopsync.testing.ShopifyGraphqlValidation;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reconciler's reads against a local server answering as Shopify's Admin GraphQL API (2026-10) does. */
class ShopifyOrdersTest {

    static final String PATH = "/admin/api/2026-10/graphql.json";
    static final String SHOP = "shopsync-demo.myshopify.com";
    static final Instant FROM = Instant.parse("2026-11-27T14:00:00Z");
    static final Instant TO = Instant.parse("2026-11-27T15:00:00Z");
    private WireMockServer shopify;
    private MutableClock clock;
    private final List<Duration> waits = new ArrayList<>();

    /** An {@code orders} page as Shopify answers it: ids and update times, pageInfo, and the query's cost. */
    static String page(boolean hasNextPage, String endCursor, String... idAndUpdatedAt) {
        StringBuilder nodes = new StringBuilder();
        for (int i = 0; i < idAndUpdatedAt.length; i += 2) {
            nodes.append(nodes.length() == 0 ? "" : ",").append("{\"legacyResourceId\":\"").append(idAndUpdatedAt[i])
                    .append("\",\"updatedAt\":\"").append(idAndUpdatedAt[i + 1]).append("\"}");
        }
        return "{\"data\":{\"orders\":{\"pageInfo\":{\"hasNextPage\":" + hasNextPage + ",\"endCursor\":"
                + (endCursor == null ? "null" : "\"" + endCursor + "\"") + "},\"nodes\":[" + nodes + "]}},"
                + "\"extensions\":{\"cost\":{\"requestedQueryCost\":252,\"actualQueryCost\":" + (2 + idAndUpdatedAt.length / 2)
                + ",\"throttleStatus\":{\"maximumAvailable\":2000.0,\"currentlyAvailable\":1748,\"restoreRate\":100.0}}}}";
    }

    /** Shopify's THROTTLED answer: HTTP 200, errors[], and the bucket's state in extensions.cost. */
    static final String THROTTLED = """
            {"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED",
              "documentation":"https://shopify.dev/api/usage/rate-limits"}}],
             "extensions":{"cost":{"requestedQueryCost":252,"actualQueryCost":null,
              "throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":2,"restoreRate":50.0}}}}""";

    static final String INTERNAL_ERROR = """
            {"errors":[{"message":"Internal error. Looks like something went wrong on our end.\\nRequest ID: \
            3221c58f-3446-4843-a452-a517787121c6 (include this in support requests).",\
            "extensions":{"code":"INTERNAL_SERVER_ERROR","requestId":"3221c58f-3446-4843-a452-a517787121c6"}}]}""";

    @BeforeEach
    void start() {
        shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new ShopifyGraphqlValidation()));
        shopify.start();
        clock = new MutableClock(Instant.parse("2026-11-27T15:02:00Z"));
    }

    @AfterEach
    void stop() {
        shopify.stop();
    }

    private ShopifyOrders orders(int pageSize, int maxPerQuery) {
        ShopifyAdmin admin = new ShopifyAdmin(new TargetHttp("shopify", HttpTransport.of(HttpClient.newHttpClient()),
                Duration.ofSeconds(2), clock), shopify.baseUrl(),
                CachedSecret.fixed("Shopify Admin API tokens", "{\"" + SHOP + "\": \"shpat_0123456789abcdef\"}"),
                Set.of(), ShopifyAdmin.DEFAULT_API_VERSION, new ObjectMapper(), clock);
        return new ShopifyOrders(admin, pageSize, maxPerQuery, 3, 5, duration -> {
            waits.add(duration);
            clock.advance(duration);
        }, clock);
    }

    private List<String> scan(ShopifyOrders orders) {
        List<String> seen = new ArrayList<>();
        orders.scan(SHOP, FROM, TO, version -> seen.add(version.orderId() + "@" + version.updatedAt()));
        return seen;
    }

    @Test
    void scan_shouldPageWithTheCursor_byUpdatedAtInTheWindow() {
        shopify.stubFor(post(urlEqualTo(PATH)).atPriority(5)
                .willReturn(aResponse().withStatus(200).withBody(page(true, "eyJsYXN0X2lkIjoxfQ==",
                        "820982911946154508", "2026-11-27T14:42:18Z", "820982911946154509", "2026-11-27T14:43:00Z"))));
        shopify.stubFor(post(urlEqualTo(PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.variables.after", equalTo("eyJsYXN0X2lkIjoxfQ==")))
                .willReturn(aResponse().withStatus(200).withBody(page(false, "eyJsYXN0X2lkIjoyfQ==",
                        "820982911946154510", "2026-11-27T14:59:59Z"))));

        List<String> seen = scan(orders(2, 100));

        assertThat(seen).containsExactly("820982911946154508@2026-11-27T14:42:18Z",
                "820982911946154509@2026-11-27T14:43:00Z", "820982911946154510@2026-11-27T14:59:59Z");
        shopify.verify(2, postRequestedFor(urlEqualTo(PATH))
                .withHeader("X-Shopify-Access-Token", equalTo("shpat_0123456789abcdef"))
                .withRequestBody(containing("sortKey: UPDATED_AT"))
                .withRequestBody(matchingJsonPath("$.variables.query",
                        equalTo("updated_at:>='2026-11-27T14:00:00Z' updated_at:<'2026-11-27T15:00:00Z'")))
                .withRequestBody(matchingJsonPath("$.variables.first", equalTo("2"))));
        assertThat(waits).isEmpty();
    }

    @Test
    void scan_shouldWaitForTheBucketToRefill_whenThrottled_thenGoOn() {
        shopify.stubFor(post(urlEqualTo(PATH)).inScenario("throttle").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withBody(THROTTLED)).willSetStateTo("refilled"));
        shopify.stubFor(post(urlEqualTo(PATH)).inScenario("throttle").whenScenarioStateIs("refilled")
                .willReturn(aResponse().withStatus(200).withBody(page(false, null, "820982911946154508", "2026-11-27T14:42:18Z"))));

        List<String> seen = scan(orders(250, 20_000));

        assertThat(seen).containsExactly("820982911946154508@2026-11-27T14:42:18Z");
        // (252 requested - 2 available) / 50 per second restored = 5 s
        assertThat(waits).containsExactly(Duration.ofSeconds(5));
    }

    @Test
    void scan_shouldRetryAnInternalServerError_thenGoOn() {
        shopify.stubFor(post(urlEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withBody(INTERNAL_ERROR)).willSetStateTo("recovered"));
        shopify.stubFor(post(urlEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(aResponse().withStatus(200).withBody(page(false, null, "820982911946154508", "2026-11-27T14:42:18Z"))));

        assertThat(scan(orders(250, 20_000))).hasSize(1);
        assertThat(waits).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void scan_shouldFailLoudly_whenTheServerErrorOutlastsTheRetries() {
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody(INTERNAL_ERROR)));
        ShopifyOrders orders = orders(250, 20_000);

        assertThatThrownBy(() -> scan(orders)).isInstanceOf(ReconcileFailedException.class)
                .hasMessageContaining(SHOP).hasMessageContaining("INTERNAL_SERVER_ERROR")
                .hasMessageContaining("3221c58f-3446-4843-a452-a517787121c6").hasMessageContaining("after 3 retries");
        shopify.verify(4, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void scan_shouldFailAtOnce_onAPermanentError_namingTheScopes() {
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody("""
                {"errors":[{"message":"Access denied for orders field. Required access: `read_orders` access scope.",
                  "locations":[{"line":1,"column":73}],"path":["orders"],
                  "extensions":{"code":"ACCESS_DENIED","documentation":"https://shopify.dev/api/usage/access-scopes",
                  "requiredAccess":"`read_orders` access scope."}}],"data":null}""")));
        ShopifyOrders orders = orders(250, 20_000);

        assertThatThrownBy(() -> scan(orders)).isInstanceOf(ReconcileFailedException.class)
                .hasMessageContaining("ACCESS_DENIED").hasMessageContaining("scopes");
        shopify.verify(1, postRequestedFor(urlEqualTo(PATH)));
        assertThat(waits).isEmpty();
    }

    /** Shopify refuses to page past the 25,000th item: a query never pages further than maxPerQuery. */
    @Test
    void scan_shouldStartANewQueryAtTheLastUpdate_beforeMeetingThePaginationCap() {
        shopify.stubFor(post(urlEqualTo(PATH)).withRequestBody(matchingJsonPath("$.variables.query",
                        equalTo("updated_at:>='2026-11-27T14:00:00Z' updated_at:<'2026-11-27T15:00:00Z'")))
                .willReturn(aResponse().withStatus(200).withBody(page(true, "eyJsYXN0X2lkIjoxfQ==",
                        "820982911946154508", "2026-11-27T14:10:00Z", "820982911946154509", "2026-11-27T14:20:00Z"))));
        shopify.stubFor(post(urlEqualTo(PATH)).withRequestBody(matchingJsonPath("$.variables.query",
                        equalTo("updated_at:>='2026-11-27T14:20:00Z' updated_at:<'2026-11-27T15:00:00Z'")))
                .willReturn(aResponse().withStatus(200).withBody(page(false, null,
                        "820982911946154509", "2026-11-27T14:20:00Z", "820982911946154510", "2026-11-27T14:30:00Z"))));

        List<String> seen = scan(orders(2, 3));

        assertThat(seen).containsExactly("820982911946154508@2026-11-27T14:10:00Z", "820982911946154509@2026-11-27T14:20:00Z",
                "820982911946154509@2026-11-27T14:20:00Z", "820982911946154510@2026-11-27T14:30:00Z");
        shopify.verify(0, postRequestedFor(urlEqualTo(PATH))
                .withRequestBody(matchingJsonPath("$.variables.after", equalTo("eyJsYXN0X2lkIjoxfQ=="))));
    }

    @Test
    void order_shouldBeEmpty_whenShopifyNoLongerHasIt() {
        shopify.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withBody("{\"data\":{\"order\":null},\"extensions\":{\"cost\":{\"requestedQueryCost\":1}}}")));

        assertThat(orders(250, 20_000).order(SHOP, "820982911946154508")).isEmpty();
        shopify.verify(postRequestedFor(urlEqualTo(PATH))
                .withRequestBody(matchingJsonPath("$.variables.id", equalTo("gid://shopify/Order/820982911946154508"))));
    }
}
