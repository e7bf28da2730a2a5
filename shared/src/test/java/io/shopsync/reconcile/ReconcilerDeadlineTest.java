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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.OrderFlow;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.observability.Telemetry;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.InMemoryDeliveryStore;
import io.shopsync.testing.InMemorySqs;
import io.shopsync.testing.MutableClock;
import io.shopsync.testing.RecordingAlerts;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testing.ShopifyGraphqlValidation;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A run that meets its deadline (the reconciler function's remaining time) part-way through a window of several
 * pages: it stops after the page under way, having queued what it found, moves the checkpoint only to the last
 * {@code updated_at} it fully covered, reports partial rather than failed, and the next run continues from there,
 * so that every order of the window is queued, once. The real order check and scan against a local server
 * answering as Shopify's Admin GraphQL API does; SQS's FIFO deduplication as {@link InMemorySqs} models it.
 */
class ReconcilerDeadlineTest {

    private static final String PATH = "/admin/api/2026-10/graphql.json";
    private static final String SHOP = "shopsync-demo.myshopify.com";
    /** Three pages of two orders, oldest update first, in the first run's window [14:01, 15:01). */
    private static final String[][] ORDERS = {
        {"820982911946154501", "2026-11-27T14:10:00Z"}, {"820982911946154502", "2026-11-27T14:20:00Z"},
        {"820982911946154503", "2026-11-27T14:30:00Z"}, {"820982911946154504", "2026-11-27T14:40:00Z"},
        {"820982911946154505", "2026-11-27T14:50:00Z"}, {"820982911946154506", "2026-11-27T14:55:00Z"}};

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T15:02:00Z"));
    private final CapturedLines lines = new CapturedLines();
    private final RecordingAlerts alerts = new RecordingAlerts();
    private final RecordingFlowQueues queues = new RecordingFlowQueues(clock);
    private final Map<String, Instant> checkpoints = new HashMap<>();
    private WireMockServer shopify;

    @BeforeEach
    void start() throws Exception {
        shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new ShopifyGraphqlValidation()));
        shopify.start();
        JsonNode fixture;
        try (InputStream in = getClass().getResourceAsStream("/shopify-admin/order-820982911946154508.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
        for (String[] order : ORDERS) {
            ObjectNode answer = fixture.deepCopy();
            ((ObjectNode) answer.path("data").path("order")).put("legacyResourceId", order[0]).put("updatedAt", order[1]);
            shopify.stubFor(post(urlEqualTo(PATH)).withRequestBody(containing("query Order("))
                    .withRequestBody(matchingJsonPath("$.variables.id", equalTo("gid://shopify/Order/" + order[0])))
                    .willReturn(aResponse().withStatus(200).withBody(answer.toString())));
        }
        // Run 1's window: page by page with the cursor.
        String run1 = "updated_at:>='2026-11-27T14:01:00Z' updated_at:<'2026-11-27T15:01:00Z'";
        page(run1, null, "c1", 0, 1);
        page(run1, "c1", "c2", 2, 3);
        page(run1, "c2", null, 4, 5);
        // Run 2's window starts 5 minutes (the overlap) before run 1's checkpoint, 14:40: orders 4 to 6.
        page("updated_at:>='2026-11-27T14:35:00Z' updated_at:<'2026-11-27T15:02:00Z'", null, null, 3, 4, 5);
    }

    @AfterEach
    void stop() {
        shopify.stop();
    }

    private void page(String query, String after, String endCursor, int... orders) {
        String[] idsAndTimes = new String[orders.length * 2];
        for (int i = 0; i < orders.length; i++) {
            idsAndTimes[2 * i] = ORDERS[orders[i]][0];
            idsAndTimes[2 * i + 1] = ORDERS[orders[i]][1];
        }
        shopify.stubFor(post(urlEqualTo(PATH)).withRequestBody(containing("query OrderVersions("))
                .withRequestBody(matchingJsonPath("$.variables.query", equalTo(query)))
                .withRequestBody(after == null ? containing("\"after\":null") : matchingJsonPath("$.variables.after", equalTo(after)))
                .willReturn(aResponse().withStatus(200).withBody(ShopifyOrdersTest.page(endCursor != null, endCursor, idsAndTimes))));
    }

    private int pagesRead() {
        return shopify.countRequestsMatching(postRequestedFor(urlEqualTo(PATH))
                .withRequestBody(containing("query OrderVersions(")).build()).getCount();
    }

    private Reconciler reconciler() {
        ShopifyAdmin admin = new ShopifyAdmin(new TargetHttp("shopify", HttpTransport.of(HttpClient.newHttpClient()),
                Duration.ofSeconds(5), clock), shopify.baseUrl(),
                CachedSecret.fixed("Shopify Admin API tokens", "{\"" + SHOP + "\": \"shpat_0123456789abcdef\"}"),
                Set.of(), ShopifyAdmin.DEFAULT_API_VERSION, new ObjectMapper(), clock);
        ShopifyOrders orders = new ShopifyOrders(admin, 2, 100, 3, 5, clock::advance, clock);
        Telemetry telemetry = new Telemetry(new ObjectMapper(), lines, clock);
        OrderReconciliation check = new OrderReconciliation(OrderFlow.FLOW, Set.of("hubspot", "klaviyo"), orders,
                new InMemoryDeliveryStore(), queues, ShopifyAdmin.DEFAULT_API_VERSION, new ObjectMapper(), telemetry, clock);
        Checkpoints memory = new Checkpoints() {
            @Override
            public Optional<Instant> read(String shop, String name) {
                return Optional.ofNullable(checkpoints.get(name));
            }

            @Override
            public void advance(String shop, String name, Instant to) {
                checkpoints.merge(name, to, (a, b) -> a.isAfter(b) ? a : b);
            }
        };
        return new Reconciler(List.of(SHOP), List.of(check), memory,
                new Reconciler.Settings(Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofMinutes(60), Duration.ofHours(24)),
                alerts, telemetry, clock);
    }

    @Test
    void aRunStoppedByItsDeadline_queuesWhatItRead_checkpointsTheLastInstantCovered_andTheNextRunQueuesTheRestOnce() {
        // The function's time runs out while the second page is handled.
        Deadline afterTwoPages = () -> pagesRead() >= 2;

        Reconciler.RunReport first = reconciler().run(false, afterTwoPages);

        assertThat(pagesRead()).as("stopped after page 2, of 3").isEqualTo(2);
        assertThat(first.succeeded()).isTrue();
        assertThat(first.complete()).isFalse();
        assertThat(first.partial()).containsOnlyKeys(SHOP + " orders");
        assertThat(first.runs().get(0).report().coveredTo()).isEqualTo(Instant.parse("2026-11-27T14:40:00Z"));
        assertThat(checkpoints.get("orders")).as("the updated_at of the last order read: all before it are queued")
                .isEqualTo(Instant.parse("2026-11-27T14:40:00Z"));
        assertThat(webhookIds()).containsExactly(webhookId(0), webhookId(1), webhookId(2), webhookId(3));
        assertThat(alerts.raised).as("a partial run is not a failure").isEmpty();
        JsonNode summary = lines.parsed().stream().filter(l -> "reconcile run finished".equals(l.path("message").asText()))
                .findFirst().orElseThrow();
        assertThat(summary.path("ReconcilePartial").asInt()).isEqualTo(1);
        assertThat(summary.has("RunFailed")).isFalse();
        assertThat(summary.has("ReconcileSucceeded")).isFalse();
        assertThat(summary.path("partial").asText()).isEqualTo(SHOP + " orders");

        clock.advance(Duration.ofMinutes(1));
        Reconciler.RunReport second = reconciler().run(false, Deadline.NONE);

        assertThat(second.complete()).isTrue();
        assertThat(checkpoints.get("orders")).isEqualTo(Instant.parse("2026-11-27T15:02:00Z"));
        // Order 4 was read again in the overlap and sent again with the same deduplication id: SQS kept one.
        assertThat(webhookIds()).containsExactly(webhookId(0), webhookId(1), webhookId(2), webhookId(3), webhookId(4),
                webhookId(5));
        assertThat(lines.parsed()).anySatisfy(l -> assertThat(l.path("ReconcileSucceeded").asInt()).isEqualTo(1));
    }

    @Test
    void aRunWithoutADeadline_coversTheWholeWindow() {
        Reconciler.RunReport run = reconciler().run(false, Deadline.NONE);

        assertThat(run.complete()).isTrue();
        assertThat(pagesRead()).isEqualTo(3);
        assertThat(checkpoints.get("orders")).isEqualTo(Instant.parse("2026-11-27T15:01:00Z"));
        assertThat(webhookIds()).hasSize(6).doesNotHaveDuplicates();
    }

    private List<String> webhookIds() {
        EnvelopeCodec codec = new EnvelopeCodec(new ObjectMapper());
        return queues.sqs.messages(RecordingFlowQueues.WORK_QUEUE_URL).stream()
                .map(message -> codec.decode(message.body()).webhookId()).toList();
    }

    private static String webhookId(int order) {
        return "shopsync-reconcile-" + ORDERS[order][0] + "-" + Instant.parse(ORDERS[order][1]).toEpochMilli();
    }
}
