package io.shopsync.connectors.klaviyo;

import io.shopsync.lambda.FlowEnvironment;
import java.time.Duration;

/**
 * Builds Klaviyo connectors from a flow's environment: {@code KLAVIYO_API_KEY_SECRET_ID} (the private
 * key in Secrets Manager; or {@code KLAVIYO_API_KEY} for local runs), {@code KLAVIYO_ORDER_EVENTS}
 * (default true; false sends profiles only, for stores running Klaviyo's native Shopify integration,
 * so revenue is not counted twice), {@code KLAVIYO_BASE_URL} (tests).
 */
public final class Klaviyo {

    public static final String NAME = "klaviyo";

    private Klaviyo() {}

    public static KlaviyoOrders orders(FlowEnvironment environment) {
        String baseUrl = environment.setting("KLAVIYO_BASE_URL");
        String events = environment.setting("KLAVIYO_ORDER_EVENTS");
        if (events != null && !events.equalsIgnoreCase("true") && !events.equalsIgnoreCase("false")) {
            throw new IllegalStateException("KLAVIYO_ORDER_EVENTS must be true or false, got " + events);
        }
        return new KlaviyoOrders(environment.targetHttp(NAME, Duration.ofSeconds(10)),
                baseUrl == null ? KlaviyoApi.DEFAULT_BASE_URL : baseUrl,
                environment.credential("Klaviyo private API key", "KLAVIYO_API_KEY_SECRET_ID", "KLAVIYO_API_KEY"),
                KlaviyoMappings.load(environment.json()), events == null || events.equalsIgnoreCase("true"),
                environment.telemetry(), environment.json(), environment.clock());
    }
}
