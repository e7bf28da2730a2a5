package io.shopsync.delivery;

import java.time.Duration;
import java.util.function.LongSupplier;

/** How much time the invocation has left: Lambda's {@code Context.getRemainingTimeInMillis()}. */
@FunctionalInterface
public interface Deadline {

    Duration remaining();

    /** No limit: tests and callers outside Lambda. */
    static Deadline none() {
        return () -> Duration.ofDays(1);
    }

    static Deadline remainingMillis(LongSupplier millis) {
        return () -> Duration.ofMillis(millis.getAsLong());
    }

    default boolean allows(Duration work) {
        return remaining().compareTo(work) >= 0;
    }
}
