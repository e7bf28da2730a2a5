package io.shopsync.stock;

import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.ConnectorServices;
import io.shopsync.connectors.RateLimiter;
import io.shopsync.connectors.inventory.InventorySystem;
import io.shopsync.connectors.inventory.KatanaApi;
import io.shopsync.connectors.inventory.KatanaInventory;
import io.shopsync.connectors.inventory.ReportedLevels;
import io.shopsync.connectors.inventory.StandardWebhooksInventory;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.delivery.Target;
import java.net.URI;
import java.time.Duration;

/**
 * Builds the stock flow's targets from their settings: the generic signed webhook ({@link WebhookSettings}) or
 * Katana ({@link KatanaSettings}), each behind an {@link InventoryTarget} that resolves SKUs (the cache, then
 * Shopify's Admin API) and maps locations ({@link Settings}). {@code lambda.FlowEnvironment} reads the settings from
 * the function's environment.
 */
public final class Inventory {

    /**
     * What every inventory target shares.
     *
     * @param locations Shopify location id to the inventory system's location
     * @param quantity the Shopify quantity the inventory system mirrors ({@link StockQuantity})
     */
    public record Settings(LocationMapping locations, StockQuantity quantity) {
        public Settings {
            if (locations == null || quantity == null) {
                throw new IllegalArgumentException("Inventory.Settings needs the location mapping and the quantity");
            }
        }
    }

    /** The generic signed webhook (Standard Webhooks): where it posts and the secret it signs with. */
    public record WebhookSettings(URI url, CachedSecret signingSecret, Duration requestTimeout) {
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(15);

        public WebhookSettings {
            if (url == null || signingSecret == null) {
                throw new IllegalArgumentException("Inventory.WebhookSettings needs the URL and the signing secret");
            }
            requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
        }
    }

    /** Katana MRP: its API key, base URL ({@link KatanaApi#DEFAULT_BASE_URL}; a stand-in's in tests) and rate. */
    public record KatanaSettings(CachedSecret apiKey, String baseUrl, int requestsPerMinute, Duration requestTimeout) {
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

        public KatanaSettings {
            if (apiKey == null) {
                throw new IllegalArgumentException("Inventory.KatanaSettings needs the API key");
            }
            baseUrl = baseUrl == null ? KatanaApi.DEFAULT_BASE_URL : baseUrl;
            requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
        }
    }

    private final Settings settings;
    private final SkuCache skus;
    private final ShopifyAdmin shopify;
    private final ConnectorServices services;

    public Inventory(Settings settings, SkuCache skus, ShopifyAdmin shopify, ConnectorServices services) {
        this.settings = settings;
        this.skus = skus;
        this.shopify = shopify;
        this.services = services;
    }

    /** The generic signed webhook. Its payload names its field {@code available}: it sends nothing else. */
    public Target webhook(WebhookSettings webhook, String flow) {
        InventorySystem system = new StandardWebhooksInventory(
                services.http(StandardWebhooksInventory.NAME, webhook.requestTimeout()), webhook.url(),
                webhook.signingSecret(), services.json(), services.clock());
        if (settings.quantity() != StockQuantity.AVAILABLE) {
            throw new IllegalStateException("STOCK_QUANTITY=on_hand is for INVENTORY_TARGET=katana: the webhook"
                    + " target sends Shopify's available quantity under that name; unset STOCK_QUANTITY");
        }
        return target(system, settings.locations(), StockQuantity.AVAILABLE, flow);
    }

    /** Katana: one Katana location per Shopify location, deltas from what {@code reported} says Katana was given. */
    public Target katana(KatanaSettings katana, ReportedLevels reported, String flow) {
        KatanaApi api = new KatanaApi(services.http(KatanaInventory.NAME, katana.requestTimeout()), katana.baseUrl(),
                katana.apiKey(), new RateLimiter(katana.requestsPerMinute(), Duration.ofSeconds(60), services.clock()),
                services.json(), services.clock());
        InventorySystem system = new KatanaInventory(api, reported, services.telemetry(), flow, services.json(),
                services.clock());
        return target(system, settings.locations().requireOneToOne(KatanaInventory.NAME), settings.quantity(), flow);
    }

    private Target target(InventorySystem system, LocationMapping locations, StockQuantity quantity, String flow) {
        return new InventoryTarget(system, skus, shopify, locations, quantity, services.telemetry(), flow,
                services.clock());
    }
}
