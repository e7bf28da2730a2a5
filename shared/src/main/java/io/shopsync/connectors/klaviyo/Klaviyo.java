package io.shopsync.connectors.klaviyo;

import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.mapping.Mapping;
import java.time.Duration;
import java.util.Optional;

/**
 * Builds Klaviyo connectors from a flow's environment: {@code KLAVIYO_API_KEY_SECRET_ID} (the private
 * key in Secrets Manager; or {@code KLAVIYO_API_KEY} for local runs), {@code KLAVIYO_ORDER_EVENTS}
 * (default true; false sends profiles only, for stores running Klaviyo's native Shopify integration,
 * so revenue is not counted twice; for fulfilments, false sends nothing), {@code KLAVIYO_LIST_ID} (the list
 * marketing consent subscribes to), {@code KLAVIYO_BASE_URL} (tests).
 */
public final class Klaviyo {

    public static final String NAME = "klaviyo";

    private Klaviyo() {}

    public static KlaviyoOrders orders(FlowEnvironment environment) {
        String baseUrl = environment.setting("KLAVIYO_BASE_URL");
        return new KlaviyoOrders(environment.targetHttp(NAME, Duration.ofSeconds(10)),
                baseUrl == null ? KlaviyoApi.DEFAULT_BASE_URL : baseUrl,
                environment.credential("Klaviyo private API key", "KLAVIYO_API_KEY_SECRET_ID", "KLAVIYO_API_KEY"),
                KlaviyoMappings.load(environment.json()), orderEvents(environment),
                environment.telemetry(), environment.json(), environment.clock());
    }

    /**
     * Marketing consent (the consent topics, ORDER_FLOW_CONSENT_TOPICS): subscriptions to {@code KLAVIYO_LIST_ID}.
     */
    public static KlaviyoConsent consent(FlowEnvironment environment) {
        return new KlaviyoConsent(api(environment), Optional.ofNullable(environment.setting("KLAVIYO_LIST_ID")),
                environment.telemetry());
    }

    /** Privacy: {@code customers/redact} as Klaviyo data privacy deletion jobs. */
    public static KlaviyoPrivacy privacy(FlowEnvironment environment) {
        return new KlaviyoPrivacy(api(environment), environment.telemetry());
    }

    private static KlaviyoApi api(FlowEnvironment environment) {
        String baseUrl = environment.setting("KLAVIYO_BASE_URL");
        return new KlaviyoApi(environment.targetHttp(NAME, Duration.ofSeconds(10)),
                baseUrl == null ? KlaviyoApi.DEFAULT_BASE_URL : baseUrl,
                environment.credential("Klaviyo private API key", "KLAVIYO_API_KEY_SECRET_ID", "KLAVIYO_API_KEY"),
                environment.json(), environment.clock());
    }

    /**
     * Fulfilments: Fulfilled Order and Fulfilled Partial Order events. {@code KLAVIYO_ORDER_EVENTS=false}
     * sends nothing: Klaviyo's native Shopify integration records those metrics itself.
     */
    public static KlaviyoFulfilments fulfilments(FlowEnvironment environment) {
        KlaviyoApi api = api(environment);
        // Fulfilments may come without e-mail: with a Shopify Admin API token, the order's is looked up.
        return new KlaviyoFulfilments(api,
                environment.hasShopifyAdmin() ? Optional.of(environment.shopifyAdmin()) : Optional.empty(),
                Mapping.load(KlaviyoFulfilments.MAPPING, KlaviyoSchemas.EVENT, environment.json()),
                orderEvents(environment), environment.telemetry(), environment.json());
    }

    /** KLAVIYO_ORDER_EVENTS: true unless set to false; anything else fails the cold start. */
    private static boolean orderEvents(FlowEnvironment environment) {
        String events = environment.setting("KLAVIYO_ORDER_EVENTS");
        if (events != null && !events.equalsIgnoreCase("true") && !events.equalsIgnoreCase("false")) {
            throw new IllegalStateException("KLAVIYO_ORDER_EVENTS must be true or false, got " + events);
        }
        return events == null || events.equalsIgnoreCase("true");
    }
}
