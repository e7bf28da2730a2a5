package io.shopsync.cli;

import java.net.URI;
import java.util.Optional;
import java.util.function.Supplier;
import io.shopsync.queue.S3ClaimCheckStore;
import io.shopsync.queue.S3Objects;
import java.time.Clock;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SDK clients of one command, built when first needed (so {@code --queue-url} alone never
 * touches CloudFormation), and every AWS call made through {@link #call}, which turns SDK exceptions
 * into messages that say what to do.
 */
final class AwsClients implements AutoCloseable {

    private final Region region;
    private final Optional<URI> endpoint;
    private final AwsCredentialsProvider credentials;
    private SqsClient sqs;
    private CloudFormationClient cloudFormation;
    private DynamoDbClient dynamo;
    private S3Client s3;
    private S3Objects s3Objects;
    private CloudWatchLogsClient logs;

    private AwsClients(Region region, Optional<URI> endpoint, AwsCredentialsProvider credentials) {
        this.region = region;
        this.endpoint = endpoint;
        this.credentials = credentials;
    }

    static AwsClients of(AwsOptions options, CliContext context) {
        Optional<URI> endpoint = Optional.ofNullable(options.endpointUrl).filter(s -> !s.isBlank())
                .or(() -> context.setting("AWS_ENDPOINT_URL")).map(AwsClients::endpointUri);
        return new AwsClients(region(options, context, endpoint.isPresent()), endpoint, credentials(endpoint, context));
    }

    /**
     * The operator's credentials; for an endpoint on this machine (ElasticMQ, moto, LocalStack), which
     * accepts any, placeholder ones unless some are configured.
     */
    private static AwsCredentialsProvider credentials(Optional<URI> endpoint, CliContext context) {
        boolean loopback = endpoint.map(URI::getHost).filter(host -> host.equals("127.0.0.1")
                || host.equals("localhost") || host.equals("[::1]") || host.equals("::1")).isPresent();
        boolean configured = context.setting("AWS_ACCESS_KEY_ID").isPresent() || context.setting("AWS_PROFILE").isPresent();
        return loopback && !configured
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))
                : context.awsCredentials();
    }

    private static URI endpointUri(String text) {
        try {
            URI uri = URI.create(text.trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new CliException("the AWS endpoint '" + text + "' (--endpoint-url or AWS_ENDPOINT_URL) is not a URL: "
                    + "give one like http://127.0.0.1:9324, or leave it out to use AWS");
        }
    }

    private static Region region(AwsOptions options, CliContext context, boolean localEndpoint) {
        Optional<String> named = Optional.ofNullable(options.region).filter(s -> !s.isBlank())
                .or(() -> context.setting("AWS_REGION")).or(() -> context.setting("AWS_DEFAULT_REGION"));
        if (named.isPresent()) {
            return Region.of(named.get());
        }
        if (localEndpoint) {
            return Region.US_EAST_1; // local endpoints accept any region
        }
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkClientException e) {
            throw new CliException("no AWS region: pass --region (the stack's region, e.g. eu-west-1) or set AWS_REGION");
        }
    }

    Region region() {
        return region;
    }

    /** Where the calls go, for messages: the region, or the endpoint when one is set. */
    String where() {
        return endpoint.map(uri -> "at " + uri).orElse("in region " + region.id());
    }

    SqsClient sqs() {
        if (sqs == null) {
            var builder = SqsClient.builder().region(region).credentialsProvider(credentials)
                    .httpClientBuilder(UrlConnectionHttpClient.builder());
            endpoint.ifPresent(builder::endpointOverride);
            sqs = builder.build();
        }
        return sqs;
    }

    CloudFormationClient cloudFormation() {
        if (cloudFormation == null) {
            var builder = CloudFormationClient.builder().region(region).credentialsProvider(credentials)
                    .httpClientBuilder(UrlConnectionHttpClient.builder());
            endpoint.ifPresent(builder::endpointOverride);
            cloudFormation = builder.build();
        }
        return cloudFormation;
    }

    DynamoDbClient dynamo() {
        if (dynamo == null) {
            var builder = DynamoDbClient.builder().region(region).credentialsProvider(credentials)
                    .httpClientBuilder(UrlConnectionHttpClient.builder());
            endpoint.ifPresent(builder::endpointOverride);
            dynamo = builder.build();
        }
        return dynamo;
    }

    /** Claim checks as the functions read and write them ({@link S3ClaimCheckStore}): signed requests, not the S3 client. */
    S3Objects s3Objects() {
        if (s3Objects == null) {
            s3Objects = new S3Objects(UrlConnectionHttpClient.create(), credentials, region.id(), endpoint.orElse(null),
                    Clock.systemUTC());
        }
        return s3Objects;
    }

    /** Only for an order over SQS's size, whose body goes to the claim-check bucket. */
    S3Client s3() {
        if (s3 == null) {
            var builder = S3Client.builder().region(region).credentialsProvider(credentials)
                    .httpClientBuilder(UrlConnectionHttpClient.builder());
            endpoint.ifPresent(e -> builder.endpointOverride(e).forcePathStyle(true));
            s3 = builder.build();
        }
        return s3;
    }

    /** Only for trace's search of the flows' log groups (Logs Insights). */
    CloudWatchLogsClient logs() {
        if (logs == null) {
            var builder = CloudWatchLogsClient.builder().region(region).credentialsProvider(credentials)
                    .httpClientBuilder(UrlConnectionHttpClient.builder());
            endpoint.ifPresent(builder::endpointOverride);
            logs = builder.build();
        }
        return logs;
    }

    /**
     * Runs one AWS call. {@code what} names it for the message ("reading the order-to-crm dead-letter
     * queue"); see {@link #failure}.
     */
    <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw failure(what, e);
        }
    }

    /** The message for a failed AWS call: AWS's own code and message, and what to check. */
    CliException failure(String what, SdkException e) {
        if (e instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
            String message = service.awsErrorDetails() == null || service.awsErrorDetails().errorMessage() == null
                    ? service.getMessage() : service.awsErrorDetails().errorMessage();
            return new CliException(what + " failed: AWS answered " + (code == null ? "" : code + ": ") + message
                    + advice(code), e);
        }
        String message = String.valueOf(e.getMessage());
        if (message.startsWith("Unable to load credentials")) {
            return new CliException(what + " failed: no AWS credentials found (environment, profile, SSO or instance "
                    + "role): run aws sso login, or set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", e);
        }
        return new CliException(what + " failed: " + message + ": check your network, the region (" + where()
                + ") and your AWS credentials (AWS_PROFILE, aws sso login, or AWS_ACCESS_KEY_ID)", e);
    }

    private String advice(String code) {
        if (code == null) {
            return "";
        }
        if (code.contains("AccessDenied") || code.equals("AuthorizationError")) {
            return " (your AWS identity lacks that permission: use a role that may operate the stack)";
        }
        if (code.equals("ExpiredToken") || code.equals("ExpiredTokenException") || code.equals("InvalidClientTokenId")
                || code.equals("UnrecognizedClientException") || code.equals("SignatureDoesNotMatch")) {
            return " (refresh your AWS credentials: aws sso login, or check AWS_PROFILE / AWS_ACCESS_KEY_ID)";
        }
        if (code.contains("NonExistentQueue") || code.contains("QueueDoesNotExist")) {
            return " (check the queue URL, or --stack and --region " + region.id() + ")";
        }
        return "";
    }

    @Override
    public void close() {
        if (sqs != null) {
            sqs.close();
        }
        if (cloudFormation != null) {
            cloudFormation.close();
        }
        if (dynamo != null) {
            dynamo.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (logs != null) {
            logs.close();
        }
    }
}
