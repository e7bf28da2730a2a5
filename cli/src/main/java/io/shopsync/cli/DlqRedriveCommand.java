package io.shopsync.cli;

import java.io.PrintWriter;
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
            "", "Exit codes: 0 moved (or nothing to move), 1 failed, cancelled or still running at --timeout "
                + "(the message says what to do), 2 bad usage."})
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
