package io.shopsync.connectors.inventory;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What an inventory system that takes deltas (Katana) was told, per shop, SKU and location: the last
 * level it was given (the next delta is the new level minus this one), and an adjustment on its way
 * whose outcome is not known yet.
 *
 * <p>Every write is conditional on the {@link State#revision() revision} read before it, so two
 * deliveries for one SKU and location (two Shopify items sharing the SKU run in different FIFO groups)
 * can never both measure a delta from the same level: the second write fails and that delivery is
 * retried, then measures from the first one's level.
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

    /**
     * An adjustment claimed before it is sent: until it is settled (its answer came, or a later delivery
     * looked it up by its number), nobody may measure a delta from the level before it.
     *
     * @param adjustment the adjustment's number in the system (deterministic per delivery)
     * @param level the level the system holds if the adjustment was applied
     * @param until when a request carrying it can no longer be on its way; before then, only the
     *              delivery that claimed it may settle it
     */
    record Pending(String adjustment, Reported level, Instant until) {
        public Pending {
            Objects.requireNonNull(adjustment, "adjustment");
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(until, "until");
        }
    }

    /**
     * @param level the level last given, unless none was or it is past its retention
     * @param pending the adjustment whose outcome is not known yet, if any
     * @param revision the stored revision a conditional write compares (0: nothing was ever stored)
     */
    record State(Optional<Reported> level, Optional<Pending> pending, long revision) {
        public State {
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(pending, "pending");
        }
    }

    /** What is stored for {@code key} now (expired content reads as empty, with its revision). */
    State read(Key key, Instant now);

    /**
     * Stores {@code level} and {@code pending} (empty clears it) if the stored revision is still
     * {@code expected.revision()}, and extends the retention.
     *
     * @return the state now stored, or empty when another write came first (read again, or retry later)
     */
    Optional<State> replace(Key key, State expected, Optional<Reported> level, Optional<Pending> pending, Instant now);

    /** The level last remembered for {@code key}, unless none was or it is past its retention. */
    default Optional<Reported> last(Key key, Instant now) {
        return read(key, now).level();
    }

    /**
     * Remembers {@code level}, keeping any pending adjustment, unless a level with a later
     * {@code sourceUpdatedAt} is remembered. An equal {@code sourceUpdatedAt} does replace it: Shopify's
     * updated_at has whole seconds, and the runtime has already ordered two levels of the same second by
     * their trigger time.
     *
     * @return false when a later level is remembered, or other writes kept coming first
     */
    default boolean remember(Key key, Reported level, Instant now) {
        for (int attempt = 0; attempt < 3; attempt++) {
            State state = read(key, now);
            if (state.level().isPresent() && state.level().get().sourceUpdatedAt().isAfter(level.sourceUpdatedAt())) {
                return false;
            }
            if (replace(key, state, Optional.of(level), state.pending(), now).isPresent()) {
                return true;
            }
        }
        return false;
    }
}
