package io.shopsync.connectors.shopify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.http.TargetHttp;
import io.shopsync.http.TargetResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * The one client of Shopify's Admin GraphQL API: every caller (the flows' look-ups through {@link ShopifyAdmin},
 * the webhook subscriptions of the CLI and the reconciler) sends through it, so they all classify answers and
 * wait out throttling alike.
 *
 * <p>{@link #query} sends once and says what the answer means; a delivery turns a throttle into a retry later.
 * {@link #run} is for a job that may wait in process (the CLI, the reconciler): it waits out throttling and
 * transient failures a bounded number of times, through a {@link Waiter} that sleeps (and may report the wait).
 *
 * <p>Throttling, one rule for everyone ({@link #refill}): wait until the bucket holds the request's cost again at
 * the restore rate Shopify reports ({@code extensions.cost.throttleStatus}); when it reports none, assume the
 * lowest rate it has published (50 points/s: waiting a little long costs a second, retrying too soon costs an
 * attempt); never less than a second (Shopify's advice). Transient failures (5xx, 429, a broken connection,
 * INTERNAL_SERVER_ERROR and kin with HTTP 200) wait Retry-After when given, else 1, 2, 4, 8 s.
 */
public final class AdminGraphql {

    /** How many times {@link #run} sends one request before it gives up. */
    public static final int MAX_ATTEMPTS = 5;
    /** The restore rate assumed when Shopify reports none: the lowest it has published (Standard before 2024). */
    static final double ASSUMED_RESTORE_RATE = 50;
    /**
     * GraphQL error codes that mean "our side failed, try again" although the HTTP status is 200. THROTTLED
     * is handled apart (it says when to retry); anything else (ACCESS_DENIED, SHOP_INACTIVE, a query the
     * schema refuses) will fail the same way again.
     */
    private static final Set<String> TRANSIENT_CODES = Set.of("INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT",
            "BAD_GATEWAY", "GATEWAY_TIMEOUT");

    private final TargetHttp http;
    private final String baseUrlOverride;
    private final AdminAccessTokens tokens;
    private final String apiVersion;
    private final ObjectMapper json;
    private final Clock clock;

    /** @param baseUrlOverride null for {@code https://<configured shop>}; a local server in tests */
    public AdminGraphql(TargetHttp http, String baseUrlOverride, AdminAccessTokens tokens, String apiVersion,
                        ObjectMapper json, Clock clock) {
        this.http = http;
        this.baseUrlOverride = baseUrlOverride;
        this.tokens = tokens;
        this.apiVersion = apiVersion;
        this.json = json;
        this.clock = clock;
    }

    public String apiVersion() {
        return apiVersion;
    }

    public ObjectNode variables() {
        return json.createObjectNode();
    }

    /** What one request came to. */
    public sealed interface Answer {
        /** @param cost {@code extensions.cost}: the query's cost and the bucket's state after it */
        record Data(JsonNode data, JsonNode cost) implements Answer {}

        /**
         * Shopify throttled the request (THROTTLED): retry after {@code retryAfter}.
         *
         * @param bucket the bucket as Shopify reported it, for messages ("2 of 2000 points available, ..."), or ""
         */
        record Throttled(Duration retryAfter, String bucket, String what) implements Answer {}

        /**
         * The request failed. {@code outcome} is what a delivery does about it (retry later, or a permanent
         * reason of codes, statuses and ids only); the rest lets an operator's tool say what to do.
         *
         * @param status the HTTP status, or 200 for GraphQL errors, or 0 when nothing was answered
         * @param code the first GraphQL error code ({@code ACCESS_DENIED}, ...), or null
         * @param messages Shopify's error messages (about the query and the schema; never our data), or ""
         */
        record Failed(DeliveryOutcome outcome, int status, String code, String messages) implements Answer {
            public boolean transientFailure() {
                return outcome instanceof DeliveryOutcome.RetryLater;
            }

            /** The reason a delivery, a log or an alert may carry. */
            public String reason() {
                return outcome instanceof DeliveryOutcome.RetryLater retry ? retry.reason()
                        : ((DeliveryOutcome.PermanentFailure) outcome).reason();
            }
        }
    }

    /**
     * Sends a query to the configured shop {@code shop} names, with its token (reloaded once after a 401).
     * Nothing is sent for a shop this deployment does not serve.
     *
     * @param what what it does, for reasons ("the SKU look-up for inventory item 1")
     */
    public Answer query(String shop, String query, ObjectNode variables, String what) {
        ObjectNode body = json.createObjectNode();
        body.put("query", query);
        body.set("variables", variables);
        Sent sent = send(shop, token -> post(token, body));
        if (sent instanceof Sent.NoToken none) {
            return new Answer.Failed(none.outcome(), 0, null, "");
        }
        AdminAccessTokens.Issued.Token token = ((Sent.Answered) sent).token();
        TargetResponse response = ((Sent.Answered) sent).response();
        if (response instanceof TargetResponse.Transient retry) {
            return new Answer.Failed(retry.outcome(), 0, null, "");
        }
        if (response instanceof TargetResponse.Permanent permanent) {
            String advice = refusalAdvice(permanent.status());
            return new Answer.Failed(new DeliveryOutcome.PermanentFailure("shop " + token.configuredShop() + ", " + what
                    + ": " + permanent.reason() + advice, permanent.category()), permanent.status(), null, "");
        }
        JsonNode root;
        try {
            root = json.readTree(((TargetResponse.Success) response).body());
        } catch (IOException e) {
            return new Answer.Failed(new DeliveryOutcome.RetryLater("shopify answered GraphQL with a body that is not JSON"),
                    200, null, "");
        }
        JsonNode errors = root.path("errors");
        for (JsonNode error : errors) {
            if ("THROTTLED".equals(error.path("extensions").path("code").asText())) {
                JsonNode cost = root.path("extensions").path("cost");
                return new Answer.Throttled(refill(cost), bucket(cost), what);
            }
        }
        if (errors.isTextual() || errors.size() > 0) {
            JsonNode error = errors.isArray() ? errors.get(0) : json.createObjectNode();
            String code = error.path("extensions").path("code").asText("no code");
            String requestId = error.path("extensions").path("requestId").asText(null);
            String answered = "shopify answered " + what + " with " + code
                    + (requestId == null ? "" : " (request id " + requestId + ")");
            if (TRANSIENT_CODES.contains(code)) {
                return new Answer.Failed(new DeliveryOutcome.RetryLater(answered), 200, code, messages(errors));
            }
            String advice = "ACCESS_DENIED".equals(code) ? " (grant the app the scopes listed in the README, Deploy)" : "";
            return new Answer.Failed(new DeliveryOutcome.PermanentFailure(answered + advice, "shopify-graphql"), 200,
                    code, messages(errors));
        }
        return new Answer.Data(root.path("data"), root.path("extensions").path("cost"));
    }

    /** What to do when the Admin API refuses the token (401) or the scopes (403); empty for any other status. */
    static String refusalAdvice(int status) {
        return status == 401 || status == 403
                ? " (rotate the shop's Admin API token, or for a Dev Dashboard app check that it is still installed;"
                + " or grant the scopes the README's Deploy section lists)" : "";
    }

    /** A request sent with the shop's token: Shopify's answer and the token it went with, or why none could go. */
    public sealed interface Sent {
        record Answered(AdminAccessTokens.Issued.Token token, TargetResponse response) implements Sent {}

        /** No token for the shop (not served, or the token source failed): nothing was sent. */
        record NoToken(DeliveryOutcome outcome) implements Sent {}
    }

    /**
     * A REST Admin API read, {@code GET /admin/api/<apiVersion>/<path>} on the configured shop, with the same
     * tokens as the queries (reloaded once after a 401).
     */
    public Sent get(String shop, String apiVersion, String path) {
        return send(shop, token -> http.send(HttpRequest.newBuilder(URI.create(
                        (baseUrlOverride != null ? baseUrlOverride : "https://" + token.configuredShop())
                                + "/admin/api/" + apiVersion + "/" + path))
                .header("X-Shopify-Access-Token", token.value())
                .header("Accept", "application/json")
                .GET()));
    }

    /** Sends with the shop's token; after a 401 the token source agrees was the token's fault, once more with a new one. */
    private Sent send(String shop, Function<AdminAccessTokens.Issued.Token, TargetResponse> request) {
        AdminAccessTokens.Issued issued = tokens.token(shop);
        if (issued instanceof AdminAccessTokens.Issued.Failed failed) {
            return new Sent.NoToken(failed.outcome());
        }
        AdminAccessTokens.Issued.Token token = (AdminAccessTokens.Issued.Token) issued;
        TargetResponse response = request.apply(token);
        if (response instanceof TargetResponse.Permanent permanent && permanent.status() == 401 && tokens.rejected(token)) {
            AdminAccessTokens.Issued again = tokens.token(shop);
            if (again instanceof AdminAccessTokens.Issued.Failed failed) {
                return new Sent.NoToken(failed.outcome());
            }
            token = (AdminAccessTokens.Issued.Token) again;
            response = request.apply(token);
        }
        return new Sent.Answered(token, response);
    }

    /** Waits before another attempt; the CLI also prints a line, the reconciler may stop when its time runs out. */
    @FunctionalInterface
    public interface Waiter {
        /**
         * @param why what failed ("Shopify throttled the request (...)", "Shopify answered HTTP 503")
         * @param nextAttempt the attempt that follows the wait (2 to {@link #MAX_ATTEMPTS})
         */
        void waitBefore(Duration wait, String why, int nextAttempt) throws InterruptedException;

        /** Sleeps the wait out: what a Lambda does (its timeout bounds the whole run). */
        Waiter SLEEP = (wait, why, nextAttempt) -> Thread.sleep(wait.toMillis());
    }

    /**
     * {@link #query}, with throttling and transient failures waited out: at most {@link #MAX_ATTEMPTS} requests.
     * Answers the data, or the last throttle or failure when they did not stop; a permanent failure at once.
     */
    public Answer run(String shop, String query, ObjectNode variables, String what, Waiter waiter) {
        for (int attempt = 1; ; attempt++) {
            Answer answer = query(shop, query, variables, what);
            Duration wait;
            String why;
            if (answer instanceof Answer.Throttled throttled) {
                wait = throttled.retryAfter();
                why = "Shopify throttled the request" + (throttled.bucket().isEmpty() ? "" : " (" + throttled.bucket() + ")");
            } else if (answer instanceof Answer.Failed failed && failed.transientFailure()) {
                DeliveryOutcome.RetryLater retry = (DeliveryOutcome.RetryLater) failed.outcome();
                Duration backoff = Duration.ofSeconds(1L << (attempt - 1));
                wait = retry.notBefore().map(at -> Duration.between(clock.instant(), at))
                        .filter(d -> !d.isNegative()).map(d -> d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : d)
                        .orElse(backoff);
                why = failed.reason();
            } else {
                return answer;
            }
            if (attempt >= MAX_ATTEMPTS) {
                return answer;
            }
            try {
                waiter.waitBefore(wait, why, attempt + 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Answer.Failed(new DeliveryOutcome.RetryLater("interrupted while waiting to retry " + what),
                        0, null, "");
            }
        }
    }

    /** Time for the bucket to hold the request's cost again, at its restore rate: at least a second. */
    public static Duration refill(JsonNode cost) {
        double requested = cost.path("requestedQueryCost").asDouble(1);
        JsonNode status = cost.path("throttleStatus");
        double available = status.path("currentlyAvailable").asDouble(0);
        double rate = status.path("restoreRate").isNumber() ? status.path("restoreRate").asDouble() : ASSUMED_RESTORE_RATE;
        long millis = (long) Math.ceil(Math.max(0, requested - available) / Math.max(rate, 1) * 1000);
        return Duration.ofMillis(Math.max(1000, millis));
    }

    private static String bucket(JsonNode cost) {
        JsonNode status = cost.path("throttleStatus");
        if (!status.path("restoreRate").isNumber()) {
            return "";
        }
        return String.format(Locale.ROOT, "%d of %d points available, %d needed, restoring %d/s",
                status.path("currentlyAvailable").asLong(), status.path("maximumAvailable").asLong(),
                cost.path("requestedQueryCost").asLong(), status.path("restoreRate").asLong());
    }

    private static String messages(JsonNode errors) {
        if (errors.isTextual()) {
            return errors.asText();
        }
        List<String> messages = new ArrayList<>();
        errors.forEach(error -> messages.add(error.path("message").asText(error.toString())));
        return String.join("; ", messages);
    }

    private TargetResponse post(AdminAccessTokens.Issued.Token token, ObjectNode body) {
        String base = baseUrlOverride != null ? baseUrlOverride : "https://" + token.configuredShop();
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + "/admin/api/" + apiVersion + "/graphql.json"))
                    .header("X-Shopify-Access-Token", token.value())
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a GraphQL request", e);
        }
    }
}
