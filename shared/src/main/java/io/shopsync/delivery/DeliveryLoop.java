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
import io.shopsync.flow.EntityKeys;
import io.shopsync.flow.EntityVersion;
import io.shopsync.flow.Flow;
import io.shopsync.flow.PayloadStub;
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
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
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
 * every later message of its group in the batch with it). A permanent failure, a target that was
 * called {@code maxAttempts} times, or a message on the queue's last receive goes to the DLQ at once
 * with its reason, and an alert is raised: SQS never moves a message silently. A message leaves the
 * work queue only when every target has it, or it is provably in the DLQ with its reason, or it is a
 * true duplicate; the delivery record says "failed" only once the dead letter is stored.
 *
 * <p>Only real calls count as attempts (the delivery record counts them): a message held back behind
 * its entity's failing message, or deferred because the invocation is running out of time, keeps its
 * attempts. No target call starts with less than {@code callBudget} left in the invocation.
 */
public final class DeliveryLoop {

    private final Flow flow;
    private final List<Target> targets;
    /** The targets' names, sorted: what a redrive's {@code target} attribute may name. */
    private final Set<String> targetNames;
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
    private final StubResources stubs;

    public DeliveryLoop(Flow flow, List<Target> targets, DeliveryStore store, FlowQueues queues,
                        ClaimCheckStore claimChecks, ObjectMapper json, Alerts alerts, Telemetry telemetry,
                        Backoff backoff, DeliverySettings settings, Clock clock) {
        this(flow, targets, store, queues, claimChecks, json, alerts, telemetry, backoff, settings, clock,
                StubResources.NONE);
    }

    /** @param stubs reads the resource behind a payload Shopify sent as its id only */
    public DeliveryLoop(Flow flow, List<Target> targets, DeliveryStore store, FlowQueues queues,
                        ClaimCheckStore claimChecks, ObjectMapper json, Alerts alerts, Telemetry telemetry,
                        Backoff backoff, DeliverySettings settings, Clock clock, StubResources stubs) {
        this.stubs = stubs;
        this.flow = flow;
        this.targets = List.copyOf(targets);
        this.targetNames = targets.stream().map(Target::name).collect(Collectors.toCollection(TreeSet::new));
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
        return deliver(batch, Deadline.none());
    }

    /**
     * @param deadline the invocation's remaining time: work that could not finish in it is not started,
     *     and its messages are reported for an immediate retry that does not count as an attempt
     * @return the message ids to report as batch item failures
     */
    public List<String> deliver(List<QueueMessage> batch, Deadline deadline) {
        Set<String> failed = new LinkedHashSet<>();
        Map<String, Deque<Work>> groups = new LinkedHashMap<>();
        for (QueueMessage message : batch) {
            Deque<Work> queue = groups.computeIfAbsent(groupOf(message), g -> new ArrayDeque<>());
            queue.add(new Work(message));
        }
        while (!groups.isEmpty()) {
            if (!deadline.allows(settings.callBudget())) {
                for (Deque<Work> queue : groups.values()) {
                    for (Work work : queue) {
                        if (!work.holdBack("deferred: " + deadline.remaining().toMillis() + " ms left in this invocation,"
                                + " less than a target call needs", Duration.ZERO)) {
                            failed.add(work.message.messageId());
                        }
                    }
                }
                break;
            }
            List<Work> round = new ArrayList<>();
            groups.values().forEach(queue -> round.add(queue.poll()));
            groups.values().removeIf(Deque::isEmpty);
            deliverRound(round, deadline);
            for (Work work : round) {
                if (!work.finish()) {
                    failed.add(work.message.messageId());
                    // FIFO: nothing after a failed message of the same entity may go ahead of it. The later
                    // messages wait as long as the failed one: while any of them is in flight SQS holds the
                    // whole group, so leaving them at the queue's visibility timeout would stretch the backoff.
                    Deque<Work> rest = groups.remove(groupOf(work.message));
                    if (rest != null) {
                        for (Work later : rest) {
                            if (!later.holdBack("held behind message " + work.message.messageId()
                                    + " of the same entity, which is being retried", work.retryDelay.orElse(Duration.ZERO))) {
                                failed.add(later.message.messageId());
                            }
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

    private void deliverRound(List<Work> round, Deadline deadline) {
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
            if (!deadline.allows(settings.callBudget())) {
                String reason = "deferred: " + deadline.remaining().toMillis() + " ms left in this invocation, less than"
                        + " a call to " + target.name() + " needs";
                toSend.forEach(work -> work.defer(target, reason));
                continue;
            }
            List<DeliveryOutcome> outcomes;
            try {
                outcomes = target.deliver(toSend.stream().map(w -> new DeliveryItem(w.envelope, w.payload,
                        w.staleState.contains(target.name()), w.stalePerson.contains(target.name()))).toList());
                if (outcomes == null || outcomes.size() != toSend.size()) {
                    throw new IllegalStateException("target " + target.name() + " answered "
                            + (outcomes == null ? "null" : outcomes.size()) + " outcomes for " + toSend.size() + " items");
                }
            } catch (RuntimeException e) {
                String reason = "target " + target.name() + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage();
                outcomes = toSend.stream().<DeliveryOutcome>map(w -> new RetryLater(reason)).toList();
            }
            for (int i = 0; i < toSend.size(); i++) {
                toSend.get(i).attempted.add(target.name());
                toSend.get(i).record(target, outcomes.get(i));
            }
        }
        for (Work work : readable) {
            if (targets.stream().noneMatch(target -> target.takes(work.envelope.topic()))) {
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
        /** The targets this attempt called and that failed or have not answered yet (an accepted change is not one). */
        private final Set<String> attempted = new LinkedHashSet<>();
        /** The targets that have a newer state of the entity and take only this topic's events. */
        private final Set<String> staleState = new LinkedHashSet<>();
        /** The person the payload embeds (an order's customer), versioned on its own. */
        private String personKey;
        private EntityVersion personVersion;
        /** The targets that have a newer version of that person. */
        private final Set<String> stalePerson = new LinkedHashSet<>();
        /** The targets whose call was not started for lack of time. */
        private final Set<String> deferred = new LinkedHashSet<>();
        private final Map<String, DeliveryOutcome> outcomes = new LinkedHashMap<>();
        private DeliveryOutcome unusable;
        private Optional<Duration> retryDelay = Optional.empty();

        Work(QueueMessage message) {
            this.message = message;
        }

        /** SQS would move the message without a reason after this receive: the runtime must not let it. */
        boolean lastReceive() {
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
                if (PayloadStub.isStub(payload)) {
                    // Never delivered as if it were the resource: the resource is read now, by its id.
                    String id = EntityKeys.id(payload, "id");
                    PayloadStub.Fetch fetch = PayloadStub.fetchFor(envelope.topic(), id).orElseThrow(() ->
                            new UnprocessableWebhookException(PayloadStub.cannotFetch(envelope.topic(), id)));
                    StubResources.Fetched fetched = stubs.fetch(envelope.shop(), fetch, envelope.apiVersion());
                    if (fetched instanceof StubResources.Fetched.Failed failed) {
                        unusable = failed.outcome();
                        return false;
                    }
                    byte[] resource = ((StubResources.Fetched.Resource) fetched).json();
                    payload = json.readTree(resource);
                    if (payload == null || !payload.isObject() || PayloadStub.isStub(payload)
                            || !id.equals(EntityKeys.id(payload, "id"))) {
                        unusable = new RetryLater("shopify answered the read of " + fetch.path() + " without the resource");
                        return false;
                    }
                    envelope = envelope.withBody(new Body.Inline(resource));
                }
                if (rule.watermark().isPresent()) {
                    watermarkKey = rule.watermark().get().of(envelope.shop(), payload);
                    version = rule.version(payload, envelope.triggeredAt());
                }
                if (rule.embedsPerson()) {
                    openPerson();
                }
                redriveTargets = message.attribute("target")
                        .map(t -> Arrays.stream(t.split(",")).map(String::trim).filter(n -> !n.isEmpty())
                                .collect(Collectors.toCollection(LinkedHashSet::new)))
                        .map(Set::copyOf)
                        .orElse(Set.of());
                for (String gone : redriveTargets) {
                    if (!targetNames.contains(gone)) {
                        outcomes.put(gone, new PermanentFailure("redriven for target " + gone + ", which flow " + flow.name()
                                + " no longer has (its targets: " + (targetNames.isEmpty() ? "none" : String.join(", ", targetNames))
                                + "): enable " + gone + " again and redrive, or delete this dead letter if " + gone
                                + " was retired on purpose", "unknown-target"));
                    }
                }
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

        private void openPerson() {
            Optional<String> field = flow.personField();
            JsonNode person = field.map(payload::get).orElse(null);
            if (person != null && person.isObject() && person.hasNonNull("id")) {
                personKey = EntityKeys.byId(field.get(), "id").of(envelope.shop(), person);
                personVersion = EntityVersion.of(person, envelope.triggeredAt());
            }
        }

        boolean wants(Target target) {
            return target.takes(envelope.topic()) && (redriveTargets.isEmpty() || redriveTargets.contains(target.name()));
        }

        void noTargets() {
            if (outcomes.isEmpty()) {
                unusable = new PermanentFailure("flow " + flow.name() + " has no target configured: enable a target "
                        + "in the deployment's parameters, then redrive this dead-letter queue", "no-target");
            }
        }

        /**
         * Claims the delivery and applies the duplicate and stale checks, in one request to the store; true when
         * it must be sent.
         */
        boolean check(Target target) {
            DeliveryKey key = key(target);
            Claim claim;
            try {
                claim = store.claim(key, redriveTargets.contains(target.name()), checks(target), now);
            } catch (SdkException e) {
                outcomes.put(target.name(), new RetryLater("delivery store unavailable: " + e.getMessage()));
                return false;
            }
            if (claim instanceof Claim.AlreadyCompleted completed) {
                outcomes.put(target.name(), new Duplicate("already " + completed.outcome()));
                return false;
            }
            if (claim instanceof Claim.AlreadyFailed) {
                // A record says failed only once its dead letter is stored: this copy is a true duplicate.
                outcomes.put(target.name(), new Duplicate("already dead-lettered; redrive that dead letter to retry"));
                return false;
            }
            if (claim instanceof Claim.Busy busy) {
                outcomes.put(target.name(), new RetryLater("another attempt holds the lease", Optional.of(busy.leaseUntil())));
                return false;
            }
            if (claim instanceof Claim.EventDelivered first) {
                // Nothing is written: every later copy of this webhook meets the same event guard.
                outcomes.put(target.name(), new Duplicate("event " + envelope.eventId() + " already delivered by "
                        + first.deliveryId()));
                return false;
            }
            if (claim instanceof Claim.Stale stale) {
                // The store wrote the record down as completed "stale": a later copy of this webhook is a duplicate.
                outcomes.put(target.name(), new Stale(stale.sentOnly()
                        ? "superseded by version " + stale.newer().updatedAt() + " already sent to " + target.name()
                                + " (its completion is not recorded yet, or it was dead-lettered): an older version must not"
                                + " follow it"
                        : "version " + version.updatedAt() + " is not newer than the applied " + stale.newer().updatedAt()));
                return false;
            }
            Claim.Claimed claimed = (Claim.Claimed) claim;
            claims.put(target.name(), claimed);
            if (claimed.staleState()) {
                // Its events exist in no newer version: send them, and only them.
                staleState.add(target.name());
            }
            if (claimed.stalePerson()) {
                stalePerson.add(target.name());
            }
            return true;
        }

        private DeliveryStore.Checks checks(Target target) {
            return new DeliveryStore.Checks(
                    Optional.ofNullable(envelope.eventId()).map(id -> eventKey(target)),
                    Optional.ofNullable(watermarkKey).map(k -> new DeliveryStore.Versioned(k, version)),
                    target.carriesEvents(envelope.topic()),
                    Optional.ofNullable(personKey).map(k -> new DeliveryStore.Versioned(k, personVersion)));
        }

        /** Leaves a claimed target for the next invocation: not an attempt. */
        void defer(Target target, String reason) {
            deferred.add(target.name());
            outcomes.put(target.name(), new RetryLater(reason));
        }

        /**
         * Records a target's delivered, duplicate or stale outcome in the store; a failure is only noted
         * here, and settled in {@link #finish()} once it is known whether the message is retried or
         * dead-lettered.
         */
        void record(Target target, DeliveryOutcome outcome) {
            DeliveryKey key = key(target);
            Claim.Claimed claimed = claims.get(target.name());
            DeliveryOutcome result = outcome;
            try {
                if (outcome instanceof Delivered || outcome instanceof Duplicate) {
                    // One write: the completion, the watermarks and the event guard together.
                    boolean person = personKey != null && outcome instanceof Delivered && !stalePerson.contains(target.name());
                    store.complete(key, claimed, outcome.label(), new DeliveryStore.Applied(
                            Optional.ofNullable(staleState.contains(target.name()) ? null : watermarkKey)
                                    .map(k -> new DeliveryStore.Versioned(k, version)),
                            Optional.ofNullable(person ? personKey : null).map(k -> new DeliveryStore.Versioned(k, personVersion)),
                            Optional.ofNullable(envelope.eventId()).map(id -> eventKey(target))), now);
                } else if (outcome instanceof Stale) {
                    store.complete(key, claimed, outcome.label(), now);
                }
            } catch (SdkException e) {
                // The target has the change but the store does not know it yet: the retry will find the
                // watermark or the target's own idempotency, not a second effect. The target did not fail, so this
                // is not one of its attempts: the store's own failures are bounded by the queue's receive limit.
                attempted.remove(target.name());
                result = new RetryLater("delivered, but the delivery store is unavailable: " + e.getMessage());
            } catch (DeliveryStore.LeaseLostException e) {
                // Another attempt owns the record now and records its own outcome; this copy retries later and
                // then finds that attempt's record.
                claims.remove(target.name());
                result = new RetryLater("another attempt took this delivery over (its lease ran out): raise LEASE_SECONDS"
                        + " if this repeats");
            }
            outcomes.put(target.name(), result);
        }

        /**
         * Keeps a message that was not attempted for the next invocation; on its last receive it is
         * dead-lettered instead, since SQS would move it without a reason.
         *
         * @return false when it must be reported failed
         */
        boolean holdBack(String why, Duration delay) {
            if (!lastReceive()) {
                emit("-", new RetryLater(why));
                delay(delay);
                return false;
            }
            if (!open()) {
                return finish();
            }
            outcomes.put("-", new RetryLater(why));
            return finish();
        }

        /** Dead-letters, delays or completes the message. @return false when it must be reported failed */
        boolean finish() {
            if (unusable != null) {
                outcomes.put("-", unusable);
            }
            for (Map.Entry<String, DeliveryOutcome> entry : outcomes.entrySet()) {
                if (entry.getValue() instanceof RetryLater later) {
                    Optional<PermanentFailure> exhausted = exhausted(entry.getKey(), later);
                    if (exhausted.isPresent()) {
                        entry.setValue(exhausted.get());
                    }
                }
            }
            List<String> permanentTargets = new ArrayList<>();
            List<String> reasons = new ArrayList<>();
            String category = null;
            Optional<Instant> notBefore = Optional.empty();
            for (Map.Entry<String, DeliveryOutcome> entry : outcomes.entrySet()) {
                if (entry.getValue() instanceof PermanentFailure permanent) {
                    permanentTargets.add(entry.getKey());
                    reasons.add(entry.getKey() + ": " + permanent.reason());
                    category = category == null ? permanent.category() : category;
                } else if (entry.getValue() instanceof RetryLater later && later.notBefore().isPresent()
                        && (notBefore.isEmpty() || later.notBefore().get().isAfter(notBefore.get()))) {
                    notBefore = later.notBefore();
                }
            }
            List<String> named = permanentTargets.stream().filter(t -> !"-".equals(t)).toList();
            if (!permanentTargets.isEmpty()) {
                DeadLetterReason reason = DeadLetterReason.atDelivery(String.join("; ", reasons), category, named);
                try {
                    if (envelope != null) {
                        queues.deadLetter(envelope, reason);
                    } else {
                        queues.deadLetterUnreadable(message.body(), message.groupId(), reason);
                    }
                } catch (RuntimeException e) {
                    // Not in the DLQ, so it stays on the work queue, and its records must not say failed: the
                    // next attempt tries the target again and dead-letters it then.
                    for (String target : permanentTargets) {
                        outcomes.put(target, new RetryLater("not dead-lettered, the dead-letter queue refused it ("
                                + e.getMessage() + "); " + ((PermanentFailure) outcomes.get(target)).reason()));
                    }
                    telemetry.line(flow.name(), "cannot dead-letter; the message stays on the work queue")
                            .field("messageId", message.messageId()).field("attempt", message.receiveCount())
                            .field("category", category).field("error", e.getMessage()).count("DeadLetterFailed").emit();
                    permanentTargets.clear();
                    named = List.of();
                }
            }
            outcomes.forEach(this::emit);
            if (!permanentTargets.isEmpty()) {
                for (String target : named) {
                    markFailed(target, ((PermanentFailure) outcomes.get(target)).reason());
                }
                alert(named.isEmpty() ? "-" : String.join(",", named), category);
            }
            List<String> retried = outcomes.entrySet().stream().filter(e -> e.getValue() instanceof RetryLater)
                    .map(Map.Entry::getKey).toList();
            if (retried.isEmpty()) {
                return true;
            }
            int attemptsForBackoff = Math.max(1, attemptsMade());
            retried.forEach(this::release);
            delay(deferred.containsAll(retried) ? Duration.ZERO : backoff.delay(attemptsForBackoff, notBefore, now));
            return false;
        }

        /** A retry that must not happen again: the target's attempts are used up, or this is the last receive. */
        private Optional<PermanentFailure> exhausted(String target, RetryLater later) {
            int made = attemptsMade(target);
            if (attempted.contains(target) && made >= settings.maxAttempts()) {
                return Optional.of(new PermanentFailure("retries exhausted after " + made + " attempts; last error: "
                        + later.reason(), "retries-exhausted"));
            }
            if (lastReceive()) {
                return Optional.of(new PermanentFailure("received " + message.receiveCount() + " times, the work queue's"
                        + " limit (MaxReceiveCount), with " + made + " attempt(s) at this target; last: " + later.reason()
                        + ". If it was held behind other messages of its entity, redrive it once they are delivered",
                        "retries-exhausted"));
            }
            return Optional.empty();
        }

        private int attemptsMade(String target) {
            return priorAttempts(target) + (attempted.contains(target) ? 1 : 0);
        }

        /** The claim's count of earlier attempts, read from the store only when a retry needs it. */
        private int priorAttempts(String target) {
            Claim.Claimed claimed = claims.get(target);
            if (claimed == null) {
                return 0;
            }
            if (claimed.attempts().isEmpty()) {
                int attempts;
                try {
                    attempts = store.attempts(keyFor(target), claimed);
                } catch (SdkException e) {
                    // Unknown for now: the queue's receive limit still bounds this message's retries.
                    telemetry.line(flow.name(), "attempt count not read; this retry counts from zero")
                            .field("target", target).field("messageId", message.messageId()).field("error", e.getMessage()).emit();
                    attempts = 0;
                }
                claimed = new Claim.Claimed(claimed.token(), OptionalInt.of(attempts), claimed.staleState(),
                        claimed.stalePerson());
                claims.put(target, claimed);
            }
            return claimed.attempts().getAsInt();
        }

        private int attemptsMade() {
            return outcomes.keySet().stream().mapToInt(this::attemptsMade).max().orElse(0);
        }

        private void release(String target) {
            Claim.Claimed claimed = claims.remove(target);
            if (claimed == null) {
                return;
            }
            try {
                DeliveryOutcome outcome = outcomes.get(target);
                store.release(keyFor(target), claimed, attempted.contains(target),
                        outcome instanceof RetryLater later ? later.reason() : null);
            } catch (SdkException e) {
                telemetry.line(flow.name(), "delivery record not released; the next attempt waits for its lease")
                        .field("target", target).field("messageId", message.messageId()).field("error", e.getMessage()).emit();
            }
        }

        private void markFailed(String target, String reason) {
            Claim.Claimed claimed = claims.remove(target);
            if (claimed == null) {
                return;
            }
            try {
                store.fail(keyFor(target), claimed, reason, now);
            } catch (SdkException | DeliveryStore.LeaseLostException e) {
                // The dead letter is stored, which is what counts; an unmarked record lets a later copy of the
                // webhook try the target again, which at worst dead-letters it a second time.
                telemetry.line(flow.name(), "dead-lettered; delivery record not marked failed")
                        .field("target", target).field("messageId", message.messageId()).field("error", e.getMessage()).emit();
            }
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

        private void alert(String target, String category) {
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
                if (envelope.fromReconciler()) {
                    line.field("source", "reconciler: its webhook never arrived or was behind");
                }
            }
            if (outcome instanceof Delivered) {
                if (staleState.contains(target)) {
                    line.field("why", "events only: the target has a newer state of the entity");
                }
                line.count("Delivered");
                // A reconciled envelope's triggered-at is the order's updated_at, not a Shopify event's time.
                if (envelope != null && envelope.triggeredAt() != null && !envelope.fromReconciler()) {
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
            return keyFor(target.name());
        }

        private DeliveryKey keyFor(String target) {
            return new DeliveryKey(deliveryId, target, envelope.topic(), envelope.entity(), new DeliveryStore.Origin(
                    flow.name(), envelope.webhookId(), envelope.triggeredAt(), envelope.receivedAt(), watermarkKey));
        }

        private EventKey eventKey(Target target) {
            return new EventKey(envelope.shop(), envelope.topic(), envelope.eventId(), target.name());
        }
    }
}
