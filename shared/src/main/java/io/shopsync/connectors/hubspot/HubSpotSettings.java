package io.shopsync.connectors.hubspot;

import io.shopsync.connectors.CachedSecret;
import java.time.Duration;
import java.util.Optional;

/**
 * What a deployment says about HubSpot, as values ({@code lambda.FlowEnvironment} reads them from the function's
 * environment).
 *
 * @param token the private app token or service key
 * @param baseUrl HubSpot's API ({@link HubSpotApi#DEFAULT_BASE_URL}; a stand-in's in tests)
 * @param requestsPer10Seconds the account's burst limit: 100 on Free/Starter, 190 on Professional/Enterprise
 * @param subscriptionTypeId the subscription type marketing consent is written for
 * @param requestTimeout how long one request may take
 */
public record HubSpotSettings(CachedSecret token, String baseUrl, int requestsPer10Seconds,
                              Optional<Long> subscriptionTypeId, Duration requestTimeout) {

    public static final int DEFAULT_REQUESTS_PER_10_SECONDS = 100;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    public HubSpotSettings {
        if (token == null) {
            throw new IllegalArgumentException("HubSpotSettings needs the token");
        }
        baseUrl = baseUrl == null ? HubSpotApi.DEFAULT_BASE_URL : baseUrl;
        subscriptionTypeId = subscriptionTypeId == null ? Optional.empty() : subscriptionTypeId;
        requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
    }

    /** A subscription type id as {@code setting} gives it: HubSpot's numeric id, or nothing when blank. */
    public static Optional<Long> subscriptionTypeId(String value, String setting) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        if (!value.trim().matches("[1-9][0-9]{0,17}")) {
            throw new IllegalStateException(setting + " must be HubSpot's numeric subscription type id, got " + value);
        }
        return Optional.of(Long.parseLong(value.trim()));
    }
}
