package io.shopsync.reconcile.stock;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.inventory.StandardWebhooksInventory;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.flow.EntityVersion;
import io.shopsync.flow.StockFlow;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import io.shopsync.reconcile.CheckReport;
import io.shopsync.reconcile.ReconcileFailedException;
import io.shopsync.reconcile.ReconcileWindow;
import io.shopsync.stock.LocationMapping;
import io.shopsync.stock.StockQuantity;
import io.shopsync.testing.InMemoryDeliveryStore;
import io.shopsync.testing.MutableClock;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testing.ShopifyGraphqlValidation;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler's {@code stock} check around {@link StockDrift}: a drift becomes a queued correction on the stock
 * flow's queue and DriftFound, a dry run queues nothing, and Shopify failing past the retries fails the check (so
 * its checkpoint stays). Against a local server answering as Shopify's Admin GraphQL API (2026-10) does, with the
 * generic webhook target's watermarks.
 */
class StockDriftCheckTest {

    private static final String GRAPHQL = "/admin/api/2026-10/graphql.json";
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String ITEM = "437290762312585471";
    private static final String MAIN = "655441491";
    private static final String UPDATED = "2026-11-27T16:29:59Z";
    private static final ReconcileWindow WINDOW = new ReconcileWindow(Instant.parse("2026-11-27T16:15:00Z"),
            Instant.parse("2026-11-27T16:30:00Z"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T16:35:00Z"));
    private final WireMockServer shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
            .extensions(new ShopifyGraphqlValidation()));
    private final InMemoryDeliveryStore store = new InMemoryDeliveryStore();
    private final RecordingFlowQueues queues = new RecordingFlowQueues(clock);
    private StockDriftCheck check;

    @BeforeEach
    void start() {
        shopify.start();
        ShopifyAdmin admin = new ShopifyAdmin(new TargetHttp("shopify", HttpTransport.of(HttpClient.newHttpClient()),
                Duration.ofSeconds(2), clock), shopify.baseUrl(),
                CachedSecret.fixed("Shopify Admin API tokens", "{\"" + SHOP + "\": \"shpat_0123456789abcdef\"}"),
                Set.of(), ShopifyAdmin.DEFAULT_API_VERSION, JSON, clock);
        StockDrift drift = new StockDrift(admin, StockFlow.FLOW, queues, LastReported.webhook(store),
                LocationMapping.parse("{\"" + MAIN + "\": \"warehouse-main\"}", "LOCATION_MAPPING", JSON),
                StockQuantity.AVAILABLE, JSON, clock, clock::advance);
        check = new StockDriftCheck(drift, StockFlow.FLOW.name());
    }

    @AfterEach
    void stop() {
        shopify.stop();
    }

    private void answer(String body) {
        shopify.stubFor(post(urlEqualTo(GRAPHQL)).willReturn(aResponse().withStatus(200).withBody(body)));
    }

    /** One level changed in the window at the mapped location, with its inventory item. */
    private static String onePage(int available) {
        return "{\"data\":{\"location\":{\"inventoryLevels\":{\"pageInfo\":{\"hasNextPage\":false,\"endCursor\":null},"
                + "\"nodes\":[{\"updatedAt\":\"" + UPDATED + "\",\"quantities\":[{\"name\":\"available\",\"quantity\":"
                + available + "},{\"name\":\"on_hand\",\"quantity\":" + (available + 3) + "}],\"item\":{\"id\":"
                + "\"gid://shopify/InventoryItem/" + ITEM + "\",\"sku\":\"SS-MCS-OAT-M\",\"tracked\":true,\"duplicateSkuCount\":0}}]}}},"
                + "\"extensions\":{\"cost\":{\"requestedQueryCost\":302,\"actualQueryCost\":9,\"throttleStatus\":"
                + "{\"maximumAvailable\":2000.0,\"currentlyAvailable\":1991,\"restoreRate\":100.0}}}}";
    }

    private void delivered(String updatedAt) {
        store.advanceWatermark(SHOP + "/inventory-level/" + ITEM + "/" + MAIN,
                StandardWebhooksInventory.NAME, new EntityVersion(Instant.parse(updatedAt), Instant.parse(updatedAt)),
                clock.instant());
    }

    @Test
    void run_shouldQueueTheCorrectionOnTheStockQueue_andCountDriftFound_whenTheTargetNeverGotTheLevel() {
        answer(onePage(42));

        CheckReport report = check.run(SHOP, WINDOW, false);

        assertThat(check.name()).isEqualTo("stock");
        assertThat(check.flow()).isEqualTo("stock-to-inventory");
        assertThat(report.counts()).containsExactly(java.util.Map.entry("DriftFound", 1));
        assertThat(report.scanned()).isEqualTo(1);
        assertThat(report.current()).isZero();
        assertThat(report.queued()).singleElement().satisfies(queued -> {
            assertThat(queued.flow()).isEqualTo("stock-to-inventory");
            assertThat(queued.topic()).isEqualTo("inventory_levels/update");
            assertThat(queued.webhookId()).isEqualTo("shopsync-reconcile-" + ITEM + "-" + MAIN + "-"
                    + Instant.parse(UPDATED).toEpochMilli());
            assertThat(queued.why()).contains("never given this level");
        });
        assertThat(queues.enqueued).singleElement().satisfies(envelope -> {
            assertThat(envelope.flow()).isEqualTo("stock-to-inventory");
            assertThat(envelope.topic()).isEqualTo("inventory_levels/update");
        });
    }

    @Test
    void run_shouldCountZeroDrift_andQueueNothing_whenTheTargetHasShopifysLevel() {
        answer(onePage(42));
        delivered(UPDATED);

        CheckReport report = check.run(SHOP, WINDOW, false);

        assertThat(report.counts()).containsEntry("DriftFound", 0);
        assertThat(report.current()).isEqualTo(1);
        assertThat(report.queued()).isEmpty();
        assertThat(queues.enqueued).isEmpty();
    }

    @Test
    void dryRun_shouldReportWhatItWouldQueue_andQueueNothing() {
        answer(onePage(42));

        CheckReport report = check.run(SHOP, WINDOW, true);

        assertThat(report.counts()).containsEntry("DriftFound", 1);
        assertThat(report.queued()).hasSize(1);
        assertThat(queues.enqueued).isEmpty();
    }

    @Test
    void run_shouldFailTheCheck_withShopifysCodeAndRequestId_whenShopifyKeepsFailing() {
        answer("""
                {"errors":[{"message":"Internal error. Looks like something went wrong on our end.",\
                "extensions":{"code":"INTERNAL_SERVER_ERROR","requestId":"3221c58f-3446-4843-a452-a517787121c6"}}]}""");

        assertThatThrownBy(() -> check.run(SHOP, WINDOW, false)).isInstanceOf(ReconcileFailedException.class)
                .hasMessageContaining(SHOP).hasMessageContaining("INTERNAL_SERVER_ERROR")
                .hasMessageContaining("3221c58f-3446-4843-a452-a517787121c6").hasMessageContaining("queued 0");
        assertThat(shopify.findAll(postRequestedFor(urlEqualTo(GRAPHQL)))).hasSize(StockDrift.ATTEMPTS);
        assertThat(queues.enqueued).isEmpty();
    }
}
