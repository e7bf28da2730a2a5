package io.shopsync.lambda;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.crac.Core;
import org.crac.Resource;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The AWS clients a function uses. {@link #fromEnvironment} builds each on its first use (intake needs SQS and
 * Secrets Manager, delivery DynamoDB and Secrets Manager; SNS and S3 only on a dead letter or a large body),
 * all on ONE url-connection HTTP client (the smallest cold start of the SDK's clients), with the region and
 * credentials Lambda's environment names, so no client walks the default chains (profile files, IMDS).
 * {@code AWS_ENDPOINT_URL}, when set, points every client at a local endpoint (moto, LocalStack).
 *
 * <p>Under SnapStart a {@code beforeCheckpoint} hook builds every client before the snapshot (building opens no
 * connection and reads no credentials), so a restored copy does not pay for them on its first event.
 */
public final class AwsServices {

    private final SqsClient sqs;
    private final SecretsManagerClient secretsManager;
    private final DynamoDbClient dynamo;
    private final SnsClient sns;
    private final Supplier<S3Client> s3Factory;
    private volatile S3Client s3;
    private final List<Lazy<?>> lazies = new CopyOnWriteArrayList<>();
    private final SharedHttp http;
    /** Held here because org.crac keeps registered resources only weakly. */
    private final Resource snapStartHook;

    public AwsServices(SqsClient sqs, SecretsManagerClient secretsManager, DynamoDbClient dynamo, SnsClient sns,
                       Supplier<S3Client> s3Factory) {
        this.sqs = sqs;
        this.secretsManager = secretsManager;
        this.dynamo = dynamo;
        this.sns = sns;
        this.s3Factory = s3Factory;
        this.http = null;
        this.snapStartHook = null;
    }

    private AwsServices(ClientSettings settings) {
        this.http = settings.http;
        this.sqs = lazy(SqsClient.class, "sqs", () -> settings.configure(SqsClient.builder()).build());
        this.secretsManager = lazy(SecretsManagerClient.class, "secretsmanager",
                () -> settings.configure(SecretsManagerClient.builder()).build());
        this.dynamo = lazy(DynamoDbClient.class, "dynamodb", () -> settings.configure(DynamoDbClient.builder()).build());
        this.sns = lazy(SnsClient.class, "sns", () -> settings.configure(SnsClient.builder()).build());
        this.s3Factory = () -> {
            var builder = settings.configure(S3Client.builder());
            if (settings.endpoint != null) {
                builder.forcePathStyle(true);
            }
            return builder.build();
        };
        this.snapStartHook = new Resource() {
            @Override
            public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
                // Classes loaded and objects built now are in the snapshot; nothing here touches the network.
                for (Lazy<?> lazy : lazies) {
                    lazy.get();
                }
            }

            @Override
            public void afterRestore(org.crac.Context<? extends Resource> context) {
                // Nothing to renew: credentials are read per request (container credentials under SnapStart),
                // and url-connection opens its connections per request after restore.
            }
        };
        // Outside a CRaC-capable runtime (tests, the local stack) this registration does nothing.
        Core.getGlobalContext().register(snapStartHook);
    }

    public static AwsServices fromEnvironment(Map<String, String> env) {
        return new AwsServices(new ClientSettings(env));
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

    /** The names of the clients built so far, in order (tests, the benchmarks). */
    List<String> built() {
        return lazies.stream().filter(Lazy::isBuilt).map(lazy -> lazy.name).toList();
    }

    /** How many HTTP clients the SDK clients got: one at most. */
    int httpClientsBuilt() {
        return http == null ? 0 : http.built.get();
    }

    /**
     * {@code type} answering every call through the client {@code factory} builds on the first call.
     * SDK clients are interfaces, so the stores and queues wired with one never know it was not built yet.
     */
    private <T extends SdkClient> T lazy(Class<T> type, String name, Supplier<T> factory) {
        Lazy<T> lazy = new Lazy<>(name, factory);
        lazies.add(lazy);
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "lazy " + name + " client";
                };
            }
            if (method.getName().equals("close") && method.getParameterCount() == 0 && !lazy.isBuilt()) {
                return null;
            }
            try {
                return method.invoke(lazy.get(), args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private static final class Lazy<T> {
        final String name;
        private final Supplier<T> factory;
        private volatile T value;

        Lazy(String name, Supplier<T> factory) {
            this.name = name;
            this.factory = factory;
        }

        T get() {
            T current = value;
            if (current == null) {
                synchronized (this) {
                    if (value == null) {
                        value = factory.get();
                    }
                    current = value;
                }
            }
            return current;
        }

        boolean isBuilt() {
            return value != null;
        }
    }

    /** One url-connection client for all SDK clients, built with the first of them. */
    private static final class SharedHttp {
        final AtomicInteger built = new AtomicInteger();
        private volatile SdkHttpClient client;

        SdkHttpClient get() {
            SdkHttpClient current = client;
            if (current == null) {
                synchronized (this) {
                    if (client == null) {
                        client = UrlConnectionHttpClient.builder().build();
                        built.incrementAndGet();
                    }
                    current = client;
                }
            }
            return current;
        }
    }

    /** Region, endpoint, credentials and HTTP client, read once from the environment. */
    private static final class ClientSettings {
        final Region region;
        final URI endpoint;
        final AwsCredentialsProvider credentials;
        final SharedHttp http = new SharedHttp();

        ClientSettings(Map<String, String> env) {
            String endpointUrl = env.get("AWS_ENDPOINT_URL");
            this.endpoint = endpointUrl == null || endpointUrl.isBlank() ? null : URI.create(endpointUrl.trim());
            this.region = Region.of(env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1")));
            this.credentials = credentials(env);
        }

        /**
         * What Lambda provides: access keys in the environment, or with SnapStart a container credentials
         * endpoint instead (AWS Lambda docs, "SnapStart: credentials"). Elsewhere (a laptop, CI) the default chain.
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

        <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder) {
            builder.region(region).credentialsProvider(credentials).httpClient(http.get());
            if (endpoint != null) {
                builder.endpointOverride(endpoint);
            }
            return builder;
        }
    }
}
