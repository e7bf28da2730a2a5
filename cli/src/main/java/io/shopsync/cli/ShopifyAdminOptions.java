package io.shopsync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.connectors.shopify.ClientCredentialsGrant;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Which shop's Admin GraphQL API, with which token: a static token, or one obtained with a Dev Dashboard app's
 * client credentials (SHOPIFY_CLIENT_ID, SHOPIFY_CLIENT_SECRET). Neither is ever printed.
 */
final class ShopifyAdminOptions {

    @Option(names = "--shop", required = true, paramLabel = "DOMAIN",
            description = "the shop, e.g. my-store.myshopify.com (my-store alone is enough)")
    String shop;

    @Option(names = "--token", paramLabel = "TOKEN", description = "the shop's Admin API access token (default: "
            + "SHOPIFY_ADMIN_TOKEN; prefer the variable, arguments show in ps); never printed")
    String token;

    @Option(names = "--api-version", paramLabel = "VERSION",
            description = "Admin API version (default: ${DEFAULT-VALUE})")
    String apiVersion = ShopifyAdmin.DEFAULT_API_VERSION;

    /** Another Admin API base URL instead of https://DOMAIN: tests and proxies. */
    @Option(names = "--admin-url", paramLabel = "URL", hidden = true)
    String adminUrl;

    /** The shop's *.myshopify.com domain, from what was given (a URL, a bare name). */
    String domain() {
        return ShopDomain.of(shop);
    }

    private String base() {
        return adminUrl != null && !adminUrl.isBlank() ? adminUrl.trim().replaceAll("/+$", "") : "https://" + domain();
    }

    URI endpoint() {
        return URI.create(base() + "/admin/api/" + apiVersion.trim() + "/graphql.json");
    }

    String token(HttpClient http, CliContext context) {
        if (token != null && !token.isBlank()) {
            return token.trim();
        }
        Optional<String> stored = context.setting("SHOPIFY_ADMIN_TOKEN");
        if (stored.isPresent()) {
            return stored.get();
        }
        Optional<String> clientId = context.setting("SHOPIFY_CLIENT_ID");
        Optional<String> clientSecret = context.setting("SHOPIFY_CLIENT_SECRET");
        if (clientId.isEmpty() || clientSecret.isEmpty()) {
            throw new CliException("no Admin API token: set SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET to the client "
                    + "credentials of the Dev Dashboard app installed on " + domain() + ", or SHOPIFY_ADMIN_TOKEN (or "
                    + "pass --token) to an Admin API access token of it (shpat_...); its app must be able to read the "
                    + "flows' topics (read_orders, read_inventory, read_fulfillments)");
        }
        Clock clock = Clock.systemUTC();
        ClientCredentialsGrant.Result result = new ClientCredentialsGrant(new TargetHttp("shopify",
                HttpTransport.of(http), Duration.ofSeconds(30), clock), base(), new ObjectMapper(), clock)
                .request(domain(), clientId.get(), clientSecret.get(), "SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET");
        if (result instanceof ClientCredentialsGrant.Result.Refused refused) {
            DeliveryOutcome outcome = refused.outcome();
            throw new CliException(outcome instanceof DeliveryOutcome.RetryLater retry ? retry.reason() + ": try again "
                    + "in a few minutes" : ((DeliveryOutcome.PermanentFailure) outcome).reason());
        }
        return ((ClientCredentialsGrant.Result.Granted) result).accessToken();
    }

    /** The shop's webhook subscriptions API; progress and throttling notes go to {@code progress}. */
    WebhookSubscriptions subscriptions(HttpClient http, CliContext context, PrintWriter progress) {
        return new WebhookSubscriptions(new ShopifyGraphql(http, endpoint(), domain(), token(http, context), context, progress),
                progress);
    }
}
