package io.shopsync.stock;

import io.shopsync.connectors.inventory.KatanaInventory;
import io.shopsync.connectors.inventory.StandardWebhooksInventory;
import io.shopsync.flow.Flow;
import io.shopsync.flow.StockFlow;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.lambda.FlowFunction;
import java.util.Map;

/**
 * Shopify inventory levels become stock levels in the inventory system, per SKU and location: the SKU
 * the level lacks is resolved (never guessed), the location is mapped, and an older level never
 * follows a newer one.
 */
public final class StockToInventory extends FlowFunction {

    /** The flow's topics and entities live in shared/ ({@link StockFlow}): the reconciler queues under the same keys. */
    public static final Flow FLOW = StockFlow.FLOW;

    /** What Lambda calls. */
    public StockToInventory() {
        this(FlowEnvironment.fromLambda());
    }

    /** What tests and the local stack call. INVENTORY_TARGET picks the generic signed webhook or Katana ({@link Inventory}). */
    public StockToInventory(FlowEnvironment environment) {
        super(FLOW, environment, environment.enabledTargets("INVENTORY_TARGET", Map.of(
                StandardWebhooksInventory.NAME, () -> {
                    Inventory.WebhookSettings webhook = environment.inventoryWebhookSettings();
                    return environment.inventory().webhook(webhook, FLOW.name());
                },
                KatanaInventory.NAME, () -> {
                    Inventory.KatanaSettings katana = environment.katanaSettings();
                    return environment.inventory().katana(katana, environment.reportedLevels(), FLOW.name());
                })));
    }
}
