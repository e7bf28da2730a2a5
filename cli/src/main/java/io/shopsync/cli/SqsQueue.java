package io.shopsync.cli;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** One SQS queue of a flow, named for messages ("the order-to-crm dead-letter queue"). */
final class SqsQueue {

    /** Messages waiting, being received (in flight) and delayed, as SQS approximates them. */
    record Counts(long visible, long inFlight, long delayed) {
        long total() {
            return visible + inFlight + delayed;
        }
    }

    /** How long a peeked message stays hidden at most, should the CLI die before making it visible again. */
    private static final int PEEK_HIDE_SECONDS = 30;

    private final AwsClients aws;
    private final String url;
    private final String description;

    SqsQueue(AwsClients aws, String url, String description) {
        this.aws = aws;
        this.url = url;
        this.description = description;
    }

    String url() {
        return url;
    }

    String description() {
        return description;
    }

    /** The queue's name: the last segment of its URL. */
    String name() {
        String path = URI.create(url).getPath();
        return path == null ? url : path.substring(path.lastIndexOf('/') + 1);
    }

    String arn() {
        return aws.call("reading the ARN of " + description + " (" + url + ")", () -> aws.sqs().getQueueAttributes(
                r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN)).attributes()
                .get(QueueAttributeName.QUEUE_ARN));
    }

    Counts counts() {
        Map<String, String> attributes = aws.call("counting the messages of " + description + " (" + url + ")",
                () -> aws.sqs().getQueueAttributes(r -> r.queueUrl(url).attributeNamesWithStrings(
                        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                        "ApproximateNumberOfMessagesDelayed")).attributesAsStrings());
        return new Counts(count(attributes, "ApproximateNumberOfMessages"),
                count(attributes, "ApproximateNumberOfMessagesNotVisible"),
                count(attributes, "ApproximateNumberOfMessagesDelayed"));
    }

    /**
     * Up to {@code max} messages with all their attributes, none consumed. Each receive hides what it
     * returns for a moment and everything is made visible again at once afterwards: receiving with a
     * visibility timeout of 0 would be simpler, but a FIFO queue would then return the same first
     * messages on every receive, so no more than 10 could ever be shown.
     */
    List<Message> peek(int max) {
        Map<String, Message> seen = new LinkedHashMap<>();
        try {
            while (seen.size() < max) {
                int wanted = Math.min(10, max - seen.size());
                List<Message> batch = aws.call("reading " + description + " (" + url + ")", () -> aws.sqs()
                        .receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(wanted)
                                .visibilityTimeout(PEEK_HIDE_SECONDS).waitTimeSeconds(0)
                                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                                .messageAttributeNames("All")).messages());
                int before = seen.size();
                batch.forEach(m -> seen.putIfAbsent(m.messageId(), m));
                if (seen.size() == before) {
                    break;
                }
            }
        } finally {
            makeVisible(new ArrayList<>(seen.values()));
        }
        return new ArrayList<>(seen.values()).subList(0, Math.min(max, seen.size()));
    }

    /** Makes received messages visible again at once (each reappears when its visibility timeout ends anyway). */
    void makeVisible(List<Message> messages) {
        for (int i = 0; i < messages.size(); i += 10) {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
            for (int j = i; j < Math.min(i + 10, messages.size()); j++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(j))
                        .receiptHandle(messages.get(j).receiptHandle()).visibilityTimeout(0).build());
            }
            aws.call("making the received messages of " + description + " visible again (they reappear on their own"
                    + " when their visibility timeout ends)", () -> aws.sqs().changeMessageVisibilityBatch(
                            r -> r.queueUrl(url).entries(entries)));
        }
    }

    private static long count(Map<String, String> attributes, String name) {
        String value = attributes.get(name);
        return value == null ? 0 : Long.parseLong(value);
    }
}
