package io.shopsync.stock;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopsync.connectors.inventory.InventorySystem;
import io.shopsync.connectors.inventory.StockLevel;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.connectors.shopify.ShopifyAdmin.ItemLookup;
import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.Target;
import io.shopsync.flow.EntityKeys;
import io.shopsync.flow.PayloadValue;
import io.shopsync.flow.UnprocessableWebhookException;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.SqsIds;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Shopify stock into an inventory system. inventory_levels/update carries no SKU: it is resolved
 * from the SKU cache (kept by inventory_items/* webhooks) or, on a miss, Shopify's Admin API; an
 * item without a SKU, or untracked, fails with that reason and is never guessed. The location is
 * translated through the deployment's location mapping. The quantity reported is the payload's
 * {@code available}, or with {@link StockQuantity#ON_HAND} Shopify's on-hand, read through the Admin API. inventory_levels/connect reports the level
 * it carries; inventory_levels/disconnect reports nothing (the inventory system owns its stock;
 * disconnecting a location in Shopify is not a stock change) and is counted.
 */
public final class InventoryTarget implements Target {

    private final InventorySystem system;
    private final SkuCache skus;
    private final ShopifyAdmin shopify;
    private final LocationMapping locations;
    private final StockQuantity quantity;
    private final Telemetry telemetry;
    private final String flow;
    private final Clock clock;

    /** @param quantity which Shopify quantity the system's stock mirrors (setting {@code STOCK_QUANTITY}) */
    public InventoryTarget(InventorySystem system, SkuCache skus, ShopifyAdmin shopify, LocationMapping locations,
                           StockQuantity quantity, Telemetry telemetry, String flow, Clock clock) {
        this.system = system;
        this.skus = skus;
        this.shopify = shopify;
        this.locations = locations;
        this.quantity = quantity;
        this.telemetry = telemetry;
        this.flow = flow;
        this.clock = clock;
    }

    @Override
    public String name() {
        return system.name();
    }

    @Override
    public List<DeliveryOutcome> deliver(List<DeliveryItem> items) {
        Instant now = clock.instant();
        DeliveryOutcome[] outcomes = new DeliveryOutcome[items.size()];
        List<StockLevel> levels = new ArrayList<>();
        List<Integer> levelIndexes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            DeliveryItem item = items.get(i);
            try {
                Plan plan = plan(item, now);
                if (plan.level() != null) {
                    levels.add(plan.level());
                    levelIndexes.add(i);
                } else {
                    outcomes[i] = plan.outcome();
                }
            } catch (UnprocessableWebhookException e) {
                outcomes[i] = new DeliveryOutcome.PermanentFailure(e.getMessage(), "unprocessable");
            }
        }
        if (!levels.isEmpty()) {
            List<DeliveryOutcome> reported = system.report(levels);
            for (int j = 0; j < levelIndexes.size(); j++) {
                outcomes[levelIndexes.get(j)] = reported.get(j);
            }
        }
        return List.of(outcomes);
    }

    /** A stock level to report, or the item's outcome when there is none. */
    private record Plan(StockLevel level, DeliveryOutcome outcome) {
        static Plan report(StockLevel level) {
            return new Plan(level, null);
        }

        static Plan done(DeliveryOutcome outcome) {
            return new Plan(null, outcome);
        }
    }

    private Plan plan(DeliveryItem item, Instant now) {
        JsonNode payload = item.payload();
        String shop = item.shop();
        switch (item.topic()) {
            case "inventory_items/create":
            case "inventory_items/update":
                String itemId = EntityKeys.id(payload, "id");
                String sku = payload.path("sku").isTextual() && !payload.path("sku").asText().isBlank()
                        ? payload.path("sku").asText().trim() : null;
                skus.put(shop, itemId, new SkuCache.Item(sku, payload.path("tracked").asBoolean(true)),
                        timestamp(payload, "updated_at").orElse(now), now);
                return Plan.done(new DeliveryOutcome.Delivered());
            case "inventory_levels/disconnect":
                count(item, "LevelsDisconnected", "location disconnected in Shopify: nothing reported");
                return Plan.done(new DeliveryOutcome.Delivered());
            case "inventory_levels/update":
            case "inventory_levels/connect":
                return level(item, payload, shop, now);
            default:
                return Plan.done(new DeliveryOutcome.PermanentFailure("the inventory target does not handle topic "
                        + item.topic(), "unsupported-topic"));
        }
    }

    private Plan level(DeliveryItem item, JsonNode payload, String shop, Instant now) {
        String itemId = EntityKeys.id(payload, "inventory_item_id");
        String locationId = EntityKeys.id(payload, "location_id");
        LocationMapping.Decision decision = locations.decide(locationId);
        if (decision instanceof LocationMapping.Decision.Unmapped) {
            return Plan.done(new DeliveryOutcome.PermanentFailure("Shopify location " + locationId
                    + " is not in LOCATION_MAPPING: add it (with the inventory system's location, or null to leave it "
                    + "unsynced), then redrive", "unmapped-location"));
        }
        if (decision instanceof LocationMapping.Decision.NotSynced) {
            count(item, "LevelsNotSynced", "location " + locationId + " is mapped to null: not synced");
            return Plan.done(new DeliveryOutcome.Delivered());
        }
        Optional<SkuCache.Item> cached = skus.get(shop, itemId, now);
        SkuCache.Item resolved;
        if (cached.isPresent() && cached.get().sku() != null) {
            resolved = cached.get();
        } else {
            ItemLookup lookup = shopify.inventoryItem(shop, itemId);
            if (lookup instanceof ItemLookup.Failed failed) {
                return Plan.done(failed.outcome());
            }
            if (lookup instanceof ItemLookup.NotFound) {
                return Plan.done(new DeliveryOutcome.PermanentFailure("inventory item " + itemId + " does not exist in "
                        + shop + " (deleted since the webhook?): nothing to report", "unknown-item"));
            }
            ItemLookup.Found found = (ItemLookup.Found) lookup;
            resolved = new SkuCache.Item(found.sku(), found.tracked());
            skus.put(shop, itemId, resolved, now, now);
            count(item, "SkuLookups", "SKU resolved through the Admin API");
        }
        if (resolved.sku() == null) {
            return Plan.done(new DeliveryOutcome.PermanentFailure("inventory item " + itemId + " has no SKU in Shopify: "
                    + "the stock cannot be matched in the inventory system; set the variant's SKU, then redrive", "no-sku"));
        }
        if (!resolved.tracked()) {
            return Plan.done(new DeliveryOutcome.PermanentFailure("inventory item " + itemId + " (SKU " + resolved.sku()
                    + ") is not tracked in Shopify: its levels mean nothing; track it, then redrive", "untracked"));
        }
        JsonNode available = payload.get("available");
        Integer level = available == null || available.isNull() ? null : available.asInt();
        if (quantity == StockQuantity.ON_HAND) {
            // Read at delivery, so at least as new as the webhook's updated_at, which stays the level's version.
            ShopifyAdmin.QuantityLookup onHand = shopify.onHand(shop, itemId, locationId);
            if (onHand instanceof ShopifyAdmin.QuantityLookup.Failed failed) {
                return Plan.done(failed.outcome());
            }
            if (onHand instanceof ShopifyAdmin.QuantityLookup.NotFound) {
                return Plan.done(new DeliveryOutcome.PermanentFailure("inventory item " + itemId + " is not stocked at"
                        + " Shopify location " + locationId + " any more (disconnected since the webhook?): no on-hand"
                        + " quantity to report; discard the dead letter, or redrive once it is stocked there",
                        "unknown-level"));
            }
            level = ((ShopifyAdmin.QuantityLookup.Found) onHand).quantity();
        }
        Instant updatedAt = timestamp(payload, "updated_at").orElse(item.envelope().triggeredAt() != null
                ? item.envelope().triggeredAt() : now);
        String deliveryId = SqsIds.fit(shop + ":" + (item.envelope().webhookId() != null ? item.envelope().webhookId()
                : itemId + ":" + locationId + ":" + updatedAt));
        // No variant id: the look-up asks only for what is used (InventoryItem.variant needs read_products).
        return Plan.report(new StockLevel(shop, resolved.sku(), itemId, null, locationId,
                ((LocationMapping.Decision.Report) decision).locationRef(), level, updatedAt, deliveryId));
    }

    private static Optional<Instant> timestamp(JsonNode payload, String field) {
        JsonNode value = payload.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(value.asText()).toInstant());
        } catch (DateTimeParseException e) {
            throw new UnprocessableWebhookException(field + " is not an ISO-8601 timestamp: " + PayloadValue.describe(value));
        }
    }

    private void count(DeliveryItem item, String metric, String message) {
        telemetry.line(flow, message).field("target", name()).field("topic", item.topic())
                .field("webhookId", item.envelope().webhookId()).field("entity", item.envelope().entity())
                .count(metric).emit();
    }
}
