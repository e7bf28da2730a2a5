package io.shopsync.reconcile.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopsync.testing.InMemoryDeliveryStore;
import io.shopsync.testing.InMemoryReportedLevels;
import org.junit.jupiter.api.Test;

/** The yardstick per INVENTORY_TARGET: Katana's reported levels, the webhook target's watermarks. */
class LastReportedTest {

    private final InMemoryReportedLevels levels = new InMemoryReportedLevels();
    private final InMemoryDeliveryStore store = new InMemoryDeliveryStore();

    @Test
    void forTarget_shouldUseKatanasLevels_andTheWebhookTargetsWatermarks() {
        assertThat(LastReported.forTarget("katana", levels, store)).isEqualTo(new LastReported.KatanaLevels(levels));
        assertThat(LastReported.forTarget("webhook", levels, store))
                .isEqualTo(new LastReported.Watermarks(store, "webhook"));
    }

    @Test
    void forTarget_shouldNameTheTargetsItKnows_forAnyOther() {
        assertThatThrownBy(() -> LastReported.forTarget("netsuite", levels, store))
                .hasMessageContaining("INVENTORY_TARGET netsuite").hasMessageContaining("webhook, katana");
        assertThatThrownBy(() -> LastReported.forTarget("", levels, store))
                .hasMessageContaining("INVENTORY_TARGET is not set").hasMessageContaining("no stock to compare");
    }
}
