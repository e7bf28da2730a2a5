package io.shopsync.local;

import io.shopsync.queue.SqsIds;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A real SQS API inside this JVM: ElasticMQ on a free loopback port, and an SDK client for it (the
 * url-connection client and dummy credentials, as a function would use on a local endpoint).
 */
final class EmbeddedSqs implements AutoCloseable {

    /** A flow's work queue and dead-letter queue. */
    record FlowQueueUrls(String workQueueUrl, String deadLetterQueueUrl) {}

    private final SQSRestServer server;
    private final URI endpoint;
    private final SqsClient sqs;
    private final Object peekLock = new Object();

    private EmbeddedSqs(SQSRestServer server, URI endpoint, SqsClient sqs) {
        this.server = server;
        this.endpoint = endpoint;
        this.sqs = sqs;
    }

    static EmbeddedSqs start() {
        SQSRestServer server = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
        int port;
        try {
            port = server.waitUntilStarted().localAddress().getPort();
        } catch (RuntimeException e) {
            server.stopAndWait();
            throw new IllegalStateException("embedded SQS (ElasticMQ) did not start: " + e.getMessage(), e);
        }
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        SqsClient sqs = SqsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        return new EmbeddedSqs(server, endpoint, sqs);
    }

    URI endpoint() {
        return endpoint;
    }

    SqsClient client() {
        return sqs;
    }

    /** Creates the queue's dead-letter queue, then the queue with the template's settings and redrive policy. */
    FlowQueueUrls create(StackTemplate.Queue queue) {
        StackTemplate.DeadLetterQueue dlq = queue.deadLetterQueue();
        Map<QueueAttributeName, String> dlqAttributes = new LinkedHashMap<>();
        if (dlq.fifo()) {
            dlqAttributes.put(QueueAttributeName.FIFO_QUEUE, "true");
        }
        String dlqUrl = sqs.createQueue(r -> r.queueName(dlq.name()).attributes(dlqAttributes)).queueUrl();
        String dlqArn = sqs.getQueueAttributes(r -> r.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        Map<QueueAttributeName, String> attributes = new LinkedHashMap<>();
        if (queue.fifo()) {
            attributes.put(QueueAttributeName.FIFO_QUEUE, "true");
            attributes.put(QueueAttributeName.CONTENT_BASED_DEDUPLICATION,
                    Boolean.toString(queue.contentBasedDeduplication()));
        }
        attributes.put(QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(queue.visibilityTimeoutSeconds()));
        attributes.put(QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn
                + "\",\"maxReceiveCount\":\"" + queue.maxReceiveCount() + "\"}");
        String url = sqs.createQueue(r -> r.queueName(queue.name()).attributes(attributes)).queueUrl();
        return new FlowQueueUrls(url, dlqUrl);
    }

    /** Messages on the queue that are waiting, being processed or waiting out a retry delay. */
    int inFlight(String queueUrl) {
        Map<String, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNamesWithStrings(
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed")).attributesAsStrings();
        return count(attributes, "ApproximateNumberOfMessages") + count(attributes, "ApproximateNumberOfMessagesNotVisible")
                + count(attributes, "ApproximateNumberOfMessagesDelayed");
    }

    /**
     * Every message on a queue with its attributes, without consuming any: receives until nothing more
     * comes (each received message hidden for a moment), then makes them all visible again at once.
     * A FIFO queue hands out at most one receive's worth (10) of one group while the group is hidden,
     * so a group with more than 10 messages shows its first 10.
     */
    List<Message> peek(String queueUrl) {
        synchronized (peekLock) {
            List<Message> all = receiveAll(queueUrl);
            makeVisible(queueUrl, all);
            return all;
        }
    }

    /**
     * Moves dead letters back to their work queue as SQS's message move task does (what {@code scripts/shopsync
     * dlq redrive} starts on AWS; ElasticMQ does not move messages out of a FIFO queue): each chosen message is
     * sent again with its body, every message attribute (the {@code target} attribute limits the redelivery to
     * the targets that failed) and its message group, then deleted from the dead-letter queue. Its deduplication
     * id is a fresh one, so SQS's 5-minute window does not drop a webhook that was queued moments ago. The others
     * stay where they are, visible again.
     *
     * @param chosen which of the dead letters to move
     * @return the ids of the messages moved
     */
    List<String> moveBack(String deadLetterQueueUrl, String workQueueUrl, Predicate<Message> chosen) {
        synchronized (peekLock) {
            List<Message> all = receiveAll(deadLetterQueueUrl);
            List<String> moved = new ArrayList<>();
            try {
                for (Message message : all) {
                    if (!chosen.test(message)) {
                        continue;
                    }
                    Map<MessageSystemAttributeName, String> system = message.attributes();
                    String group = system.get(MessageSystemAttributeName.MESSAGE_GROUP_ID);
                    String deduplication = system.getOrDefault(MessageSystemAttributeName.MESSAGE_DEDUPLICATION_ID,
                            message.messageId());
                    sqs.sendMessage(r -> {
                        r.queueUrl(workQueueUrl).messageBody(message.body()).messageAttributes(message.messageAttributes());
                        if (group != null) {
                            r.messageGroupId(group).messageDeduplicationId(
                                    SqsIds.fit(deduplication + ":redrive:" + UUID.randomUUID()));
                        }
                    });
                    sqs.deleteMessage(r -> r.queueUrl(deadLetterQueueUrl).receiptHandle(message.receiptHandle()));
                    moved.add(message.messageId());
                }
            } finally {
                makeVisible(deadLetterQueueUrl, all.stream().filter(m -> !moved.contains(m.messageId())).toList());
            }
            return moved;
        }
    }

    private List<Message> receiveAll(String queueUrl) {
        Map<String, Message> seen = new LinkedHashMap<>();
        while (true) {
            List<Message> batch = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .visibilityTimeout(30).waitTimeSeconds(0)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                    .messageAttributeNames("All")).messages();
            int before = seen.size();
            batch.forEach(m -> seen.putIfAbsent(m.messageId(), m));
            if (batch.isEmpty() || seen.size() == before) {
                break;
            }
        }
        return new ArrayList<>(seen.values());
    }

    private void makeVisible(String queueUrl, List<Message> messages) {
        for (int i = 0; i < messages.size(); i += 10) {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
            for (int j = i; j < Math.min(i + 10, messages.size()); j++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(j))
                        .receiptHandle(messages.get(j).receiptHandle()).visibilityTimeout(0).build());
            }
            sqs.changeMessageVisibilityBatch(r -> r.queueUrl(queueUrl).entries(entries));
        }
    }

    private static int count(Map<String, String> attributes, String name) {
        String value = attributes.get(name);
        return value == null ? 0 : Integer.parseInt(value);
    }

    @Override
    public void close() {
        sqs.close();
        server.stopAndWait();
    }
}
