package io.shopsync.connectors.inventory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.inventory.KatanaApi.Result;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.observability.Telemetry;
import java.math.BigDecimal;
import java.time.Clock;
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
 *   <li>A remembered level newer than this one: stale, nothing sent. The same delivery remembered
 *       already: duplicate.</li>
 *   <li>The baseline: the remembered level; when none is remembered (the first level for this SKU
 *       and location, or one not reported for the store's retention), Katana's current
 *       {@code quantity_in_stock} there. Shopify "available" is mirrored onto Katana "in stock": the
 *       first adjustment brings Katana's in-stock to Shopify's available, later ones move it by
 *       Shopify's changes. Units committed in Katana are Katana's own business.</li>
 *   <li>A zero delta: nothing sent; the level is remembered.</li>
 *   <li>The adjustment's number is derived from the delivery id ({@code SHOPSYNC-<16 hex>}): if Katana
 *       already has it (an earlier attempt crashed after Katana applied it, before the level was
 *       remembered), it is not sent again; else {@code POST /stock_adjustments}. Then the level is
 *       remembered.</li>
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
    static final String REASON = "Shopify inventory sync";
    private static final DateTimeFormatter ADJUSTMENT_DATE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final KatanaApi api;
    private final ReportedLevels reported;
    private final Telemetry telemetry;
    private final String flow;
    private final Clock clock;
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
        Optional<ReportedLevels.Reported> last = reported.last(key, now);
        if (last.isPresent() && last.get().sourceUpdatedAt().isAfter(level.sourceUpdatedAt())) {
            return new DeliveryOutcome.Stale("Katana was already given the level of " + last.get().sourceUpdatedAt()
                    + " for SKU " + level.sku() + " at location " + level.locationRef() + ", newer than this one ("
                    + level.sourceUpdatedAt() + ")");
        }
        if (last.isPresent() && last.get().deliveryId().equals(level.deliveryId())) {
            return new DeliveryOutcome.Duplicate("this level was already reported to Katana");
        }
        if (last.isPresent() && last.get().available() == level.available()) {
            remember(key, current, now);
            return new DeliveryOutcome.Delivered();
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
            remember(key, current, now);
            return new DeliveryOutcome.Delivered();
        }

        String number = StableIds.adjustmentNumber(level.deliveryId());
        Result<Boolean> exists = api.adjustmentExists(number);
        if (exists instanceof Result.Failed<Boolean> failed) {
            return inContext(level, failed.outcome());
        }
        if (((Result.Ok<Boolean>) exists).value()) {
            remember(key, current, now);
            return new DeliveryOutcome.Duplicate("Katana already has stock adjustment " + number
                    + " (an earlier attempt applied it)");
        }
        Result<?> created = api.createAdjustment(adjustment(level, number, locationId, variantId, delta, now));
        if (created instanceof Result.Failed<?> failed) {
            if (failed.outcome() instanceof DeliveryOutcome.PermanentFailure permanent
                    && permanent.category().equals("http-422") && permanent.reason().contains("stock_adjustment_number")
                    && api.adjustmentExists(number) instanceof Result.Ok<Boolean> again && again.value()) {
                // Another attempt created it between our check and our POST (its lease expired mid-call).
                remember(key, current, now);
                return new DeliveryOutcome.Duplicate("Katana already has stock adjustment " + number);
            }
            return inContext(level, failed.outcome());
        }
        remember(key, current, now);
        return new DeliveryOutcome.Delivered();
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

    private void remember(ReportedLevels.Key key, ReportedLevels.Reported level, Instant now) {
        if (!reported.remember(key, level, now)) {
            // Only possible if two attempts for one SKU and location ran at once, which FIFO groups prevent.
            telemetry.line(flow, "a newer level was remembered while this one was reported to Katana")
                    .field("target", NAME).field("shop", key.shop()).field("sku", key.sku())
                    .field("location", key.location()).field("deliveryId", level.deliveryId())
                    .count("ReportedLevelConflicts").emit();
        }
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
