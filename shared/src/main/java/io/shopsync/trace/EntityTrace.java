package io.shopsync.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.delivery.DeliveryStore;
import io.shopsync.delivery.DeliveryStore.DeliveryRecord;
import io.shopsync.flow.EntityVersion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * "Why didn't this order sync?": everything Shopsync knows about one entity, newest first, per flow and target.
 * Reads the delivery records of the entity (one query of the store's entity index), each target's watermark, and
 * the flows' dead-letter queues without consuming them; says what to do next. The deployed stack's CLI and the
 * local stack's console run this same code over their own store and queues.
 */
public final class EntityTrace {

    /** The dead-letter queues to look in, read without consuming anything. */
    public interface DeadLetters {
        /** The dead letters of every flow whose queue this can read. */
        List<DeadLetter> peek();
    }

    /**
     * One dead letter as the queue holds it.
     *
     * @param attributes the message attributes every dead letter carries (reason, stage, category, target, topic,
     *     shop, webhookId, entity)
     */
    public record DeadLetter(String flow, String queue, String messageId, Instant deadLetteredAt,
                             Map<String, String> attributes) {
        public DeadLetter {
            attributes = Map.copyOf(attributes);
        }

        String attribute(String name) {
            return attributes.get(name);
        }
    }

    /** What the operator runs next, in the form of the stack being traced (a CLI command, or the console). */
    public interface NextSteps {
        /** How to deliver a flow's dead letters again once their cause is fixed. */
        String redrive(String flow);

        /** How to find a webhook Shopsync never received. */
        String unknown(String what);
    }

    /**
     * What was traced.
     *
     * @param entity the entity key, or null when a webhook's entity is unknown (dead-lettered before it was named)
     * @param what how the operator named it ("order 1042")
     * @param webhookId the webhook the operator asked for, marked in the report; null when traced by entity
     */
    public record Query(String shop, String entity, String what, String webhookId) {
        public Query(String shop, String entity, String what) {
            this(shop, entity, what, null);
        }
    }

    /** One webhook's delivery to one target. */
    public record Step(DeliveryRecord record, String outcome, String detail) {}

    /**
     * One flow's target: its watermark and each webhook it saw, newest first.
     *
     * @param watermarkKey what the watermark is of: the entity, or a part of it with its own version (one fulfilment
     *     of the order, a customer's consent)
     */
    public record TargetTrace(String flow, String target, String watermarkKey, Optional<EntityVersion> watermark,
                              List<Step> steps) {}

    /** The whole answer. @param found whether Shopsync has any record or dead letter of the entity */
    public record Report(Query query, Instant at, List<TargetTrace> targets, List<DeadLetter> deadLetters,
                         List<String> nextSteps, boolean found) {}

    /** How long records are kept, so an unknown record's message says how far back it looked. */
    private final Duration retention;
    private final DeliveryStore store;
    private final DeadLetters deadLetters;
    private final NextSteps next;
    private final Clock clock;

    public EntityTrace(DeliveryStore store, Duration retention, DeadLetters deadLetters, NextSteps next, Clock clock) {
        this.store = store;
        this.retention = retention;
        this.deadLetters = deadLetters;
        this.next = next;
        this.clock = clock;
    }

    public Report trace(Query query) {
        return trace(query, deadLetters.peek(), clock.instant());
    }

    /**
     * The entity one webhook (X-Shopify-Webhook-Id) of the shop was about, traced with that webhook marked: found by
     * the store's webhook index, else by a dead letter of it (one dead-lettered before it reached a target, or at
     * intake, where it may have no entity: then that dead letter alone).
     */
    public Report traceWebhook(String shop, String webhookId) {
        Instant now = clock.instant();
        List<DeadLetter> peeked = deadLetters.peek();
        String entity = store.webhookEntities(shop, webhookId, now).stream().findFirst()
                .orElseGet(() -> peeked.stream().filter(letter -> ofWebhook(letter, shop, webhookId))
                        .map(letter -> letter.attribute("entity")).filter(e -> e != null && !e.isBlank())
                        .findFirst().orElse(null));
        String what = "webhook " + webhookId + (entity == null ? "" : " (" + describe(shop, entity) + ")");
        return trace(new Query(shop, entity, what, webhookId), peeked, now);
    }

    private static boolean ofWebhook(DeadLetter letter, String shop, String webhookId) {
        return webhookId.equals(letter.attribute("webhookId"))
                && (letter.attribute("shop") == null || shop.equals(letter.attribute("shop")));
    }

    /**
     * An entity key as an operator names it: {@code shop/order/1} is "order 1", {@code shop/inventory-level/2/3}
     * "inventory level of item 2 at location 3".
     */
    public static String describe(String shop, String entity) {
        String rest = entity.startsWith(shop + "/") ? entity.substring(shop.length() + 1) : entity;
        String[] parts = rest.split("/");
        if (parts.length == 3 && parts[0].equals("inventory-level")) {
            return "inventory level of item " + parts[1] + " at location " + parts[2];
        }
        return parts[0].replace('-', ' ') + (parts.length > 1 ? " " + String.join("/", List.of(parts).subList(1, parts.length)) : "");
    }

    private Report trace(Query query, List<DeadLetter> peeked, Instant now) {
        // Per flow, target and version: an order's own topics and its events (refunds) under the order's watermark, each
        // part with a version of its own (a fulfilment) apart.
        Map<String, List<Step>> byTarget = new LinkedHashMap<>();
        Map<String, String[]> names = new LinkedHashMap<>();
        List<DeliveryRecord> records = query.entity() == null ? List.of() : store.records(query.entity(), now);
        for (DeliveryRecord record : records) {
            String flow = record.origin() == null || record.origin().flow() == null ? "-" : record.origin().flow();
            String watermarkKey = record.origin() == null || record.origin().watermarkKey() == null
                    ? query.entity() : record.origin().watermarkKey();
            String key = flow + " " + record.target() + " " + watermarkKey;
            names.putIfAbsent(key, new String[] {flow, record.target(), watermarkKey});
            byTarget.computeIfAbsent(key, k -> new ArrayList<>()).add(step(record));
        }
        List<TargetTrace> targets = new ArrayList<>();
        byTarget.forEach((key, steps) -> {
            String[] name = names.get(key);
            targets.add(new TargetTrace(name[0], name[1], name[2], store.watermark(name[2], name[1], now),
                    List.copyOf(steps)));
        });
        List<DeadLetter> letters = peeked.stream()
                .filter(letter -> (query.entity() != null && query.entity().equals(letter.attribute("entity")))
                        || (query.webhookId() != null && ofWebhook(letter, query.shop(), query.webhookId())))
                .toList();
        boolean found = !targets.isEmpty() || !letters.isEmpty();
        return new Report(query, now, List.copyOf(targets), letters, nextSteps(query, targets, letters, found), found);
    }

    private static Step step(DeliveryRecord record) {
        String retried = record.attempts() > 0 || record.lastError() != null
                ? " after " + record.attempts() + " failed attempt" + (record.attempts() == 1 ? "" : "s")
                        + (record.lastError() == null ? "" : " (last error: " + record.lastError() + ")")
                : "";
        String state = record.state() == null ? "" : record.state();
        return switch (state) {
            case "COMPLETED" -> {
                String outcome = record.outcome() == null ? "completed" : record.outcome();
                if (outcome.equals("stale") && record.staleAgainstSentOnly()) {
                    yield new Step(record, "stale", record.staleAgainst()
                            .map(v -> "not sent: superseded by version " + v.updatedAt() + ", already sent (its "
                                    + "completion not recorded yet, or dead-lettered)")
                            .orElse("not sent: superseded by a newer version already sent (its completion not recorded "
                                    + "yet, or dead-lettered)"));
                }
                if (outcome.equals("stale")) {
                    yield new Step(record, "stale", record.staleAgainst()
                            .map(v -> "not sent: the target already has the version of " + v.updatedAt()
                                    + " (triggered " + v.triggeredAt() + "), newer than this one")
                            .orElse("not sent: the target already has a newer version"));
                }
                if (outcome.equals("duplicate")) {
                    yield new Step(record, "duplicate", "not sent again: the target already had this change" + retried);
                }
                yield new Step(record, outcome, outcome.equals("delivered") ? "the target accepted it" + retried : retried.strip());
            }
            case "FAILED" -> new Step(record, "dead-lettered", record.reason() == null ? "no reason recorded" : record.reason());
            case "RELEASED" -> new Step(record, "retrying", "given back to be retried" + retried);
            case "IN_PROGRESS" -> new Step(record, "in progress", "an attempt is delivering it now" + retried);
            default -> new Step(record, state.isEmpty() ? "unknown" : state.toLowerCase(), retried.strip());
        };
    }

    private List<String> nextSteps(Query query, List<TargetTrace> targets, List<DeadLetter> letters, boolean found) {
        List<String> steps = new ArrayList<>();
        if (!found) {
            steps.add(next.unknown(query.what()));
            if (query.webhookId() != null) {
                steps.add("a webhook's records are kept " + retention.toHours() + " h: for an older one, search the "
                        + "flow's log group for its webhookId (docs/operations.md#where-to-look)");
            }
            return steps;
        }
        List<String> flows = new ArrayList<>();
        letters.forEach(letter -> {
            if (!flows.contains(letter.flow())) {
                flows.add(letter.flow());
            }
        });
        for (String flow : flows) {
            steps.add("fix the cause the dead letter's reason names (runbook: docs/operations.md#dlq-messages), then "
                    + "deliver it again: " + next.redrive(flow));
        }
        boolean failedButNotQueued = targets.stream().flatMap(t -> t.steps().stream())
                .anyMatch(s -> s.outcome().equals("dead-lettered") && !flows.contains(flowOf(s.record())));
        if (failedButNotQueued) {
            steps.add("a record says dead-lettered but its flow's dead-letter queue no longer holds it: it was redriven "
                    + "(a later record shows how that went), deleted, or kept past the queue's retention; if the target "
                    + "still lacks it, run reconcile");
        }
        boolean retrying = targets.stream().anyMatch(t -> !t.steps().isEmpty()
                && (t.steps().get(0).outcome().equals("retrying") || t.steps().get(0).outcome().equals("in progress")));
        if (retrying) {
            steps.add("a delivery is being retried with backoff: nothing to do unless it is dead-lettered (trace again "
                    + "later; runbook: docs/operations.md#stuck-delivery)");
        }
        if (steps.isEmpty()) {
            steps.add("nothing to do: every target has its newest version (delivered, or stale or duplicate copies "
                    + "skipped on purpose)");
        }
        return steps;
    }

    private static String flowOf(DeliveryRecord record) {
        return record.origin() == null ? null : record.origin().flow();
    }

    /** The report as an operator reads it. */
    public String text(Report report) {
        StringBuilder out = new StringBuilder();
        Query query = report.query();
        if (!report.found()) {
            out.append(query.webhookId() != null && query.entity() == null ? "no webhook " + query.webhookId()
                            : "no webhook for " + query.what()).append(" of ").append(query.shop()).append(" in the last ")
                    .append(retention.toHours()).append(" h: ").append(String.join("; ", report.nextSteps())).append('\n');
            return out.toString();
        }
        out.append(query.what()).append(" at ").append(query.shop());
        if (query.entity() != null) {
            out.append(" (entity ").append(query.entity()).append(')');
        }
        out.append(", newest first\n");
        for (TargetTrace target : report.targets()) {
            out.append('\n').append(target.flow()).append(" -> ").append(target.target());
            if (!target.watermarkKey().equals(query.entity())) {
                out.append(" (").append(target.watermarkKey()).append(')');
            }
            out.append("   watermark: ")
                    .append(target.watermark().map(v -> "updated_at " + v.updatedAt() + " (triggered " + v.triggeredAt() + ")")
                            .orElse("none"))
                    .append('\n');
            for (Step step : target.steps()) {
                DeliveryRecord record = step.record();
                DeliveryStore.Origin origin = record.origin();
                out.append("  ").append(record.lastChange()).append("  ").append(record.topic())
                        .append("  webhook ").append(origin == null || origin.webhookId() == null ? "-" : origin.webhookId());
                if (origin != null && origin.triggeredAt() != null) {
                    out.append("  triggered ").append(origin.triggeredAt());
                }
                if (origin != null && origin.receivedAt() != null) {
                    out.append("  received ").append(origin.receivedAt());
                }
                if (marked(query, record)) {
                    out.append("  <- this webhook");
                }
                out.append("\n      ").append(step.outcome());
                if (!step.detail().isEmpty()) {
                    out.append(": ").append(step.detail());
                }
                out.append('\n');
            }
        }
        out.append('\n');
        if (report.deadLetters().isEmpty()) {
            out.append("In a dead-letter queue now: no\n");
        } else {
            out.append("In a dead-letter queue now:\n");
            for (DeadLetter letter : report.deadLetters()) {
                out.append("  ").append(letter.flow()).append(": ").append(letter.queue()).append(", message ")
                        .append(letter.messageId());
                if (letter.deadLetteredAt() != null) {
                    out.append(", dead-lettered ").append(letter.deadLetteredAt());
                }
                out.append("\n      ").append(letter.attribute("topic")).append(" webhook ").append(letter.attribute("webhookId"))
                        .append(", target ").append(letter.attribute("target") == null ? "(all of the flow's)" : letter.attribute("target"))
                        .append(": ").append(letter.attribute("reason")).append('\n');
            }
        }
        out.append("Next:\n");
        report.nextSteps().forEach(step -> out.append("  - ").append(step).append('\n'));
        return out.toString();
    }

    private static boolean marked(Query query, DeliveryRecord record) {
        return query.webhookId() != null && record.origin() != null && query.webhookId().equals(record.origin().webhookId());
    }

    /** The report for scripts: the same facts, timestamps as ISO-8601 text. */
    public ObjectNode json(Report report, ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put("shop", report.query().shop());
        root.put("entity", report.query().entity());
        root.put("what", report.query().what());
        root.put("webhookId", report.query().webhookId());
        root.put("at", report.at().toString());
        root.put("found", report.found());
        root.put("lookedBackHours", retention.toHours());
        ArrayNode targets = root.putArray("targets");
        for (TargetTrace target : report.targets()) {
            ObjectNode node = targets.addObject();
            node.put("flow", target.flow());
            node.put("target", target.target());
            node.put("watermarkKey", target.watermarkKey());
            if (target.watermark().isPresent()) {
                ObjectNode watermark = node.putObject("watermark");
                watermark.put("updatedAt", target.watermark().get().updatedAt().toString());
                watermark.put("triggeredAt", target.watermark().get().triggeredAt().toString());
            } else {
                node.putNull("watermark");
            }
            ArrayNode webhooks = node.putArray("webhooks");
            for (Step step : target.steps()) {
                DeliveryRecord record = step.record();
                DeliveryStore.Origin origin = record.origin();
                ObjectNode webhook = webhooks.addObject();
                webhook.put("topic", record.topic());
                webhook.put("webhookId", origin == null ? null : origin.webhookId());
                webhook.put("thisWebhook", marked(report.query(), record));
                webhook.put("triggeredAt", origin == null ? null : text(origin.triggeredAt()));
                webhook.put("receivedAt", origin == null ? null : text(origin.receivedAt()));
                webhook.put("outcome", step.outcome());
                webhook.put("detail", step.detail());
                webhook.put("attempts", record.attempts());
                webhook.put("lastError", record.lastError());
                webhook.put("reason", record.reason());
                webhook.put("staleAgainst", record.staleAgainst().map(v -> v.updatedAt().toString()).orElse(null));
                webhook.put("staleAgainstSentOnly", record.staleAgainstSentOnly());
                webhook.put("claimedAt", text(record.claimedAt()));
                webhook.put("finishedAt", text(record.finishedAt()));
            }
        }
        ArrayNode letters = root.putArray("deadLetters");
        for (DeadLetter letter : report.deadLetters()) {
            ObjectNode node = letters.addObject();
            node.put("flow", letter.flow());
            node.put("queue", letter.queue());
            node.put("messageId", letter.messageId());
            node.put("deadLetteredAt", text(letter.deadLetteredAt()));
            ObjectNode attributes = node.putObject("attributes");
            letter.attributes().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> attributes.put(e.getKey(), e.getValue()));
        }
        ArrayNode steps = root.putArray("nextSteps");
        report.nextSteps().forEach(steps::add);
        return root;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
