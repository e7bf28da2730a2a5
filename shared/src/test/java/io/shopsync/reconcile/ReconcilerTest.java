package io.shopsync.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.observability.Telemetry;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.MutableClock;
import io.shopsync.testing.RecordingAlerts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which window each check gets, when its checkpoint moves, and that one failing check stops no other. */
class ReconcilerTest {

    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String OTHER_SHOP = "shopsync-outlet.myshopify.com";
    private static final Instant NOW = Instant.parse("2026-11-27T15:00:00Z");

    private final MutableClock clock = new MutableClock(NOW);
    private final CapturedLines lines = new CapturedLines();
    private final RecordingAlerts alerts = new RecordingAlerts();
    private final MemoryCheckpoints checkpoints = new MemoryCheckpoints();

    /** A check that records its windows, and fails for the shops it is told to. */
    private static class FakeCheck implements ReconcileCheck {
        final String name;
        final List<String> failFor = new ArrayList<>();
        final List<String> windows = new ArrayList<>();
        final List<CheckReport.Queued> queues = new ArrayList<>();

        FakeCheck(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public CheckReport run(String shop, ReconcileWindow window, boolean dryRun) {
            windows.add(shop + " " + window.from() + ".." + window.to());
            if (failFor.contains(shop)) {
                throw new ReconcileFailedException("shop " + shop + ": Shopify answered ACCESS_DENIED");
            }
            return new CheckReport(name, 2, 2 - queues.size(), queues);
        }
    }

    private static final class MemoryCheckpoints implements Checkpoints {
        final Map<String, Instant> at = new HashMap<>();

        @Override
        public Optional<Instant> read(String shop, String check) {
            return Optional.ofNullable(at.get(shop + "#" + check));
        }

        @Override
        public void advance(String shop, String check, Instant to) {
            at.merge(shop + "#" + check, to, (a, b) -> a.isAfter(b) ? a : b);
        }
    }

    private Reconciler reconciler(ReconcileCheck... checks) {
        return new Reconciler(List.of(SHOP, OTHER_SHOP), List.of(checks), checkpoints, Reconciler.Settings.defaults(),
                alerts, new Telemetry(new ObjectMapper(), lines, clock), clock);
    }

    @Test
    void run_shouldLookBackTheFirstWindow_thenStartAtTheCheckpointMinusTheOverlap() {
        FakeCheck orders = new FakeCheck("orders");
        Reconciler reconciler = reconciler(orders);

        reconciler.run(false);
        clock.advance(Duration.ofMinutes(15));
        reconciler.run(false);

        assertThat(orders.windows).containsExactly(
                SHOP + " 2026-11-27T14:29:00Z..2026-11-27T14:59:00Z",
                OTHER_SHOP + " 2026-11-27T14:29:00Z..2026-11-27T14:59:00Z",
                SHOP + " 2026-11-27T14:54:00Z..2026-11-27T15:14:00Z",
                OTHER_SHOP + " 2026-11-27T14:54:00Z..2026-11-27T15:14:00Z");
        assertThat(checkpoints.read(SHOP, "orders")).contains(Instant.parse("2026-11-27T15:14:00Z"));
    }

    @Test
    void run_shouldCatchUpADayAtATime_afterALongOutage() {
        checkpoints.advance(SHOP, "orders", NOW.minus(Duration.ofDays(3)));
        FakeCheck orders = new FakeCheck("orders");

        reconciler(orders).run(false);

        assertThat(orders.windows.get(0)).isEqualTo(SHOP + " 2026-11-24T14:55:00Z..2026-11-25T14:55:00Z");
        assertThat(checkpoints.read(SHOP, "orders")).contains(Instant.parse("2026-11-25T14:55:00Z"));
    }

    @Test
    void run_shouldKeepAFailedChecksCheckpoint_alert_andStillRunTheOthers() {
        FakeCheck orders = new FakeCheck("orders");
        FakeCheck stock = new FakeCheck("stock");
        orders.failFor.add(SHOP);

        Reconciler.RunReport report = reconciler(orders, stock).run(false);

        assertThat(report.succeeded()).isFalse();
        assertThat(report.failures()).containsOnlyKeys(SHOP + " orders");
        assertThat(checkpoints.read(SHOP, "orders")).isEmpty();
        assertThat(checkpoints.read(OTHER_SHOP, "orders")).isPresent();
        assertThat(checkpoints.read(SHOP, "stock")).isPresent();
        assertThat(alerts.raised).singleElement().satisfies(alert -> {
            assertThat(alert.subject()).isEqualTo("Shopsync reconciler: reconcile run failed (orders, run-failed)");
            assertThat(alert.details()).containsEntry("shop", SHOP).containsEntry("checkpoint", "none");
            assertThat(alert.text(15)).contains(Reconciler.RUNBOOK).doesNotContain("dead-letter queue");
        });
        assertThat(lines.last().path("RunFailed").asInt()).isEqualTo(1);
        assertThat(lines.last().has("ReconcileSucceeded")).isFalse();
    }

    /** MissedQueued is counted under the flow whose queue the check feeds, zero included, so the alarm has data. */
    @Test
    void run_shouldCountMissedQueued_underTheFlowTheCheckFeeds() {
        FakeCheck orders = new FakeCheck(OrderReconciliation.NAME) {
            @Override
            public String flow() {
                return "order-to-crm";
            }
        };
        orders.queues.add(new CheckReport.Queued("order-to-crm", "orders/create", SHOP + "/order/820982911946154508",
                "shopsync-reconcile-820982911946154508-1764238545000", "hubspot: never delivered"));

        reconciler(orders).run(false);

        List<com.fasterxml.jackson.databind.JsonNode> checks = lines.parsed().stream()
                .filter(l -> "reconcile check finished".equals(l.path("message").asText())).toList();
        assertThat(checks).hasSize(2).allSatisfy(l -> assertThat(l.path("flow").asText()).isEqualTo("order-to-crm"))
                .extracting(l -> l.path("MissedQueued").asInt()).containsExactly(1, 1);
        FakeCheck quiet = new FakeCheck("subscriptions");
        lines.raw.clear();
        reconciler(quiet).run(false);
        assertThat(lines.parsed().get(0).path("flow").asText()).isEqualTo("reconciler");
        assertThat(lines.parsed().get(0).path("MissedQueued").asInt()).isZero();
        assertThat(lines.parsed().get(0).has("OrdersScanned")).isFalse();
    }

    @Test
    void dryRun_shouldMoveNoCheckpoint() {
        FakeCheck orders = new FakeCheck("orders");

        Reconciler.RunReport report = reconciler(orders).run(true);

        assertThat(report.dryRun()).isTrue();
        assertThat(orders.windows).hasSize(2);
        assertThat(checkpoints.at).isEmpty();
    }

    /** A check's own counts (DriftFound, SubscriptionsMissing) go on its line under its flow, zero too; not in a dry run. */
    @Test
    void run_shouldEmitAChecksOwnCounts_underItsFlow() {
        FakeCheck stock = new FakeCheck("stock") {
            @Override
            public String flow() {
                return "stock-to-inventory";
            }

            @Override
            public CheckReport run(String shop, ReconcileWindow window, boolean dryRun) {
                return new CheckReport("stock", 3, 2, List.of(), Map.of("DriftFound", SHOP.equals(shop) ? 1 : 0));
            }
        };

        reconciler(stock).run(false);

        List<com.fasterxml.jackson.databind.JsonNode> checks = lines.parsed().stream()
                .filter(l -> "reconcile check finished".equals(l.path("message").asText())).toList();
        assertThat(checks).extracting(l -> l.path("flow").asText()).containsOnly("stock-to-inventory");
        assertThat(checks).extracting(l -> l.path("DriftFound").asInt()).containsExactly(1, 0);
        assertThat(checks.get(0).path("_aws").toString()).contains("\"Name\":\"DriftFound\"");
        lines.raw.clear();
        reconciler(stock).run(true);
        assertThat(lines.parsed()).isNotEmpty().noneMatch(l -> l.path("_aws").toString().contains("DriftFound"));
    }

    /** The subscription check compares the shop as it is now: it runs every time and has no checkpoint. */
    @Test
    void run_shouldRunAnUnwindowedCheckEveryTime_withoutACheckpoint() {
        FakeCheck subscriptions = new FakeCheck("subscriptions") {
            @Override
            public boolean windowed() {
                return false;
            }

            @Override
            public CheckReport run(String shop, ReconcileWindow window, boolean dryRun) {
                super.run(shop, window, dryRun);
                return new CheckReport("subscriptions", 9, 8, List.of(), Map.of("SubscriptionsMissing", 1));
            }
        };

        reconciler(subscriptions).run(false);
        reconciler(subscriptions).run(false);

        assertThat(subscriptions.windows).hasSize(4);
        assertThat(checkpoints.at).isEmpty();
        List<com.fasterxml.jackson.databind.JsonNode> checks = lines.parsed().stream()
                .filter(l -> "reconcile check finished".equals(l.path("message").asText())).toList();
        assertThat(checks).hasSize(4).allSatisfy(l -> {
            assertThat(l.path("flow").asText()).isEqualTo("reconciler");
            assertThat(l.path("SubscriptionsMissing").asInt()).isEqualTo(1);
            assertThat(l.has("MissedQueued")).isFalse();
        });
    }

    @Test
    void reconciler_shouldRefuseToRunWithoutAnyCheck() {
        org.assertj.core.api.Assertions.assertThatThrownBy(this::reconciler)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CRM_TARGETS");
    }
}
