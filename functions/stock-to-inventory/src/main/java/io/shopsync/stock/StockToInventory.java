package io.shopsync.stock;

import io.shopsync.flow.EntityKeys;
import io.shopsync.flow.Flow;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.lambda.FlowFunction;
import io.shopsync.stock.Inventory;

/**
 * Shopify inventory levels become stock levels in the inventory system, per SKU and location: the SKU
 * the level lacks is resolved (never guessed), the location is mapped, and an older level never
 * follows a newer one.
 */
public final class StockToInventory extends FlowFunction {

    /**
     * A level is about one inventory item at one location; inventory_items/* keep the item's SKU
     * known (levels carry no SKU) and are about the item alone.
     */
    public static final Flow FLOW = Flow.named("stock-to-inventory")
            .accepts(EntityKeys.byIds("inventory-level", "inventory_item_id", "location_id"),
                    "inventory_levels/update", "inventory_levels/connect", "inventory_levels/disconnect")
            .accepts(EntityKeys.byId("inventory-item", "id"),
                    "inventory_items/create", "inventory_items/update");

    /** What Lambda calls. */
    public StockToInventory() {
        this(FlowEnvironment.fromLambda());
    }

    /** What tests and the local stack call. INVENTORY_TARGET picks the generic signed webhook or Katana. */
    public StockToInventory(FlowEnvironment environment) {
        super(FLOW, environment, Inventory.targets(environment, FLOW.name()));
    }
}
