package io.shopsync.testing;

import io.shopsync.connectors.inventory.ReportedLevels;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reported levels in memory, held to the same contract test as the DynamoDB store
 * (ReportedLevelsContract), for tests of delta-based inventory connectors.
 */
public final class InMemoryReportedLevels implements ReportedLevels {

    private record Row(Reported level, Instant expires) {}

    private final Map<Key, Row> rows = new HashMap<>();
    private final Duration retention;

    public InMemoryReportedLevels(Duration retention) {
        this.retention = retention;
    }

    public InMemoryReportedLevels() {
        this(Duration.ofDays(365));
    }

    @Override
    public synchronized Optional<Reported> last(Key key, Instant now) {
        Row row = rows.get(key);
        return row == null || row.expires().getEpochSecond() < now.getEpochSecond()
                ? Optional.empty() : Optional.of(row.level());
    }

    @Override
    public synchronized boolean remember(Key key, Reported level, Instant now) {
        Optional<Reported> last = last(key, now);
        if (last.isPresent() && last.get().sourceUpdatedAt().isAfter(level.sourceUpdatedAt())) {
            return false;
        }
        rows.put(key, new Row(level, now.plus(retention)));
        return true;
    }
}
