package io.shopsync.orders.faults;

import io.shopsync.delivery.DeliveryItem;
import io.shopsync.delivery.DeliveryOutcome;
import io.shopsync.delivery.Target;
import java.io.UncheckedIOException;
import java.net.http.HttpTimeoutException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A generic target stand-in that behaves like a receiver following Standard Webhooks' advice: it
 * applies each order version it is sent as the entity's state (last write wins, as an upsert does)
 * and ignores a repeat of a webhook id it already applied (its idempotency key). It records every
 * call (raw) and every applied effect per entity and version, so a test can tell a doubled effect
 * from a redelivery the receiver absorbed.
 *
 * <p>Failures are injected as the real thing fails: {@link #down} answers 503 (or times out), a webhook
 * id in {@link #rejecting} gets a 400, and {@link #crashAfterApplying} applies the batch and then kills
 * the invocation ({@link Crash}, an Error the runtime does not catch), as a Lambda timeout or an
 * out-of-memory after the call and before the completion is recorded would.
 */
final class VersionedReceiver implements Target {

    /** What kills the invocation: not an exception the delivery loop handles. */
    static final class Crash extends Error {
        Crash(String message) {
            super(message);
        }
    }

    enum Failure { NONE, HTTP_503, TIMEOUT }

    private final Map<String, String> state = new HashMap<>();
    private final Map<String, Integer> calls = new HashMap<>();
    private final Map<String, Integer> effects = new HashMap<>();
    private final Set<String> appliedWebhookIds = new HashSet<>();
    private final List<Instant> callTimes = new ArrayList<>();
    private final Set<String> rejecting = new HashSet<>();
    private Failure down = Failure.NONE;
    private int crashes;
    private int absorbed;
    private int failedCalls;

    @Override
    public String name() {
        return "receiver";
    }

    synchronized VersionedReceiver down(Failure failure) {
        this.down = failure;
        return this;
    }

    /** The next {@code times} calls apply their items, then crash the invocation. */
    synchronized VersionedReceiver crashAfterApplying(int times) {
        this.crashes = times;
        return this;
    }

    /** Webhooks with this id are refused with a 400, as an endpoint refuses a payload it cannot take. */
    synchronized VersionedReceiver rejecting(String webhookId) {
        rejecting.add(webhookId);
        return this;
    }

    @Override
    public List<DeliveryOutcome> deliver(List<DeliveryItem> items) {
        synchronized (this) {
            callTimes.add(Instant.now());
            if (down == Failure.TIMEOUT) {
                failedCalls++;
                throw new UncheckedIOException(new HttpTimeoutException("request timed out"));
            }
            List<DeliveryOutcome> outcomes = new ArrayList<>();
            for (DeliveryItem item : items) {
                if (down == Failure.HTTP_503) {
                    failedCalls++;
                    outcomes.add(new DeliveryOutcome.RetryLater("receiver answered 503 Service Unavailable"));
                    continue;
                }
                String webhookId = item.envelope().webhookId();
                if (rejecting.contains(webhookId)) {
                    outcomes.add(new DeliveryOutcome.PermanentFailure("receiver answered 400 Bad Request:"
                            + " {\"error\":\"unknown currency\"}", "http-400"));
                    continue;
                }
                String version = item.envelope().entity() + "@" + item.payload().path("updated_at").asText();
                calls.merge(version, 1, Integer::sum);
                if (appliedWebhookIds.add(webhookId)) {
                    effects.merge(version, 1, Integer::sum);
                    state.put(item.envelope().entity(), item.payload().path("updated_at").asText());
                } else {
                    absorbed++;
                }
                outcomes.add(new DeliveryOutcome.Delivered());
            }
            if (crashes > 0) {
                crashes--;
                throw new Crash("invocation killed after the receiver applied " + items.size() + " item(s)");
            }
            return outcomes;
        }
    }

    /** The updated_at of the version each entity ended with. */
    synchronized Map<String, String> state() {
        return Map.copyOf(state);
    }

    /** Calls that reached the receiver per entity@updated_at, repeats included. */
    synchronized Map<String, Integer> calls() {
        return Map.copyOf(calls);
    }

    /** Effects applied per entity@updated_at (a repeated webhook id is not applied again). */
    synchronized Map<String, Integer> effects() {
        return Map.copyOf(effects);
    }

    /** Repeats the receiver's webhook-id idempotency absorbed. */
    synchronized int absorbed() {
        return absorbed;
    }

    synchronized int failedCalls() {
        return failedCalls;
    }

    synchronized List<Instant> callTimes() {
        return List.copyOf(callTimes);
    }
}
