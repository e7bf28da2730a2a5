package io.shopsync.connectors.klaviyo;

import io.shopsync.connectors.ConnectorServices;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.mapping.Mapping;
import java.util.Optional;

/** Builds Klaviyo connectors from their settings ({@link KlaviyoSettings}) and the services connectors share. */
public final class Klaviyo {

    public static final String NAME = "klaviyo";

    private final KlaviyoSettings settings;
    private final ConnectorServices services;

    public Klaviyo(KlaviyoSettings settings, ConnectorServices services) {
        this.settings = settings;
        this.services = services;
    }

    public KlaviyoOrders orders() {
        return new KlaviyoOrders(services.http(NAME, settings.requestTimeout()), settings.baseUrl(), settings.apiKey(),
                KlaviyoMappings.load(services.json()), settings.orderEvents(), services.telemetry(), services.json(),
                services.clock());
    }

    /** Marketing consent (the consent topics): subscriptions to the settings' list. */
    public KlaviyoConsent consent() {
        return new KlaviyoConsent(api(), settings.listId(), services.telemetry());
    }

    /** Privacy: {@code customers/redact} as Klaviyo data privacy deletion jobs. */
    public KlaviyoPrivacy privacy() {
        return new KlaviyoPrivacy(api(), services.telemetry());
    }

    /**
     * Fulfilments: Fulfilled Order and Fulfilled Partial Order events; none when the settings turn order events off
     * (Klaviyo's native Shopify integration records those metrics itself).
     *
     * @param orders where a fulfilment without e-mail finds its order's, when a Shopify Admin API token is configured
     */
    public KlaviyoFulfilments fulfilments(Optional<ShopifyAdmin> orders) {
        return new KlaviyoFulfilments(api(), orders,
                Mapping.load(KlaviyoFulfilments.MAPPING, KlaviyoSchemas.EVENT, services.json()),
                settings.orderEvents(), services.telemetry(), services.json());
    }

    private KlaviyoApi api() {
        return new KlaviyoApi(services.http(NAME, settings.requestTimeout()), settings.baseUrl(), settings.apiKey(),
                services.json(), services.clock());
    }
}
