package io.shopsync.reconcile.stock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.inventory.KatanaInventory;
import io.shopsync.connectors.inventory.ReportedLevels;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.connectors.shopify.ShopifyAdmin.ChangedItem;
import io.shopsync.connectors.shopify.ShopifyAdmin.InventoryPage;
import io.shopsync.connectors.shopify.ShopifyAdmin.LevelAt;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.flow.EntityKey;
import io.shopsync.flow.EntityVersion;
import io.shopsync.flow.Flow;
import io.shopsync.flow.TopicRule;
import io.shopsync.queue.FlowQueues;
import io.shopsync.queue.QueueUnavailableException;
import io.shopsync.reconcile.ScanProgress;
import io.shopsync.stock.LocationMapping;
import io.shopsync.stock.StockQuantity;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Finds stock the inventory target does not have: for one shop and a window [from, to), the inventory levels
 * Shopify changed at every synced location of the {@link LocationMapping} ({@link ShopifyAdmin#inventoryLevels},
 * location by location, paged by cursor, the cost-based throttle honoured; unsynced and unmapped locations are
 * never asked for), each held against what the stock flow last gave the target ({@link LastReported}). Levels
 * are selected by their own {@code updated_at}, not their item's: a sale or an adjustment changes only the
 * level (see {@link ShopifyAdmin#INVENTORY_LEVELS}). {@link #importAll} reads every level instead, for the
 * initial import. A
 * level that drifted gets a correction on the stock flow's work queue, exactly as Shopify's
 * {@code inventory_levels/update} webhook for it would arrive:
 *
 * <ul>
 *   <li>the REST webhook payload ({@code inventory_item_id}, {@code location_id}, {@code available},
 *       {@code updated_at}, {@code admin_graphql_api_id}) with Shopify's current {@code available} and the
 *       level's {@code updatedAt};</li>
 *   <li>the flow's own entity key as FIFO group, so it is ordered with the level's webhooks;</li>
 *   <li>webhook id {@code shopsync-reconcile-<item>-<location>-<updated_at epoch millis>}: two runs that find the
 *       same drift queue it once (SQS deduplicates within five minutes, the delivery record for 72 hours);</li>
 *   <li>triggered-at: the run's time, so a correction of the same Shopify version as the last delivered one
 *       (Katana holding another quantity) passes the watermark, while any newer webhook still wins.</li>
 * </ul>
 *
 * Everything behind the queue (SKU resolution, location mapping, watermarks, Katana's deltas, DLQ) is the
 * flow's. Items without a SKU or not tracked are counted as not comparable and never queued: the flow would
 * dead-letter them. So are, for Katana, items whose SKU other items share: Katana remembers one level per SKU
 * and location, whichever item reported last, so it cannot say which item drifted. A dry run compares and
 * reports, and queues nothing.
 */
public final class StockDrift {

    public static final String TOPIC = "inventory_levels/update";
    /** Queries per page before the run gives up: Shopify's server-side errors and throttling are retried. */
    public static final int ATTEMPTS = 4;
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    /** Levels a page: each costs about 3 points (the level, its quantities, its item), so a page about 302 of 1,000. */
    static final int PAGE_SIZE = 100;

    /** What became of one level. */
    public enum Handled { CURRENT, QUEUED, NOT_COMPARABLE }

    /**
     * Told as a scan moves, so a long one (an initial import) can resume where it stopped: after each level is
     * handled (for {@link Handled#QUEUED}, once its correction is on the queue).
     */
    @FunctionalInterface
    public interface LevelProgress {
        LevelProgress NONE = (locationId, pageCursor, inventoryItemId, outcome) -> { };

        /** @param pageCursor the cursor the level's page was asked with, null for the location's first page */
        void handled(String locationId, String pageCursor, String inventoryItemId, Handled outcome);
    }


    /** Waits between queries; tests pass one that moves their clock. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * A level whose target state differs from Shopify's.
     *
     * @param shopifyQuantity Shopify's quantity compared ({@code available}, or {@code on_hand} for Katana per
     *                        STOCK_QUANTITY)
     * @param reported what the target was last given, when it records a quantity (Katana) and was given one
     * @param reason what differs, with ids and times (no payload values beyond quantities)
     * @param webhookId the correction's webhook id
     * @param queued whether the correction was queued (false in a dry run)
     */
    public record Drift(String inventoryItemId, String locationId, String sku, int shopifyQuantity,
                        Optional<Integer> reported, Instant shopifyUpdatedAt, String reason, String webhookId,
                        boolean queued) {}

    /**
     * What one run found.
     *
     * @param scanned levels at synced locations Shopify returned for the window
     * @param driftFound levels that differ from what the target was last given
     * @param queued corrections put on the work queue
     * @param notComparable levels the flow cannot report (item without SKU, untracked, no quantity) or, for
     *                      Katana, whose SKU other items share
     * @param failure why the run stopped early (Shopify, the queue); empty when it covered the whole window.
     *                A failed run must not advance the checkpoint: what it queued is still queued once.
     */
    public record Result(String shop, Instant from, Instant to, boolean dryRun, int scanned, int driftFound,
                         int queued, int notComparable, List<Drift> drifts, Optional<String> failure) {
        public boolean succeeded() {
            return failure.isEmpty();
        }
    }

    private final ShopifyAdmin shopify;
    private final String flowName;
    private final EntityKey entity;
    private final EntityKey watermark;
    private final FlowQueues queues;
    private final LastReported lastReported;
    private final LocationMapping locations;
    private final StockQuantity quantity;
    private final ObjectMapper json;
    private final Clock clock;
    private final Sleeper sleeper;

    /** Waits with {@link Thread#sleep}. */
    public StockDrift(ShopifyAdmin shopify, Flow stockFlow, FlowQueues stockQueues, LastReported lastReported,
                      LocationMapping locations, StockQuantity quantity, ObjectMapper json, Clock clock) {
        this(shopify, stockFlow, stockQueues, lastReported, locations, quantity, json, clock,
                duration -> Thread.sleep(duration.toMillis()));
    }

    /**
     * @param stockFlow the stock flow ({@code StockToInventory.FLOW}): its entity and watermark keys for
     *                  {@value #TOPIC}
     * @param stockQueues the stock flow's work queue
     * @param quantity the flow's STOCK_QUANTITY: which Shopify quantity Katana mirrors
     */
    public StockDrift(ShopifyAdmin shopify, Flow stockFlow, FlowQueues stockQueues, LastReported lastReported,
                      LocationMapping locations, StockQuantity quantity, ObjectMapper json, Clock clock,
                      Sleeper sleeper) {
        TopicRule rule = stockFlow.ruleFor(TOPIC).orElseThrow(() -> new IllegalArgumentException("flow "
                + stockFlow.name() + " does not take " + TOPIC + ": stock drift queues corrections for the stock flow"));
        this.shopify = Objects.requireNonNull(shopify, "shopify");
        this.flowName = stockFlow.name();
        this.entity = rule.entity();
        this.watermark = rule.watermark().orElseThrow(() -> new IllegalArgumentException("flow " + stockFlow.name()
                + " takes " + TOPIC + " as an event, not a state: it has no watermark to compare"));
        this.queues = Objects.requireNonNull(stockQueues, "stockQueues");
        this.lastReported = Objects.requireNonNull(lastReported, "lastReported");
        this.locations = Objects.requireNonNull(locations, "locations");
        this.quantity = Objects.requireNonNull(quantity, "quantity");
        this.json = json;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /**
     * Compares every level Shopify changed in [{@code from}, {@code to}) at a synced location and, unless
     * {@code dryRun}, queues a correction for each one that drifted.
     */
    public Result run(String shop, Instant from, Instant to, boolean dryRun) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("the window must end after it starts: " + from + " to " + to);
        }
        Run run = new Run(shop, from, to, dryRun);
        for (String locationId : syncedLocations()) {
            Optional<String> stopped = scan(run, locationId, from, to, null, Set.of(), LevelProgress.NONE);
            if (stopped.isPresent()) {
                return run.result(stopped);
            }
        }
        return run.result(Optional.empty());
    }

    /**
     * The initial import: every level stocked at every synced location, whatever its {@code updated_at}, held
     * against what the target was given exactly as {@link #run} holds a changed one, and queued with the same
     * envelope (the same group and webhook id, so an import and a scheduled drift run never queue one level twice).
     * Locations are read in the order of their ids; {@code from}, when given, is where an earlier, interrupted
     * import stopped.
     */
    public Result importAll(String shop, Optional<ScanProgress.PagePosition> from, boolean dryRun, LevelProgress progress) {
        Run run = new Run(shop, null, null, dryRun);
        boolean reached = from.isEmpty();
        for (String locationId : syncedLocations()) {
            boolean resumed = !reached && locationId.equals(from.get().key());
            if (!reached && !resumed) {
                continue; // done by the earlier run
            }
            reached = true;
            Optional<String> stopped = resumed
                    ? scan(run, locationId, null, null, from.get().cursor(), from.get().handledOnPage(), progress)
                    : scan(run, locationId, null, null, null, Set.of(), progress);
            if (stopped.isPresent()) {
                return run.result(stopped);
            }
        }
        return run.result(Optional.empty());
    }

    /** The synced locations by id, so an import resumed later walks them in the same order. */
    private List<String> syncedLocations() {
        return locations.synced().keySet().stream().sorted(java.util.Comparator.comparing(BigInteger::new)).toList();
    }

    /**
     * The levels of one synced location ({@link ShopifyAdmin#inventoryLevels}): those changed in [from, to), or
     * with no window every level stocked there; page by page from {@code cursor}, skipping the items in
     * {@code skip} (handled on that page by an earlier, interrupted run).
     *
     * @return why the scan stopped early, or empty when it reached the location's last page
     */
    private Optional<String> scan(Run run, String locationId, Instant from, Instant to, String cursor, Set<String> skip,
                                  LevelProgress progress) {
        String locationRef = locations.synced().get(locationId);
        String pageCursor = cursor;
        Set<String> skipped = skip;
        do {
            InventoryPage answer = page(run.shop, locationId, from, to, pageCursor);
            if (answer instanceof InventoryPage.Failed failed) {
                return Optional.of(reason(run.shop, failed.outcome()));
            }
            InventoryPage.Page page = (InventoryPage.Page) answer;
            for (ChangedItem item : page.items()) {
                if (skipped.contains(item.inventoryItemId())) {
                    continue;
                }
                for (LevelAt level : item.levels()) {
                    Compared compared = run.compare(item, level, locationRef);
                    if (compared.stopped().isPresent()) {
                        return compared.stopped();
                    }
                    progress.handled(locationId, pageCursor, item.inventoryItemId(), compared.handled());
                }
            }
            skipped = Set.of();
            pageCursor = page.nextCursor().orElse(null);
            if (pageCursor != null && !page.pause().isZero()) {
                Optional<String> interrupted = sleep(page.pause());
                if (interrupted.isPresent()) {
                    return interrupted;
                }
            }
        } while (pageCursor != null);
        return Optional.empty();
    }

    /** One page, retried while Shopify says to (THROTTLED: once the bucket refilled; its own errors: backing off). */
    private InventoryPage page(String shop, String locationId, Instant from, Instant to, String cursor) {
        Duration backoff = FIRST_RETRY;
        InventoryPage answer = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            answer = shopify.inventoryLevels(shop, locationId, from, to, PAGE_SIZE, cursor);
            if (!(answer instanceof InventoryPage.Failed failed)
                    || !(failed.outcome() instanceof DeliveryOutcome.RetryLater retry) || attempt == ATTEMPTS) {
                return answer;
            }
            Duration wait = retry.notBefore().map(at -> Duration.between(clock.instant(), at)).orElse(backoff);
            backoff = backoff.multipliedBy(2);
            Optional<String> interrupted = sleep(wait.isNegative() ? Duration.ZERO : wait);
            if (interrupted.isPresent()) {
                return new InventoryPage.Failed(new DeliveryOutcome.PermanentFailure(interrupted.get(), "interrupted"));
            }
        }
        return answer;
    }

    private Optional<String> sleep(Duration duration) {
        try {
            sleeper.sleep(duration);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while waiting for Shopify (its rate limit or a retry): run again from the same"
                    + " checkpoint");
        }
    }

    private static String reason(String shop, DeliveryOutcome outcome) {
        String why = outcome instanceof DeliveryOutcome.RetryLater retry ? retry.reason() + " (still failing after "
                + ATTEMPTS + " attempts: the next run retries the same window)"
                : outcome instanceof DeliveryOutcome.PermanentFailure permanent ? permanent.reason() : outcome.label();
        return "stock drift for shop " + shop + ": " + why;
    }

    /** The counts and drifts of one run. */
    private final class Run {
        private final String shop;
        private final Instant from;
        private final Instant to;
        private final boolean dryRun;
        private final Instant now = clock.instant();
        private final List<Drift> drifts = new ArrayList<>();
        private int scanned;
        private int queued;
        private int notComparable;

        Run(String shop, Instant from, Instant to, boolean dryRun) {
            this.shop = shop;
            this.from = from;
            this.to = to;
            this.dryRun = dryRun;
        }

        Result result(Optional<String> failure) {
            return new Result(shop, from, to, dryRun, scanned, drifts.size(), queued, notComparable,
                    List.copyOf(drifts), failure);
        }

        /** @return what became of the level, and why the run must stop (the queue refused) */
        Compared compare(ChangedItem item, LevelAt level, String locationRef) {
            scanned++;
            Integer shopifyQuantity = quantity == StockQuantity.ON_HAND ? level.onHand() : level.available();
            Instant updatedAt = instant(level.updatedAt());
            if (item.sku() == null || !item.tracked() || shopifyQuantity == null || level.available() == null
                    || updatedAt == null) {
                notComparable++;
                return Compared.NOT_COMPARABLE;
            }
            if (lastReported instanceof LastReported.KatanaLevels && item.duplicateSkuCount() > 0) {
                // Katana remembers one level per SKU and location: items sharing the SKU overwrite each other's.
                notComparable++;
                return Compared.NOT_COMPARABLE;
            }
            ObjectNode payload = payload(item.inventoryItemId(), level.locationId(), level.available(), level.updatedAt());
            Optional<Mismatch> mismatch = lastReported instanceof LastReported.KatanaLevels katana
                    ? katana(katana.levels(), item.sku(), locationRef, shopifyQuantity, updatedAt)
                    : watermarks((LastReported.Watermarks) lastReported, payload, updatedAt);
            if (mismatch.isEmpty()) {
                return Compared.CURRENT;
            }
            String webhookId = "shopsync-reconcile-" + item.inventoryItemId() + "-" + level.locationId() + "-"
                    + updatedAt.toEpochMilli();
            boolean sent = false;
            Optional<String> stopped = Optional.empty();
            if (!dryRun) {
                try {
                    queues.enqueue(envelope(payload, webhookId));
                    queued++;
                    sent = true;
                } catch (QueueUnavailableException e) {
                    stopped = Optional.of("stock drift for shop " + shop + ": cannot queue the correction " + webhookId + " for shop " + shop
                            + ": " + e.getMessage() + "; the next run finds it again");
                }
            }
            drifts.add(new Drift(item.inventoryItemId(), level.locationId(), item.sku(), shopifyQuantity,
                    mismatch.get().reported(), updatedAt, mismatch.get().reason(), webhookId, sent));
            return new Compared(Handled.QUEUED, stopped);
        }

        private Optional<Mismatch> katana(ReportedLevels levels, String sku, String locationRef, int shopifyQuantity,
                                          Instant updatedAt) {
            ReportedLevels.State state = levels.read(new ReportedLevels.Key(KatanaInventory.NAME, shop, sku, locationRef), now);
            Optional<ReportedLevels.Reported> last = state.level();
            Optional<ReportedLevels.Reported> pending = state.pending().map(ReportedLevels.Pending::level);
            String shopifySays = "Shopify has " + quantity.setting() + " " + shopifyQuantity + " (updated " + updatedAt + ")";
            if (last.isEmpty() && pending.isEmpty()) {
                return Optional.of(new Mismatch(Optional.empty(), "Katana location " + locationRef + " was never given SKU "
                        + sku + "'s level (or not within the reported levels' retention); " + shopifySays));
            }
            // With an adjustment unsettled, Katana holds the level before it or the one it carried: in step only if both match.
            boolean inStep = last.map(l -> l.available() == shopifyQuantity).orElse(true)
                    && pending.map(p -> p.available() == shopifyQuantity).orElse(true);
            if (inStep) {
                return Optional.empty();
            }
            ReportedLevels.Reported given = last.orElseGet(pending::get);
            return Optional.of(new Mismatch(Optional.of(given.available()), "Katana location " + locationRef
                    + " was last given " + given.available() + " for SKU " + sku + " (Shopify version "
                    + given.sourceUpdatedAt() + (pending.isPresent() ? ", an adjustment unsettled" : "") + "); "
                    + shopifySays));
        }

        private Optional<Mismatch> watermarks(LastReported.Watermarks watermarks, ObjectNode payload, Instant updatedAt) {
            Optional<EntityVersion> applied = watermarks.store().watermark(watermark.of(shop, payload),
                    watermarks.target(), now);
            if (applied.isPresent() && !applied.get().updatedAt().isBefore(updatedAt)) {
                return Optional.empty();
            }
            return Optional.of(new Mismatch(Optional.empty(), "the " + watermarks.target() + " target was "
                    + applied.map(v -> "last given the level of " + v.updatedAt()).orElse("never given this level")
                    + "; Shopify changed it at " + updatedAt + " (a webhook that never arrived or never got through)"));
        }

        private ObjectNode payload(String itemId, String locationId, int available, String updatedAt) {
            ObjectNode payload = json.createObjectNode();
            payload.set("inventory_item_id", json.getNodeFactory().numberNode(new BigInteger(itemId)));
            payload.set("location_id", json.getNodeFactory().numberNode(new BigInteger(locationId)));
            payload.put("available", available);
            payload.put("updated_at", updatedAt);
            payload.put("admin_graphql_api_id", "gid://shopify/InventoryLevel/" + locationId + "?inventory_item_id=" + itemId);
            return payload;
        }

        private Envelope envelope(ObjectNode payload, String webhookId) {
            byte[] body;
            try {
                body = json.writeValueAsBytes(payload);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write an inventory level payload", e);
            }
            return new Envelope(flowName, TOPIC, shop, webhookId, null, now, null, now, entity.of(shop, payload),
                    new Body.Inline(body));
        }
    }

    /** @param handled QUEUED also for a drift a dry run would queue */
    private record Compared(Handled handled, Optional<String> stopped) {
        static final Compared CURRENT = new Compared(Handled.CURRENT, Optional.empty());
        static final Compared NOT_COMPARABLE = new Compared(Handled.NOT_COMPARABLE, Optional.empty());
    }

    /** @param reported the quantity the target was last given, when it records one */
    private record Mismatch(Optional<Integer> reported, String reason) {}

    private static Instant instant(String timestamp) {
        if (timestamp == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(timestamp).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
