package io.shopsync.connectors.klaviyo;

import io.shopsync.connectors.CachedSecret;
import java.time.Duration;
import java.util.Optional;

/**
 * What a deployment says about Klaviyo, as values ({@code lambda.FlowEnvironment} reads them from the function's
 * environment).
 *
 * @param apiKey the private API key
 * @param baseUrl Klaviyo's API ({@link KlaviyoApi#DEFAULT_BASE_URL}; a stand-in's in tests)
 * @param orderEvents false sends profiles only (for stores running Klaviyo's native Shopify integration, so revenue
 *                    is not counted twice); for fulfilments, false sends nothing
 * @param listId the list marketing consent subscribes to
 * @param requestTimeout how long one request may take
 */
public record KlaviyoSettings(CachedSecret apiKey, String baseUrl, boolean orderEvents, Optional<String> listId,
                              Duration requestTimeout) {

    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    public KlaviyoSettings {
        if (apiKey == null) {
            throw new IllegalArgumentException("KlaviyoSettings needs the API key");
        }
        baseUrl = baseUrl == null ? KlaviyoApi.DEFAULT_BASE_URL : baseUrl;
        listId = listId == null ? Optional.empty() : listId;
        requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
    }

    /** Whether order events are sent, as {@code setting} gives it: true unless false; anything else fails the cold start. */
    public static boolean orderEvents(String value, String setting) {
        if (value != null && !value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new IllegalStateException(setting + " must be true or false, got " + value);
        }
        return value == null || value.equalsIgnoreCase("true");
    }
}
