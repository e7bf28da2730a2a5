package io.shopsync.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopsync.delivery.DeliveryStore;
import io.shopsync.delivery.DeliveryStore.Applied;
import io.shopsync.delivery.DeliveryStore.Claim;
import io.shopsync.delivery.DeliveryStore.DeliveryKey;
import io.shopsync.delivery.DeliveryStore.Versioned;
import io.shopsync.flow.EntityVersion;
import io.shopsync.testing.InMemoryDeliveryStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EntityTraceTest {

    private static final Instant NOW = Instant.parse("2026-11-27T16:00:00Z");
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String ORDER = SHOP + "/order/820982911946154508";
    private static final String FULFILMENT = SHOP + "/fulfillment/4903920288045";

    private final InMemoryDeliveryStore store = new InMemoryDeliveryStore();
    private final EntityTrace trace = new EntityTrace(store, Duration.ofHours(72), List::of, new EntityTrace.NextSteps() {
        @Override
        public String redrive(String flow) {
            return "redrive " + flow;
        }

        @Override
        public String unknown(String what) {
            return "look elsewhere";
        }
    }, Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC));

    @Test
    void trace_showsAPartWithItsOwnVersion_underItsOwnWatermark_notTheOrders() {
        // given the order delivered to hubspot by the order flow, and one fulfilment of it by the fulfilment flow
        deliver(key("order-to-crm", "orders/updated", "a1", ORDER), ORDER, Instant.parse("2026-11-27T14:42:18Z"), NOW);
        deliver(key("fulfilment-to-crm", "fulfillments/create", "b1", FULFILMENT), FULFILMENT,
                Instant.parse("2026-11-27T15:10:00Z"), NOW.plusSeconds(10));

        // when
        EntityTrace.Report report = trace.trace(new EntityTrace.Query(SHOP, ORDER, "order 820982911946154508"));

        // then
        assertThat(report.targets()).extracting(t -> t.flow() + " " + t.target() + " " + t.watermarkKey() + " "
                        + t.watermark().map(EntityVersion::updatedAt).orElse(null))
                .containsExactly("fulfilment-to-crm hubspot " + FULFILMENT + " 2026-11-27T15:10:00Z",
                        "order-to-crm hubspot " + ORDER + " 2026-11-27T14:42:18Z");
        assertThat(trace.text(report)).contains("fulfilment-to-crm -> hubspot (" + FULFILMENT + ")   watermark: "
                + "updated_at 2026-11-27T15:10:00Z", "order-to-crm -> hubspot   watermark: updated_at 2026-11-27T14:42:18Z");
    }

    @Test
    void trace_ofADeliveryBeingRetried_saysWhy_andThatNothingIsToDoYet() {
        DeliveryKey key = key("order-to-crm", "orders/create", "c1", ORDER);
        Claim.Claimed claimed = (Claim.Claimed) store.claim(key, false, NOW);
        store.release(key, claimed, true, "hubspot answered 429 (Retry-After 10 s)");

        EntityTrace.Report report = trace.trace(new EntityTrace.Query(SHOP, ORDER, "order 820982911946154508"));

        assertThat(report.targets().get(0).steps().get(0).outcome()).isEqualTo("retrying");
        assertThat(trace.text(report)).contains("retrying: given back to be retried after 1 failed attempt (last error: "
                + "hubspot answered 429 (Retry-After 10 s))");
        assertThat(report.nextSteps()).singleElement().asString().startsWith("a delivery is being retried with backoff");
    }

    private void deliver(DeliveryKey key, String watermarkKey, Instant updatedAt, Instant at) {
        Claim.Claimed claimed = (Claim.Claimed) store.claim(key, false, at);
        store.complete(key, claimed, "delivered", new Applied(Optional.of(new Versioned(watermarkKey,
                new EntityVersion(updatedAt, updatedAt.plusSeconds(1)))), Optional.empty(), Optional.empty()), at);
    }

    private static DeliveryKey key(String flow, String topic, String webhookId, String watermarkKey) {
        return new DeliveryKey(SHOP + ":" + webhookId, "hubspot", topic, ORDER,
                new DeliveryStore.Origin(flow, webhookId, NOW.minusSeconds(2), NOW.minusSeconds(1), watermarkKey));
    }
}
