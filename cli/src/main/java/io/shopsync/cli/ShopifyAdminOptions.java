package io.shopsync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.connectors.shopify.AdminAccessTokens;
import io.shopsync.connectors.shopify.AdminGraphql;
import io.shopsync.connectors.shopify.AdminGraphqlFailure;
import io.shopsync.connectors.shopify.ClientCredentialsGrant;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.connectors.shopify.SubscriptionCheck;
import io.shopsync.connectors.shopify.WebhookSubscription;
import io.shopsync.connectors.shopify.WebhookSubscriptions;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.http.HttpTransport;
import io.shopsync.http.TargetHttp;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Which shop's Admin GraphQL API, with which token: a static token, or one obtained with a Dev Dashboard app's
 * client credentials (SHOPIFY_CLIENT_ID, SHOPIFY_CLIENT_SECRET). Neither is ever printed. Requests go through
 * shared/'s {@link AdminGraphql}, as the flows' and the reconciler's do; throttling and transient failures are
 * waited out with a line saying so, and what still fails ends the command with a message saying what to do.
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
        return new WebhookSubscriptions(graphql(http, context), domain(), waiter(context, progress), line -> {
            progress.println("shopify: " + line);
            progress.flush();
        });
    }

    /** What {@code webhooks register} runs: the reconciler's check, with repair unless a dry run. */
    SubscriptionCheck check(HttpClient http, CliContext context, PrintWriter progress) {
        return new SubscriptionCheck(graphql(http, context), waiter(context, progress), line -> {
            progress.println("shopify: " + line);
            progress.flush();
        });
    }

    /** The shop's Admin API as the reconciler reads it (orders), with this command's token. */
    ShopifyAdmin admin(HttpClient http, CliContext context) {
        Clock clock = Clock.systemUTC();
        return new ShopifyAdmin(new TargetHttp("shopify", HttpTransport.of(http), Duration.ofSeconds(30), clock), base(),
                AdminAccessTokens.fixed(domain(), token(http, context)), apiVersion.trim(), new ObjectMapper(), clock);
    }

    /** Every subscription of the app in the shop, or the command ends saying what to do. */
    List<WebhookSubscription> list(WebhookSubscriptions subscriptions) {
        try {
            return subscriptions.list();
        } catch (AdminGraphqlFailure e) {
            throw failure(e);
        }
    }

    private AdminGraphql graphql(HttpClient http, CliContext context) {
        return admin(http, context).graphql();
    }

    private static AdminGraphql.Waiter waiter(CliContext context, PrintWriter progress) {
        return (wait, why, attempt) -> {
            progress.printf(Locale.ROOT, "shopify: %s; waiting %.1f s, then attempt %d of %d%n", why,
                    wait.toMillis() / 1000.0, attempt, AdminGraphql.MAX_ATTEMPTS);
            progress.flush();
            context.sleeper().sleep(wait);
        };
    }

    /** A request that did not come to data, as a message that says what to do. */
    CliException failure(AdminGraphqlFailure failure) {
        return new CliException(failure.what() + " failed: " + problem(failure));
    }

    /** What went wrong and what to do, without what was being done. */
    String problem(AdminGraphqlFailure failure) {
        int attempts = AdminGraphql.MAX_ATTEMPTS;
        if (failure.answer() instanceof AdminGraphql.Answer.Throttled throttled) {
            return "Shopify throttled the request" + (throttled.bucket().isEmpty() ? "" : " (" + throttled.bucket() + ")")
                    + " " + attempts + " times in a row: " + THROTTLED_ADVICE;
        }
        AdminGraphql.Answer.Failed failed = (AdminGraphql.Answer.Failed) failure.answer();
        if (failed.transientFailure()) {
            String reason = failed.reason();
            if (reason.contains(" answered 429")) {
                return "Shopify answered 429 Too Many Requests " + attempts + " times in a row: " + THROTTLED_ADVICE;
            }
            if (reason.contains("not JSON")) {
                return "Shopify answered 200 with a body that is not JSON " + attempts + " times in a row: is "
                        + URI.create(base()).getHost() + " a Shopify shop? Check --shop";
            }
            return reason + " (" + attempts + " times in a row): Shopify is failing or cannot be reached; check --shop "
                    + "and your network, or try again in a few minutes (https://www.shopifystatus.com)";
        }
        if (failed.status() == 200) {
            return "Shopify said: " + failed.messages() + graphqlAdvice(failed.code(), failed.messages());
        }
        if (failed.status() > 0) {
            return httpAdvice(failed.status());
        }
        return failed.reason();
    }

    private static final String THROTTLED_ADVICE = "another app or job is using this shop's API budget; wait a minute and "
            + "run the command again (it is safe to repeat)";

    private String httpAdvice(int status) {
        return switch (status) {
            case 401 -> "Shopify rejected the Admin API token (401): set SHOPIFY_ADMIN_TOKEN (or --token) to an Admin API "
                    + "access token of " + domain() + " (shpat_...), or SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET to "
                    + "its Dev Dashboard app's client credentials";
            case 402 -> "the shop " + domain() + " is frozen (402 Payment Required): its plan must be paid before the "
                    + "Admin API answers";
            case 403 -> "the token may not do this (403): give the app the access scopes of the flows' topics "
                    + "(read_orders, read_inventory, read_fulfillments) and use its new token";
            case 404 -> "there is no Admin API at " + endpoint() + " (404): check --shop (the *.myshopify.com domain) "
                    + "and --api-version (a supported version, e.g. 2026-10)";
            case 423 -> "the shop " + domain() + " is locked (423): Shopify support must unlock it";
            default -> "Shopify answered HTTP " + status + ": check --shop and --api-version, then try again";
        };
    }

    private static String graphqlAdvice(String code, String messages) {
        String text = messages.toLowerCase(Locale.ROOT);
        if ("ACCESS_DENIED".equals(code) || text.contains("access denied")) {
            return " (give the app the access scopes of the flows' topics: read_orders, read_inventory, "
                    + "read_fulfillments; then use its new token)";
        }
        if (text.contains("doesn't exist on type") || "undefinedField".equals(code)) {
            return " (this --api-version may not have that field: use 2025-10 or later)";
        }
        return "";
    }
}
