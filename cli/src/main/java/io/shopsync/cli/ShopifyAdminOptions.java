package io.shopsync.cli;

import io.shopsync.connectors.shopify.ShopifyAdmin;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import picocli.CommandLine.Option;

/** Which shop's Admin GraphQL API, with which token. The token is never printed. */
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

    URI endpoint() {
        String base = adminUrl != null && !adminUrl.isBlank() ? adminUrl.trim().replaceAll("/+$", "") : "https://" + domain();
        return URI.create(base + "/admin/api/" + apiVersion.trim() + "/graphql.json");
    }

    String token(CliContext context) {
        if (token != null && !token.isBlank()) {
            return token.trim();
        }
        return context.setting("SHOPIFY_ADMIN_TOKEN").orElseThrow(() -> new CliException("no Admin API token: set "
                + "SHOPIFY_ADMIN_TOKEN (or pass --token) to an Admin API access token of " + domain()
                + " (shpat_...) whose app may read the flows' topics (read_orders, read_inventory, read_fulfillments)"));
    }

    /** The shop's webhook subscriptions API; progress and throttling notes go to {@code progress}. */
    WebhookSubscriptions subscriptions(HttpClient http, CliContext context, PrintWriter progress) {
        return new WebhookSubscriptions(new ShopifyGraphql(http, endpoint(), domain(), token(context), context, progress),
                progress);
    }
}
