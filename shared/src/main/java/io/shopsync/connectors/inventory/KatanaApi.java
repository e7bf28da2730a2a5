package io.shopsync.connectors.inventory;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.CachedSecret;
import io.shopsync.connectors.RateLimiter;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.http.TargetHttp;
import io.shopsync.http.TargetResponse;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The part of Katana MRP's public API the inventory connector uses: variants by SKU, current inventory
 * per variant and location, and stock adjustments (list by number, create). Bearer API key from
 * Secrets Manager, reloaded once after a 401; Katana's limit of 60 requests per 60 s kept client-side,
 * and after a 429 no request is made until Katana's Retry-After has passed (60 s without one).
 */
public final class KatanaApi {

    public static final String DEFAULT_BASE_URL = "https://api.katanamrp.com/v1";
    /** Katana allows 60 requests in 60 seconds per API key. */
    public static final int REQUESTS_PER_MINUTE = 60;
    private static final Duration KATANA_WINDOW = Duration.ofSeconds(60);
    private static final Duration LONGEST_WAIT_FOR_A_PERMIT = Duration.ofSeconds(2);

    /** A call's value, or the outcome its failure means for the level (retry-later or permanent-failure). */
    public sealed interface Result<T> {
        record Ok<T>(T value) implements Result<T> {}

        /**
         * @param unsettled the request reached Katana and no answer says it was refused (a timeout, a broken
         *                  connection, a 5xx): Katana may have applied it
         */
        record Failed<T>(DeliveryOutcome outcome, boolean unsettled) implements Result<T> {
            public Failed(DeliveryOutcome outcome) {
                this(outcome, false);
            }
        }
    }

    private final TargetHttp http;
    private final String baseUrl;
    private final CachedSecret apiKey;
    private final RateLimiter limiter;
    private final ObjectMapper json;
    private final ObjectWriter writer;
    private final Clock clock;
    private Instant pausedUntil = Instant.MIN;

    /**
     * @param baseUrl {@link #DEFAULT_BASE_URL}, or a test server's, including {@code /v1}
     * @param limiter at most {@link #REQUESTS_PER_MINUTE} per 60 s (less when several containers share the key)
     */
    public KatanaApi(TargetHttp http, String baseUrl, CachedSecret apiKey, RateLimiter limiter, ObjectMapper json,
                     Clock clock) {
        this.http = http;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.apiKey = apiKey;
        this.limiter = limiter;
        this.json = json;
        // Quantities are exact decimals, written plain (-3, 0.5, never 1E+1).
        this.writer = json.writer().with(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
        this.clock = clock;
    }

    /** {@code GET /variants?sku=}: the id of the variant whose SKU is exactly {@code sku}, if any. */
    public Result<Optional<Long>> variantIdBySku(String sku) {
        return get("/variants?sku=" + query(sku), root -> {
            for (JsonNode variant : rows(root)) {
                if (sku.equals(variant.path("sku").asText(null)) && variant.path("id").canConvertToLong()) {
                    return Optional.of(variant.path("id").asLong());
                }
            }
            return Optional.empty();
        });
    }

    /**
     * {@code GET /inventory?variant_id=&location_id=}: {@code quantity_in_stock} of the variant at the
     * location, a number or decimal text (Katana writes quantities as either); zero when Katana has no
     * inventory row for them yet, or the quantity is null.
     */
    public Result<BigDecimal> quantityInStock(long variantId, long locationId) {
        String path = "/inventory?variant_id=" + variantId + "&location_id=" + locationId;
        Result<Optional<JsonNode>> row = get(path, root -> {
            for (JsonNode inventory : rows(root)) {
                boolean sameVariant = !inventory.has("variant_id") || inventory.path("variant_id").asLong() == variantId;
                boolean sameLocation = !inventory.has("location_id") || inventory.path("location_id").asLong() == locationId;
                if (sameVariant && sameLocation) {
                    return Optional.of(inventory.path("quantity_in_stock"));
                }
            }
            return Optional.empty();
        });
        if (row instanceof Result.Failed<Optional<JsonNode>> failed) {
            return new Result.Failed<>(failed.outcome());
        }
        Optional<JsonNode> quantity = ((Result.Ok<Optional<JsonNode>>) row).value();
        if (quantity.isEmpty() || quantity.get().isNull() || quantity.get().isMissingNode()) {
            return new Result.Ok<>(BigDecimal.ZERO);
        }
        Optional<BigDecimal> parsed = decimal(quantity.get());
        if (parsed.isEmpty()) {
            return new Result.Failed<>(new DeliveryOutcome.PermanentFailure("katana GET /v1/inventory answered a"
                    + " quantity_in_stock that is not a number (a " + quantity.get().getNodeType().name().toLowerCase(Locale.ROOT)
                    + "): the Katana API changed; update the connector, then redrive", "katana-response"));
        }
        return new Result.Ok<>(parsed.get());
    }

    /** {@code GET /stock_adjustments?stock_adjustment_number=}: whether an adjustment with this number exists. */
    public Result<Boolean> adjustmentExists(String number) {
        return get("/stock_adjustments?stock_adjustment_number=" + query(number), root -> {
            for (JsonNode adjustment : rows(root)) {
                if (number.equals(adjustment.path("stock_adjustment_number").asText(null))) {
                    return true;
                }
            }
            return false;
        });
    }

    /**
     * {@code POST /stock_adjustments} (Katana answers 200 or 201). A 422 comes back permanent with
     * Katana's validation codes in the reason.
     */
    public Result<JsonNode> createAdjustment(ObjectNode adjustment) {
        String text;
        try {
            text = writer.writeValueAsString(adjustment);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a Katana stock adjustment", e);
        }
        AtomicBoolean sent = new AtomicBoolean();
        TargetResponse response = call(() -> {
            sent.set(true);
            return request("/stock_adjustments").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(text));
        });
        if (response instanceof TargetResponse.Permanent rejected && rejected.status() == 422) {
            return new Result.Failed<>(new DeliveryOutcome.PermanentFailure(validationFailure(rejected),
                    rejected.category()));
        }
        if (response instanceof TargetResponse.Transient retry && sent.get() && !isRefusal(retry)) {
            return new Result.Failed<>(retry.outcome(), true);
        }
        return read(response, "POST /v1/stock_adjustments", root -> root);
    }

    private <T> Result<T> get(String pathAndQuery, Function<JsonNode, T> reader) {
        TargetResponse response = call(() -> request(pathAndQuery).GET());
        String what = "GET /v1" + pathAndQuery.substring(0, pathAndQuery.indexOf('?'));
        return read(response, what, reader);
    }

    private <T> Result<T> read(TargetResponse response, String what, Function<JsonNode, T> reader) {
        if (response instanceof TargetResponse.Transient retry) {
            return new Result.Failed<>(retry.outcome());
        }
        if (response instanceof TargetResponse.Permanent permanent) {
            return new Result.Failed<>(permanent.outcome());
        }
        String body = ((TargetResponse.Success) response).body();
        JsonNode root;
        try {
            root = body == null || body.isBlank() ? json.createObjectNode() : json.readTree(body);
        } catch (IOException e) {
            return new Result.Failed<>(new DeliveryOutcome.RetryLater("katana " + what + " answered a body that is not JSON"));
        }
        return new Result.Ok<>(reader.apply(root));
    }

    /** Sends under the rate limits; a 401 reloads the key once and tries again. */
    private TargetResponse call(Supplier<HttpRequest.Builder> request) {
        Optional<TargetResponse> throttled = permit();
        if (throttled.isPresent()) {
            return throttled.get();
        }
        TargetResponse response = http.send(request.get());
        if (isRejectedKey(response) && apiKey.refreshAfterRejection()) {
            throttled = permit();
            if (throttled.isPresent()) {
                return throttled.get();
            }
            response = http.send(request.get());
        }
        if (isRejectedKey(response)) {
            TargetResponse.Permanent rejected = (TargetResponse.Permanent) response;
            return new TargetResponse.Permanent(401, "Katana rejected the API key from " + apiKey.description()
                    + " (401, also after reloading it): rotate the Katana API key (Katana: Settings > API), store the"
                    + " new key there, then redrive the dead letters (" + rejected.reason() + ")");
        }
        if (response instanceof TargetResponse.Transient retry && retry.reason().contains(" answered 429")) {
            Instant until = retry.notBefore().orElse(clock.instant().plus(KATANA_WINDOW));
            synchronized (this) {
                pausedUntil = until.isAfter(pausedUntil) ? until : pausedUntil;
            }
            return new TargetResponse.Transient(retry.reason(), Optional.of(until));
        }
        return response;
    }

    /** Empty when a request may go now (after waiting briefly for a permit); else why and until when not. */
    private Optional<TargetResponse> permit() {
        Instant now = clock.instant();
        synchronized (this) {
            if (now.isBefore(pausedUntil)) {
                return Optional.of(new TargetResponse.Transient("katana answered 429 to an earlier request: no request"
                        + " until " + pausedUntil + " (Katana allows " + REQUESTS_PER_MINUTE + " requests per minute)",
                        Optional.of(pausedUntil)));
            }
        }
        Optional<Instant> busyUntil = limiter.acquire(LONGEST_WAIT_FOR_A_PERMIT);
        if (busyUntil.isPresent()) {
            return Optional.of(new TargetResponse.Transient("katana client-side rate limit reached ("
                    + REQUESTS_PER_MINUTE + " requests per minute per API key)", busyUntil));
        }
        return Optional.empty();
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .header("Authorization", "Bearer " + apiKey.get())
                .header("Accept", "application/json");
    }

    /** Katana's answers that say the request was not taken: 429 (rate limit), 408 and 409. */
    private static boolean isRefusal(TargetResponse.Transient retry) {
        return retry.reason().contains(" answered 429") || retry.reason().contains(" answered 408")
                || retry.reason().contains(" answered 409");
    }

    private static boolean isRejectedKey(TargetResponse response) {
        return response instanceof TargetResponse.Permanent permanent && permanent.status() == 401;
    }

    /** Katana's list answers: {@code {"data":[…]}} (a bare array accepted too). */
    private static List<JsonNode> rows(JsonNode root) {
        JsonNode data = root.isArray() ? root : root.path("data");
        List<JsonNode> rows = new ArrayList<>();
        data.forEach(rows::add);
        return rows;
    }

    static Optional<BigDecimal> decimal(JsonNode node) {
        if (node.isNumber()) {
            return Optional.of(node.decimalValue());
        }
        if (node.isTextual()) {
            try {
                return Optional.of(new BigDecimal(node.asText().trim()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * A 422's reason: Katana's validation codes ({@code code}, {@code details[].path} and
     * {@code details[].code}, in the reason already), not its messages, which quote the values refused.
     */
    static String validationFailure(TargetResponse.Permanent rejected) {
        return "Katana rejected the stock adjustment (" + rejected.reason() + "): fix the variant, location or"
                + " quantity in Katana or Shopify, then redrive";
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
