package io.shopsync.connectors;

import io.shopsync.observability.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * An API's rate limit shared by every instance of every function that calls it with one account: a counter per
 * slot in the delivery table, taken one request at a time by a conditional {@code ADD} that fails once the slot's
 * share is spent (one UpdateItem per request; a refusal marks the slot full in this container, so it asks again
 * only in the next slot).
 *
 * <p>HubSpot counts its limit over a rolling window, so fixed windows of its length would let up to twice the
 * limit through across a boundary. The window is cut into {@code k} slots, each granting
 * {@code limit / (k + 2)}: any rolling window touches at most {@code k + 1} slots, and one more slot is left for
 * the spread of the requests' travel times between taking a permit and arriving, so HubSpot never counts more
 * than the limit. {@code k} (at most 10) is the one that grants the most (100 per 10 s: 9 slots of 1.112 s, 9 each,
 * 81 per window).
 *
 * <p>When DynamoDB does not answer, the budget falls back for a minute to a per-container limiter at
 * {@code limit / instances} (the most instances that may call at once), logs that once, and tries the table
 * again: a request never waits on an unreachable table. With every instance fallen back they stay within the
 * limit together; while only some have, those instances' shares come on top of the table's grants, and
 * HubSpot's 429 (retried, never lost) is the backstop.
 */
public final class DynamoDbRequestBudget implements RequestPermits {

    private static final int MOST_SLOTS = 10;
    private static final Duration FALLBACK_PERIOD = Duration.ofMinutes(1);

    private final DynamoDbClient dynamo;
    private final String table;
    private final String account;
    private final int slots;
    private final long slotMillis;
    private final int perSlot;
    private final RateLimiter fallback;
    private final int fallbackPermits;
    private final Clock clock;
    private final Telemetry telemetry;
    private final String caller;
    /** The slot this container saw refused: none is left in it for anyone. */
    private long fullSlot = Long.MIN_VALUE;
    private Instant unavailableUntil = Instant.MIN;

    /**
     * @param account which account's budget (its item key), never a credential
     * @param instances the most instances that may call the API at once, for the fallback's share
     * @param caller the function, for the log line
     */
    public DynamoDbRequestBudget(DynamoDbClient dynamo, String table, String account, int permits, Duration window,
                                 int instances, Clock clock, Telemetry telemetry, String caller) {
        if (permits < 3) {
            throw new IllegalArgumentException("a shared rate limit needs at least 3 requests per window, got " + permits);
        }
        this.dynamo = dynamo;
        this.table = table;
        this.account = account;
        this.slots = slots(permits);
        // Rounded up, so k slots cover the window and a rolling window touches at most k + 1 of them.
        this.slotMillis = (window.toMillis() + slots - 1) / slots;
        this.perSlot = permits / (slots + 2);
        this.fallbackPermits = Math.max(1, permits / Math.max(1, instances));
        this.fallback = new RateLimiter(fallbackPermits, window, clock);
        this.clock = clock;
        this.telemetry = telemetry;
        this.caller = caller;
    }

    /** The number of slots a window is cut into that grants the most requests per window. */
    static int slots(int permits) {
        int best = 1;
        for (int k = 1; k <= MOST_SLOTS; k++) {
            if (k * (permits / (k + 2)) >= best * (permits / (best + 2))) {
                best = k;
            }
        }
        return best;
    }

    /** Requests this budget grants per window across all instances (81 of HubSpot's 100). */
    public int grantedPerWindow() {
        return slots * perSlot;
    }

    @Override
    public Optional<Instant> acquire(Duration longestWait) {
        Instant giveUp = clock.instant().plus(longestWait);
        Optional<Instant> busyUntil = tryAcquire();
        // A few slots at most: under contention other instances may win the next slot too.
        for (int attempt = 0; attempt < 3 && busyUntil.isPresent() && !busyUntil.get().isAfter(giveUp); attempt++) {
            try {
                Thread.sleep(Math.max(1, Duration.between(clock.instant(), busyUntil.get()).toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return busyUntil;
            }
            busyUntil = tryAcquire();
        }
        return busyUntil;
    }

    /** Takes a permit now, or says when the next slot (or the fallback's next permit) begins. */
    public synchronized Optional<Instant> tryAcquire() {
        Instant now = clock.instant();
        if (now.isBefore(unavailableUntil)) {
            return fallback.tryAcquire();
        }
        long slot = now.toEpochMilli() / slotMillis;
        Instant nextSlot = Instant.ofEpochMilli((slot + 1) * slotMillis);
        if (slot == fullSlot) {
            return Optional.of(nextSlot);
        }
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(Map.of("pk", AttributeValue.fromS("rate#" + account + "#" + slot)))
                    .updateExpression("ADD used :one SET expiresAt = :expires")
                    .conditionExpression("attribute_not_exists(used) OR used < :share")
                    .expressionAttributeValues(Map.of(
                            ":one", AttributeValue.fromN("1"),
                            ":share", AttributeValue.fromN(Integer.toString(perSlot)),
                            ":expires", AttributeValue.fromN(Long.toString(nextSlot.getEpochSecond() + 3600)))));
            return Optional.empty();
        } catch (ConditionalCheckFailedException e) {
            fullSlot = slot;
            return Optional.of(nextSlot);
        } catch (SdkException e) {
            unavailableUntil = now.plus(FALLBACK_PERIOD);
            telemetry.line(caller, "shared rate budget unavailable: limiting this instance alone for a minute")
                    .field("account", account).field("table", table).field("error", e.getClass().getSimpleName())
                    .field("instanceLimit", fallbackPermits)
                    .field("action", "check the function may reach DynamoDB table " + table
                            + " (UpdateItem) and that the table is active; nothing is lost meanwhile")
                    .count("RateBudgetUnavailable").emit();
            return fallback.tryAcquire();
        }
    }
}
