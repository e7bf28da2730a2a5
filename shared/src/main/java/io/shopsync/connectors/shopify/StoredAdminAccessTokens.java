package io.shopsync.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.webhook.ShopDomain;
import io.shopsync.webhook.Untrusted;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Admin API tokens from the secret shopify-admin-tokens; each shop's kind is chosen by the shape of its entry:
 * <ul>
 *   <li>{@code {"shop.myshopify.com": "shpat_..."}}: a static token (apps created in the store admin before 2026).
 *       For a single-store deployment the token alone also works, sent only to the shop SHOPIFY_ALLOWED_SHOPS names.</li>
 *   <li>{@code {"shop.myshopify.com": {"clientId": "...", "clientSecret": "..."}}}: a Dev Dashboard app's client
 *       credentials; a token is obtained with {@link ClientCredentialsGrant}, kept until five minutes before it
 *       expires, and obtained anew when the Admin API refuses it.</li>
 *   <li>{@code {"shop.myshopify.com": {"accessToken": "...", "refreshToken": "...", "expiresAt": "..."}}}: an expiring
 *       offline token. Refused: each refresh rotates the refresh token, which would have to be written back to
 *       Secrets Manager, and Shopsync does not write secrets.</li>
 * </ul>
 */
public final class StoredAdminAccessTokens implements AdminAccessTokens {

    /** How long before its expiry a token is replaced: no request should meet a token that expires in flight. */
    static final Duration RENEW_BEFORE_EXPIRY = Duration.ofMinutes(5);

    private final CachedSecret secret;
    private final Set<String> allowedShops;
    private final ClientCredentialsGrant grant;
    private final ObjectMapper json;
    private final Clock clock;
    private final Map<String, Obtained> obtained = new HashMap<>();
    private String parsedFrom;
    private Map<String, Credential> parsed;

    /**
     * @param allowedShops the shops this deployment serves (SHOPIFY_ALLOWED_SHOPS); empty: the keys of the
     *     secret's JSON are the shops served
     */
    public StoredAdminAccessTokens(CachedSecret secret, Set<String> allowedShops, ClientCredentialsGrant grant,
                                   ObjectMapper json, Clock clock) {
        this.secret = secret;
        this.allowedShops = ShopDomain.configured(allowedShops, "SHOPIFY_ALLOWED_SHOPS");
        this.grant = grant;
        this.json = json;
        this.clock = clock;
    }

    /** A shop's stored credentials. */
    private sealed interface Credential {
        record Static(String token) implements Credential {}

        record ClientCredentials(String clientId, String clientSecret) implements Credential {}

        record OfflineWithRefresh() implements Credential {}
    }

    /** A token obtained with the client credentials grant, for the client id it was obtained with. */
    private record Obtained(String clientId, String token, Instant renewAt) {}

    @Override
    public synchronized Issued token(String shop) {
        if (shop == null || !allowedShops.isEmpty() && !allowedShops.contains(shop)) {
            return notServed(shop);
        }
        Credential credential = credentials().get(shop);
        if (credential == null) {
            return notServed(shop);
        }
        if (credential instanceof Credential.Static stored) {
            return new Issued.Token(shop, stored.token());
        }
        if (credential instanceof Credential.ClientCredentials app) {
            return obtain(shop, app);
        }
        return new Issued.Failed(new DeliveryOutcome.PermanentFailure("the entry for shop " + shop + " in "
                + secret.description() + " is an expiring offline token with a refresh token, which Shopsync does not "
                + "support: every refresh rotates the refresh token, and Shopsync cannot write the new one back to "
                + "Secrets Manager. Store the Dev Dashboard app's client credentials instead ({\"clientId\": \"...\", "
                + "\"clientSecret\": \"...\"}, for a store your organization owns) or a static token, then redrive",
                "shopify-token-kind-unsupported"));
    }

    @Override
    public synchronized boolean rejected(Issued.Token token) {
        boolean reloaded = secret.refreshAfterRejection();
        Obtained current = obtained.get(token.configuredShop());
        if (current != null && current.token().equals(token.value())) {
            obtained.remove(token.configuredShop());
            return true;
        }
        return reloaded;
    }

    private Issued obtain(String shop, Credential.ClientCredentials app) {
        Obtained current = obtained.get(shop);
        Instant now = clock.instant();
        if (current != null && current.clientId().equals(app.clientId()) && now.isBefore(current.renewAt())) {
            return new Issued.Token(shop, current.token());
        }
        obtained.remove(shop);
        ClientCredentialsGrant.Result result = grant.request(shop, app.clientId(), app.clientSecret(), secret.description());
        if (result instanceof ClientCredentialsGrant.Result.Refused refused) {
            return new Issued.Failed(refused.outcome());
        }
        ClientCredentialsGrant.Result.Granted granted = (ClientCredentialsGrant.Result.Granted) result;
        Instant renewAt = granted.expiresAt() == null ? Instant.MAX : granted.expiresAt().minus(RENEW_BEFORE_EXPIRY);
        obtained.put(shop, new Obtained(app.clientId(), granted.accessToken(), renewAt));
        return new Issued.Token(shop, granted.accessToken());
    }

    /** The secret's entries by configured shop, parsed again only when the secret's value changed. */
    private Map<String, Credential> credentials() {
        String stored = secret.get();
        if (stored.equals(parsedFrom)) {
            return parsed;
        }
        Map<String, Credential> entries = new LinkedHashMap<>();
        if (!stored.startsWith("{")) {
            // A single token names no shop: it is only sent to a shop the allow-list names.
            allowedShops.forEach(shop -> entries.put(shop, new Credential.Static(stored.trim())));
        } else {
            JsonNode all;
            try {
                all = json.readTree(stored);
            } catch (IOException e) {
                throw new IllegalStateException(secret.description() + " must be JSON {\"shop.myshopify.com\": \"shpat_...\"}"
                        + " or {\"shop.myshopify.com\": {\"clientId\": \"...\", \"clientSecret\": \"...\"}}");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                String key = entry.getKey();
                String configured = ShopDomain.parse(key).orElseThrow(() -> new IllegalStateException(secret.description()
                        + " has the key \"" + Untrusted.excerpt(key) + "\", which is not a shop domain: key each shop's "
                        + "credentials by <name>.myshopify.com"));
                Credential credential = credential(configured, entry.getValue());
                if (credential != null) {
                    entries.put(configured, credential);
                }
            }
        }
        parsedFrom = stored;
        parsed = entries;
        return entries;
    }

    /** One entry by its shape; null for an empty one (the shop is then not served). Errors name fields, never values. */
    private Credential credential(String shop, JsonNode entry) {
        if (entry.isTextual()) {
            return entry.asText().isBlank() ? null : new Credential.Static(entry.asText().trim());
        }
        if (entry.isObject() && text(entry, "clientId") != null && text(entry, "clientSecret") != null) {
            return new Credential.ClientCredentials(text(entry, "clientId"), text(entry, "clientSecret"));
        }
        if (entry.isObject() && entry.has("refreshToken")) {
            return new Credential.OfflineWithRefresh();
        }
        throw new IllegalStateException("the entry for shop " + shop + " in " + secret.description() + " is neither a "
                + "token (\"shpat_...\") nor a Dev Dashboard app's client credentials ({\"clientId\": \"...\", "
                + "\"clientSecret\": \"...\"}, both non-empty)");
    }

    private static String text(JsonNode entry, String field) {
        JsonNode value = entry.path(field);
        return value.isTextual() && !value.asText().isBlank() ? value.asText().trim() : null;
    }

    private Issued notServed(String shop) {
        String named = Untrusted.excerpt(shop);
        String where = allowedShops.isEmpty() ? secret.description()
                : "SHOPIFY_ALLOWED_SHOPS (" + String.join(", ", allowedShops) + ") and " + secret.description();
        return new Issued.Failed(new DeliveryOutcome.PermanentFailure("no Shopify Admin API token for shop " + named
                + ": it is not a shop this deployment serves (" + where + "), so no request was sent. If it is your "
                + "shop, add it to SHOPIFY_ALLOWED_SHOPS and its app's credentials as {\"<shop>.myshopify.com\": "
                + "{\"clientId\": \"...\", \"clientSecret\": \"...\"}} or {\"<shop>.myshopify.com\": \"shpat_...\"} "
                + "(scopes: README, Deploy), then redrive; if not, discard the dead letter", "shop-not-configured"));
    }
}
