package io.shopsync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetQueryResultsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.QueryStatus;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResultField;

/**
 * What the flows' own logs say where the delivery records cannot answer: a webhook intake did not queue (refused
 * 401, answered 503, dead-lettered at intake, sent to another flow's route) leaves no delivery record, only its
 * intake log line, which names the entity when the body lets intake tell it (WebhookIntake). One CloudWatch Logs
 * Insights query over the flows' log groups in the records' retention window, polled with a bounded wait and
 * progress on stderr. {@code trace} holds one of these (its options) and calls {@link #search} once.
 */
final class LogsInsights {

    /** How long between two GetQueryResults calls. */
    static final Duration POLL = Duration.ofSeconds(1);

    /** The most intake lines one search returns (Logs Insights' limit). */
    static final int LIMIT = 100;

    /** The message of intake's one line per webhook (WebhookIntake). */
    static final String INTAKE_LINE = "webhook intake";

    private static final DateTimeFormatter INSIGHTS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private final CliContext context;
    private final Clock clock;

    @Option(names = "--no-logs", description = "do not search the flows' log groups (CloudWatch Logs Insights) for "
            + "webhooks refused at intake")
    boolean skip;

    @Option(names = "--log-group", paramLabel = "NAME", description = "a flow's log group to search, instead of the "
            + "stack's (/aws/lambda/<stack>-<flow>); repeat it for each flow")
    List<String> logGroups = new ArrayList<>();

    @Option(names = "--logs-wait", paramLabel = "SECONDS", defaultValue = "60",
            description = "how long to wait for the log search at most (default: ${DEFAULT-VALUE}); the trace then "
                    + "shows what the records say and that the logs were not read")
    int waitSeconds;

    LogsInsights(CliContext context, Clock clock) {
        this.context = context;
        this.clock = clock;
    }

    /** A webhook intake did not queue, as its log line tells it. @param httpStatus what intake answered Shopify */
    record Refusal(Instant at, String logGroup, String flow, String via, String topic, String webhookId,
                   String triggeredAt, String outcome, int httpStatus, String reason, String nextStep) {}

    /**
     * One search.
     *
     * @param status Logs Insights' last status of the query (Complete, Failed, Cancelled, Timeout, Running), null when
     *     none ran
     * @param problem why the logs were not (fully) read, and what to do; null when the query completed
     */
    record Search(List<String> logGroups, Instant from, Instant to, String query, String status, String problem,
                  List<Refusal> refusals) {
        Search {
            logGroups = List.copyOf(logGroups);
            refusals = List.copyOf(refusals);
        }

        boolean found() {
            return !refusals.isEmpty();
        }

        static Search notRun(Instant from, Instant to, List<String> groups, String problem) {
            return new Search(groups, from, to, null, null, problem, List.of());
        }
    }

    /**
     * The intake lines of webhooks not queued whose {@code field} (entity, webhookId) is {@code value}, for the shop,
     * from {@code lookBack} ago until now. Never throws for the logs' own failures (no permission, a failed or slow
     * query): the trace still shows what the records say, and the search's problem says why the logs were not read.
     */
    Search search(AwsClients aws, FlowQueues queues, AwsOptions awsOptions, PrintWriter err, String shop, String field,
                  String value, Duration lookBack) {
        // Logs Insights takes whole seconds and ends the window at endTime's second: round up, or a line written in
        // this very second would be left out.
        Instant to = clock.instant().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        Instant from = to.minus(lookBack);
        if (skip) {
            return Search.notRun(from, to, List.of(), "not searched (--no-logs)");
        }
        List<String> groups;
        try {
            groups = logGroups(aws, queues);
        } catch (CliException e) {
            return Search.notRun(from, to, List.of(), "not searched: " + e.getMessage() + "; or pass --log-group NAME "
                    + "for each flow, or --no-logs");
        }
        if (groups.isEmpty()) {
            return Search.notRun(from, to, groups, "not searched: give --stack NAME, or --log-group "
                    + "/aws/lambda/<stack>-<flow> for each flow (or --no-logs)");
        }
        String query = query(shop, field, value);
        err.println("searching the flows' logs for webhooks of " + value + " refused at intake (Logs Insights, "
                + groups.size() + " log group" + (groups.size() == 1 ? "" : "s") + ", last " + lookBack.toHours()
                + " h; --no-logs skips this)");
        err.flush();
        String queryId;
        try {
            queryId = aws.logs().startQuery(r -> r.logGroupNames(groups).startTime(from.getEpochSecond())
                    .endTime(to.getEpochSecond()).queryString(query).limit(LIMIT)).queryId();
        } catch (SdkException e) {
            return new Search(groups, from, to, query, null, problem(aws, "logs:StartQuery", groups, e), List.of());
        }
        Duration waited = Duration.ZERO;
        Duration wait = Duration.ofSeconds(Math.max(0, waitSeconds));
        String lastStatus = null;
        while (true) {
            GetQueryResultsResponse results;
            try {
                results = aws.logs().getQueryResults(r -> r.queryId(queryId));
            } catch (SdkException e) {
                return new Search(groups, from, to, query, lastStatus, problem(aws, "logs:GetQueryResults", groups, e),
                        List.of());
            }
            QueryStatus status = results.status();
            String statusText = results.statusAsString();
            if (status == QueryStatus.COMPLETE) {
                return new Search(groups, from, to, query, statusText, null, refusals(results.results(), shop, field,
                        value, queues, awsOptions));
            }
            if (status == QueryStatus.FAILED || status == QueryStatus.CANCELLED || status == QueryStatus.TIMEOUT) {
                return new Search(groups, from, to, query, statusText, ended(queryId, statusText), List.of());
            }
            if (waited.compareTo(wait) >= 0) {
                return new Search(groups, from, to, query, statusText, stop(aws, queryId, statusText, wait), List.of());
            }
            if (!statusText.equals(lastStatus) || waited.toSeconds() % 5 == 0) {
                err.println("  Logs Insights query " + statusText + " (" + waited.toSeconds() + " s of at most "
                        + wait.toSeconds() + " s)");
                err.flush();
            }
            lastStatus = statusText;
            context.sleep(POLL);
            waited = waited.plus(POLL);
        }
    }

    /** The query: the intake lines of one shop's webhooks intake did not queue, matching the field, newest first. */
    static String query(String shop, String field, String value) {
        return "fields @timestamp, @log, @message\n"
                + "| filter message = " + literal(INTAKE_LINE) + " and outcome != \"enqueued\" and shop = " + literal(shop)
                + " and " + field + " = " + literal(value) + "\n"
                + "| sort @timestamp desc\n"
                + "| limit " + LIMIT;
    }

    private static String literal(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** The flows' log groups: the ones given, else /aws/lambda/ and each flow's function as the stack names it. */
    private List<String> logGroups(AwsClients aws, FlowQueues queues) {
        List<String> given = logGroups.stream().filter(g -> g != null && !g.isBlank()).map(String::trim).distinct().toList();
        if (!given.isEmpty() || FlowQueues.given(queues.stack).isEmpty()) {
            return given;
        }
        StackOutputs outputs = queues.stackOutputs(aws, "--log-group NAME");
        List<String> groups = new ArrayList<>();
        for (DeployedFlow flow : DeployedFlow.ALL) {
            groups.add("/aws/lambda/" + outputs.require(flow.functionNameOutput()));
        }
        return groups;
    }

    /**
     * The matching lines, kept only when they really are intake's refusals of this record: Logs Insights' filter
     * said so, and the line itself must too (an emulator may ignore the filter; a line may not be JSON).
     */
    private List<Refusal> refusals(List<List<ResultField>> rows, String shop, String field, String value,
                                   FlowQueues queues, AwsOptions awsOptions) {
        ObjectMapper json = new ObjectMapper();
        List<Refusal> refusals = new ArrayList<>();
        for (List<ResultField> row : rows) {
            Map<String, String> fields = new LinkedHashMap<>();
            row.forEach(f -> fields.put(f.field(), f.value()));
            JsonNode line;
            try {
                line = json.readTree(fields.getOrDefault("@message", ""));
            } catch (IOException e) {
                continue; // a line the function did not write as JSON (the runtime's own): not an intake line
            }
            if (line == null || !line.isObject() || !INTAKE_LINE.equals(line.path("message").asText())
                    || line.path("outcome").asText().equals("enqueued") || !shop.equals(line.path("shop").asText())
                    || !value.equals(line.path(field).asText())) {
                continue;
            }
            String outcome = line.path("outcome").asText();
            String reason = line.path("reason").asText(null);
            String flow = line.path("flow").asText(null);
            refusals.add(new Refusal(at(line, fields.get("@timestamp")), logGroup(fields.get("@log")), flow,
                    line.path("via").asText(null), line.path("topic").asText(null), line.path("webhookId").asText(null),
                    line.path("triggeredAt").asText(null), outcome, httpStatus(outcome), reason,
                    nextStep(outcome, reason, flow, shop, queues, awsOptions)));
        }
        return refusals;
    }

    /** When the line was written: its own timestamp (EMF's, or the plain one), else the one Logs Insights shows. */
    private static Instant at(JsonNode line, String insightsTimestamp) {
        JsonNode millis = line.path("_aws").path("Timestamp").isNumber() ? line.path("_aws").path("Timestamp")
                : line.path("timestamp");
        if (millis.isNumber()) {
            return Instant.ofEpochMilli(millis.asLong());
        }
        if (insightsTimestamp == null) {
            return null;
        }
        try {
            return LocalDateTime.parse(insightsTimestamp, INSIGHTS_TIME).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null; // shown as "-": the line's fields are still worth showing
        }
    }

    /** Logs Insights names a line's group {@code <account>:<group>}. */
    private static String logGroup(String log) {
        return log == null ? null : log.replaceFirst("^[0-9]{12}:", "");
    }

    private static int httpStatus(String outcome) {
        return switch (outcome) {
            case "unauthenticated" -> 401;
            case "failed" -> 503;
            default -> 200;
        };
    }

    /** What to do about one refusal: the runbook line of its kind, and how to get the record delivered after. */
    private static String nextStep(String outcome, String reason, String flow, String shop, FlowQueues queues,
                                   AwsOptions awsOptions) {
        List<String> where = new ArrayList<>(queues.asArguments(false));
        where.addAll(awsOptions.asArguments());
        String stack = String.join(" ", where);
        String reconcile = "`scripts/shopsync reconcile " + stack + " --shop " + shop + " --since <the order's date>`";
        String why = reason == null ? "" : reason;
        return switch (outcome) {
            case "unauthenticated" -> why.contains("SHOPIFY_ALLOWED_SHOPS")
                    ? "the shop is not on the stack's AllowedShops: if it is yours, add it (sam deploy "
                            + "--parameter-overrides AllowedShops=...), then run " + reconcile + " for what was refused"
                    : "the signature matched none of the stack's signing secrets: check that the secret WebhookSecretName "
                            + "holds the app's current client secret (runbook: docs/operations.md#unauthenticated-webhooks); "
                            + "Shopify retries a 401 for about 4 h, after that run " + reconcile;
            case "failed" -> "intake could not store it (the reason names what was unavailable), so Shopify retries it "
                    + "for about 4 h: fix the cause (runbook: docs/operations.md#api-5xx); if the retries ran out, run "
                    + reconcile;
            case "dead-lettered" -> why.contains("is not handled by flow")
                    ? "the subscription sends this topic to the wrong flow's route: `scripts/shopsync webhooks register "
                            + stack + " --shop " + shop + "` points it at the right one (redriving the dead letter "
                            + "would fail again on " + flow + "); then run " + reconcile
                    : "dead-lettered at intake (stage intake) for the reason shown: fix what it names (runbook: "
                            + "docs/operations.md#dlq-messages), then `scripts/shopsync dlq redrive " + flow + " " + stack
                            + "`";
            default -> "see the reason (runbook: docs/operations.md#where-to-look)";
        };
    }

    /** A query Logs Insights ended without results. */
    private static String ended(String queryId, String status) {
        String what = switch (status) {
            case "Failed" -> "Logs Insights could not run it (a service fault, or too much log data in the window)";
            case "Cancelled" -> "it was cancelled (StopQuery) before it finished";
            default -> "it ran past Logs Insights' time limit";
        };
        return "Logs Insights query " + queryId + " ended " + status + ": " + what + "; the logs were not read: trace "
                + "again, or run the query in the CloudWatch console (`--json` shows it)";
    }

    /** The wait is over: the query is stopped, so it costs nothing more. */
    private String stop(AwsClients aws, String queryId, String status, Duration wait) {
        String left = "the log search was still " + status + " after " + wait.toSeconds() + " s (--logs-wait); the "
                + "logs were not read: trace again with a longer --logs-wait, or --no-logs";
        try {
            aws.logs().stopQuery(r -> r.queryId(queryId));
            return left;
        } catch (SdkException e) {
            return left + " (stopping query " + queryId + " failed too: " + e.getMessage() + "; it ends by itself within "
                    + "Logs Insights' time limit)";
        }
    }

    /** Why a Logs Insights call failed, and what to do; the trace goes on without the logs. */
    private static String problem(AwsClients aws, String permission, List<String> groups, SdkException e) {
        String code = e instanceof AwsServiceException service && service.awsErrorDetails() != null
                ? service.awsErrorDetails().errorCode() : null;
        if (code != null && (code.contains("AccessDenied") || code.equals("UnauthorizedOperation"))) {
            return "not searched: your AWS identity may not run Logs Insights queries (" + permission + ") on "
                    + String.join(", ", groups) + ": grant it logs:StartQuery, logs:GetQueryResults and logs:StopQuery "
                    + "on the flows' log groups, or pass --no-logs";
        }
        if ("ResourceNotFoundException".equals(code)) {
            return "not searched: a log group does not exist " + aws.where() + " (" + String.join(", ", groups)
                    + "): check --stack and --region, or give the flows' groups with --log-group";
        }
        if ("LimitExceededException".equals(code)) {
            return "not searched: the account runs as many Logs Insights queries as it may at once: trace again in a "
                    + "minute, or pass --no-logs";
        }
        return "not searched: " + aws.failure("the Logs Insights query", e).getMessage();
    }

    /** The search as the operator reads it, after the records' trace. */
    static String text(Search search, Duration lookBack) {
        StringBuilder out = new StringBuilder("\n");
        if (search.problem() != null) {
            return out.append("Refused at intake (the flows' logs): ").append(search.problem()).append('\n').toString();
        }
        if (!search.found()) {
            return out.append("Refused at intake (the flows' logs, last ").append(lookBack.toHours()).append(" h): none\n")
                    .toString();
        }
        out.append("Refused at intake (the flows' logs, last ").append(lookBack.toHours()).append(" h), newest first:\n");
        for (Refusal refusal : search.refusals()) {
            out.append("  ").append(refusal.at() == null ? "-" : refusal.at().toString()).append("  ")
                    .append(refusal.topic()).append("  webhook ").append(refusal.webhookId() == null ? "-" : refusal.webhookId());
            if (refusal.triggeredAt() != null) {
                out.append("  triggered ").append(refusal.triggeredAt());
            }
            out.append("  (").append(refusal.flow()).append(refusal.via() == null ? "" : ", " + refusal.via()).append(")\n")
                    .append("      ").append(refusal.httpStatus()).append(' ').append(refusal.outcome());
            if (refusal.reason() != null) {
                out.append(": ").append(refusal.reason());
            }
            out.append("\n      next: ").append(refusal.nextStep()).append('\n');
        }
        return out.toString();
    }

    /** When the records know nothing of it but the logs do: what the logs say, instead of "no webhook". */
    static String textAlone(Search search, String what, String shop, Duration lookBack) {
        return "no delivery record of " + what + " of " + shop + " in the last " + lookBack.toHours() + " h: every "
                + "webhook of it the flows' logs show was refused at intake\n" + text(search, lookBack);
    }

    /** The search for scripts. */
    static ObjectNode json(Search search, ObjectMapper mapper) {
        ObjectNode node = mapper.createObjectNode();
        node.put("searched", search.status() != null);
        ArrayNode groups = node.putArray("logGroups");
        search.logGroups().forEach(groups::add);
        node.put("from", search.from().toString());
        node.put("to", search.to().toString());
        node.put("query", search.query());
        node.put("status", search.status());
        node.put("problem", search.problem());
        ArrayNode refusals = node.putArray("refusedAtIntake");
        for (Refusal refusal : search.refusals()) {
            ObjectNode item = refusals.addObject();
            item.put("at", refusal.at() == null ? null : refusal.at().toString());
            item.put("logGroup", refusal.logGroup());
            item.put("flow", refusal.flow());
            item.put("via", refusal.via());
            item.put("topic", refusal.topic());
            item.put("webhookId", refusal.webhookId());
            item.put("triggeredAt", refusal.triggeredAt());
            item.put("outcome", refusal.outcome());
            item.put("httpStatus", refusal.httpStatus());
            item.put("reason", refusal.reason());
            item.put("nextStep", refusal.nextStep());
        }
        return node;
    }
}
