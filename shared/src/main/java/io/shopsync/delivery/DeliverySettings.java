package io.shopsync.delivery;

/**
 * @param maxReceiveCount the work queue's redrive maxReceiveCount: on that attempt a message that
 *     still cannot be delivered is dead-lettered by the runtime, with its reason and an alert,
 *     instead of being moved silently by SQS
 * @param runbook where the alert sends the on-call person
 */
public record DeliverySettings(int maxReceiveCount, String runbook) {

    public static final String DEFAULT_RUNBOOK = "docs/operations.md#dead-letter-queues (inspect, fix the cause, redrive)";
}
