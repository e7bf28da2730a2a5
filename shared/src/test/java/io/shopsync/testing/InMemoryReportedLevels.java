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

    private record Row(State state, Instant expires) {}

    private final Map<Key, Row> rows = new HashMap<>();
    private final Duration retention;

    public InMemoryReportedLevels(Duration retention) {
        this.retention = retention;
    }

    public InMemoryReportedLevels() {
        this(Duration.ofDays(365));
    }

    @Override
    public synchronized State read(Key key, Instant now) {
        Row row = rows.get(key);
        if (row == null) {
            return new State(Optional.empty(), Optional.empty(), 0);
        }
        return row.expires().getEpochSecond() < now.getEpochSecond()
                ? new State(Optional.empty(), Optional.empty(), row.state().revision()) : row.state();
    }

    @Override
    public synchronized Optional<State> replace(Key key, State expected, Optional<Reported> level,
                                                Optional<Pending> pending, Instant now) {
        Row row = rows.get(key);
        long stored = row == null ? 0 : row.state().revision();
        if (stored != expected.revision()) {
            return Optional.empty();
        }
        State next = new State(level, pending, stored + 1);
        rows.put(key, new Row(next, now.plus(retention)));
        return Optional.of(next);
    }
}
