package io.shopsync.testing;

import io.shopsync.delivery.DeliveryStore;
import io.shopsync.delivery.DeliveryStore.LeaseLostException;
import io.shopsync.flow.EntityVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The delivery store's semantics in memory, held to the same contract test as the DynamoDB store
 * (DeliveryStoreContract), for unit tests of the delivery loop.
 */
public final class InMemoryDeliveryStore implements DeliveryStore {

    private record Row(String state, String token, Instant leaseUntil, String detail, Instant expires, int attempts,
                       DeliveryKey key, String lastError, EntityVersion staleAgainst, Instant claimedAt, Instant finishedAt,
                       String staleReason) {
        Row(String state, String token, Instant leaseUntil, String detail, Instant expires, int attempts, Row before,
            DeliveryKey key, Instant claimedAt, Instant finishedAt) {
            this(state, token, leaseUntil, detail, expires, attempts, key, before == null ? null : before.lastError(),
                    null, claimedAt, finishedAt, null);
        }
    }

    private final Map<String, Row> deliveries = new HashMap<>();
    private final Map<String, EntityVersion> watermarks = new HashMap<>();
    /** Per watermark key and target, the newest version claimed for sending, completed or not. */
    private final Map<String, EntityVersion> claimed = new HashMap<>();
    private final Map<String, String> events = new HashMap<>();
    private final Duration lease;
    private final Duration retention;

    public InMemoryDeliveryStore(Duration lease, Duration retention) {
        this.lease = lease;
        this.retention = retention;
    }

    public InMemoryDeliveryStore() {
        this(Duration.ofSeconds(90), Duration.ofHours(72));
    }

    @Override
    public synchronized Claim claim(DeliveryKey key, boolean retryFailed, Checks checks, Instant now) {
        String id = key.deliveryId() + "#" + key.target();
        Row row = deliveries.get(id);
        boolean free = row == null || row.expires().isBefore(now) || "RELEASED".equals(row.state())
                || ("IN_PROGRESS".equals(row.state()) && row.leaseUntil().isBefore(now))
                || (retryFailed && "FAILED".equals(row.state()));
        if (!free) {
            return switch (row.state()) {
                case "COMPLETED" -> new Claim.AlreadyCompleted(row.detail());
                case "FAILED" -> new Claim.AlreadyFailed(row.detail());
                default -> new Claim.Busy(row.leaseUntil());
            };
        }
        Optional<String> first = checks.event().map(event -> events.get(event.toString()));
        if (first.isPresent() && !first.get().equals(key.deliveryId())) {
            return new Claim.EventDelivered(first.get());
        }
        Optional<Claim.Stale> stale = checks.entity().flatMap(v -> staleAgainst(v, key.target()));
        boolean staleState = stale.isPresent();
        if (staleState && !checks.sendIfStale()) {
            deliveries.put(id, new Row("COMPLETED", null, now, "stale", now.plus(retention), 0, key, null,
                    stale.get().newer(), null, now, stale.get().sentOnly() ? STALE_SENT_ONLY : null));
            return stale.get();
        }
        if (!staleState) {
            checks.entity().ifPresent(v -> claimed.put(v.watermarkKey() + "#" + key.target(), v.version()));
        }
        // The person's applied or sent updated_at is later than this one's (the trigger time does not count).
        boolean stalePerson = checks.person().map(v -> Stream.of(watermarks, claimed)
                .map(versions -> versions.get(v.watermarkKey() + "#" + key.target()))
                .anyMatch(other -> other != null && other.updatedAt().isAfter(v.version().updatedAt()))).orElse(false);
        if (!stalePerson) {
            checks.person().ifPresent(v -> claimed.put(v.watermarkKey() + "#" + key.target(), v.version()));
        }
        String token = UUID.randomUUID().toString();
        int attempts = row == null || row.expires().isBefore(now) ? 0 : row.attempts();
        deliveries.put(id, new Row("IN_PROGRESS", token, now.plus(lease), null, now.plus(retention), attempts,
                row == null || row.expires().isBefore(now) ? null : row, key, now, null));
        return new Claim.Claimed(token, OptionalInt.of(attempts), staleState, stalePerson);
    }

    /** As the DynamoDB store: the target has this version or a newer one, or was sent a later updated_at. */
    private Optional<Claim.Stale> staleAgainst(Versioned versioned, String target) {
        String id = versioned.watermarkKey() + "#" + target;
        EntityVersion applied = watermarks.get(id);
        if (applied != null && !versioned.version().isNewerThan(applied)) {
            return Optional.of(new Claim.Stale(applied));
        }
        EntityVersion sent = claimed.get(id);
        if (sent != null && sent.updatedAt().isAfter(versioned.version().updatedAt())) {
            return Optional.of(new Claim.Stale(sent, true));
        }
        return Optional.empty();
    }

    @Override
    public synchronized void complete(DeliveryKey key, Claim.Claimed claim, String outcome, Applied applied, Instant now) {
        finish(key, claim, "COMPLETED", outcome, now);
        applied.entity().ifPresent(v -> advanceWatermark(v.watermarkKey(), key.target(), v.version(), now));
        applied.person().ifPresent(v -> advanceWatermark(v.watermarkKey(), key.target(), v.version(), now));
        applied.event().ifPresent(event -> events.put(event.toString(), key.deliveryId()));
    }

    @Override
    public synchronized int attempts(DeliveryKey key, Claim.Claimed claim) {
        return claim.attempts().orElseThrow();
    }

    @Override
    public synchronized void release(DeliveryKey key, Claim.Claimed claim, boolean attempted, String reason) {
        String id = key.deliveryId() + "#" + key.target();
        Row row = deliveries.get(id);
        if (row != null && claim.token().equals(row.token())) {
            deliveries.put(id, new Row("RELEASED", row.token(), row.leaseUntil(), null, row.expires(),
                    row.attempts() + (attempted ? 1 : 0), row.key(), reason != null ? reason : row.lastError(), null,
                    row.claimedAt(), row.finishedAt(), null));
        }
    }

    @Override
    public synchronized void fail(DeliveryKey key, Claim.Claimed claim, String reason, Instant now) {
        finish(key, claim, "FAILED", reason, now);
    }

    private void finish(DeliveryKey key, Claim.Claimed claim, String state, String detail, Instant now) {
        String id = key.deliveryId() + "#" + key.target();
        Row row = deliveries.get(id);
        if (row == null || !claim.token().equals(row.token())) {
            throw new LeaseLostException("delivery record " + id + " was taken over by another attempt", null);
        }
        deliveries.put(id, new Row(state, row.token(), row.leaseUntil(), detail, now.plus(retention), row.attempts(),
                row.key(), row.lastError(), null, row.claimedAt(), now, null));
    }

    @Override
    public synchronized List<DeliveryRecord> records(String entity, Instant now) {
        return deliveries.entrySet().stream()
                .filter(e -> !e.getValue().expires().isBefore(now) && e.getValue().key() != null
                        && entity.equals(e.getValue().key().entity()))
                .map(e -> {
                    Row row = e.getValue();
                    DeliveryKey key = row.key();
                    boolean completed = "COMPLETED".equals(row.state());
                    return new DeliveryRecord(key.deliveryId(), key.target(), key.topic(), key.origin(), row.state(),
                            completed ? row.detail() : null, "FAILED".equals(row.state()) ? row.detail() : row.staleReason(),
                            row.lastError(), row.attempts(), Optional.ofNullable(row.staleAgainst()), row.claimedAt(),
                            row.finishedAt());
                })
                .sorted(Comparator.comparing(DeliveryRecord::lastChange).reversed())
                .toList();
    }

    @Override
    public synchronized List<String> webhookEntities(String shop, String webhookId, Instant now) {
        return deliveries.values().stream()
                .filter(row -> !row.expires().isBefore(now) && row.key() != null && row.key().origin() != null
                        && webhookId.equals(row.key().origin().webhookId()) && row.key().entity() != null
                        && row.key().entity().startsWith(shop + "/"))
                .map(row -> row.key().entity()).distinct().toList();
    }

    @Override
    public synchronized Optional<EntityVersion> watermark(String watermarkKey, String target, Instant now) {
        return Optional.ofNullable(watermarks.get(watermarkKey + "#" + target));
    }

    @Override
    public synchronized boolean advanceWatermark(String watermarkKey, String target, EntityVersion version, Instant now) {
        String id = watermarkKey + "#" + target;
        EntityVersion current = watermarks.get(id);
        if (current == null || version.isNewerThan(current)) {
            watermarks.put(id, version);
            return true;
        }
        return false;
    }
}
