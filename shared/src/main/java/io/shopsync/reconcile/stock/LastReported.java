package io.shopsync.reconcile.stock;

import io.shopsync.connectors.inventory.KatanaInventory;
import io.shopsync.connectors.inventory.ReportedLevels;
import io.shopsync.connectors.inventory.StandardWebhooksInventory;
import io.shopsync.delivery.DeliveryStore;
import java.util.Objects;

/**
 * What the stock flow remembers of what it gave the inventory target, per target type: the yardstick a
 * Shopify level is held against.
 *
 * <ul>
 *   <li>{@link KatanaLevels}: Katana takes deltas, so the flow remembers the absolute level it last gave per
 *       shop, SKU and Katana location ({@link ReportedLevels}); drift is a different quantity.</li>
 *   <li>{@link Watermarks}: the generic webhook target records no level at all, only, like every target, the
 *       entity's watermark in the delivery store: the newest {@code updated_at} it was given for the item at
 *       the location. Drift there is a level Shopify changed after the watermark (a webhook that never came or
 *       never got through); a receiver that lost a level after answering 2xx cannot be seen from here.</li>
 * </ul>
 */
public sealed interface LastReported {

    /** The target's name, as the flow's delivery records and watermarks name it. */
    String target();

    /** Levels given to Katana (the flow's {@code ReportedLevels}). */
    record KatanaLevels(ReportedLevels levels) implements LastReported {
        public KatanaLevels {
            Objects.requireNonNull(levels, "levels");
        }

        @Override
        public String target() {
            return KatanaInventory.NAME;
        }
    }

    /** The entity watermarks of a target that records no level (the generic webhook). */
    record Watermarks(DeliveryStore store, String target) implements LastReported {
        public Watermarks {
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(target, "target");
        }
    }

    static LastReported katana(ReportedLevels levels) {
        return new KatanaLevels(levels);
    }

    static LastReported webhook(DeliveryStore store) {
        return new Watermarks(store, StandardWebhooksInventory.NAME);
    }

    /**
     * For the stock flow's {@code INVENTORY_TARGET} ({@code webhook} or {@code katana}).
     *
     * @throws IllegalArgumentException for any other name, and when none is set (the stock flow then has no
     *     target and dead-letters every level: there is nothing to compare; leave stock drift out)
     */
    static LastReported forTarget(String inventoryTarget, ReportedLevels levels, DeliveryStore store) {
        if (inventoryTarget == null || inventoryTarget.isBlank()) {
            throw new IllegalArgumentException("INVENTORY_TARGET is not set: the stock flow has no inventory target, so"
                    + " there is no stock to compare; run stock drift only when InventoryTarget is webhook or katana");
        }
        if (KatanaInventory.NAME.equals(inventoryTarget)) {
            return katana(levels);
        }
        if (StandardWebhooksInventory.NAME.equals(inventoryTarget)) {
            return webhook(store);
        }
        throw new IllegalArgumentException("INVENTORY_TARGET " + inventoryTarget + " is not an inventory target stock"
                + " drift knows (" + StandardWebhooksInventory.NAME + ", " + KatanaInventory.NAME + ")");
    }
}
