package io.shopsync.lambda;

import java.net.URI;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The AWS clients a function uses, all on the url-connection HTTP client (smallest cold start).
 * {@code AWS_ENDPOINT_URL}, when set, points every client at a local endpoint (moto, LocalStack).
 * The S3 client is built on first use: only oversized bodies need it.
 */
public final class AwsServices {

    private final SqsClient sqs;
    private final SecretsManagerClient secretsManager;
    private final DynamoDbClient dynamo;
    private final SnsClient sns;
    private final Supplier<S3Client> s3Factory;
    private volatile S3Client s3;

    public AwsServices(SqsClient sqs, SecretsManagerClient secretsManager, DynamoDbClient dynamo, SnsClient sns,
                       Supplier<S3Client> s3Factory) {
        this.sqs = sqs;
        this.secretsManager = secretsManager;
        this.dynamo = dynamo;
        this.sns = sns;
        this.s3Factory = s3Factory;
    }

    public static AwsServices fromEnvironment(Map<String, String> env) {
        String endpoint = env.get("AWS_ENDPOINT_URL");
        URI override = endpoint == null || endpoint.isBlank() ? null : URI.create(endpoint.trim());
        String regionName = env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1"));
        Region region = Region.of(regionName);
        var sqs = SqsClient.builder().region(region).httpClientBuilder(UrlConnectionHttpClient.builder());
        var secrets = SecretsManagerClient.builder().region(region)
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        var dynamo = DynamoDbClient.builder().region(region).httpClientBuilder(UrlConnectionHttpClient.builder());
        var sns = SnsClient.builder().region(region).httpClientBuilder(UrlConnectionHttpClient.builder());
        if (override != null) {
            sqs.endpointOverride(override);
            secrets.endpointOverride(override);
            dynamo.endpointOverride(override);
            sns.endpointOverride(override);
        }
        return new AwsServices(sqs.build(), secrets.build(), dynamo.build(), sns.build(), () -> {
            var s3 = S3Client.builder().region(region).httpClientBuilder(UrlConnectionHttpClient.builder());
            if (override != null) {
                s3.endpointOverride(override).forcePathStyle(true);
            }
            return s3.build();
        });
    }

    public SqsClient sqs() {
        return sqs;
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

    public S3Client s3() {
        S3Client client = s3;
        if (client == null) {
            synchronized (this) {
                if (s3 == null) {
                    s3 = s3Factory.get();
                }
                client = s3;
            }
        }
        return client;
    }
}
