package io.shopsync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One shop's Admin GraphQL API, for operator commands: a request either answers data or ends the
 * command with a message saying what to do. Shopify's cost-based throttling (THROTTLED, or HTTP 429)
 * is waited out, as long as the bucket needs to refill, a bounded number of times, with a line saying so.
 */
final class ShopifyGraphql {

    static final int MAX_ATTEMPTS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI endpoint;
    private final String shop;
    private final String token;
    private final CliContext context;
    private final PrintWriter progress;

    ShopifyGraphql(HttpClient http, URI endpoint, String shop, String token, CliContext context, PrintWriter progress) {
        this.http = http;
        this.endpoint = endpoint;
        this.shop = shop;
        this.token = token;
        this.context = context;
        this.progress = progress;
    }

    ObjectNode variables() {
        return JSON.createObjectNode();
    }

    /**
     * Runs a query or mutation and answers its {@code data}.
     *
     * @param operation what it does, for messages ("listing webhook subscriptions")
     */
    JsonNode run(String operation, String query, ObjectNode variables) {
        ObjectNode body = JSON.createObjectNode();
        body.put("query", query);
        body.set("variables", variables);
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a GraphQL request", e);
        }
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response = send(operation, json);
            int status = response.statusCode();
            if (status == 429 || status >= 500) {
                Duration wait = status == 429 ? retryAfter(response) : Duration.ofSeconds(1L << (attempt - 1));
                retryOrGiveUp(operation, attempt, wait, status == 429
                        ? "Shopify answered 429 Too Many Requests" : "Shopify answered HTTP " + status,
                        status == 429 ? throttledAdvice() : "Shopify is failing (HTTP " + status + "): try again in a "
                                + "few minutes (https://www.shopifystatus.com)");
                continue;
            }
            if (status != 200) {
                throw new CliException(operation + " failed: " + httpAdvice(status));
            }
            JsonNode root;
            try {
                root = JSON.readTree(response.body());
            } catch (IOException e) {
                throw new CliException(operation + " failed: Shopify answered 200 with a body that is not JSON: is "
                        + endpoint.getHost() + " a Shopify shop? Check --shop");
            }
            JsonNode errors = root.path("errors");
            if (hasCode(errors, "THROTTLED")) {
                retryOrGiveUp(operation, attempt, refill(root.path("extensions").path("cost"), attempt),
                        "Shopify throttled the request" + bucket(root.path("extensions").path("cost")), throttledAdvice());
                continue;
            }
            if (errors.isArray() && !errors.isEmpty() || errors.isTextual()) {
                throw new CliException(operation + " failed: Shopify said: " + messages(errors) + graphqlAdvice(errors));
            }
            return root.path("data");
        }
    }

    private HttpResponse<String> send(String operation, String json) {
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .header("X-Shopify-Access-Token", token)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CliException(operation + " failed: cannot reach " + endpoint.getScheme() + "://"
                    + endpoint.getAuthority() + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "): check --shop and your network");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while " + operation, e);
        }
    }

    private void retryOrGiveUp(String operation, int attempt, Duration wait, String what, String advice) {
        if (attempt >= MAX_ATTEMPTS) {
            throw new CliException(operation + " failed: " + what + " " + attempt + " times in a row: " + advice);
        }
        progress.printf(Locale.ROOT, "shopify: %s; waiting %.1f s, then attempt %d of %d%n", what,
                wait.toMillis() / 1000.0, attempt + 1, MAX_ATTEMPTS);
        progress.flush();
        context.sleep(wait);
    }

    private static String throttledAdvice() {
        return "another app or job is using this shop's API budget; wait a minute and run the command again (it is "
                + "safe to repeat)";
    }

    /** Time for the bucket to hold the request's cost again at its restore rate: at least a second. */
    static Duration refill(JsonNode cost, int attempt) {
        JsonNode status = cost.path("throttleStatus");
        if (!status.path("restoreRate").isNumber()) {
            return Duration.ofSeconds(attempt);
        }
        double requested = cost.path("requestedQueryCost").asDouble(1);
        double available = status.path("currentlyAvailable").asDouble(0);
        double rate = Math.max(1, status.path("restoreRate").asDouble());
        long millis = (long) Math.ceil(Math.max(0, requested - available) / rate * 1000);
        return Duration.ofMillis(Math.max(1000, millis));
    }

    private static String bucket(JsonNode cost) {
        JsonNode status = cost.path("throttleStatus");
        if (!status.path("restoreRate").isNumber()) {
            return "";
        }
        return String.format(Locale.ROOT, " (%d of %d points available, %d needed, restoring %d/s)",
                status.path("currentlyAvailable").asLong(), status.path("maximumAvailable").asLong(),
                cost.path("requestedQueryCost").asLong(), status.path("restoreRate").asLong());
    }

    private static Duration retryAfter(HttpResponse<String> response) {
        try {
            return Duration.ofSeconds(Math.max(1, Long.parseLong(response.headers().firstValue("Retry-After")
                    .orElse("2").trim())));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(2);
        }
    }

    private String httpAdvice(int status) {
        return switch (status) {
            case 401 -> "Shopify rejected the Admin API token (401): set SHOPIFY_ADMIN_TOKEN (or --token) to an Admin API "
                    + "access token of " + shop + " (shpat_...)";
            case 402 -> "the shop " + shop + " is frozen (402 Payment Required): its plan must be paid before the "
                    + "Admin API answers";
            case 403 -> "the token may not do this (403): give the app the access scopes of the flows' topics "
                    + "(read_orders, read_inventory, read_fulfillments) and use its new token";
            case 404 -> "there is no Admin API at " + endpoint + " (404): check --shop (the *.myshopify.com domain) "
                    + "and --api-version (a supported version, e.g. 2026-10)";
            case 423 -> "the shop " + shop + " is locked (423): Shopify support must unlock it";
            default -> "Shopify answered HTTP " + status + ": check --shop and --api-version, then try again";
        };
    }

    private static String graphqlAdvice(JsonNode errors) {
        String text = messages(errors).toLowerCase(Locale.ROOT);
        if (hasCode(errors, "ACCESS_DENIED") || text.contains("access denied")) {
            return " (give the app the access scopes of the flows' topics: read_orders, read_inventory, "
                    + "read_fulfillments; then use its new token)";
        }
        if (text.contains("doesn't exist on type") || text.contains("undefinedfield")) {
            return " (this --api-version may not have that field: use 2025-10 or later)";
        }
        return "";
    }

    private static boolean hasCode(JsonNode errors, String code) {
        for (JsonNode error : errors) {
            if (code.equals(error.path("extensions").path("code").asText())) {
                return true;
            }
        }
        return false;
    }

    private static String messages(JsonNode errors) {
        if (errors.isTextual()) {
            return errors.asText();
        }
        List<String> messages = new ArrayList<>();
        errors.forEach(error -> messages.add(error.path("message").asText(error.toString())));
        return String.join("; ", messages);
    }
}
