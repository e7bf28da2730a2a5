package io.shopsync.connectors.shopify;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.testing.ShopifyGraphqlValidation;
import io.shopsync.testing.ShopifySubscriptionsAnswers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The webhook subscriptions' check the reconciler runs, against a local server answering as Shopify's Admin
 * GraphQL API (2026-10) does: pages of webhookSubscriptions, a subscription Shopify deleted after failed
 * deliveries, one pointing at another URL, userErrors on create, THROTTLED. Tokens come from the secret, as
 * in a deployment (shopify-admin-tokens through {@link ShopifyAdmin#graphql()}).
 */
class SubscriptionCheckTest {

    private static final String PATH = "/admin/api/2026-10/graphql.json";
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String TOKEN = "shpat_0123456789abcdef0123456789abcdef";
    private static final String BASE = "https://abc123.execute-api.eu-west-1.amazonaws.com";
    private static final String ORDERS = BASE + "/webhooks/orders";
    private static final String FULFILMENTS = BASE + "/webhooks/fulfilments";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CREATE = "webhookSubscriptionCreate(";

    private WireMockServer shopify;
    private SubscriptionCheck check;
    private final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
    private final ShopifySubscriptionsAnswers answers = new ShopifySubscriptionsAnswers();

    @BeforeEach
    void start() {
        shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new ShopifyGraphqlValidation()));
        shopify.start();
        Clock clock = Clock.fixed(Instant.parse("2026-12-03T12:00:00Z"), ZoneOffset.UTC);
        ShopifyAdmin admin = new ShopifyAdmin(new TargetHttp("shopify", HttpTransport.of(HttpClient.newHttpClient()),
                Duration.ofSeconds(10), clock), shopify.baseUrl(),
                CachedSecret.fixed("Shopify Admin API tokens", "{\"" + SHOP + "\": \"" + TOKEN + "\"}"), Set.of(),
                ShopifyAdmin.DEFAULT_API_VERSION, JSON, clock);
        check = new SubscriptionCheck(admin.graphql(), (wait, why, attempt) -> waits.add(wait));
    }

    @AfterEach
    void stop() {
        shopify.stop();
    }

    // --- what Shopify answers -------------------------------------------------------------------------

    private ObjectNode subscription(String topic, String uri) {
        return answers.subscription(topic, uri);
    }

    private static MappingBuilder listQuery() {
        return post(urlEqualTo(PATH)).withRequestBody(matchingJsonPath("$.query", containing("webhookSubscriptions(")));
    }

    private static MappingBuilder createMutation() {
        return post(urlEqualTo(PATH)).withRequestBody(matchingJsonPath("$.query", containing(CREATE)));
    }

    private void stubCreatesSucceed() {
        shopify.stubFor(createMutation().willReturn(okJson("""
                {"data":{"webhookSubscriptionCreate":{"webhookSubscription":{"id":"gid://shopify/WebhookSubscription/900",
                 "topic":"ORDERS_CREATE","uri":"%s"},"userErrors":[]}}}""".formatted(ORDERS))));
    }

    private List<JsonNode> creates() {
        List<JsonNode> bodies = new ArrayList<>();
        for (LoggedRequest request : shopify.findAll(postRequestedFor(urlEqualTo(PATH)))) {
            try {
                JsonNode body = JSON.readTree(request.getBodyAsString());
                if (body.path("query").asText().contains(CREATE)) {
                    bodies.add(body);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return bodies;
    }

    /** What the stack wants: every flow's topics to its URL, customers/* on the orders route as well. */
    private static List<SubscriptionPlan.Wanted> expected() {
        List<SubscriptionPlan.Wanted> wanted = new ArrayList<>(SubscriptionPlan.wanted("order-to-crm",
                List.of("orders/create", "orders/paid", "customers/update"), ORDERS));
        wanted.addAll(SubscriptionPlan.wanted("fulfilment-to-crm", List.of("fulfillments/create", "fulfillments/update"),
                FULFILMENTS));
        return wanted;
    }

    /** Every expected subscription, as Shopify lists it after register. */
    private List<ObjectNode> registered() {
        List<ObjectNode> nodes = new ArrayList<>();
        expected().forEach(w -> nodes.add(subscription(w.topicEnum(), w.uri())));
        return nodes;
    }

    // --- the check -----------------------------------------------------------------------------------

    @Test
    void check_shouldFindNothingMissing_readingEveryPage_whenEveryTopicDeliversToItsUrl() {
        List<ObjectNode> all = registered();
        shopify.stubFor(listQuery().atPriority(5).willReturn(okJson(ShopifySubscriptionsAnswers.page(all.subList(0, 3), "cursor-1"))));
        shopify.stubFor(listQuery().atPriority(1).withRequestBody(matchingJsonPath("$.variables.after", equalTo("cursor-1")))
                .willReturn(okJson(ShopifySubscriptionsAnswers.page(all.subList(3, 5), null))));

        SubscriptionCheck.Result result = check.check(SHOP, expected(), true);

        assertThat(result).isInstanceOfSatisfying(SubscriptionCheck.Result.Checked.class, checked -> {
            assertThat(checked.missing()).isZero();
            assertThat(checked.existing()).isEqualTo(5);
            assertThat(checked.repairs()).isEmpty();
            assertThat(checked.alert()).isEmpty();
        });
        shopify.verify(2, postRequestedFor(urlEqualTo(PATH)).withHeader("X-Shopify-Access-Token", equalTo(TOKEN)));
        assertThat(creates()).isEmpty();
    }

    /**
     * Shopify deletes a subscription created through the Admin API after repeated failed deliveries: the next
     * listing simply lacks it. The check counts it missing and, asked to repair, registers it as register does.
     */
    @Test
    void check_shouldNoticeASubscriptionShopifyDeleted_andRegisterItAgain_whenAskedToRepair() {
        shopify.stubFor(listQuery().inScenario("deleted").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(ShopifySubscriptionsAnswers.page(registered(), null))).willSetStateTo("deleted"));
        List<ObjectNode> afterDeletion = registered();
        afterDeletion.removeIf(node -> node.path("topic").asText().equals("FULFILLMENTS_UPDATE"));
        shopify.stubFor(listQuery().inScenario("deleted").whenScenarioStateIs("deleted")
                .willReturn(okJson(ShopifySubscriptionsAnswers.page(afterDeletion, null))));
        stubCreatesSucceed();

        SubscriptionCheck.Result before = check.check(SHOP, expected(), true);
        SubscriptionCheck.Result after = check.check(SHOP, expected(), true);

        assertThat(((SubscriptionCheck.Result.Checked) before).missing()).isZero();
        SubscriptionCheck.Result.Checked checked = (SubscriptionCheck.Result.Checked) after;
        assertThat(checked.missing()).isEqualTo(1);
        assertThat(checked.gaps()).singleElement().satisfies(gap -> {
            assertThat(gap.wanted()).isEqualTo(new SubscriptionPlan.Wanted("fulfilment-to-crm", "fulfillments/update",
                    FULFILMENTS));
            assertThat(gap.pointsElsewhere()).isFalse();
        });
        assertThat(checked.repairs()).singleElement().satisfies(repair -> assertThat(repair.change())
                .isEqualTo(new WebhookSubscriptions.Change.Done("gid://shopify/WebhookSubscription/900")));
        assertThat(checked.open()).isEmpty();
        assertThat(creates()).singleElement().satisfies(body -> {
            assertThat(body.path("variables").path("topic").asText()).isEqualTo("FULFILLMENTS_UPDATE");
            assertThat(body.path("variables").path("webhookSubscription").path("uri").asText()).isEqualTo(FULFILMENTS);
            assertThat(body.path("variables").path("webhookSubscription").path("format").asText()).isEqualTo("JSON");
        });
        assertThat(checked.alert()).contains("shop " + SHOP + ": 1 of 5 webhook subscriptions",
                "fulfilment-to-crm FULFILLMENTS_UPDATE: missing; re-registered as subscription 900");
    }

    @Test
    void check_shouldReportATopicDeliveredElsewhere_andChangeNothing_whenNotAskedToRepair() {
        List<ObjectNode> nodes = registered();
        nodes.removeIf(node -> node.path("topic").asText().equals("ORDERS_PAID"));
        ObjectNode elsewhere = subscription("ORDERS_PAID", "https://old-stack.example.com/webhooks/orders?key=s3cr3t-in-url");
        nodes.add(elsewhere);
        shopify.stubFor(listQuery().willReturn(okJson(ShopifySubscriptionsAnswers.page(nodes, null))));
        stubCreatesSucceed();

        SubscriptionCheck.Result result = check.check(SHOP, expected(), false);

        SubscriptionCheck.Result.Checked checked = (SubscriptionCheck.Result.Checked) result;
        assertThat(checked.missing()).isEqualTo(1);
        assertThat(checked.gaps()).singleElement().satisfies(gap -> {
            assertThat(gap.wanted().topic()).isEqualTo("orders/paid");
            assertThat(gap.pointsElsewhere()).isTrue();
            assertThat(gap.elsewhere()).extracting(WebhookSubscription::id).containsExactly(elsewhere.path("id").asText());
        });
        assertThat(checked.repairs()).isEmpty();
        assertThat(checked.open()).hasSize(1);
        assertThat(creates()).isEmpty();
        String id = elsewhere.path("id").asText().substring(elsewhere.path("id").asText().lastIndexOf('/') + 1);
        assertThat(checked.alert()).contains("order-to-crm ORDERS_PAID: delivered elsewhere only (subscription " + id + ")",
                "scripts/shopsync webhooks register --shop " + SHOP)
                .doesNotContain("old-stack.example.com", "s3cr3t-in-url", TOKEN);
    }

    @Test
    void check_shouldSayWhichFieldShopifyRefused_whenACreateAnswersUserErrors() {
        shopify.stubFor(listQuery().willReturn(okJson(ShopifySubscriptionsAnswers.page(List.of(), null))));
        stubCreatesSucceed();
        shopify.stubFor(createMutation().atPriority(1).withRequestBody(matchingJsonPath("$.variables.topic",
                equalTo("CUSTOMERS_UPDATE"))).willReturn(okJson("""
                {"data":{"webhookSubscriptionCreate":{"webhookSubscription":null,"userErrors":[
                  {"field":["webhookSubscription","uri"],"message":"Address for this topic has already been taken"}]}}}""")));

        SubscriptionCheck.Result.Checked checked = (SubscriptionCheck.Result.Checked) check.check(SHOP, expected(), true);

        assertThat(checked.missing()).isEqualTo(5);
        assertThat(checked.repairs()).filteredOn(SubscriptionCheck.Repair::done).hasSize(4);
        assertThat(checked.open()).singleElement().extracting(gap -> gap.wanted().topic()).isEqualTo("customers/update");
        SubscriptionCheck.Repair refused = checked.repairs().stream().filter(r -> !r.done()).findFirst().orElseThrow();
        assertThat(refused.change()).isEqualTo(new WebhookSubscriptions.Change.Refused(
                "webhookSubscription.uri: Address for this topic has already been taken", List.of("webhookSubscription.uri")));
        assertThat(checked.alert()).contains("order-to-crm CUSTOMERS_UPDATE: missing; Shopify refused to re-register it "
                + "(userErrors on webhookSubscription.uri)", "Fix what Shopify refused");
    }

    @Test
    void check_shouldWaitTheBucketsRefill_andRetry_whenShopifyThrottles() {
        shopify.stubFor(listQuery().inScenario("throttle").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(ShopifySubscriptionsAnswers.throttled(202, 52, 100)))
                .willSetStateTo("refilled"));
        shopify.stubFor(listQuery().inScenario("throttle").whenScenarioStateIs("refilled")
                .willReturn(okJson(ShopifySubscriptionsAnswers.page(registered(), null))));

        SubscriptionCheck.Result result = check.check(SHOP, expected(), true);

        assertThat(result).isInstanceOfSatisfying(SubscriptionCheck.Result.Checked.class,
                checked -> assertThat(checked.missing()).isZero());
        assertThat(waits).containsExactly(Duration.ofMillis(1500));
    }

    @Test
    void check_shouldFail_withCodesOnly_andChangeNothing_whenShopifyKeepsThrottling() {
        shopify.stubFor(listQuery().willReturn(okJson(ShopifySubscriptionsAnswers.throttled(202, 0, 100))));

        SubscriptionCheck.Result result = check.check(SHOP, expected(), true);

        assertThat(result).isInstanceOf(SubscriptionCheck.Result.Failed.class);
        assertThat(waits).hasSize(AdminGraphql.MAX_ATTEMPTS - 1).containsOnly(Duration.ofMillis(2020));
        assertThat(result.alert()).contains("shop " + SHOP, "listing webhook subscriptions failed: Shopify throttled it 5 "
                + "times in a row (0 of 2000 points available, 202 needed, restoring 100/s)").doesNotContain(TOKEN);
        assertThat(creates()).isEmpty();
    }

    @Test
    void check_shouldFail_andSayWhatToGrant_whenTheTokenLacksTheScope() {
        shopify.stubFor(listQuery().willReturn(okJson("""
                {"errors":[{"message":"Access denied for webhookSubscriptions field.",
                  "extensions":{"code":"ACCESS_DENIED","documentation":"https://shopify.dev/api/usage/access-scopes"}}]}""")));

        SubscriptionCheck.Result result = check.check(SHOP, expected(), true);

        assertThat(result).isInstanceOfSatisfying(SubscriptionCheck.Result.Failed.class, failed -> {
            assertThat(failed.failure().answer()).isInstanceOf(AdminGraphql.Answer.Failed.class);
            assertThat(((AdminGraphql.Answer.Failed) failed.failure().answer()).code()).isEqualTo("ACCESS_DENIED");
        });
        assertThat(result.alert()).contains("ACCESS_DENIED", "grant the app the scopes");
        assertThat(waits).isEmpty();
    }

    @Test
    void check_shouldRefuseAShopWithoutAToken_sendingNothing() {
        SubscriptionCheck.Result result = check.check("other-store.myshopify.com", expected(), true);

        assertThat(result).isInstanceOf(SubscriptionCheck.Result.Failed.class);
        assertThat(result.alert()).contains("other-store.myshopify.com");
        assertThat(shopify.getAllServeEvents()).isEmpty();
    }

    @Test
    void check_shouldRetryAfterAServerError_withBackoff() {
        shopify.stubFor(listQuery().inScenario("down").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody("{\"errors\":\"Service Unavailable\"}"))
                .willSetStateTo("up"));
        shopify.stubFor(listQuery().inScenario("down").whenScenarioStateIs("up")
                .willReturn(okJson(ShopifySubscriptionsAnswers.page(registered(), null))));

        SubscriptionCheck.Result result = check.check(SHOP, expected(), false);

        assertThat(result).isInstanceOf(SubscriptionCheck.Result.Checked.class);
        assertThat(waits).containsExactly(Duration.ofSeconds(1));
    }
}
