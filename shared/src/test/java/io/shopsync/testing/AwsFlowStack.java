package io.shopsync.testing;

import io.shopsync.lambda.AwsServices;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.testkit.AwsClients;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * What template.yaml deploys for one flow, made on the test backend: its FIFO queue and DLQ, the
 * claim-check bucket, the signing secret in Secrets Manager, the idempotency table and the alerts
 * topic (with an SQS probe subscribed); and the function environment that points at them, read by
 * the same code path Lambda uses.
 */
public final class AwsFlowStack {

    public static final int MAX_RECEIVE_COUNT = 4;

    public final AwsClients aws;
    public final AwsClients.FifoQueues queues;
    public final String bucket;
    public final String secretName;
    public final String table;
    public final AwsClients.TopicProbe alerts;
    /** The work queue's maxReceiveCount, which the function is told as MAX_RECEIVE_COUNT too. */
    public final int maxReceiveCount;

    private AwsFlowStack(AwsClients aws, String flow, String signingSecret, int maxReceiveCount) {
        this.aws = aws;
        this.maxReceiveCount = maxReceiveCount;
        this.queues = aws.createFifoQueues("shopsync-" + flow, maxReceiveCount);
        this.bucket = aws.createBucket("shopsync-claims");
        this.secretName = "shopsync/" + flow + "-" + UUID.randomUUID();
        aws.secretsManager().createSecret(r -> r.name(secretName).secretString(signingSecret));
        this.table = aws.createTable("shopsync-idempotency");
        this.alerts = aws.createTopicWithProbe("shopsync-alerts");
    }

    public static AwsFlowStack create(AwsClients aws, String flow) {
        return new AwsFlowStack(aws, flow, LambdaInvoker.DEV_SECRET, MAX_RECEIVE_COUNT);
    }

    /**
     * The stack with the template's own receive limit (40, attempts still capped by MAX_ATTEMPTS): for
     * tests whose faults make many receives that are not attempts (store failures, lease waits).
     */
    public static AwsFlowStack create(AwsClients aws, String flow, int maxReceiveCount) {
        return new AwsFlowStack(aws, flow, LambdaInvoker.DEV_SECRET, maxReceiveCount);
    }

    public Map<String, String> variables() {
        Map<String, String> env = new HashMap<>();
        env.put("WORK_QUEUE_URL", queues.workQueueUrl());
        env.put("DEAD_LETTER_QUEUE_URL", queues.deadLetterQueueUrl());
        env.put("CLAIM_CHECK_BUCKET", bucket);
        env.put("SHOPIFY_WEBHOOK_SECRET_ID", secretName);
        env.put("IDEMPOTENCY_TABLE", table);
        env.put("ALERTS_TOPIC_ARN", alerts.topicArn());
        env.put("MAX_ATTEMPTS", Integer.toString(Math.min(MAX_RECEIVE_COUNT, maxReceiveCount)));
        env.put("MAX_RECEIVE_COUNT", Integer.toString(maxReceiveCount));
        env.put("BACKOFF_BASE_SECONDS", "1");
        env.put("BACKOFF_MAX_SECONDS", "4");
        return env;
    }

    public AwsServices services() {
        return new AwsServices(aws.sqs(), MotoSignedAws.secrets(aws), aws.dynamo(), MotoSignedAws.sns(aws), MotoS3.of(aws));
    }

    public FlowEnvironment environment() {
        return FlowEnvironment.fromVariables(variables(), services());
    }

    public FlowEnvironment.Builder environmentBuilder() {
        return FlowEnvironment.builderFromVariables(variables(), services());
    }

    /** The function environment with more variables (connector settings), as the template would set them. */
    public FlowEnvironment environment(Map<String, String> more) {
        Map<String, String> all = variables();
        all.putAll(more);
        return FlowEnvironment.fromVariables(all, services());
    }

    /** The item DynamoDB holds under {@code pk}, as attribute name to text, or empty. */
    public Map<String, String> item(String pk) {
        Map<String, String> out = new HashMap<>();
        aws.dynamo().getItem(r -> r.tableName(table).key(Map.of("pk",
                software.amazon.awssdk.services.dynamodb.model.AttributeValue.builder().s(pk).build()))
                .consistentRead(true)).item().forEach((name, value) -> out.put(name, value.s() != null ? value.s() : value.n()));
        return out;
    }
}
