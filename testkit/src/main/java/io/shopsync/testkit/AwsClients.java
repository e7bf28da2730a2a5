package io.shopsync.testkit;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/** AWS clients bound to the test backend, plus the few set-up steps tests share. */
public final class AwsClients {

    private final URI endpoint;
    private final Region region;
    private final StaticCredentialsProvider credentials =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    private final SqsClient sqs;
    private final S3Client s3;
    private final SecretsManagerClient secretsManager;

    private AwsClients(URI endpoint, Region region) {
        this.endpoint = endpoint;
        this.region = region;
        this.sqs = SqsClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        this.s3 = S3Client.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials)
                .forcePathStyle(true).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        this.secretsManager = SecretsManagerClient.builder().endpointOverride(endpoint).region(region)
                .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    static AwsClients at(URI endpoint, String region) {
        return new AwsClients(endpoint, Region.of(region));
    }

    public URI endpoint() {
        return endpoint;
    }

    public Region region() {
        return region;
    }

    public StaticCredentialsProvider credentials() {
        return credentials;
    }

    public SqsClient sqs() {
        return sqs;
    }

    public S3Client s3() {
        return s3;
    }

    public SecretsManagerClient secretsManager() {
        return secretsManager;
    }

    /** A work queue and its dead-letter queue, FIFO, named uniquely for one test. */
    public record FifoQueues(String workQueueUrl, String deadLetterQueueUrl) {}

    /** Creates a FIFO work queue with a FIFO DLQ and a redrive policy, as template.yaml does. */
    public FifoQueues createFifoQueues(String prefix, int maxReceiveCount) {
        String base = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String dlqUrl = sqs.createQueue(r -> r.queueName(base + "-dlq.fifo").attributes(Map.of(
                QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
        String dlqArn = sqs.getQueueAttributes(r -> r.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        String workUrl = sqs.createQueue(r -> r.queueName(base + ".fifo").attributes(Map.of(
                QueueAttributeName.FIFO_QUEUE, "true",
                QueueAttributeName.VISIBILITY_TIMEOUT, "30",
                QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}")))
                .queueUrl();
        return new FifoQueues(workUrl, dlqUrl);
    }

    /** Creates a uniquely named bucket. */
    public String createBucket(String prefix) {
        String bucket = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(r -> r.bucket(bucket));
        return bucket;
    }

    /** Receives every message currently visible on a queue (all attributes), without deleting them. */
    public List<Message> drain(String queueUrl) {
        List<Message> all = new ArrayList<>();
        for (int emptyPolls = 0; emptyPolls < 2; ) {
            ReceiveMessageResponse response = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                    .maxNumberOfMessages(10).waitTimeSeconds(1).visibilityTimeout(60)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                    .messageAttributeNames("All"));
            if (response.messages().isEmpty()) {
                emptyPolls++;
            } else {
                all.addAll(response.messages());
            }
        }
        return all;
    }
}
