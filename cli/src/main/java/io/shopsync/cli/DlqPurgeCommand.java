package io.shopsync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.envelope.MalformedEnvelopeException;
import io.shopsync.privacy.PersonMatch;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * {@code dlq purge FLOW --customer ID}: deletes the dead letters whose webhook body names a person (after a
 * customers/redact), with their claim-checked bodies. A dead letter cannot be edited, and would otherwise stay 14
 * days.
 */
@Command(name = "purge", mixinStandardHelpOptions = true,
        description = {"Deletes the dead letters of a flow whose webhook body names a customer: their customer id, one"
                + " of their order ids, their e-mail or their phone (for a customers/redact; a dead letter cannot be"
                + " edited, and otherwise stays 14 days). Claim-checked bodies of those dead letters are deleted too."
                + " Every other dead letter is left as it was."},
        footer = {"", "Examples:",
            "  scripts/shopsync dlq purge order-to-crm --customer 706405506930370084 --email zoe@example.com"
                    + " --order 820982911946154508 --stack shopsync",
            "  scripts/shopsync dlq purge fulfilment-to-crm --customer 706405506930370084 --dry-run --stack shopsync",
            "", "Exit codes: 0 done, 1 failed (the message says what to do), 2 bad usage."})
final class DlqPurgeCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Long enough to read every message and its body before any becomes visible again. */
    private static final int HIDE_SECONDS = 120;

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FLOW", converter = DeployedFlow.Converter.class,
            completionCandidates = DeployedFlow.Names.class, description = "the flow: ${COMPLETION-CANDIDATES}")
    DeployedFlow flow;

    @Option(names = "--customer", required = true, paramLabel = "ID", description = "the customer's Shopify id")
    String customer;

    @Option(names = "--email", paramLabel = "ADDRESS", description = "the customer's e-mail (customers/redact's customer.email)")
    String email;

    @Option(names = "--phone", paramLabel = "PHONE", description = "the customer's phone (customers/redact's customer.phone)")
    String phone;

    @Option(names = "--order", paramLabel = "ID", description = "an order to redact (orders_to_redact); repeatable")
    List<String> orders = new ArrayList<>();

    @Option(names = "--dry-run", description = "count what would be deleted, delete nothing")
    boolean dryRun;

    @Mixin
    FlowQueues queues = new FlowQueues();

    @Mixin
    AwsOptions awsOptions = new AwsOptions();

    DlqPurgeCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        PersonMatch person;
        try {
            person = new PersonMatch(customer, Optional.ofNullable(email), Optional.ofNullable(phone), orders);
        } catch (IllegalArgumentException e) {
            throw new CliException("--customer and --order take Shopify's numeric ids (customers/redact's customer.id"
                    + " and orders_to_redact)");
        }
        PrintWriter out = spec.commandLine().getOut();
        EnvelopeCodec codec = new EnvelopeCodec(JSON);
        try (AwsClients aws = AwsClients.of(awsOptions, context)) {
            SqsQueue dlq = queues.deadLetterQueue(flow, aws);
            Map<String, Message> received = new LinkedHashMap<>();
            List<Message> keep = new ArrayList<>();
            int purged = 0;
            try {
                while (true) {
                    List<Message> batch = aws.call("reading " + dlq.description() + " (" + dlq.url() + ")",
                            () -> aws.sqs().receiveMessage(r -> r.queueUrl(dlq.url()).maxNumberOfMessages(10)
                                    .visibilityTimeout(HIDE_SECONDS).waitTimeSeconds(0)).messages());
                    int before = received.size();
                    batch.forEach(m -> received.putIfAbsent(m.messageId(), m));
                    if (received.size() == before) {
                        break;
                    }
                    for (Message message : batch) {
                        Optional<Body.ClaimCheck> claimCheck = Optional.empty();
                        String body = message.body();
                        try {
                            Envelope envelope = codec.decode(message.body());
                            if (envelope.body() instanceof Body.Inline inline) {
                                body = new String(inline.bytes(), StandardCharsets.UTF_8);
                            } else if (envelope.body() instanceof Body.ClaimCheck check) {
                                claimCheck = Optional.of(check);
                                body = aws.call("reading the claim-checked body s3://" + check.bucket() + "/" + check.key(),
                                        () -> aws.s3().getObjectAsBytes(r -> r.bucket(check.bucket()).key(check.key()))
                                                .asString(StandardCharsets.UTF_8));
                            }
                        } catch (MalformedEnvelopeException e) {
                            // Not an envelope (an unreadable dead letter): its raw text is what is matched.
                        }
                        if (!person.names(body)) {
                            keep.add(message);
                            continue;
                        }
                        purged++;
                        out.println((dryRun ? "would delete " : "deleting ") + "dead letter " + message.messageId()
                                + claimCheck.map(c -> " and s3://" + c.bucket() + "/" + c.key()).orElse(""));
                        if (!dryRun) {
                            aws.call("deleting a dead letter of " + dlq.description(), () -> aws.sqs().deleteMessage(
                                    r -> r.queueUrl(dlq.url()).receiptHandle(message.receiptHandle())));
                            claimCheck.ifPresent(c -> aws.call("deleting s3://" + c.bucket() + "/" + c.key(),
                                    () -> aws.s3().deleteObject(r -> r.bucket(c.bucket()).key(c.key()))));
                        } else {
                            keep.add(message);
                        }
                    }
                }
            } finally {
                dlq.makeVisible(keep);
            }
            out.println(flow.name() + " dead-letter queue " + dlq.name() + ": " + received.size() + " read, " + purged
                    + (dryRun ? " would be deleted" : " deleted") + " (they named customer " + customer + "), "
                    + (received.size() - purged) + " left as they were.");
            if (received.isEmpty()) {
                out.println("Nothing could be received: the queue is empty, or its messages are in flight (a redrive);"
                        + " run purge again in a few minutes.");
            }
            return 0;
        }
    }
}
