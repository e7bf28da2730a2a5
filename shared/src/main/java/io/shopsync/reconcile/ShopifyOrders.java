package io.shopsync.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopsync.connectors.shopify.ShopifyAdmin;
import io.shopsync.connectors.shopify.ShopifyAdmin.OrderState;
import io.shopsync.connectors.shopify.ShopifyAdmin.OrderVersions;
import io.shopsync.delivery.DeliveryOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The shop's orders as the reconciler reads them through {@link ShopifyAdmin}: a scan of the orders updated
 * in a window, oldest update first, then each order that needs queuing in full. Shopify's cost-based throttle
 * is respected (a THROTTLED answer waits until the bucket has refilled, as its {@code throttleStatus} says);
 * a server-side error ({@code INTERNAL_SERVER_ERROR}, 5xx, a timeout) is retried a few times with a growing
 * pause; anything else, or errors that outlast the retries, fail the check loudly.
 *
 * <p>Shopify refuses to paginate past the 25,000th item of a connection, so no query is paged further than
 * {@code maxPerQuery} orders: the scan then starts a new query at the {@code updated_at} of the last order
 * it read (that second's orders are read again, which only repeats a check that queues nothing twice).
 */
public final class ShopifyOrders {

    /** How a run waits: {@link Thread#sleep} in Lambda, a recorded clock in tests. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    public static final int DEFAULT_PAGE_SIZE = 250;
    public static final int DEFAULT_MAX_PER_QUERY = 20_000;

    private final ShopifyAdmin admin;
    private final int pageSize;
    private final int maxPerQuery;
    private final int maxRetries;
    private final int maxThrottledWaits;
    private final Sleeper sleeper;
    private final Clock clock;

    /** What the reconciler, the backfill and the local stack run with: 3 retries of a server error, 20 throttle waits. */
    public static ShopifyOrders withDefaults(ShopifyAdmin admin, Sleeper sleeper, Clock clock) {
        return new ShopifyOrders(admin, DEFAULT_PAGE_SIZE, DEFAULT_MAX_PER_QUERY, 3, 20, sleeper, clock);
    }

    /**
     * @param maxRetries retries of a server-side error before the check fails
     * @param maxThrottledWaits waits for the throttle bucket per request before the check fails
     */
    public ShopifyOrders(ShopifyAdmin admin, int pageSize, int maxPerQuery, int maxRetries, int maxThrottledWaits,
                         Sleeper sleeper, Clock clock) {
        if (pageSize < 1 || pageSize > 250 || maxPerQuery < pageSize) {
            throw new IllegalArgumentException("page size is 1..250 (Shopify's limit) and at most maxPerQuery: "
                    + pageSize + ", " + maxPerQuery);
        }
        this.admin = admin;
        this.pageSize = pageSize;
        this.maxPerQuery = maxPerQuery;
        this.maxRetries = maxRetries;
        this.maxThrottledWaits = maxThrottledWaits;
        this.sleeper = sleeper;
        this.clock = clock;
    }

    /** An order's id and the time of its last update, as the scan reads them. */
    public record Version(String orderId, Instant updatedAt) {}

    /** Calls {@code each} for every order updated in [{@code from}, {@code to}), oldest update first. */
    public void scan(String shop, Instant from, Instant to, Consumer<Version> each) {
        scan(shop, from, to, Deadline.NONE, each);
    }

    /**
     * The same, stopping after the page during which {@code deadline} passed (every order of it handled).
     *
     * @return empty when the window was covered; else the instant before which every order was handled: the
     *     {@code updated_at} of the last order handled (orders come oldest update first, and orders of that same
     *     instant may follow on the next page)
     */
    public Optional<Instant> scan(String shop, Instant from, Instant to, Deadline deadline, Consumer<Version> each) {
        return pages(shop, from, to, pageSize, deadline, admin::orderVersions, node -> {
            Version version = version(shop, node);
            each.accept(version);
            return version.updatedAt();
        });
    }

    /**
     * A fulfilment's order, id and the time of its last update, as the fulfilment scan reads them.
     *
     * @param orderUpdatedAt when the order was last updated: the scan's position
     */
    public record FulfilmentVersion(String orderId, Instant orderUpdatedAt, String fulfilmentId, Instant updatedAt) {}

    /** The fulfilment scan's page size: each order brings up to 10 fulfilments, which Shopify's query cost counts. */
    public static final int FULFILMENT_PAGE_SIZE = 50;

    /**
     * Calls {@code each} for every fulfilment of every order updated in [{@code from}, {@code to}), the orders
     * oldest update first (an order's first 10 fulfilments: one with more is rare; the 11th is not seen), stopping
     * at {@code deadline} as {@link #scan(String, Instant, Instant, Deadline, Consumer)} does.
     */
    public Optional<Instant> scanFulfilments(String shop, Instant from, Instant to, Deadline deadline,
                                             Consumer<FulfilmentVersion> each) {
        return pages(shop, from, to, Math.min(pageSize, FULFILMENT_PAGE_SIZE), deadline, admin::fulfilmentVersions, node -> {
            Version order = version(shop, node);
            for (JsonNode fulfilment : node.path("fulfillments")) {
                Version version = version(shop, fulfilment);
                each.accept(new FulfilmentVersion(order.orderId(), order.updatedAt(), version.orderId(), version.updatedAt()));
            }
            return order.updatedAt();
        });
    }

    /** One page of a scan: Shopify's answer, or why it failed. */
    @FunctionalInterface
    private interface Lister {
        OrderVersions list(String shop, Instant from, Instant to, int first, String after);
    }

    /** Pages through the orders updated in the window; {@code each} handles one listed order and returns its updated_at. */
    private Optional<Instant> pages(String shop, Instant from, Instant to, int pageSize, Deadline deadline, Lister lister,
                                    Function<JsonNode, Instant> each) {
        Instant queryFrom = from;
        String cursor = null;
        int inQuery = 0;
        Instant last = null;
        while (true) {
            Instant start = queryFrom;
            String after = cursor;
            OrderVersions.Page page = retrying(shop, "the orders updated from " + start + " to " + to,
                    () -> lister.list(shop, start, to, pageSize, after),
                    answer -> answer instanceof OrderVersions.Failed failed ? failed.outcome() : null,
                    answer -> (OrderVersions.Page) answer);
            for (JsonNode node : page.orders()) {
                last = each.apply(node);
            }
            inQuery += page.orders().size();
            if (!page.hasNextPage()) {
                return Optional.empty();
            }
            // A stop needs progress: with nothing read after the window's start, the checkpoint could not move.
            if (last != null && last.isAfter(from) && deadline.passed()) {
                return Optional.of(last);
            }
            if (inQuery + pageSize > maxPerQuery) {
                if (last == null || !last.isAfter(queryFrom)) {
                    throw new ReconcileFailedException("shop " + shop + ": more than " + maxPerQuery + " orders were updated"
                            + " at " + queryFrom + ", more than one query may page through: reconcile that second with a"
                            + " bulk operation (docs/operations.md, Reconciliation)");
                }
                queryFrom = last;
                cursor = null;
                inQuery = 0;
            } else {
                cursor = page.endCursor();
            }
        }
    }

    /** The fulfilment in full, or empty when Shopify no longer has it. */
    public Optional<JsonNode> fulfilment(String shop, String fulfilmentId) {
        OrderState state = retrying(shop, "fulfilment " + fulfilmentId, () -> admin.fulfilment(shop, fulfilmentId),
                answer -> answer instanceof OrderState.Failed failed ? failed.outcome() : null, answer -> answer);
        return state instanceof OrderState.Found found ? Optional.of(found.order()) : Optional.empty();
    }

    /** The order in full, or empty when Shopify no longer has it. */
    public Optional<JsonNode> order(String shop, String orderId) {
        OrderState state = retrying(shop, "order " + orderId, () -> admin.order(shop, orderId),
                answer -> answer instanceof OrderState.Failed failed ? failed.outcome() : null, answer -> answer);
        return state instanceof OrderState.Found found ? Optional.of(found.order()) : Optional.empty();
    }

    private <A, R> R retrying(String shop, String what, Supplier<A> call, Function<A, DeliveryOutcome> failure,
                              Function<A, R> success) {
        int retries = 0;
        int throttled = 0;
        while (true) {
            A answer = call.get();
            DeliveryOutcome failed = failure.apply(answer);
            if (failed == null) {
                return success.apply(answer);
            }
            if (failed instanceof DeliveryOutcome.RetryLater later) {
                Optional<Instant> notBefore = later.notBefore();
                if (notBefore.isPresent() && throttled < maxThrottledWaits) {
                    throttled++;
                    pause(shop, what, Duration.between(clock.instant(), notBefore.get()));
                    continue;
                }
                if (notBefore.isEmpty() && retries < maxRetries) {
                    retries++;
                    pause(shop, what, Duration.ofSeconds(1L << Math.min(retries - 1, 5)));
                    continue;
                }
                throw new ReconcileFailedException("shop " + shop + ": reading " + what + " from Shopify failed after "
                        + retries + " retries and " + throttled + " throttled waits: " + later.reason()
                        + "; the next run repeats this window (see Shopify's status page if it persists)");
            }
            DeliveryOutcome.PermanentFailure permanent = (DeliveryOutcome.PermanentFailure) failed;
            throw new ReconcileFailedException("shop " + shop + ": reading " + what + " from Shopify failed: "
                    + permanent.reason());
        }
    }

    private void pause(String shop, String what, Duration duration) {
        try {
            sleeper.sleep(duration.isNegative() ? Duration.ZERO : duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReconcileFailedException("shop " + shop + ": interrupted while waiting to read " + what, e);
        }
    }

    private static Version version(String shop, JsonNode node) {
        String id = node.path("legacyResourceId").asText("");
        if (!id.matches("[1-9][0-9]{0,24}")) {
            throw new ReconcileFailedException("shop " + shop + ": Shopify listed an order or fulfilment without a numeric"
                    + " legacyResourceId");
        }
        try {
            return new Version(id, OffsetDateTime.parse(node.path("updatedAt").asText()).toInstant());
        } catch (DateTimeParseException e) {
            throw new ReconcileFailedException("shop " + shop + ": Shopify listed order or fulfilment " + id
                    + " without a valid updatedAt", e);
        }
    }
}
