package io.shopsync.delivery;

import java.time.Duration;

/**
 * @param maxAttempts how many times a target is actually called for one webhook before the runtime
 *     dead-letters it with its reason and an alert. Only real calls count: a message held back behind
 *     a failing message of its entity, or deferred because the invocation was running out of time,
 *     keeps its attempts.
 * @param maxReceiveCount the work queue's redrive maxReceiveCount, a backstop above {@code maxAttempts}:
 *     SQS would move the message silently after that many receives, so on the last one the runtime
 *     dead-letters it itself, with its reason, whatever its attempts
 * @param callBudget the time a target call, its recording and a dead-letter need at most: no call is
 *     started with less time left in the invocation; the rest of the batch is deferred
 * @param runbook where the alert sends the on-call person
 */
public record DeliverySettings(int maxAttempts, int maxReceiveCount, Duration callBudget, String runbook) {

    public static final String DEFAULT_RUNBOOK = "docs/operations.md#dead-letter-queues (inspect, fix the cause, redrive)";

    public static final int DEFAULT_MAX_ATTEMPTS = 8;
    public static final int DEFAULT_MAX_RECEIVE_COUNT = 40;
    /** A 10 s request timeout, plus the delivery store's writes and a dead-letter. */
    public static final Duration DEFAULT_CALL_BUDGET = Duration.ofSeconds(13);

    public DeliverySettings {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("MAX_ATTEMPTS must be at least 1, got " + maxAttempts);
        }
        if (maxReceiveCount < maxAttempts) {
            throw new IllegalArgumentException("MAX_RECEIVE_COUNT (" + maxReceiveCount + ", the queue's redrive limit) must"
                    + " be at least MAX_ATTEMPTS (" + maxAttempts + "): raise the MaxReceiveCount parameter");
        }
    }

    public static DeliverySettings defaults() {
        return new DeliverySettings(DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_RECEIVE_COUNT, DEFAULT_CALL_BUDGET, DEFAULT_RUNBOOK);
    }

    public DeliverySettings withAttempts(int attempts, int receiveCount) {
        return new DeliverySettings(attempts, receiveCount, callBudget, runbook);
    }
}
