package io.shopsync.local;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
            List<Message> all = new ArrayList<>(seen.values());
            for (int i = 0; i < all.size(); i += 10) {
                List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
                for (int j = i; j < Math.min(i + 10, all.size()); j++) {
                    entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(j))
                            .receiptHandle(all.get(j).receiptHandle()).visibilityTimeout(0).build());
                }
                sqs.changeMessageVisibilityBatch(r -> r.queueUrl(queueUrl).entries(entries));
            }
            return all;
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
