package io.shopsync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.lambda.EventBridgeEvents;
import io.shopsync.webhook.ShopifyHeaders;
import io.shopsync.webhook.Untrusted;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/** {@code dlq inspect FLOW}: what is in a flow's dead-letter queue and why, without consuming anything. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Shows the dead letters of a flow: per message its reason, stage, category, target, topic, shop, "
                + "webhook id and entity, and how many the queue holds. Nothing is consumed: each message is made "
                + "visible again at once."},
        footer = {"", "Examples:",
            "  scripts/shopsync dlq inspect order-to-crm --stack shopsync",
            "  scripts/shopsync dlq inspect stock-to-inventory --max 50 --dlq-url URL --region eu-west-1",
            "  scripts/shopsync dlq inspect order-to-crm --events --stack shopsync",
            "", "Exit codes: 0 shown, 1 failed (the message says what to do), 2 bad usage."})
final class DlqInspectCommand implements Callable<Integer> {

    /** What every dead letter carries as message attributes (shared's SqsFlowQueues), in the order shown. */
    private static final List<String> ATTRIBUTES =
            List.of("reason", "stage", "category", "target", "topic", "shop", "webhookId", "entity");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FLOW", converter = DeployedFlow.Converter.class,
            completionCandidates = DeployedFlow.Names.class, description = "the flow: ${COMPLETION-CANDIDATES}")
    DeployedFlow flow;

    @Option(names = "--max", paramLabel = "N", description = "show at most N messages (default: ${DEFAULT-VALUE})")
    int max = 10;

    @Option(names = "--events", description = "show the flow's EventBridge dead-letter queue (events that never "
            + "reached its work queue) instead of its delivery dead-letter queue")
    boolean events;

    @Mixin
    FlowQueues queues = new FlowQueues();

    @Mixin
    AwsOptions awsOptions = new AwsOptions();

    DlqInspectCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (max < 1) {
            throw new CliException("--max must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (AwsClients aws = AwsClients.of(awsOptions, context)) {
            SqsQueue dlq = events ? queues.eventsDeadLetterQueue(flow, aws) : queues.deadLetterQueue(flow, aws);
            SqsQueue.Counts before = dlq.counts();
            out.println(flow.name() + " dead-letter queue " + dlq.name() + ": about " + before.total() + " message"
                    + (before.total() == 1 ? "" : "s") + (before.inFlight() > 0 ? " (" + before.inFlight()
                    + " being received by someone else right now)" : ""));
            out.flush();
            List<Message> messages = before.total() == 0 ? List.of() : dlq.peek(max);
            int number = 0;
            for (Message message : messages) {
                out.println();
                printMessage(out, ++number, message);
            }
            out.println();
            if (messages.isEmpty()) {
                out.println(before.total() == 0 ? "Nothing is dead-lettered." : "No message could be received right now "
                        + "(they are in flight, e.g. a redrive is moving them): run inspect again in a minute.");
                return 0;
            }
            out.println(messages.size() + " shown, about " + Math.max(before.total(), messages.size()) + " in "
                    + dlq.name() + "; none consumed.");
            List<String> again = new ArrayList<>(queues.asArguments(true));
            again.addAll(awsOptions.asArguments());
            out.println("Once the cause is fixed, deliver them again: scripts/shopsync dlq redrive " + flow.name() + " "
                    + (events ? "--events " : "") + String.join(" ", again));
            return 0;
        }
    }

    private void printMessage(PrintWriter out, int number, Message message) {
        Map<String, MessageAttributeValue> attributes = message.messageAttributes();
        Map<MessageSystemAttributeName, String> system = message.attributes();
        StringBuilder heading = new StringBuilder("[" + number + "]");
        String sent = system.get(MessageSystemAttributeName.SENT_TIMESTAMP);
        if (sent != null) {
            heading.append(" dead-lettered ").append(Instant.ofEpochMilli(Long.parseLong(sent)));
        }
        heading.append("  message ").append(message.messageId());
        out.println(heading);
        if (events) {
            printEvent(out, message);
            return;
        }
        for (String name : ATTRIBUTES) {
            MessageAttributeValue value = attributes.get(name);
            String text = value == null || value.stringValue() == null ? null : value.stringValue();
            if (text == null && name.equals("target")) {
                text = "(all of the flow's targets)";
            }
            out.printf("    %-10s %s%n", name + ":", text == null ? "-" : text);
        }
    }

    /** An events dead letter: who dead-lettered it and why, and the Shopify event it keeps. */
    private void printEvent(PrintWriter out, Message message) {
        EventBridgeEvents.DeadLetter letter;
        try {
            letter = EventBridgeEvents.deadLetter(message.body().getBytes(StandardCharsets.UTF_8), JSON);
        } catch (IllegalArgumentException e) {
            out.printf("    %-10s %s%n", "unreadable:", e.getMessage() + " (redrive keeps it; delete it by hand if it "
                    + "is not Shopify's)");
            return;
        }
        String error = letter.error();
        if (error == null) {
            MessageAttributeValue code = message.messageAttributes().get("ERROR_CODE");
            MessageAttributeValue text = message.messageAttributes().get("ERROR_MESSAGE");
            error = (code == null ? "" : code.stringValue() + ": ") + (text == null ? "-" : text.stringValue());
        }
        ShopifyHeaders headers = ShopifyHeaders.of(letter.delivery().metadata());
        out.printf("    %-10s %s%n", "from:", "rule".equals(letter.source()) ? "the EventBridge rule's target"
                : "Lambda (invocation record)");
        out.printf("    %-10s %s%n", "error:", Untrusted.excerpt(error));
        out.printf("    %-10s %s%n", "event:", Untrusted.excerpt(letter.eventId()));
        out.printf("    %-10s %s%n", "topic:", Untrusted.excerpt(headers.topic()));
        out.printf("    %-10s %s%n", "shop:", Untrusted.excerpt(headers.shopDomain()));
        out.printf("    %-10s %s%n", "webhookId:", Untrusted.excerpt(headers.webhookId()));
    }
}
