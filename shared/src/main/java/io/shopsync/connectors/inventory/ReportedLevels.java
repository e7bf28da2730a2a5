package io.shopsync.connectors.inventory;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The last stock level reported to an inventory system that takes deltas (Katana), per shop, SKU and
 * location: the next delta is the new level minus this one. It moves only forward in Shopify's time,
 * so a level that lost a race can never become the baseline.
 */
public interface ReportedLevels {

    /**
     * @param system the inventory system's name ({@code katana})
     * @param location the system's location reference
     */
    record Key(String system, String shop, String sku, String location) {
        public Key {
            Objects.requireNonNull(system, "system");
            Objects.requireNonNull(shop, "shop");
            Objects.requireNonNull(sku, "sku");
            Objects.requireNonNull(location, "location");
        }
    }

    /**
     * @param available the absolute level reported
     * @param sourceUpdatedAt the level's updated_at in Shopify
     * @param deliveryId the delivery that reported it
     */
    record Reported(int available, Instant sourceUpdatedAt, String deliveryId) {
        public Reported {
            Objects.requireNonNull(sourceUpdatedAt, "sourceUpdatedAt");
            Objects.requireNonNull(deliveryId, "deliveryId");
        }
    }

    /** The level last remembered for {@code key}, unless none was or it is past its retention. */
    Optional<Reported> last(Key key, Instant now);

    /**
     * Remembers {@code level} unless a level with a later {@code sourceUpdatedAt} is remembered. An equal
     * {@code sourceUpdatedAt} does replace it: Shopify's updated_at has whole seconds, and the runtime
     * has already ordered two levels of the same second by their trigger time, so the newer one must
     * become the baseline, or the next delta would be computed from a level Katana no longer has.
     *
     * @return false when a later level is remembered (this one was not)
     */
    boolean remember(Key key, Reported level, Instant now);
}
