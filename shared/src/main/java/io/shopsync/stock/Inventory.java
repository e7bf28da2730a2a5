package io.shopsync.stock;

import io.shopsync.connectors.RateLimiter;
import io.shopsync.connectors.inventory.InventorySystem;
import io.shopsync.connectors.inventory.KatanaApi;
import io.shopsync.connectors.inventory.KatanaInventory;
import io.shopsync.connectors.inventory.StandardWebhooksInventory;
import io.shopsync.delivery.Target;
import io.shopsync.lambda.FlowEnvironment;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Builds the stock flow's targets from its environment. {@code INVENTORY_TARGET}: {@code webhook}
 * (generic signed HTTP: {@code INVENTORY_WEBHOOK_URL}, {@code INVENTORY_WEBHOOK_SECRET_ID}) or
 * {@code katana} ({@code KATANA_API_KEY_SECRET_ID}, {@code KATANA_REQUESTS_PER_MINUTE}, default 60).
 * {@code STOCK_QUANTITY}: {@code available} (default) or {@code on_hand}, the Shopify quantity Katana's
 * in-stock mirrors ({@link StockQuantity}; the webhook target sends available only). Both need {@code LOCATION_MAPPING} and, for SKUs the cache does not hold,
 * {@code SHOPIFY_ADMIN_TOKENS_SECRET_ID} ({@code SHOPIFY_API_VERSION}, default 2026-10). The inline
 * forms ({@code INVENTORY_WEBHOOK_SECRET}, {@code KATANA_API_KEY}, {@code SHOPIFY_ADMIN_TOKENS}) are for
 * local runs; {@code KATANA_BASE_URL} and {@code SHOPIFY_ADMIN_BASE_URL} for tests.
 */
public final class Inventory {

    private Inventory() {}

    public static List<Target> targets(FlowEnvironment environment, String flow) {
        return environment.enabledTargets("INVENTORY_TARGET", Map.of(
                StandardWebhooksInventory.NAME, () -> target(environment, flow, webhook(environment), locations(environment),
                        availableOnly(environment)),
                KatanaInventory.NAME, () -> target(environment, flow, katana(environment, flow),
                        locations(environment).requireOneToOne(KatanaInventory.NAME),
                        StockQuantity.parse(environment.setting("STOCK_QUANTITY"), "STOCK_QUANTITY"))));
    }

    private static Target target(FlowEnvironment environment, String flow, InventorySystem system,
                                 LocationMapping locations, StockQuantity quantity) {
        return new InventoryTarget(system, environment.skuCache(), environment.shopifyAdmin(), locations, quantity,
                environment.telemetry(), flow, environment.clock());
    }

    /** The generic webhook's payload names its field {@code available}: it sends nothing else. */
    private static StockQuantity availableOnly(FlowEnvironment environment) {
        if (StockQuantity.parse(environment.setting("STOCK_QUANTITY"), "STOCK_QUANTITY") != StockQuantity.AVAILABLE) {
            throw new IllegalStateException("STOCK_QUANTITY=on_hand is for INVENTORY_TARGET=katana: the webhook"
                    + " target sends Shopify's available quantity under that name; unset STOCK_QUANTITY");
        }
        return StockQuantity.AVAILABLE;
    }

    private static LocationMapping locations(FlowEnvironment environment) {
        return LocationMapping.parse(environment.setting("LOCATION_MAPPING"), "LOCATION_MAPPING", environment.json());
    }

    private static InventorySystem webhook(FlowEnvironment environment) {
        String url = environment.requiredSetting("INVENTORY_WEBHOOK_URL");
        return new StandardWebhooksInventory(environment.targetHttp(StandardWebhooksInventory.NAME, Duration.ofSeconds(15)),
                URI.create(url),
                environment.credential("inventory webhook signing secret", "INVENTORY_WEBHOOK_SECRET_ID",
                        "INVENTORY_WEBHOOK_SECRET"),
                environment.json(), environment.clock());
    }

    private static InventorySystem katana(FlowEnvironment environment, String flow) {
        String baseUrl = environment.setting("KATANA_BASE_URL");
        KatanaApi api = new KatanaApi(environment.targetHttp(KatanaInventory.NAME, Duration.ofSeconds(10)),
                baseUrl == null ? KatanaApi.DEFAULT_BASE_URL : baseUrl,
                environment.credential("Katana API key", "KATANA_API_KEY_SECRET_ID", "KATANA_API_KEY"),
                new RateLimiter(environment.setting("KATANA_REQUESTS_PER_MINUTE", 60), Duration.ofSeconds(60),
                        environment.clock()),
                environment.json(), environment.clock());
        return new KatanaInventory(api, environment.reportedLevels(), environment.telemetry(), flow, environment.json(),
                environment.clock());
    }
}
