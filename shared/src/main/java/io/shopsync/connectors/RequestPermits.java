package io.shopsync.connectors;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Permission to send one request to a rate-limited API, per container ({@link RateLimiter}) or shared ({@link DynamoDbRequestBudget}). */
public interface RequestPermits {

    /**
     * Takes a permit, waiting for one when it frees within {@code longestWait} (a short sleep costs less than a
     * retry through the queue); otherwise says when one frees, for the caller to defer its work until then.
     */
    Optional<Instant> acquire(Duration longestWait);
}
