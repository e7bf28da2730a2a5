package io.shopsync.reconcile;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.connectors.shopify.SubscriptionCheck;
import io.shopsync.connectors.shopify.SubscriptionPlan;
import io.shopsync.flow.WebhookRoutes;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.observability.Telemetry;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.MutableClock;
import io.shopsync.testing.RecordingAlerts;
import io.shopsync.testing.ShopifyGraphqlValidation;
import io.shopsync.testing.ShopifySubscriptionsAnswers;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler's {@code subscriptions} check around {@link SubscriptionCheck}: a subscription Shopify deleted is
 * SubscriptionsMissing and one alert of ids and topics only; repair only when asked; nothing registered or alerted in
 * a dry run; subscriptions that cannot be listed fail the check. Against a local server answering as Shopify's Admin
 * GraphQL API (2026-10) does.
 */
class SubscriptionReconciliationTest {

    private static final String PATH = "/admin/api/2026-10/graphql.json";
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String BASE = "https://abc123.execute-api.eu-west-1.amazonaws.com";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ReconcileWindow WINDOW = new ReconcileWindow(Instant.parse("2026-12-03T11:54:00Z"),
            Instant.parse("2026-12-03T11:59:00Z"));

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T12:00:00Z"));
    private final CapturedLines lines = new CapturedLines();
    private final RecordingAlerts alerts = new RecordingAlerts();
    private final ShopifySubscriptionsAnswers answers = new ShopifySubscriptionsAnswers();
    private WireMockServer shopify;
    private SubscriptionCheck check;

    @BeforeEach
    void start() {
        shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new ShopifyGraphqlValidation()));
        shopify.start();
        ShopifyAdmin admin = new ShopifyAdmin(new TargetHttp("shopify", HttpTransport.of(HttpClient.newHttpClient()),
                Duration.ofSeconds(10), clock), shopify.baseUrl(),
                CachedSecret.fixed("Shopify Admin API tokens", "{\"" + SHOP + "\": \"shpat_0123456789abcdef\"}"), Set.of(),
                ShopifyAdmin.DEFAULT_API_VERSION, JSON, clock);
        check = new SubscriptionCheck(admin.graphql(), (wait, why, attempt) -> clock.advance(wait));
    }

    @AfterEach
    void stop() {
        shopify.stop();
    }

    /** The order and fulfilment flows' topics, to their routes. */
    private static List<SubscriptionPlan.Wanted> expected() {
        List<SubscriptionPlan.Wanted> wanted = new ArrayList<>();
        for (WebhookRoutes.Route route : WebhookRoutes.all(false)) {
            if (!route.flow().name().equals("stock-to-inventory")) {
                wanted.addAll(SubscriptionPlan.wanted(route.flow().name(), route.flow().topics(), BASE + route.path()));
            }
        }
        return wanted;
    }

    private SubscriptionReconciliation reconciliation(boolean repair) {
        return new SubscriptionReconciliation(check, expected(), repair, alerts,
                new Telemetry(JSON, lines, clock));
    }

    private static MappingBuilder listQuery() {
        return post(urlEqualTo(PATH)).withRequestBody(matchingJsonPath("$.query", containing("webhookSubscriptions(")));
    }

    private static MappingBuilder createMutation() {
        return post(urlEqualTo(PATH)).withRequestBody(matchingJsonPath("$.query", containing("webhookSubscriptionCreate(")));
    }

    /** Every expected subscription but orders/paid, which Shopify deleted after repeated failed deliveries. */
    private void ordersPaidDeleted() {
        List<ObjectNode> nodes = new ArrayList<>();
        expected().stream().filter(w -> !w.topic().equals("orders/paid"))
                .forEach(w -> nodes.add(answers.subscription(w.topicEnum(), w.uri())));
        shopify.stubFor(listQuery().willReturn(okJson(ShopifySubscriptionsAnswers.page(nodes, null))));
    }

    private int creates() {
        return shopify.findAll(postRequestedFor(urlEqualTo(PATH)).withRequestBody(
                containing("webhookSubscriptionCreate("))).size();
    }

    @Test
    void run_shouldCountTheDeletedSubscription_andAlertWithIdsOnly_withoutRepairing() {
        ordersPaidDeleted();

        CheckReport report = reconciliation(false).run(SHOP, WINDOW, false);

        assertThat(report.counts()).containsExactly(java.util.Map.entry("SubscriptionsMissing", 1));
        assertThat(report.scanned()).isEqualTo(expected().size());
        assertThat(report.current()).isEqualTo(expected().size() - 1);
        assertThat(report.queued()).isEmpty();
        assertThat(creates()).isZero();
        assertThat(alerts.raised).singleElement().satisfies(alert -> {
            assertThat(alert.subject()).isEqualTo(
                    "Shopsync reconciler: webhook subscription missing (subscriptions, subscription-missing)");
            assertThat(alert.details()).containsEntry("shop", SHOP).containsEntry("missing", "order-to-crm ORDERS_PAID")
                    .doesNotContainKey("repaired");
            assertThat(alert.text(15)).contains("scripts/shopsync webhooks register", SubscriptionReconciliation.RUNBOOK)
                    .doesNotContain(BASE).doesNotContain("shpat_");
        });
        assertThat(lines.parsed()).anySatisfy(line -> {
            assertThat(line.path("message").asText()).isEqualTo("reconcile: subscription missing");
            assertThat(line.path("topic").asText()).isEqualTo("orders/paid");
        });
    }

    @Test
    void run_shouldReRegisterTheGap_whenAskedToRepair() {
        ordersPaidDeleted();
        shopify.stubFor(createMutation().willReturn(okJson("""
                {"data":{"webhookSubscriptionCreate":{"webhookSubscription":{"id":"gid://shopify/WebhookSubscription/900",
                 "topic":"ORDERS_PAID","uri":"%s/webhooks/orders"},"userErrors":[]}}}""".formatted(BASE))));

        CheckReport report = reconciliation(true).run(SHOP, WINDOW, false);

        assertThat(report.counts()).containsEntry("SubscriptionsMissing", 1);
        assertThat(creates()).isEqualTo(1);
        assertThat(alerts.raised).singleElement().satisfies(alert -> {
            assertThat(alert.details()).containsEntry("repaired", "1 of 1");
            assertThat(alert.whatToDo()).contains("re-registered as subscription 900");
        });
    }

    @Test
    void dryRun_shouldCountButNeitherRepairNorAlert() {
        ordersPaidDeleted();

        CheckReport report = reconciliation(true).run(SHOP, WINDOW, true);

        assertThat(report.counts()).containsEntry("SubscriptionsMissing", 1);
        assertThat(creates()).isZero();
        assertThat(alerts.raised).isEmpty();
    }

    @Test
    void run_shouldNeitherAlertNorCount_whenEveryTopicIsSubscribed() {
        List<ObjectNode> nodes = new ArrayList<>();
        expected().forEach(w -> nodes.add(answers.subscription(w.topicEnum(), w.uri())));
        shopify.stubFor(listQuery().willReturn(okJson(ShopifySubscriptionsAnswers.page(nodes, null))));

        CheckReport report = reconciliation(false).run(SHOP, WINDOW, false);

        assertThat(report.counts()).containsEntry("SubscriptionsMissing", 0);
        assertThat(alerts.raised).isEmpty();
    }

    @Test
    void run_shouldFailTheCheck_whenTheSubscriptionsCannotBeListed() {
        shopify.stubFor(listQuery().willReturn(okJson("""
                {"errors":[{"message":"Access denied for webhookSubscriptions field.",
                  "extensions":{"code":"ACCESS_DENIED","documentation":"https://shopify.dev/api/usage/access-scopes"}}]}""")));

        assertThatThrownBy(() -> reconciliation(false).run(SHOP, WINDOW, false))
                .isInstanceOf(ReconcileFailedException.class).hasMessageContaining(SHOP).hasMessageContaining("ACCESS_DENIED");
        assertThat(alerts.raised).isEmpty();
    }

    @Test
    void check_shouldNotBeWindowed() {
        assertThat(reconciliation(false).windowed()).isFalse();
        assertThat(reconciliation(false).name()).isEqualTo("subscriptions");
    }
}
