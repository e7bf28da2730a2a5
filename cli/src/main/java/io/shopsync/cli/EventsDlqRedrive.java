package io.shopsync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.Flow;
import io.shopsync.intake.IntakeOutcome;
import io.shopsync.intake.WebhookIntake;
import io.shopsync.lambda.EventBridgeEvents;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.S3ClaimCheckStore;
import io.shopsync.queue.SqsFlowQueues;
import io.shopsync.webhook.ShopifyHeaders;
import io.shopsync.webhook.Untrusted;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * {@code dlq redrive FLOW --events}: each message of the flow's EventBridge dead-letter queue (the rule's,
 * whose body is the event, or Lambda's invocation record, whose {@code requestPayload} is the event) goes
 * through the flow's own intake code ({@link EventBridgeEvents#deadLetter}, then
 * {@link WebhookIntake#handleEventBridge}, as {@code FlowFunction} does): the same allow-list, topic
 * classification, envelope, message group and deduplication ids, onto the flow's FIFO work queue. A
 * message is deleted only after that send succeeded; a refused or failed one stays, with its reason
 * printed.
 */
final class EventsDlqRedrive {

    /** How long a message being redriven stays hidden: long enough to queue it, short enough to retry soon. */
    private static final int HIDE_SECONDS = 120;

    /** The counts of one run. */
    record Summary(int moved, int deadLettered, int refused, int failed) {
        int kept() {
            return refused + failed;
        }
    }

    private final AwsClients aws;
    private final Flow flow;
    private final SqsQueue eventsDlq;
    private final WebhookIntake intake;
    private final ObjectMapper json;
    private final PrintWriter out;
    private final String prefix;

    EventsDlqRedrive(AwsClients aws, Flow flow, SqsQueue eventsDlq, String workQueueUrl, String deadLetterQueueUrl,
                     String bucket, Set<String> allowedShops, Telemetry telemetry, PrintWriter out) {
        this.aws = aws;
        this.flow = flow;
        this.eventsDlq = eventsDlq;
        this.json = new ObjectMapper();
        Clock clock = Clock.systemUTC();
        // The queues the function writes to, as FlowEnvironment builds them: same codec, claim checks, size limit.
        SqsFlowQueues queues = new SqsFlowQueues(aws.sqs(), workQueueUrl, deadLetterQueueUrl,
                new S3ClaimCheckStore(aws::s3Objects, bucket), new EnvelopeCodec(json), SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES);
        this.intake = WebhookIntake.forEventBridge(flow, allowedShops, queues, json, telemetry, clock);
        this.out = out;
        this.prefix = "redrive " + flow.name() + " --events: ";
    }

    /** Every message the queue gives, once each; what is kept is made visible again at the end. */
    Summary run() {
        Set<String> seen = new HashSet<>();
        List<Message> kept = new ArrayList<>();
        int moved = 0;
        int deadLettered = 0;
        int refused = 0;
        int failed = 0;
        try {
            while (true) {
                List<Message> batch = aws.call("reading " + eventsDlq.description() + " (" + eventsDlq.url() + ")",
                        () -> aws.sqs().receiveMessage(r -> r.queueUrl(eventsDlq.url()).maxNumberOfMessages(10)
                                .visibilityTimeout(HIDE_SECONDS).waitTimeSeconds(1)
                                .messageAttributeNames("All")).messages());
                List<Message> fresh = batch.stream().filter(m -> seen.add(m.messageId())).toList();
                if (fresh.isEmpty()) {
                    break;
                }
                for (Message message : fresh) {
                    switch (redrive(message)) {
                        case MOVED -> moved++;
                        case DEAD_LETTERED -> deadLettered++;
                        case REFUSED -> {
                            refused++;
                            kept.add(message);
                        }
                        case FAILED -> {
                            failed++;
                            kept.add(message);
                        }
                    }
                    out.flush();
                }
            }
        } finally {
            eventsDlq.makeVisible(kept);
        }
        return new Summary(moved, deadLettered, refused, failed);
    }

    private enum Result { MOVED, DEAD_LETTERED, REFUSED, FAILED }

    private Result redrive(Message message) {
        String id = "message " + message.messageId();
        EventBridgeEvents.DeadLetter letter;
        try {
            letter = EventBridgeEvents.deadLetter(message.body().getBytes(StandardCharsets.UTF_8), json);
        } catch (IllegalArgumentException e) {
            out.println(prefix + id + ": refused, kept: " + e.getMessage() + "; read it with dlq inspect "
                    + flow.name() + " --events and delete it by hand if it is not Shopify's");
            return Result.REFUSED;
        }
        String what = id + " (" + describe(letter) + ")";
        IntakeOutcome outcome = intake.handleEventBridge(letter.delivery().metadata(), letter.delivery().payload());
        if (outcome instanceof IntakeOutcome.Unauthenticated refused) {
            out.println(prefix + what + ": refused, kept: " + refused.reason() + "; add the shop to the stack's "
                    + "AllowedShops (or pass --allowed-shops) and run redrive again, or delete the message");
            return Result.REFUSED;
        }
        if (outcome instanceof IntakeOutcome.Failed failed) {
            out.println(prefix + what + ": failed, kept: " + failed.reason() + "; fix the cause and run redrive again");
            return Result.FAILED;
        }
        String done;
        if (outcome instanceof IntakeOutcome.Enqueued enqueued) {
            done = "moved to the work queue (entity " + enqueued.envelope().entity() + ")";
        } else if (outcome instanceof IntakeOutcome.DeadLettered deadLettered) {
            done = "in the flow's dead-letter queue: " + deadLettered.reason();
        } else {
            throw new IllegalStateException("flow " + flow.name() + ": unexpected intake outcome " + outcome + " for " + what);
        }
        try {
            aws.call("deleting " + id + " from " + eventsDlq.description() + " after it was queued", () ->
                    aws.sqs().deleteMessage(r -> r.queueUrl(eventsDlq.url()).receiptHandle(message.receiptHandle())));
        } catch (CliException e) {
            // Queued but still here: a second redrive queues it again with the same dedup id, which the flow
            // takes as a duplicate, so nothing is doubled; say so rather than count it as moved.
            out.println(prefix + what + ": " + done + ", but could not be deleted (" + e.getMessage() + "); run "
                    + "redrive again later: its copy is a duplicate the flow skips");
            return Result.FAILED;
        }
        out.println(prefix + what + ": " + done);
        return outcome instanceof IntakeOutcome.Enqueued ? Result.MOVED : Result.DEAD_LETTERED;
    }

    /** Shop, topic and webhook id of an event (unsigned values, cut short), and who dead-lettered it. */
    static String describe(EventBridgeEvents.DeadLetter letter) {
        ShopifyHeaders headers = ShopifyHeaders.of(letter.delivery().metadata());
        return "event " + Untrusted.excerpt(letter.eventId()) + " from the " + letter.source() + ", shop "
                + Untrusted.excerpt(headers.shopDomain()) + ", topic " + Untrusted.excerpt(headers.topic())
                + ", webhook id " + Untrusted.excerpt(headers.webhookId());
    }
}
