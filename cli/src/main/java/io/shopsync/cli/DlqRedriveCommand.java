package io.shopsync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.flow.Flow;
import io.shopsync.flow.WebhookRoutes;
import io.shopsync.observability.Telemetry;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.sqs.model.ListMessageMoveTasksResultEntry;

/**
 * {@code dlq redrive FLOW}: moves a flow's dead letters back to its work queue with SQS's own move
 * task (StartMessageMoveTask), and follows the task until it is done. The flow then delivers each
 * message again, only to the targets its {@code target} attribute names.
 */
@Command(name = "redrive", mixinStandardHelpOptions = true,
        description = {"Moves every message of a flow's dead-letter queue back to its work queue (SQS "
                + "StartMessageMoveTask) and shows progress until the move is done. The flow then delivers each again, "
                + "only to the target(s) that failed. Fix the cause first (see dlq inspect)."},
        footer = {"", "Examples:",
            "  scripts/shopsync dlq redrive order-to-crm --stack shopsync",
            "  scripts/shopsync dlq redrive order-to-crm --queue-url URL --dlq-url URL --max-per-second 10",
            "  scripts/shopsync dlq redrive order-to-crm --events --stack shopsync",
            "", "--events redrives the flow's EventBridge dead-letter queue (<stack>-<flow>-events-dlq) instead: each "
                + "event goes through the flow's own intake (allow-list, topic, envelope, group and dedup ids) to its "
                + "work queue and is deleted only once queued; a refused or failed one stays, with its reason printed.",
            "", "Exit codes: 0 moved (or nothing to move), 1 failed, cancelled or still running at --timeout, or "
                + "(--events) messages kept (the message says what to do), 2 bad usage."})
final class DlqRedriveCommand implements Callable<Integer> {

    private static final Duration POLL_INTERVAL = Duration.ofSeconds(2);
    private static final Duration QUIET_PROGRESS = Duration.ofSeconds(15);

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FLOW", converter = DeployedFlow.Converter.class,
            completionCandidates = DeployedFlow.Names.class, description = "the flow: ${COMPLETION-CANDIDATES}")
    DeployedFlow flow;

    @Option(names = "--max-per-second", paramLabel = "N",
            description = "move at most N messages a second (1-500; default: as fast as SQS moves them)")
    Integer maxPerSecond;

    @Option(names = "--timeout", paramLabel = "MINUTES",
            description = "stop following the move after this long; it continues in SQS (default: ${DEFAULT-VALUE})")
    int timeoutMinutes = 60;

    @Option(names = "--events", description = "redrive the flow's EventBridge dead-letter queue through the flow's "
            + "intake, instead of its delivery dead-letter queue")
    boolean events;

    @Option(names = "--allowed-shops", paramLabel = "LIST", description = "with --events: the shops the stack serves, "
            + "comma-separated (default: the stack's AllowedShops; '' accepts every well-formed shop)")
    String allowedShops;

    @Option(names = "--bucket", paramLabel = "NAME",
            description = "with --events: the claim-check bucket for large payloads (default: the stack's ClaimCheckBucketName)")
    String bucket;

    @Mixin
    FlowQueues queues = new FlowQueues();

    @Mixin
    AwsOptions awsOptions = new AwsOptions();

    DlqRedriveCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (maxPerSecond != null && (maxPerSecond < 1 || maxPerSecond > 500)) {
            throw new CliException("--max-per-second must be between 1 and 500 (SQS's limits)");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (events) {
            return redriveEvents(out);
        }
        String prefix = "redrive " + flow.name() + ": ";
        try (AwsClients aws = AwsClients.of(awsOptions, context)) {
            SqsQueue dlq = queues.deadLetterQueue(flow, aws);
            SqsQueue work = queues.workQueue(flow, aws);
            String dlqArn = dlq.arn();
            String workArn = work.arn();

            Optional<ListMessageMoveTasksResultEntry> running = moveTasks(aws, dlqArn).stream()
                    .filter(t -> "RUNNING".equals(t.status())).findFirst();
            if (running.isPresent()) {
                ListMessageMoveTasksResultEntry task = running.get();
                throw new CliException("a move out of " + dlq.name() + " is already running (" + moved(task)
                        + " moved, started " + started(task) + "): wait for it to finish and run redrive again for "
                        + "anything left, or cancel it: aws sqs cancel-message-move-task --task-handle "
                        + task.taskHandle());
            }
            SqsQueue.Counts counts = dlq.counts();
            if (counts.visible() == 0) {
                if (counts.total() == 0) {
                    out.println(prefix + "nothing to redrive: " + dlq.name() + " is empty");
                    return 0;
                }
                throw new CliException("nothing in " + dlq.name() + " can be moved right now: its " + counts.total()
                        + " message(s) are in flight or delayed (someone is receiving them, e.g. dlq inspect): run "
                        + "redrive again in a minute");
            }

            out.println(prefix + "moving about " + counts.visible() + " message" + (counts.visible() == 1 ? "" : "s")
                    + " from " + dlq.name() + " back to " + work.name()
                    + (maxPerSecond == null ? "" : ", at most " + maxPerSecond + " a second"));
            out.flush();
            long startedAt = System.currentTimeMillis();
            String handle = aws.call("starting the move from " + dlq.name() + " to " + work.name()
                    + " (sqs:StartMessageMoveTask)", () -> aws.sqs().startMessageMoveTask(r -> {
                        r.sourceArn(dlqArn).destinationArn(workArn);
                        if (maxPerSecond != null) {
                            r.maxNumberOfMessagesPerSecond(maxPerSecond);
                        }
                    }).taskHandle());
            ListMessageMoveTasksResultEntry done = follow(aws, dlqArn, workArn, handle, startedAt, out, prefix);

            String status = done.status();
            if ("COMPLETED".equals(status)) {
                SqsQueue.Counts left = dlq.counts();
                if (movedCount(done) == 0 && left.visible() > 0) {
                    throw new CliException("SQS reported the move COMPLETED, but it moved nothing and " + left.visible()
                            + " message(s) are still in " + dlq.name() + ". On AWS, run redrive again; a local SQS "
                            + "endpoint may not move messages out of FIFO queues (ElasticMQ does not)");
                }
                out.println(prefix + "COMPLETED: " + moved(done) + " moved back to " + work.name()
                        + "; the flow delivers each again, only to the target(s) it failed for");
                List<String> again = new ArrayList<>(queues.asArguments(false));
                again.addAll(awsOptions.asArguments());
                out.println(prefix + left.total() + " left in " + dlq.name() + (left.total() == 0 ? "" : " (new "
                        + "dead letters, or ones that failed again)") + ". In a few minutes, see what failed again: "
                        + "scripts/shopsync dlq inspect " + flow.name() + " " + String.join(" ", again));
                return 0;
            }
            String reason = done.failureReason() == null ? "" : ": " + done.failureReason();
            throw new CliException("the move ended " + status + reason + " after " + moved(done) + " moved; what was "
                    + "not moved is still in " + dlq.name() + ". " + ("FAILED".equals(status)
                    ? "Fix the cause (the reason above), then run redrive again."
                    : "Someone cancelled it; run redrive again to move the rest."));
        }
    }

    /** {@code --events}: the flow's EventBridge dead letters through its intake, one by one. */
    private int redriveEvents(PrintWriter out) {
        String prefix = "redrive " + flow.name() + " --events: ";
        try (AwsClients aws = AwsClients.of(awsOptions, context)) {
            SqsQueue eventsDlq = queues.eventsDeadLetterQueue(flow, aws);
            SqsQueue work = queues.workQueue(flow, aws);
            SqsQueue dlq = queues.deadLetterQueue(flow, aws);
            Optional<String> stackBucket = FlowQueues.given(bucket);
            String bucketName = stackBucket.isPresent() ? stackBucket.get()
                    : queues.stackOutputs(aws, "--bucket NAME").require("ClaimCheckBucketName");
            Set<String> shops = allowedShops(aws);
            boolean customerTopics = FlowQueues.given(queues.stack).isPresent() && "true".equalsIgnoreCase(queues
                    .stackOutputs(aws, "").parameter(DeployedFlow.CUSTOMER_TOPICS_PARAMETER).orElse("false"));
            Flow intakeFlow = WebhookRoutes.all(customerTopics).stream().map(WebhookRoutes.Route::flow)
                    .filter(f -> f.name().equals(flow.name())).findFirst().orElseThrow();
            SqsQueue.Counts counts = eventsDlq.counts();
            if (counts.total() == 0) {
                out.println(prefix + "nothing to redrive: " + eventsDlq.name() + " is empty");
                return 0;
            }
            out.println(prefix + "about " + counts.total() + " event" + (counts.total() == 1 ? "" : "s") + " in "
                    + eventsDlq.name() + ", through the flow's intake to " + work.name() + (shops.isEmpty()
                    ? " (any well-formed shop)" : " (shops: " + String.join(", ", shops) + ")"));
            out.flush();
            ObjectMapper json = new ObjectMapper();
            Telemetry quiet = new Telemetry(json, line -> {
                if (context.setting("SHOPSYNC_DEBUG").isPresent()) {
                    spec.commandLine().getErr().println(line);
                }
            }, Clock.systemUTC());
            EventsDlqRedrive.Summary summary = new EventsDlqRedrive(aws, intakeFlow, eventsDlq, work.url(), dlq.url(),
                    bucketName, shops, quiet, out).run();
            out.println(prefix + "moved " + summary.moved() + ", dead-lettered into " + dlq.name() + " "
                    + summary.deadLettered() + ", refused " + summary.refused() + ", failed " + summary.failed()
                    + (summary.kept() == 0 ? "" : "; " + summary.kept() + " kept in " + eventsDlq.name()));
            out.flush();
            if (summary.kept() > 0) {
                throw new CliException(summary.kept() + " event(s) kept in " + eventsDlq.name() + " (reasons above): "
                        + "fix the cause, then run the same command again; what was moved is not moved twice");
            }
            return 0;
        }
    }

    /** The allow-list the flow's function has: --allowed-shops, else the stack's AllowedShops parameter. */
    private Set<String> allowedShops(AwsClients aws) {
        String list = allowedShops;
        if (list == null) {
            list = queues.stackOutputs(aws, "--allowed-shops LIST (the stack's AllowedShops)").parameter("AllowedShops")
                    .orElseThrow(() -> new CliException("the stack has no AllowedShops parameter: pass --allowed-shops "
                            + "LIST, the shops its functions serve"));
        }
        Set<String> shops = new LinkedHashSet<>();
        for (String shop : list.split(",")) {
            if (!shop.isBlank()) {
                shops.add(shop.trim().toLowerCase(Locale.ROOT));
            }
        }
        return shops;
    }

    /** Polls the move task until it leaves RUNNING (or CANCELLING), printing progress as it changes. */
    private ListMessageMoveTasksResultEntry follow(AwsClients aws, String dlqArn, String workArn, String handle,
                                                   long startedAt, PrintWriter out, String prefix) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(timeoutMinutes));
        String lastProgress = "";
        Instant lastPrinted = Instant.now();
        while (true) {
            Optional<ListMessageMoveTasksResultEntry> task = ours(moveTasks(aws, dlqArn), handle, workArn, startedAt);
            if (task.isPresent()) {
                ListMessageMoveTasksResultEntry entry = task.get();
                boolean finished = !"RUNNING".equals(entry.status()) && !"CANCELLING".equals(entry.status());
                String progress = moved(entry) + " moved (" + entry.status() + ")";
                if (finished) {
                    return entry;
                }
                if (!progress.equals(lastProgress) || Instant.now().isAfter(lastPrinted.plus(QUIET_PROGRESS))) {
                    out.println(prefix + progress);
                    out.flush();
                    lastProgress = progress;
                    lastPrinted = Instant.now();
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new CliException("the move is still running after " + timeoutMinutes + " minutes (" + lastProgress
                        + "); it continues in SQS. Follow it with: aws sqs list-message-move-tasks --source-arn " + dlqArn
                        + ", or cancel it: aws sqs cancel-message-move-task --task-handle " + handle);
            }
            context.sleep(POLL_INTERVAL);
        }
    }

    private static List<ListMessageMoveTasksResultEntry> moveTasks(AwsClients aws, String dlqArn) {
        return aws.call("reading the move tasks of " + dlqArn + " (sqs:ListMessageMoveTasks)",
                () -> aws.sqs().listMessageMoveTasks(r -> r.sourceArn(dlqArn).maxResults(10)).results());
    }

    /**
     * The task this command started: SQS names the handle only while a task runs, so a finished task
     * is the newest one to the same destination started since (with a minute for clock skew).
     */
    private static Optional<ListMessageMoveTasksResultEntry> ours(List<ListMessageMoveTasksResultEntry> tasks,
                                                                  String handle, String workArn, long startedAt) {
        Optional<ListMessageMoveTasksResultEntry> byHandle = tasks.stream()
                .filter(t -> handle != null && handle.equals(t.taskHandle())).findFirst();
        if (byHandle.isPresent()) {
            return byHandle;
        }
        return tasks.stream()
                .filter(t -> t.destinationArn() == null || t.destinationArn().equals(workArn))
                .filter(t -> t.startedTimestamp() == null || t.startedTimestamp() >= startedAt - 60_000)
                .max(Comparator.comparing(t -> t.startedTimestamp() == null ? 0L : t.startedTimestamp()));
    }

    private static long movedCount(ListMessageMoveTasksResultEntry task) {
        return task.approximateNumberOfMessagesMoved() == null ? 0 : task.approximateNumberOfMessagesMoved();
    }

    /** "moved/total" while SQS knows the total (it is approximate, and not every endpoint keeps it), else "moved". */
    private static String moved(ListMessageMoveTasksResultEntry task) {
        long moved = movedCount(task);
        Long total = task.approximateNumberOfMessagesToMove();
        return total == null || total == 0 || total < moved ? Long.toString(moved) : moved + "/" + total;
    }

    private static String started(ListMessageMoveTasksResultEntry task) {
        return task.startedTimestamp() == null ? "at an unknown time" : Instant.ofEpochMilli(task.startedTimestamp()).toString();
    }
}
