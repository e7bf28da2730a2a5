package io.shopsync.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.alerts.Alert;
import io.shopsync.alerts.Alerts;
import io.shopsync.delivery.DeliveryOutcome.Delivered;
import io.shopsync.delivery.DeliveryOutcome.Duplicate;
import io.shopsync.delivery.DeliveryOutcome.PermanentFailure;
import io.shopsync.delivery.DeliveryOutcome.RetryLater;
import io.shopsync.delivery.DeliveryOutcome.Stale;
import io.shopsync.delivery.DeliveryStore.Claim;
import io.shopsync.delivery.DeliveryStore.DeliveryKey;
import io.shopsync.delivery.DeliveryStore.EventKey;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.envelope.MalformedEnvelopeException;
import io.shopsync.flow.EntityVersion;
import io.shopsync.flow.Flow;
import io.shopsync.flow.TopicRule;
import io.shopsync.flow.UnprocessableWebhookException;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.ClaimCheckStore;
import io.shopsync.queue.DeadLetterReason;
import io.shopsync.queue.FlowQueues;
import io.shopsync.queue.SqsIds;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The queue path of every flow: claim, check, map, send, record.
 *
 * <p>For a batch of FIFO messages it decodes each envelope, then delivers in rounds: each round takes
 * the next message of every entity group that has not failed, so one entity's messages reach a target
 * in order while different entities share the target's batch calls. Per target, a message is
 * claimed in the delivery store (a completed record makes it a duplicate), checked against the
 * entity's watermark (an older version is stale), and the survivors go to the target as one batch.
 * The watermark and the completion are written only after the target accepted the change.
 *
 * <p>A transient failure reports the message failed with a growing, jittered visibility delay (and
 * every later message of its group in the batch with it); on the queue's last attempt, or on a
 * permanent failure, the envelope goes to the DLQ at once with its reason, and an alert is raised.
 */
public final class DeliveryLoop {

    private final Flow flow;
    private final List<Target> targets;
    private final DeliveryStore store;
    private final FlowQueues queues;
    private final ClaimCheckStore claimChecks;
    private final EnvelopeCodec codec;
    private final ObjectMapper json;
    private final Alerts alerts;
    private final Telemetry telemetry;
    private final Backoff backoff;
    private final DeliverySettings settings;
    private final Clock clock;

    public DeliveryLoop(Flow flow, List<Target> targets, DeliveryStore store, FlowQueues queues,
                        ClaimCheckStore claimChecks, ObjectMapper json, Alerts alerts, Telemetry telemetry,
                        Backoff backoff, DeliverySettings settings, Clock clock) {
        this.flow = flow;
        this.targets = List.copyOf(targets);
        this.store = store;
        this.queues = queues;
        this.claimChecks = claimChecks;
        this.codec = new EnvelopeCodec(json);
        this.json = json;
        this.alerts = alerts;
        this.telemetry = telemetry;
        this.backoff = backoff;
        this.settings = settings;
        this.clock = clock;
    }

    /** @return the message ids to report as batch item failures */
    public List<String> deliver(List<QueueMessage> batch) {
        Set<String> failed = new LinkedHashSet<>();
        Map<String, Deque<Work>> groups = new LinkedHashMap<>();
        for (QueueMessage message : batch) {
            String group = message.groupId() == null ? message.messageId() : message.groupId();
            Deque<Work> queue = groups.computeIfAbsent(group, g -> new ArrayDeque<>());
            queue.add(new Work(message));
        }
        while (!groups.isEmpty()) {
            List<Work> round = new ArrayList<>();
            groups.values().forEach(queue -> round.add(queue.poll()));
            groups.values().removeIf(Deque::isEmpty);
            deliverRound(round);
            for (Work work : round) {
                if (!work.finish()) {
                    failed.add(work.message.messageId());
                    // FIFO: nothing after a failed message of the same entity may go ahead of it. The later
                    // messages wait as long as the failed one: while any of them is in flight SQS holds the
                    // whole group, so leaving them at the queue's visibility timeout would stretch the backoff.
                    Deque<Work> rest = groups.remove(groupOf(work.message));
                    if (rest != null) {
                        for (Work later : rest) {
                            failed.add(later.message.messageId());
                            work.retryDelay.ifPresent(delay -> later.delay(delay));
                        }
                    }
                }
            }
        }
        return List.copyOf(failed);
    }

    private static String groupOf(QueueMessage message) {
        return message.groupId() == null ? message.messageId() : message.groupId();
    }

    private void deliverRound(List<Work> round) {
        List<Work> readable = new ArrayList<>();
        for (Work work : round) {
            if (work.open()) {
                readable.add(work);
            }
        }
        for (Target target : targets) {
            List<Work> toSend = new ArrayList<>();
            for (Work work : readable) {
                if (work.wants(target) && work.check(target)) {
                    toSend.add(work);
                }
            }
            if (toSend.isEmpty()) {
                continue;
            }
            List<DeliveryOutcome> outcomes;
            try {
                outcomes = target.deliver(toSend.stream().map(w -> new DeliveryItem(w.envelope, w.payload)).toList());
                if (outcomes == null || outcomes.size() != toSend.size()) {
                    throw new IllegalStateException("target " + target.name() + " answered "
                            + (outcomes == null ? "null" : outcomes.size()) + " outcomes for " + toSend.size() + " items");
                }
            } catch (RuntimeException e) {
                String reason = "target " + target.name() + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage();
                outcomes = toSend.stream().<DeliveryOutcome>map(w -> new RetryLater(reason)).toList();
            }
            for (int i = 0; i < toSend.size(); i++) {
                toSend.get(i).record(target, outcomes.get(i));
            }
        }
        if (targets.isEmpty()) {
            for (Work work : readable) {
                work.noTargets();
            }
        }
    }

    /** One message's journey through the loop. */
    private final class Work {
        private final QueueMessage message;
        private final Instant now = clock.instant();
        private Envelope envelope;
        private JsonNode payload;
        private String deliveryId;
        private EntityVersion version;
        private String watermarkKey;
        private Set<String> redriveTargets = Set.of();
        private final Map<String, Claim.Claimed> claims = new LinkedHashMap<>();
        private final Map<String, DeliveryOutcome> outcomes = new LinkedHashMap<>();
        private DeliveryOutcome unusable;
        private Optional<Duration> retryDelay = Optional.empty();

        Work(QueueMessage message) {
            this.message = message;
        }

        boolean lastAttempt() {
            return message.receiveCount() >= settings.maxReceiveCount();
        }

        /** Decodes the envelope and payload; false when the message cannot go to any target. */
        boolean open() {
            try {
                envelope = codec.decode(message.body());
                byte[] body = envelope.body() instanceof Body.Inline inline ? inline.bytes()
                        : claimChecks.fetch((Body.ClaimCheck) envelope.body());
                TopicRule rule = flow.ruleFor(envelope.topic()).orElseThrow(() -> new UnprocessableWebhookException(
                        "topic " + envelope.topic() + " is not handled by flow " + flow.name()));
                payload = json.readTree(body);
                if (payload == null || !payload.isObject()) {
                    throw new UnprocessableWebhookException("body is not a JSON object");
                }
                deliveryId = SqsIds.deduplicationId(envelope, body);
                if (rule.watermark().isPresent()) {
                    watermarkKey = rule.watermark().get().of(envelope.shop(), payload);
                    version = EntityVersion.of(payload, envelope.triggeredAt());
                }
                redriveTargets = message.attribute("target")
                        .map(t -> Arrays.stream(t.split(",")).map(String::trim).collect(Collectors.toSet()))
                        .orElse(Set.of());
                return true;
            } catch (MalformedEnvelopeException | UnprocessableWebhookException e) {
                unusable = new PermanentFailure(e.getMessage(), "unprocessable");
            } catch (IOException e) {
                unusable = new PermanentFailure("body is not valid JSON (" + e.getClass().getSimpleName() + ")",
                        "unprocessable");
            } catch (IllegalStateException e) {
                unusable = new PermanentFailure(e.getMessage(), "claim-check");
            } catch (SdkException e) {
                unusable = new RetryLater("cannot read the claim-checked body: " + e.getMessage());
            }
            return false;
        }

        boolean wants(Target target) {
            return redriveTargets.isEmpty() || redriveTargets.contains(target.name());
        }

        void noTargets() {
            unusable = new PermanentFailure("flow " + flow.name() + " has no target configured: enable a target "
                    + "in the deployment's parameters, then redrive this dead-letter queue", "no-target");
        }

        /** Claims the delivery and applies the duplicate and stale checks; true when it must be sent. */
        boolean check(Target target) {
            DeliveryKey key = key(target);
            Claim claim;
            try {
                claim = store.claim(key, redriveTargets.contains(target.name()), now);
            } catch (SdkException e) {
                outcomes.put(target.name(), new RetryLater("delivery store unavailable: " + e.getMessage()));
                return false;
            }
            if (claim instanceof Claim.AlreadyCompleted completed) {
                outcomes.put(target.name(), new Duplicate("already " + completed.outcome()));
                return false;
            }
            if (claim instanceof Claim.AlreadyFailed) {
                outcomes.put(target.name(), new Duplicate("already dead-lettered; redrive that dead letter to retry"));
                return false;
            }
            if (claim instanceof Claim.Busy busy) {
                outcomes.put(target.name(), new RetryLater("another attempt holds the lease", Optional.of(busy.leaseUntil())));
                return false;
            }
            Claim.Claimed claimed = (Claim.Claimed) claim;
            claims.put(target.name(), claimed);
            try {
                if (envelope.eventId() != null) {
                    Optional<String> first = store.deliveredEvent(eventKey(target), now);
                    if (first.isPresent() && !first.get().equals(deliveryId)) {
                        record(target, new Duplicate("event " + envelope.eventId() + " already delivered by " + first.get()));
                        return false;
                    }
                }
                if (watermarkKey != null) {
                    Optional<EntityVersion> applied = store.watermark(watermarkKey, target.name(), now);
                    if (applied.isPresent() && !version.isNewerThan(applied.get())) {
                        record(target, new Stale("version " + version.updatedAt() + " is not newer than the applied "
                                + applied.get().updatedAt()));
                        return false;
                    }
                }
            } catch (SdkException e) {
                record(target, new RetryLater("delivery store unavailable: " + e.getMessage()));
                return false;
            }
            return true;
        }

        /** Records a target's outcome for this message in the store. */
        void record(Target target, DeliveryOutcome outcome) {
            DeliveryKey key = key(target);
            Claim.Claimed claimed = claims.get(target.name());
            DeliveryOutcome result = outcome;
            try {
                if (outcome instanceof Delivered || outcome instanceof Duplicate) {
                    if (watermarkKey != null) {
                        store.advanceWatermark(watermarkKey, target.name(), version, now);
                    }
                    if (envelope.eventId() != null) {
                        store.recordEvent(eventKey(target), deliveryId, now);
                    }
                    store.complete(key, claimed, outcome.label(), now);
                } else if (outcome instanceof Stale) {
                    store.complete(key, claimed, outcome.label(), now);
                } else if (outcome instanceof RetryLater retry) {
                    if (lastAttempt()) {
                        result = new PermanentFailure("retries exhausted after " + message.receiveCount()
                                + " attempts; last error: " + retry.reason(), "retries-exhausted");
                        store.fail(key, claimed, ((PermanentFailure) result).reason(), now);
                    } else {
                        store.release(key, claimed);
                    }
                } else if (outcome instanceof PermanentFailure permanent) {
                    store.fail(key, claimed, permanent.reason(), now);
                }
            } catch (SdkException e) {
                // The target has the change but the store does not know it yet: the retry will find the
                // watermark or the target's own idempotency, not a second effect.
                result = outcome instanceof RetryLater || outcome instanceof PermanentFailure ? outcome
                        : new RetryLater("delivered, but the delivery store is unavailable: " + e.getMessage());
            }
            outcomes.put(target.name(), result);
        }

        /** Dead-letters, delays or completes the message. @return false when it must be reported failed */
        boolean finish() {
            List<String> permanentTargets = new ArrayList<>();
            List<String> reasons = new ArrayList<>();
            String category = null;
            Optional<Instant> notBefore = Optional.empty();
            boolean retry = false;
            if (unusable != null) {
                outcomes.put("-", unusable);
            }
            for (Map.Entry<String, DeliveryOutcome> entry : outcomes.entrySet()) {
                DeliveryOutcome outcome = entry.getValue();
                emit(entry.getKey(), outcome);
                if (outcome instanceof PermanentFailure permanent) {
                    permanentTargets.add(entry.getKey());
                    reasons.add(entry.getKey() + ": " + permanent.reason());
                    category = category == null ? permanent.category() : category;
                } else if (outcome instanceof RetryLater later) {
                    if (lastAttempt() && "-".equals(entry.getKey())) {
                        permanentTargets.add("-");
                        reasons.add("retries exhausted after " + message.receiveCount() + " attempts; last error: "
                                + later.reason());
                        category = "retries-exhausted";
                        continue;
                    }
                    retry = true;
                    notBefore = later.notBefore().isPresent() && (notBefore.isEmpty()
                            || later.notBefore().get().isAfter(notBefore.get())) ? later.notBefore() : notBefore;
                }
            }
            if (!permanentTargets.isEmpty()) {
                List<String> named = permanentTargets.stream().filter(t -> !"-".equals(t)).toList();
                DeadLetterReason reason = DeadLetterReason.atDelivery(String.join("; ", reasons), category, named);
                try {
                    if (envelope != null) {
                        queues.deadLetter(envelope, reason);
                    } else {
                        queues.deadLetterUnreadable(message.body(), message.groupId(), reason);
                    }
                } catch (RuntimeException e) {
                    // Not stored in the DLQ: keep it on the work queue; SQS moves it after maxReceiveCount.
                    emit("-", new RetryLater("cannot dead-letter: " + e.getMessage()));
                    return false;
                }
                alert(named.isEmpty() ? "-" : String.join(",", named), category, String.join("; ", reasons));
            }
            if (retry) {
                delay(backoff.delay(message.receiveCount(), notBefore, now));
                return false;
            }
            return true;
        }

        void delay(Duration delay) {
            retryDelay = Optional.of(delay);
            try {
                queues.delayRetry(message.receiptHandle(), delay);
            } catch (SdkException e) {
                telemetry.line(flow.name(), "retry delay not set; the queue's visibility timeout applies")
                        .field("messageId", message.messageId()).field("error", e.getMessage()).emit();
            }
        }

        private void alert(String target, String category, String reasons) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("dead-letter queue", queues.deadLetterQueueName());
            if (envelope != null) {
                details.put("shop", String.valueOf(envelope.shop()));
                details.put("topic", String.valueOf(envelope.topic()));
                details.put("webhook id", String.valueOf(envelope.webhookId()));
                details.put("entity", String.valueOf(envelope.entity()));
            } else {
                details.put("SQS message id", message.messageId());
            }
            details.put("attempts", Integer.toString(message.receiveCount()));
            // No reasons in the alert: it leaves AWS as e-mail. They are in the DLQ attribute and the log.
            alerts.raise(new Alert(flow.name(), target, category, details,
                    "fix the cause the dead letter's reason names, then redrive the dead-letter queue: " + settings.runbook()));
        }

        private void emit(String target, DeliveryOutcome outcome) {
            Telemetry.Line line = telemetry.line(flow.name(), "webhook delivery")
                    .field("target", target)
                    .field("outcome", outcome.label())
                    .field("messageId", message.messageId())
                    .field("attempt", message.receiveCount());
            if (envelope != null) {
                line.field("shop", envelope.shop()).field("topic", envelope.topic())
                        .field("webhookId", envelope.webhookId()).field("entity", envelope.entity());
            }
            if (outcome instanceof Delivered) {
                line.count("Delivered");
                if (envelope != null && envelope.triggeredAt() != null) {
                    line.milliseconds("DeliveryLatency", Duration.between(envelope.triggeredAt(), clock.instant()).toMillis());
                }
            } else if (outcome instanceof Duplicate duplicate) {
                line.field("why", duplicate.why()).count("Duplicate");
            } else if (outcome instanceof Stale stale) {
                line.field("why", stale.why()).count("Stale");
            } else if (outcome instanceof RetryLater later) {
                line.field("reason", later.reason()).count("Retried");
            } else if (outcome instanceof PermanentFailure permanent) {
                line.field("reason", permanent.reason()).field("category", permanent.category()).count("DeadLettered");
            }
            line.emit();
        }

        private DeliveryKey key(Target target) {
            return new DeliveryKey(deliveryId, target.name(), envelope.topic(), envelope.entity());
        }

        private EventKey eventKey(Target target) {
            return new EventKey(envelope.shop(), envelope.topic(), envelope.eventId(), target.name());
        }
    }
}
