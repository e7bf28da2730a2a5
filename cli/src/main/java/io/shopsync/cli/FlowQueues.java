package io.shopsync.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where a flow's queues are: a deployed stack's outputs ({@code --stack}), or their URLs given
 * directly. Given URLs win over the stack's.
 */
final class FlowQueues {

    @Option(names = "--stack", paramLabel = "NAME",
            description = "the deployed stack (the name sam deploy used): queue URLs from its outputs")
    String stack;

    @Option(names = "--dlq-url", paramLabel = "URL", description = "the flow's dead-letter queue URL, instead of --stack")
    String deadLetterQueueUrl;

    @Option(names = "--queue-url", paramLabel = "URL",
            description = "the flow's work queue URL, instead of --stack (redrive only)")
    String workQueueUrl;

    @Option(names = "--events-dlq-url", paramLabel = "URL",
            description = "the flow's EventBridge dead-letter queue URL, instead of --stack (with --events)")
    String eventsDeadLetterQueueUrl;

    private StackOutputs outputs;

    /** The queue of events that never reached the flow's work queue ({@code <stack>-<flow>-events-dlq}). */
    SqsQueue eventsDeadLetterQueue(DeployedFlow flow, AwsClients aws) {
        String url = given(eventsDeadLetterQueueUrl).orElse(null);
        if (url == null) {
            url = stackOutputs(aws, "--events-dlq-url URL").require(flow.eventsDeadLetterQueueUrlOutput());
        }
        return new SqsQueue(aws, url, "the " + flow.name() + " EventBridge dead-letter queue");
    }

    SqsQueue deadLetterQueue(DeployedFlow flow, AwsClients aws) {
        String url = given(deadLetterQueueUrl).orElse(null);
        if (url == null) {
            url = stackOutputs(aws, "--dlq-url URL").require(flow.deadLetterQueueUrlOutput());
        }
        return new SqsQueue(aws, url, "the " + flow.name() + " dead-letter queue");
    }

    SqsQueue workQueue(DeployedFlow flow, AwsClients aws) {
        String url = given(workQueueUrl).orElse(null);
        if (url == null) {
            url = stackOutputs(aws, "--queue-url URL --dlq-url URL").require(flow.queueUrlOutput());
        }
        return new SqsQueue(aws, url, "the " + flow.name() + " work queue");
    }

    /** The stack's outputs and parameters; {@code instead} names the options that would do without them. */
    StackOutputs stackOutputs(AwsClients aws, String instead) {
        if (given(stack).isEmpty()) {
            throw new CliException("which stack? pass --stack NAME (the stack name sam deploy used), or the queue URLs "
                    + "(" + instead + ", from the stack's outputs)");
        }
        if (outputs == null) {
            outputs = StackOutputs.read(aws, stack.trim());
        }
        return outputs;
    }

    /** These options again, for a command the operator may run next. */
    List<String> asArguments(boolean withWorkQueue) {
        List<String> arguments = new ArrayList<>();
        if (given(stack).isPresent()) {
            arguments.add("--stack " + stack.trim());
        }
        if (withWorkQueue && given(workQueueUrl).isPresent()) {
            arguments.add("--queue-url " + workQueueUrl.trim());
        } else if (withWorkQueue && given(stack).isEmpty()) {
            arguments.add("--queue-url <the flow's work queue URL>");
        }
        if (given(deadLetterQueueUrl).isPresent()) {
            arguments.add("--dlq-url " + deadLetterQueueUrl.trim());
        }
        if (given(eventsDeadLetterQueueUrl).isPresent()) {
            arguments.add("--events-dlq-url " + eventsDeadLetterQueueUrl.trim());
        }
        return arguments;
    }

    static Optional<String> given(String value) {
        return Optional.ofNullable(value).filter(v -> !v.isBlank()).map(String::trim);
    }
}
