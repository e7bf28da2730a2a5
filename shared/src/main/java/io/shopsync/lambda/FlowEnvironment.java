package io.shopsync.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.Flow;
import io.shopsync.intake.WebhookIntake;
import io.shopsync.observability.LineSink;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.FlowQueues;
import io.shopsync.queue.S3ClaimCheckStore;
import io.shopsync.queue.SqsFlowQueues;
import io.shopsync.webhook.SecretsManagerSigningSecrets;
import io.shopsync.webhook.SigningSecrets;
import io.shopsync.webhook.SigningSecretsSource;
import io.shopsync.webhook.WebhookVerifier;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything a flow's function is wired from: configuration read once from the environment, and the
 * clients built from it. {@link #fromLambda()} is what Lambda uses; tests build one with their own
 * collaborators through {@link #builder()}.
 *
 * <p>Environment variables:
 * <ul>
 *   <li>{@code WORK_QUEUE_URL}, {@code DEAD_LETTER_QUEUE_URL}: the flow's FIFO queues (required)</li>
 *   <li>{@code CLAIM_CHECK_BUCKET}: S3 bucket for bodies too large for a message (required)</li>
 *   <li>{@code SHOPIFY_WEBHOOK_SECRET_ID}: Secrets Manager secret holding the signing secrets; or, for local
 *       runs only, {@code SHOPIFY_WEBHOOK_SECRET}: the secrets themselves, comma-separated</li>
 *   <li>{@code SHOPIFY_ALLOWED_SHOPS}: optional comma-separated shop domains; others get 401</li>
 *   <li>{@code CLAIM_CHECK_THRESHOLD_BYTES}: optional, message size above which the body goes to S3</li>
 * </ul>
 */
public final class FlowEnvironment {

    private final SigningSecretsSource secrets;
    private final Set<String> allowedShops;
    private final FlowQueues queues;
    private final ObjectMapper json;
    private final Telemetry telemetry;
    private final Clock clock;

    private FlowEnvironment(Builder builder) {
        this.secrets = require(builder.secrets, "secrets");
        this.allowedShops = Set.copyOf(builder.allowedShops);
        this.queues = require(builder.queues, "queues");
        this.json = builder.json;
        this.clock = builder.clock;
        this.telemetry = builder.telemetry != null ? builder.telemetry
                : new Telemetry(json, LineSink.stdout(), clock);
    }

    /** Reads the Lambda function's environment and builds the real AWS clients (no network calls). */
    public static FlowEnvironment fromLambda() {
        return fromVariables(System.getenv(), AwsServices.fromEnvironment(System.getenv()));
    }

    public static FlowEnvironment fromVariables(Map<String, String> env, AwsServices aws) {
        ObjectMapper json = new ObjectMapper();
        Settings settings = new Settings(env);
        SigningSecretsSource secrets;
        String secretId = settings.optional("SHOPIFY_WEBHOOK_SECRET_ID");
        if (secretId != null) {
            secrets = new SecretsManagerSigningSecrets(aws.secretsManager(), secretId);
        } else {
            String inline = settings.optional("SHOPIFY_WEBHOOK_SECRET");
            if (inline == null) {
                throw new IllegalStateException("set SHOPIFY_WEBHOOK_SECRET_ID to the Secrets Manager secret that "
                        + "holds the Shopify webhook signing secret (SHOPIFY_WEBHOOK_SECRET is for local runs only)");
            }
            SigningSecrets parsed = SigningSecrets.parse(inline, "SHOPIFY_WEBHOOK_SECRET");
            secrets = SigningSecretsSource.fixed(parsed);
        }
        int threshold = settings.integer("CLAIM_CHECK_THRESHOLD_BYTES", SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES);
        FlowQueues queues = new SqsFlowQueues(aws.sqs(), settings.required("WORK_QUEUE_URL"),
                settings.required("DEAD_LETTER_QUEUE_URL"),
                new S3ClaimCheckStore(aws::s3, settings.required("CLAIM_CHECK_BUCKET")),
                new EnvelopeCodec(json), threshold);
        return builder()
                .secrets(secrets)
                .allowedShops(settings.list("SHOPIFY_ALLOWED_SHOPS"))
                .queues(queues)
                .json(json)
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The intake path of {@code flow}, wired from this environment. */
    public WebhookIntake intakeFor(Flow flow) {
        return new WebhookIntake(flow, new WebhookVerifier(secrets, clock, java.time.Duration.ofMinutes(1)),
                allowedShops, queues, json, telemetry, clock);
    }

    public ObjectMapper json() {
        return json;
    }

    private static <T> T require(T value, String name) {
        if (value == null) {
            throw new IllegalStateException("FlowEnvironment needs " + name);
        }
        return value;
    }

    /** Builder for tests and the local stack. */
    public static final class Builder {
        private SigningSecretsSource secrets;
        private Set<String> allowedShops = Set.of();
        private FlowQueues queues;
        private ObjectMapper json = new ObjectMapper();
        private Telemetry telemetry;
        private Clock clock = Clock.systemUTC();

        public Builder secrets(SigningSecretsSource value) {
            this.secrets = value;
            return this;
        }

        public Builder allowedShops(Set<String> value) {
            this.allowedShops = value;
            return this;
        }

        public Builder queues(FlowQueues value) {
            this.queues = value;
            return this;
        }

        public Builder json(ObjectMapper value) {
            this.json = value;
            return this;
        }

        public Builder telemetry(Telemetry value) {
            this.telemetry = value;
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = value;
            return this;
        }

        public FlowEnvironment build() {
            return new FlowEnvironment(this);
        }
    }

    /** Reads environment variables with errors that say which variable to set. */
    static final class Settings {
        private final Map<String, String> env;

        Settings(Map<String, String> env) {
            this.env = env;
        }

        String optional(String name) {
            String value = env.get(name);
            return value == null || value.isBlank() ? null : value.trim();
        }

        String required(String name) {
            String value = optional(name);
            if (value == null) {
                throw new IllegalStateException("environment variable " + name + " is not set: template.yaml sets it"
                        + " for deployed functions; set it yourself when running the handler elsewhere");
            }
            return value;
        }

        int integer(String name, int defaultValue) {
            String value = optional(name);
            if (value == null) {
                return defaultValue;
            }
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalStateException("environment variable " + name + " must be a whole number, got " + value);
            }
        }

        Set<String> list(String name) {
            String value = optional(name);
            if (value == null) {
                return Set.of();
            }
            return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        }
    }
}
