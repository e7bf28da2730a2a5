package io.shopsync.connectors.hubspot;

import io.shopsync.connectors.ConnectorServices;
import io.shopsync.connectors.RequestPermits;
import io.shopsync.mapping.Mapping;

/**
 * Builds HubSpot connectors from their settings ({@link HubSpotSettings}) and the services connectors share. All
 * connectors built by one instance share one {@link HubSpotApi}: one token, read once, and one request limit, since
 * HubSpot counts every request of the account against the same limit. The limit is given, not built here: deployed,
 * it is the account's budget shared by every instance of both flows through the delivery table
 * ({@code connectors.DynamoDbRequestBudget}); {@code lambda.FlowEnvironment} makes one per account and container.
 */
public final class HubSpot {

    private final HubSpotSettings settings;
    private final ConnectorServices services;
    private final RequestPermits limit;
    private HubSpotApi api;

    /** @param limit the account's request limit ({@link HubSpotSettings#requestsPer10Seconds()} per 10 s) */
    public HubSpot(HubSpotSettings settings, ConnectorServices services, RequestPermits limit) {
        this.settings = settings;
        this.services = services;
        this.limit = limit;
    }

    public synchronized HubSpotApi api() {
        if (api == null) {
            api = new HubSpotApi(services.http(HubSpotOrders.NAME, settings.requestTimeout()), settings.baseUrl(),
                    settings.token(), limit, services.json(), services.clock());
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
