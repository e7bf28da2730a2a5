package io.shopsync.connectors;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * A connector's credential, read on first use (never in a constructor: SnapStart would freeze it) and
 * cached for the container's life. When the target rejects it, {@link #refreshAfterRejection()}
 * reloads it at most once a minute, so a rotated token is picked up without a redeploy.
 */
public final class CachedSecret {

    private final String description;
    private final Supplier<String> source;
    private final Clock clock;
    private final Duration minRefresh;
    private String value;
    private Instant loadedAt;

    public CachedSecret(String description, Supplier<String> source, Clock clock, Duration minRefresh) {
        this.description = description;
        this.source = source;
        this.clock = clock;
        this.minRefresh = minRefresh;
    }

    /** A fixed value (local runs, tests). */
    public static CachedSecret fixed(String description, String value) {
        return new CachedSecret(description, () -> value, Clock.systemUTC(), Duration.ofMinutes(1));
    }

    public synchronized String get() {
        if (value == null) {
            load();
        }
        return value;
    }

    /** @return true when a reload happened (the caller may retry once with the new value) */
    public synchronized boolean refreshAfterRejection() {
        if (loadedAt != null && Duration.between(loadedAt, clock.instant()).compareTo(minRefresh) < 0) {
            return false;
        }
        String before = value;
        load();
        return before == null || !before.equals(value);
    }

    public String description() {
        return description;
    }

    private void load() {
        loadedAt = clock.instant();
        String loaded = source.get();
        if (loaded == null || loaded.isBlank()) {
            throw new IllegalStateException(description + " is empty: store the credential there");
        }
        value = loaded.trim();
    }
}
