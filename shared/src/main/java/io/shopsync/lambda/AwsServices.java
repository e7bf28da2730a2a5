package io.shopsync.lambda;

import io.shopsync.aws.SecretValues;
import io.shopsync.aws.SignedSecretsManager;
import io.shopsync.aws.SignedSns;
import io.shopsync.aws.SnsPublish;
import io.shopsync.queue.S3Objects;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The AWS clients a function uses, all on ONE url-connection HTTP client (the smallest cold start of the
 * SDK's clients), with the region and credentials Lambda's environment names, so no client walks the default
 * chains (profile files, IMDS). {@code AWS_ENDPOINT_URL}, when set, points every client at a local endpoint
 * (moto, LocalStack). S3 is reached through {@link S3Objects} (signed requests on the same HTTP client, not the
 * SDK's S3 client), built on first use: only oversized bodies and privacy requests need it. SNS Publish and Secrets
 * Manager GetSecretValue are signed requests too ({@link SignedSns}, {@link SignedSecretsManager}): their SDK modules
 * were 1.5 MB of every function jar for one call each (docs/performance.md, "Jar size").
 *
 * <p>For SnapStart priming, {@link #offline} points every client at an in-memory stand-in and fake credentials for
 * the length of a rehearsal, so the SDK's request path runs before the snapshot with no network call and no real
 * credential fetched; the real HTTP client and credentials are back when it returns.
 *
 * <p>The other clients are built eagerly: a lazy stand-in for an SDK client interface (a dynamic proxy)
 * loads every request and response class of the service to build, which cost more than the client
 * (docs/performance.md, "Levers").
 */
public final class AwsServices {

    private final SqsClient sqs;
    private final SecretValues secretsManager;
    private final DynamoDbClient dynamo;
    private final SnsPublish sns;
    private final Supplier<S3Objects> s3Factory;
    private volatile S3Objects s3;
    /** Null when the clients were built elsewhere (tests): then there is nothing to switch for a rehearsal. */
    private final ClientSettings settings;

    public AwsServices(SqsClient sqs, SecretValues secretsManager, DynamoDbClient dynamo, SnsPublish sns,
                       Supplier<S3Objects> s3Factory) {
        this(sqs, secretsManager, dynamo, sns, s3Factory, null);
    }

    private AwsServices(SqsClient sqs, SecretValues secretsManager, DynamoDbClient dynamo, SnsPublish sns,
                        Supplier<S3Objects> s3Factory, ClientSettings settings) {
        this.settings = settings;
        this.sqs = sqs;
        this.secretsManager = secretsManager;
        this.dynamo = dynamo;
        this.sns = sns;
        this.s3Factory = s3Factory;
    }

    public static AwsServices fromEnvironment(Map<String, String> env) {
        ClientSettings settings = new ClientSettings(env);
        return new AwsServices(settings.configure(SqsClient.builder()).build(),
                new SignedSecretsManager(settings.http, settings.credentials, settings.region.id(), settings.endpoint,
                        Clock.systemUTC()),
                settings.configure(DynamoDbClient.builder()).build(),
                new SignedSns(settings.http, settings.credentials, settings.region.id(), settings.endpoint,
                        Clock.systemUTC()),
                () -> new S3Objects(settings.http, settings.credentials, settings.region.id(), settings.endpoint,
                        Clock.systemUTC()), settings);
    }

    /** Whether {@link #offline} can run: these clients were built here, over the switchable HTTP client. */
    boolean canGoOffline() {
        return settings != null;
    }

    /**
     * Runs {@code rehearsal} with every client's requests answered by {@code standIn} and signed with fake
     * credentials: nothing reaches the network, no credential is fetched. One rehearsal at a time, before the
     * function serves any event (SnapStart's beforeCheckpoint); afterwards the clients send for real again.
     */
    void offline(SdkHttpClient standIn, Runnable rehearsal) {
        if (settings == null) {
            throw new IllegalStateException("these AWS clients were not built by AwsServices.fromEnvironment, so"
                    + " their HTTP client cannot be switched to the priming stand-in");
        }
        synchronized (settings) {
            settings.http.delegate = standIn;
            settings.credentials.delegate = REHEARSAL_CREDENTIALS;
            try {
                rehearsal.run();
            } finally {
                settings.http.delegate = settings.http.real;
                settings.credentials.delegate = settings.credentials.real;
            }
        }
    }

    /** Recognisably fake keys (AWS's documentation example): the stand-in never checks them, AWS would refuse them. */
    private static final AwsCredentialsProvider REHEARSAL_CREDENTIALS = StaticCredentialsProvider.create(
            AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));

    public SqsClient sqs() {
        return sqs;
    }

    public SecretValues secretsManager() {
        return secretsManager;
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    public SnsPublish sns() {
        return sns;
    }

    public S3Objects s3() {
        S3Objects client = s3;
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

    /** Region, endpoint, credentials and the one HTTP client, read once from the environment. */
    private static final class ClientSettings {
        final Region region;
        final URI endpoint;
        final SwitchedCredentials credentials;
        final SwitchedHttpClient http = new SwitchedHttpClient(UrlConnectionHttpClient.builder().build());

        ClientSettings(Map<String, String> env) {
            String endpointUrl = env.get("AWS_ENDPOINT_URL");
            this.endpoint = endpointUrl == null || endpointUrl.isBlank() ? null : URI.create(endpointUrl.trim());
            this.region = Region.of(env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1")));
            this.credentials = new SwitchedCredentials(credentials(env));
        }

        /**
         * What Lambda provides: access keys in the environment, or with SnapStart a container credentials
         * endpoint instead (AWS Lambda docs, SnapStart credentials). Elsewhere (a laptop, CI) the default chain.
         * Both providers read per request, so a SnapStart copy never signs with the snapshot's credentials.
         */
        private static AwsCredentialsProvider credentials(Map<String, String> env) {
            if (present(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
                return ContainerCredentialsProvider.builder().build();
            }
            if (present(env, "AWS_ACCESS_KEY_ID") && present(env, "AWS_SECRET_ACCESS_KEY")) {
                return EnvironmentVariableCredentialsProvider.create();
            }
            return DefaultCredentialsProvider.builder().build();
        }

        private static boolean present(Map<String, String> env, String name) {
            String value = env.get(name);
            return value != null && !value.isBlank();
        }

        /** Every client shares the one HTTP client: closing a client leaves it open, as the SDK documents. */
        <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder) {
            builder.region(region).credentialsProvider(credentials).httpClient(http);
            if (endpoint != null) {
                builder.endpointOverride(endpoint);
            }
            return builder;
        }
    }

    /** The one HTTP client, sending through {@code real} except during {@link #offline}. */
    private static final class SwitchedHttpClient implements SdkHttpClient {
        final SdkHttpClient real;
        volatile SdkHttpClient delegate;

        SwitchedHttpClient(SdkHttpClient real) {
            this.real = real;
            this.delegate = real;
        }

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            return delegate.prepareRequest(request);
        }

        @Override
        public String clientName() {
            return real.clientName();
        }

        @Override
        public void close() {
            real.close();
        }
    }

    /** The credentials Lambda provides ({@link #real}), except fake ones during {@link #offline}. */
    static final class SwitchedCredentials implements AwsCredentialsProvider {
        private final AwsCredentialsProvider real;
        private volatile AwsCredentialsProvider delegate;

        SwitchedCredentials(AwsCredentialsProvider real) {
            this.real = real;
            this.delegate = real;
        }

        /** What the clients sign with outside a rehearsal. */
        AwsCredentialsProvider real() {
            return real;
        }

        @Override
        public AwsCredentials resolveCredentials() {
            return delegate.resolveCredentials();
        }
    }
}
