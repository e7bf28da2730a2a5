package io.shopsync.flow;

/**
 * The stock flow's topics and entities, in shared/ because three places read them: the stock flow's own
 * function (which delivers), the reconciler (whose stock drift queues corrections under the same keys, and
 * whose subscription check expects these topics) and the CLI ({@code webhooks register}).
 */
public final class StockFlow {

    /**
     * A level is about one inventory item at one location; inventory_items/* keep the item's SKU
     * known (levels carry no SKU) and are about the item alone.
     */
    public static final Flow FLOW = Flow.named("stock-to-inventory")
            .accepts(EntityKeys.byIds("inventory-level", "inventory_item_id", "location_id"),
                    "inventory_levels/update", "inventory_levels/connect", "inventory_levels/disconnect")
            .accepts(EntityKeys.byId("inventory-item", "id"),
                    "inventory_items/create", "inventory_items/update");

    private StockFlow() {}
}
