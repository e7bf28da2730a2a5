package io.shopsync.connectors.hubspot;

import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.mapping.Mapping;
import java.time.Duration;
import java.util.Optional;

/**
 * Builds HubSpot connectors from a flow's environment:
 * {@code HUBSPOT_TOKEN_SECRET_ID} (the private app token or service key in Secrets Manager; or
 * {@code HUBSPOT_TOKEN} for local runs), {@code HUBSPOT_REQUESTS_PER_10S} (100 on Free/Starter, 190 on
 * Professional/Enterprise; default 100: the account's limit, shared by every instance of both flows through the
 * delivery table), {@code HUBSPOT_CALLER_CONCURRENCY} (each HubSpot-calling function's maximum concurrency,
 * comma-separated: each instance's share when the table cannot be reached), {@code HUBSPOT_SUBSCRIPTION_TYPE_ID} (the subscription type marketing
 * consent is written for), {@code HUBSPOT_BASE_URL} (tests).
 */
public final class HubSpot {

    private HubSpot() {}

    public static HubSpotApi api(FlowEnvironment environment) {
        String baseUrl = environment.setting("HUBSPOT_BASE_URL");
        return new HubSpotApi(environment.targetHttp(HubSpotOrders.NAME, Duration.ofSeconds(10)),
                baseUrl == null ? HubSpotApi.DEFAULT_BASE_URL : baseUrl,
                environment.credential("HubSpot token", "HUBSPOT_TOKEN_SECRET_ID", "HUBSPOT_TOKEN"),
                environment.requestLimit("hubspot#" + account(environment),
                        environment.setting("HUBSPOT_REQUESTS_PER_10S", 100), Duration.ofSeconds(10),
                        environment.settingTotal("HUBSPOT_CALLER_CONCURRENCY", 4)), // the template's least: 2 per flow
                environment.json(), environment.clock());
    }

    /** Which HubSpot account a budget counts for: the token's secret (the flows of a stack share it), not the token. */
    private static String account(FlowEnvironment environment) {
        String secretId = environment.setting("HUBSPOT_TOKEN_SECRET_ID");
        return secretId != null ? secretId : "HUBSPOT_TOKEN";
    }

    /** Orders and refunds: contacts, Commerce orders and their association. */
    public static HubSpotOrders orders(FlowEnvironment environment, String flow) {
        return new HubSpotOrders(api(environment),
                Mapping.load("hubspot-contact", HubSpotSchemas.CONTACTS, environment.json()),
                Mapping.load("hubspot-order", HubSpotSchemas.ORDERS, environment.json()),
                Mapping.load("hubspot-refund", HubSpotSchemas.ORDERS, environment.json()),
                Mapping.load("hubspot-customer", HubSpotSchemas.CONTACTS, environment.json()),
                environment.telemetry(), flow);
    }

    /**
     * Marketing consent (the consent topics, ORDER_FLOW_CONSENT_TOPICS): subscription statuses for
     * {@code HUBSPOT_SUBSCRIPTION_TYPE_ID}.
     */
    public static HubSpotConsent consent(FlowEnvironment environment) {
        String id = environment.setting("HUBSPOT_SUBSCRIPTION_TYPE_ID");
        Optional<Long> subscriptionTypeId = Optional.empty();
        if (id != null && !id.isBlank()) {
            if (!id.trim().matches("[1-9][0-9]{0,17}")) {
                throw new IllegalStateException("HUBSPOT_SUBSCRIPTION_TYPE_ID must be HubSpot's numeric subscription"
                        + " type id, got " + id);
            }
            subscriptionTypeId = Optional.of(Long.parseLong(id.trim()));
        }
        return new HubSpotConsent(api(environment), subscriptionTypeId, environment.telemetry());
    }

    /** Privacy: {@code customers/redact} as HubSpot's GDPR delete of the contact. */
    public static HubSpotPrivacy privacy(FlowEnvironment environment) {
        return new HubSpotPrivacy(api(environment), environment.telemetry());
    }

    /** Fulfilments: updates of the Commerce orders the order flow wrote, never creating one. */
    public static HubSpotFulfilments fulfilments(FlowEnvironment environment) {
        return new HubSpotFulfilments(api(environment),
                Mapping.load(HubSpotFulfilments.MAPPING, HubSpotSchemas.ORDERS, environment.json()));
    }
}
