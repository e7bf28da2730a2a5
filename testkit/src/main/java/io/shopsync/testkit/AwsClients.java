package io.shopsync.testkit;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/** AWS clients bound to the test backend, plus the few set-up steps tests share. */
public final class AwsClients {

    /**
     * How long a drained message stays hidden: longer than any drain takes, so a slow read of a long queue on a
     * loaded machine never receives its first messages a second time (600 messages once took over 60 s).
     */
    private static final int DRAIN_HIDES_FOR_SECONDS = 900;

    private final URI endpoint;
    private final Region region;
    private final StaticCredentialsProvider credentials =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    private final SqsClient sqs;
    private final S3Client s3;
    private final SecretsManagerClient secretsManager;
    private final DynamoDbClient dynamo;
    private final SnsClient sns;

    private AwsClients(URI endpoint, Region region) {
        this.endpoint = endpoint;
        this.region = region;
        this.sqs = SqsClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        this.s3 = S3Client.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials)
                .forcePathStyle(true).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        this.secretsManager = SecretsManagerClient.builder().endpointOverride(endpoint).region(region)
                .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        this.dynamo = DynamoDbClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.addExecutionInterceptor(new IsolatedTransactions())).build();
        this.sns = SnsClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
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

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    public SnsClient sns() {
        return sns;
    }

    /**
     * Creates the idempotency table as template.yaml does: string hash key pk, TTL on expiresAt, and the entity
     * and webhook indexes a trace queries (TemplateRulesTest holds the template to DynamoDbDeliveryStore's index; this copy keeps
     * testkit free of shared/).
     */
    public String createTable(String prefix) {
        String table = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        dynamo.createTable(r -> r.tableName(table)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("entity").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("webhookId").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName("entity-index")
                        .keySchema(KeySchemaElement.builder().attributeName("entity").keyType(KeyType.HASH).build())
                        .projection(Projection.builder().projectionType(ProjectionType.INCLUDE)
                                .nonKeyAttributes("state", "outcome", "reason", "lastError", "attempts", "staleAgainst",
                                        "topic", "flow", "webhookId", "triggeredAt", "receivedAt", "watermarkKey",
                                        "claimedAt", "finishedAt", "expiresAt").build()).build(),
                        GlobalSecondaryIndex.builder().indexName("webhook-index")
                        .keySchema(KeySchemaElement.builder().attributeName("webhookId").keyType(KeyType.HASH).build())
                        .projection(Projection.builder().projectionType(ProjectionType.INCLUDE)
                                .nonKeyAttributes("entity", "expiresAt").build()).build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
        dynamo.updateTimeToLive(r -> r.tableName(table).timeToLiveSpecification(
                TimeToLiveSpecification.builder().attributeName("expiresAt").enabled(true).build()));
        return table;
    }

    /** An SNS topic with an SQS queue subscribed (raw delivery), so a test can read what was published. */
    public record TopicProbe(String topicArn, String queueUrl) {}

    public TopicProbe createTopicWithProbe(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String topicArn = sns.createTopic(r -> r.name(name)).topicArn();
        String queueUrl = sqs.createQueue(r -> r.queueName(name + "-probe")).queueUrl();
        String queueArn = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        sns.subscribe(r -> r.topicArn(topicArn).protocol("sqs").endpoint(queueArn)
                .attributes(Map.of("RawMessageDelivery", "false")));
        return new TopicProbe(topicArn, queueUrl);
    }

    /** A work queue and its dead-letter queue, FIFO, named uniquely for one test. */
    public record FifoQueues(String workQueueUrl, String deadLetterQueueUrl) {}

    /** Creates a FIFO work queue with a FIFO DLQ and a redrive policy, as template.yaml does. */
    public FifoQueues createFifoQueues(String prefix, int maxReceiveCount) {
        return createFifoQueues(sqs, prefix, maxReceiveCount);
    }

    /** The same on any SQS-compatible endpoint (ElasticMQ, say). */
    public static FifoQueues createFifoQueues(SqsClient sqs, String prefix, int maxReceiveCount) {
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
        return drain(sqs, queueUrl);
    }

    /** The same on any SQS-compatible endpoint. */
    public static List<Message> drain(SqsClient sqs, String queueUrl) {
        List<Message> all = new ArrayList<>();
        for (int emptyPolls = 0; emptyPolls < 2; ) {
            ReceiveMessageResponse response = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                    .maxNumberOfMessages(10).waitTimeSeconds(1).visibilityTimeout(DRAIN_HIDES_FOR_SECONDS)
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

    /**
     * DynamoDB isolates a TransactWriteItems from every other write; moto 5 does not: it snapshots each table a
     * transaction touches and, when the transaction is cancelled, restores the whole snapshot, undoing the writes
     * other requests made meanwhile (a watermark moves back, a completed record reverts). So this client runs a
     * transaction alone among the requests of this JVM, as DynamoDB's isolation would have it: transactions take
     * the write side of one lock, every other request the read side.
     */
    private static final class IsolatedTransactions implements ExecutionInterceptor {

        private static final ExecutionAttribute<Lock> HELD = new ExecutionAttribute<>("shopsync.isolation");
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            Lock side = "TransactWriteItems".equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))
                    ? lock.writeLock() : lock.readLock();
            side.lock();
            attributes.putAttribute(HELD, side);
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            release(attributes);
        }

        @Override
        public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
            release(attributes);
        }

        private static void release(ExecutionAttributes attributes) {
            Lock held = attributes.getAttribute(HELD);
            if (held != null) {
                attributes.putAttribute(HELD, null);
                held.unlock();
            }
        }
    }
}
