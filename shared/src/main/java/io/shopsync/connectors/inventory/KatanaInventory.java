package io.shopsync.connectors.inventory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.inventory.KatanaApi.Result;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.observability.Telemetry;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stock levels into Katana MRP. Katana owns stock and takes changes as stock adjustments: deltas per
 * variant and location. Shopify sends absolute levels, so the connector remembers the last level it
 * reported per shop, SKU and Katana location ({@link ReportedLevels}) and adjusts by the difference.
 *
 * <p>Per level, in order:
 * <ol>
 *   <li>{@code available} null (Shopify does not know the level): delivered without a call and counted
 *       ({@code StockLevelsUnknown}). A delta from an unknown level would be a guess; the next known
 *       level is measured from the last one Katana was given, which is still what Katana holds.</li>
 *   <li>An adjustment claimed earlier whose outcome is unknown (its answer timed out, and it may since
 *       have been dead-lettered) is settled first: its number is looked up in Katana, and the level it
 *       carried becomes the baseline if Katana has it ({@code AdjustmentsSettled}). While another
 *       delivery's claim may still be on its way ({@link #ADJUSTMENT_LEASE}), this level is retried later.</li>
 *   <li>A remembered level newer than this one: stale, nothing sent. The same delivery remembered
 *       already: duplicate.</li>
 *   <li>The baseline: the remembered level; when none is remembered (the first level for this SKU
 *       and location, or one not reported for the store's retention), Katana's current
 *       {@code quantity_in_stock} there. The level's Shopify quantity ({@code available}, or {@code on_hand}
 *       per the flow's STOCK_QUANTITY) is mirrored onto Katana "in stock": the first adjustment brings
 *       Katana's in-stock to it, later ones move it by Shopify's changes. Units committed in Katana are
 *       Katana's own business.</li>
 *   <li>A zero delta: nothing sent; the level is remembered.</li>
 *   <li>The adjustment's number is derived from the delivery id ({@code SHOPSYNC-<16 hex>}). It is claimed
 *       in the store by a write conditional on the revision read in step 1, so two deliveries of one SKU
 *       and location (Shopify items sharing the SKU run in different FIFO groups, chosen before the SKU is
 *       known) never measure from the same level: the loser is retried ({@code ReportedLevelConflicts})
 *       and measures from the winner's level. If Katana already has the number (an attempt crashed after
 *       Katana applied it), it is not sent again; else {@code POST /stock_adjustments}. An answer settles
 *       the claim (remembered, or released when Katana refused it); no answer leaves it for step 2.</li>
 * </ol>
 *
 * <p>The variant is looked up by SKU once per container ({@code GET /variants?sku=}); an unknown SKU is
 * a permanent failure ({@code unknown-sku}). The level's {@code locationRef} is the Katana location id,
 * from the flow's location mapping. Levels are processed one after another: the runtime never sends
 * the same SKU and location twice in one batch. After a 429, {@link KatanaApi} makes no request until
 * Katana's Retry-After has passed, so the rest of the batch is answered retry-later at once (a level
 * that needs no request, a zero delta, is still delivered).
 */
public final class KatanaInventory implements InventorySystem {

    public static final String NAME = "katana";
    /**
     * How long a claimed adjustment may still be on its way to Katana: longer than any request's timeout
     * (10 s) and the function's (30 s), so nobody settles it while Katana could still apply it.
     */
    public static final Duration ADJUSTMENT_LEASE = Duration.ofMinutes(2);
    private static final Duration CLAIM_RECHECK = Duration.ofSeconds(5);
    static final String REASON = "Shopify inventory sync";
    private static final DateTimeFormatter ADJUSTMENT_DATE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final KatanaApi api;
    private final ReportedLevels reported;
    private final Telemetry telemetry;
    private final String flow;
    private final Clock clock;
    private final Duration adjustmentLease = ADJUSTMENT_LEASE;
    private final ObjectMapper json;
    private final Map<String, Long> variantIds = new ConcurrentHashMap<>();

    /** @param flow the flow's name, for log lines and metrics ({@code stock-to-inventory}) */
    public KatanaInventory(KatanaApi api, ReportedLevels reported, Telemetry telemetry, String flow, ObjectMapper json,
                           Clock clock) {
        this.api = api;
        this.reported = reported;
        this.telemetry = telemetry;
        this.flow = flow;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<DeliveryOutcome> report(List<StockLevel> levels) {
        List<DeliveryOutcome> outcomes = new ArrayList<>(levels.size());
        for (StockLevel level : levels) {
            try {
                outcomes.add(report(level));
            } catch (RuntimeException e) {
                // The store or the credential failed for this level: the others may still go through.
                outcomes.add(new DeliveryOutcome.RetryLater(where(level) + e.getClass().getSimpleName() + ": "
                        + e.getMessage()));
            }
        }
        return outcomes;
    }

    private DeliveryOutcome report(StockLevel level) {
        Instant now = clock.instant();
        if (level.available() == null) {
            telemetry.line(flow, "stock level unknown in Shopify (available is null): not reported to Katana")
                    .field("target", NAME).field("shop", level.shop()).field("sku", level.sku())
                    .field("location", level.locationRef()).field("deliveryId", level.deliveryId())
                    .count("StockLevelsUnknown").emit();
            return new DeliveryOutcome.Delivered();
        }
        ReportedLevels.Key key = new ReportedLevels.Key(NAME, level.shop(), level.sku(), level.locationRef());
        ReportedLevels.Reported current = new ReportedLevels.Reported(level.available(), level.sourceUpdatedAt(),
                level.deliveryId());
        ReportedLevels.State state = reported.read(key, now);
        if (state.pending().isPresent()) {
            Result<ReportedLevels.State> settled = settle(key, state, level, now);
            if (settled instanceof Result.Failed<ReportedLevels.State> failed) {
                return inContext(level, failed.outcome());
            }
            state = ((Result.Ok<ReportedLevels.State>) settled).value();
        }
        Optional<ReportedLevels.Reported> last = state.level();
        if (last.isPresent() && last.get().sourceUpdatedAt().isAfter(level.sourceUpdatedAt())) {
            return new DeliveryOutcome.Stale("Katana was already given the level of " + last.get().sourceUpdatedAt()
                    + " for SKU " + level.sku() + " at location " + level.locationRef() + ", newer than this one ("
                    + level.sourceUpdatedAt() + ")");
        }
        if (last.isPresent() && last.get().deliveryId().equals(level.deliveryId())) {
            return new DeliveryOutcome.Duplicate("this level was already reported to Katana");
        }
        if (last.isPresent() && last.get().available() == level.available()) {
            return remember(key, state, current, level, now);
        }

        long locationId;
        try {
            locationId = Long.parseLong(level.locationRef().trim());
        } catch (NumberFormatException e) {
            return new DeliveryOutcome.PermanentFailure("Katana location '" + level.locationRef() + "' (mapped from"
                    + " Shopify location " + level.shopifyLocationId() + ") is not a Katana location id: map the Shopify"
                    + " location to the numeric id Katana shows for the location, then redrive", "location-mapping");
        }
        Result<Long> variant = variantId(level.sku());
        if (variant instanceof Result.Failed<Long> failed) {
            return failed.outcome() instanceof DeliveryOutcome.PermanentFailure unknown
                    && unknown.category().equals("unknown-sku") ? unknown : inContext(level, failed.outcome());
        }
        long variantId = ((Result.Ok<Long>) variant).value();

        BigDecimal baseline;
        if (last.isPresent()) {
            baseline = BigDecimal.valueOf(last.get().available());
        } else {
            Result<BigDecimal> inStock = api.quantityInStock(variantId, locationId);
            if (inStock instanceof Result.Failed<BigDecimal> failed) {
                return inContext(level, failed.outcome());
            }
            baseline = ((Result.Ok<BigDecimal>) inStock).value();
        }
        BigDecimal delta = BigDecimal.valueOf(level.available()).subtract(baseline);
        if (delta.signum() == 0) {
            return remember(key, state, current, level, now);
        }

        // Claim the adjustment before sending it: from here until it is settled, no other delivery measures
        // from the level before it, and whoever comes next can look it up by its number.
        String number = StableIds.adjustmentNumber(level.deliveryId());
        Optional<ReportedLevels.State> claimed = reported.replace(key, state, last,
                Optional.of(new ReportedLevels.Pending(number, current, now.plus(adjustmentLease))), now);
        if (claimed.isEmpty()) {
            return busy(level, key, now);
        }
        Result<Boolean> exists = api.adjustmentExists(number);
        if (exists instanceof Result.Failed<Boolean> failed) {
            reported.replace(key, claimed.get(), last, Optional.empty(), now); // nothing was sent
            return inContext(level, failed.outcome());
        }
        if (((Result.Ok<Boolean>) exists).value()) {
            // An attempt from before claims existed crashed after Katana applied it, before remembering it.
            applied(key, claimed.get(), current, now);
            return new DeliveryOutcome.Duplicate("Katana already has stock adjustment " + number
                    + " (an earlier attempt applied it)");
        }
        Result<?> created = api.createAdjustment(adjustment(level, number, locationId, variantId, delta, now));
        if (created instanceof Result.Failed<?> failed) {
            if (failed.outcome() instanceof DeliveryOutcome.PermanentFailure permanent
                    && permanent.category().equals("http-422") && permanent.reason().contains("stock_adjustment_number")
                    && api.adjustmentExists(number) instanceof Result.Ok<Boolean> again && again.value()) {
                // Another attempt created it between our check and our POST (its lease expired mid-call).
                applied(key, claimed.get(), current, now);
                return new DeliveryOutcome.Duplicate("Katana already has stock adjustment " + number);
            }
            if (!failed.unsettled()) {
                // Katana refused it or it was never sent: nothing to settle, the level before it still holds.
                reported.replace(key, claimed.get(), last, Optional.empty(), now);
            }
            return inContext(level, failed.outcome());
        }
        applied(key, claimed.get(), current, now);
        return new DeliveryOutcome.Delivered();
    }

    /** Remembers the level of an adjustment Katana applied, settling its claim. */
    private void applied(ReportedLevels.Key key, ReportedLevels.State claimed, ReportedLevels.Reported current,
                         Instant now) {
        if (reported.replace(key, claimed, Optional.of(current), Optional.empty(), now).isEmpty()) {
            // The answer took longer than the claim's lease and another delivery settled it meanwhile, by
            // looking the adjustment up in Katana: whichever level it found is what it measured from.
            telemetry.line(flow, "a stock adjustment's claim was settled by another delivery before its answer came")
                    .field("target", NAME).field("shop", key.shop()).field("sku", key.sku())
                    .field("location", key.location()).field("deliveryId", current.deliveryId())
                    .count("ReportedLevelConflicts").emit();
        }
    }

    /**
     * Settles the adjustment a delivery claimed and whose outcome is not known (its answer timed out, then
     * it may have been dead-lettered) by looking its number up in Katana: if Katana has it, Katana holds its
     * level, else still the one before. Only the delivery that claimed it may do so while its request may
     * still be on its way.
     */
    private Result<ReportedLevels.State> settle(ReportedLevels.Key key, ReportedLevels.State state, StockLevel level,
                                                Instant now) {
        ReportedLevels.Pending pending = state.pending().orElseThrow();
        boolean own = pending.level().deliveryId().equals(level.deliveryId());
        if (!own && now.isBefore(pending.until())) {
            Instant soon = now.plus(CLAIM_RECHECK);
            return new Result.Failed<>(new DeliveryOutcome.RetryLater("another delivery's stock adjustment for this"
                    + " SKU and location is on its way (Shopify items sharing a SKU report to one Katana variant):"
                    + " retried once it is settled", Optional.of(soon.isBefore(pending.until()) ? soon : pending.until())));
        }
        Result<Boolean> exists = api.adjustmentExists(pending.adjustment());
        if (exists instanceof Result.Failed<Boolean> failed) {
            return new Result.Failed<>(failed.outcome());
        }
        boolean applied = ((Result.Ok<Boolean>) exists).value();
        Optional<ReportedLevels.Reported> holds = applied ? Optional.of(pending.level()) : state.level();
        Optional<ReportedLevels.State> settled = reported.replace(key, state, holds, Optional.empty(), now);
        if (settled.isEmpty()) {
            return new Result.Failed<>(busy(level, key, now));
        }
        telemetry.line(flow, "settled a stock adjustment whose answer never came: Katana " + (applied ? "has" : "does not"
                        + " have") + " it")
                .field("target", NAME).field("shop", key.shop()).field("sku", key.sku()).field("location", key.location())
                .field("adjustment", pending.adjustment()).field("deliveryId", level.deliveryId())
                .field("applied", applied).count("AdjustmentsSettled").emit();
        return new Result.Ok<>(settled.get());
    }

    /** Another delivery wrote the remembered level of this SKU and location between our read and our write. */
    private DeliveryOutcome.RetryLater busy(StockLevel level, ReportedLevels.Key key, Instant now) {
        telemetry.line(flow, "another delivery changed the remembered level of this SKU and location first: retried")
                .field("target", NAME).field("shop", key.shop()).field("sku", key.sku()).field("location", key.location())
                .field("deliveryId", level.deliveryId()).count("ReportedLevelConflicts").emit();
        return new DeliveryOutcome.RetryLater("another delivery changed the remembered Katana level of this SKU and"
                + " location at the same moment: retried, then measured from its level", Optional.of(now.plusSeconds(1)));
    }

    private Result<Long> variantId(String sku) {
        Long cached = variantIds.get(sku);
        if (cached != null) {
            return new Result.Ok<>(cached);
        }
        Result<Optional<Long>> found = api.variantIdBySku(sku);
        if (found instanceof Result.Failed<Optional<Long>> failed) {
            return new Result.Failed<>(failed.outcome());
        }
        Optional<Long> id = ((Result.Ok<Optional<Long>>) found).value();
        if (id.isEmpty()) {
            return new Result.Failed<>(new DeliveryOutcome.PermanentFailure("SKU " + sku + " does not exist in Katana:"
                    + " create the variant or fix the SKU in Shopify", "unknown-sku"));
        }
        variantIds.put(sku, id.get());
        return new Result.Ok<>(id.get());
    }

    private ObjectNode adjustment(StockLevel level, String number, long locationId, long variantId, BigDecimal delta,
                                  Instant now) {
        ObjectNode body = json.createObjectNode();
        body.put("stock_adjustment_number", number);
        body.put("stock_adjustment_date", ADJUSTMENT_DATE.format(now));
        body.put("location_id", locationId);
        body.put("reason", REASON);
        body.put("additional_info", "inventory_item_id=" + level.inventoryItemId() + " location="
                + level.shopifyLocationId() + " available=" + level.available());
        ObjectNode row = body.putArray("stock_adjustment_rows").addObject();
        row.put("variant_id", variantId);
        BigDecimal quantity = delta.stripTrailingZeros();
        if (quantity.scale() <= 0) {
            row.put("quantity", quantity.longValueExact());
        } else {
            row.put("quantity", quantity);
        }
        return body;
    }

    /** Remembers the level Katana now holds; on a conflict the delivery is retried and measures again. */
    private DeliveryOutcome remember(ReportedLevels.Key key, ReportedLevels.State expected,
                                     ReportedLevels.Reported current, StockLevel level, Instant now) {
        if (reported.replace(key, expected, Optional.of(current), Optional.empty(), now).isEmpty()) {
            return busy(level, key, now);
        }
        return new DeliveryOutcome.Delivered();
    }

    private static DeliveryOutcome inContext(StockLevel level, DeliveryOutcome outcome) {
        if (outcome instanceof DeliveryOutcome.RetryLater retry) {
            return new DeliveryOutcome.RetryLater(where(level) + retry.reason(), retry.notBefore());
        }
        if (outcome instanceof DeliveryOutcome.PermanentFailure permanent) {
            return new DeliveryOutcome.PermanentFailure(where(level) + permanent.reason(), permanent.category());
        }
        return outcome;
    }

    private static String where(StockLevel level) {
        return "SKU " + level.sku() + " at Katana location " + level.locationRef() + ": ";
    }
}
