package io.shopsync.testing;

import io.shopsync.lambda.AwsServices;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.testkit.AwsClients;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * What template.yaml deploys for one flow, made on the test backend: its FIFO queue and DLQ, the
 * claim-check bucket and the signing secret in Secrets Manager; and the function environment that
 * points at them, read by the same code path Lambda uses.
 */
public final class AwsFlowStack {

    public final AwsClients aws;
    public final AwsClients.FifoQueues queues;
    public final String bucket;
    public final String secretName;

    private AwsFlowStack(AwsClients aws, String flow, String signingSecret) {
        this.aws = aws;
        this.queues = aws.createFifoQueues("shopsync-" + flow, 8);
        this.bucket = aws.createBucket("shopsync-claims");
        this.secretName = "shopsync/" + flow + "-" + UUID.randomUUID();
        aws.secretsManager().createSecret(r -> r.name(secretName).secretString(signingSecret));
    }

    public static AwsFlowStack create(AwsClients aws, String flow) {
        return new AwsFlowStack(aws, flow, LambdaInvoker.DEV_SECRET);
    }

    public Map<String, String> variables() {
        Map<String, String> env = new HashMap<>();
        env.put("WORK_QUEUE_URL", queues.workQueueUrl());
        env.put("DEAD_LETTER_QUEUE_URL", queues.deadLetterQueueUrl());
        env.put("CLAIM_CHECK_BUCKET", bucket);
        env.put("SHOPIFY_WEBHOOK_SECRET_ID", secretName);
        return env;
    }

    public FlowEnvironment environment() {
        return FlowEnvironment.fromVariables(variables(), new AwsServices(aws.sqs(), aws.secretsManager(), aws::s3));
    }
}
