package io.shopsync.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.http.TargetHttp;
import io.shopsync.http.TargetResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;

/**
 * Shopify's client credentials grant: a Dev Dashboard app installed on a store its organization owns
 * exchanges its client id and secret for an Admin API access token ({@code POST
 * https://<shop>/admin/oauth/access_token}, form-encoded {@code grant_type=client_credentials}); the answer
 * carries {@code access_token}, {@code scope} and {@code expires_in} (86399 seconds). Neither the secret nor
 * the token ever enters a failure reason: reasons hold the status and the answer's error code only.
 */
public final class ClientCredentialsGrant {

    private final TargetHttp http;
    private final String baseUrlOverride;
    private final ObjectMapper json;
    private final Clock clock;

    /** @param baseUrlOverride null for {@code https://<configured shop>}; a local server in tests */
    public ClientCredentialsGrant(TargetHttp http, String baseUrlOverride, ObjectMapper json, Clock clock) {
        this.http = http;
        this.baseUrlOverride = baseUrlOverride;
        this.json = json;
        this.clock = clock;
    }

    /** What Shopify answered. */
    public sealed interface Result {
        /** @param expiresAt when Shopify stops accepting the token; null when it named no lifetime */
        record Granted(String accessToken, Instant expiresAt) implements Result {
            /** Without the token. */
            @Override
            public String toString() {
                return "Granted[expiresAt=" + expiresAt + "]";
            }
        }

        record Refused(DeliveryOutcome outcome) implements Result {}
    }

    /**
     * @param configuredShop a shop domain from configuration, never one a webhook named
     * @param where where the credentials are stored, for the advice in a refusal
     */
    public Result request(String configuredShop, String clientId, String clientSecret, String where) {
        Instant asked = clock.instant();
        String base = baseUrlOverride != null ? baseUrlOverride : "https://" + configuredShop;
        String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + "&client_secret=" + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
        TargetResponse response = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/oauth/access_token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
        String context = "could not obtain an Admin API access token for shop " + configuredShop + ": ";
        if (response instanceof TargetResponse.Transient retry) {
            return new Result.Refused(new DeliveryOutcome.RetryLater(context + retry.reason(), retry.notBefore()));
        }
        if (response instanceof TargetResponse.Permanent refused) {
            return new Result.Refused(new DeliveryOutcome.PermanentFailure(context + refused.reason()
                    + ". Check the Dev Dashboard app's client id and secret for " + configuredShop + " in " + where
                    + ", and that the app is installed on that store and owned by the store's organization (the client "
                    + "credentials grant works for no other store)", "shopify-oauth-" + refused.status()));
        }
        JsonNode answer;
        try {
            answer = json.readTree(((TargetResponse.Success) response).body());
        } catch (IOException e) {
            answer = null;
        }
        JsonNode token = answer == null ? null : answer.path("access_token");
        if (token == null || !token.isTextual() || token.asText().isBlank()) {
            return new Result.Refused(new DeliveryOutcome.RetryLater(context + "shopify answered 200 without an "
                    + "access_token"));
        }
        JsonNode lifetime = answer.path("expires_in");
        Instant expiresAt = lifetime.canConvertToLong() && lifetime.asLong() > 0 ? asked.plusSeconds(lifetime.asLong()) : null;
        return new Result.Granted(token.asText().trim(), expiresAt);
    }
}
