package io.shopsync.connectors.hubspot;

import io.shopsync.connectors.ConnectorServices;
import io.shopsync.connectors.RateLimiter;
import io.shopsync.mapping.Mapping;
import java.time.Duration;

/**
 * Builds HubSpot connectors from their settings ({@link HubSpotSettings}) and the services connectors share. All
 * connectors built by one instance share one {@link HubSpotApi}: one token, read once, and one rate limit, since
 * HubSpot counts every request of the account against the same limit.
 */
public final class HubSpot {

    private final HubSpotSettings settings;
    private final ConnectorServices services;
    private HubSpotApi api;

    public HubSpot(HubSpotSettings settings, ConnectorServices services) {
        this.settings = settings;
        this.services = services;
    }

    public synchronized HubSpotApi api() {
        if (api == null) {
            api = new HubSpotApi(services.http(HubSpotOrders.NAME, settings.requestTimeout()), settings.baseUrl(),
                    settings.token(),
                    new RateLimiter(settings.requestsPer10Seconds(), Duration.ofSeconds(10), services.clock()),
                    services.json(), services.clock());
        }
        return api;
    }

    /** Orders and refunds: contacts, Commerce orders and their association. */
    public HubSpotOrders orders(String flow) {
        return new HubSpotOrders(api(),
                Mapping.load("hubspot-contact", HubSpotSchemas.CONTACTS, services.json()),
                Mapping.load("hubspot-order", HubSpotSchemas.ORDERS, services.json()),
                Mapping.load("hubspot-refund", HubSpotSchemas.ORDERS, services.json()),
                Mapping.load("hubspot-customer", HubSpotSchemas.CONTACTS, services.json()),
                services.telemetry(), flow);
    }

    /** Marketing consent (the consent topics): subscription statuses for the settings' subscription type. */
    public HubSpotConsent consent() {
        return new HubSpotConsent(api(), settings.subscriptionTypeId(), services.telemetry());
    }

    /** Privacy: {@code customers/redact} as HubSpot's GDPR delete of the contact. */
    public HubSpotPrivacy privacy() {
        return new HubSpotPrivacy(api(), services.telemetry());
    }

    /** Fulfilments: updates of the Commerce orders the order flow wrote, never creating one. */
    public HubSpotFulfilments fulfilments() {
        return new HubSpotFulfilments(api(),
                Mapping.load(HubSpotFulfilments.MAPPING, HubSpotSchemas.ORDERS, services.json()));
    }
}
