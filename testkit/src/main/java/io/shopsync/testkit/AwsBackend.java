package io.shopsync.testkit;

import java.net.HttpURLConnection;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * JUnit 5 extension for tests that need a real AWS-compatible endpoint.
 *
 * <p>The endpoint is, in order: {@code AWS_ENDPOINT_URL} when set (moto server, LocalStack, ...);
 * else a Testcontainers LocalStack when a Docker engine answers; else the test class is skipped
 * with a reason, or fails when {@code SHOPSYNC_REQUIRE_AWS=1} (CI must never skip these tests).
 * Test methods and constructors receive an {@link AwsClients} parameter.
 */
public final class AwsBackend implements BeforeAllCallback, ParameterResolver {

    /** LocalStack tag pinned because later images require an auth token. */
    public static final String LOCALSTACK_IMAGE = "localstack/localstack:4.14.0";

    private static final Object LOCK = new Object();
    private static volatile Resolved resolved;

    private record Resolved(AwsClients clients, String unavailableReason) {}

    @Override
    public void beforeAll(ExtensionContext context) {
        Resolved backend = resolve();
        if (backend.clients() != null) {
            return;
        }
        String message = "No AWS-compatible endpoint for " + context.getDisplayName() + ": "
                + backend.unavailableReason()
                + ". Set AWS_ENDPOINT_URL (for example start `moto_server -H 127.0.0.1 -p 5000` and export"
                + " AWS_ENDPOINT_URL=http://127.0.0.1:5000), or run scripts/test, which starts one.";
        if (requireBackend()) {
            throw new IllegalStateException("SHOPSYNC_REQUIRE_AWS=1 and " + message);
        }
        System.err.println("SKIPPED (AWS-backed): " + message);
        Assumptions.abort(message);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
        return parameter.getParameter().getType() == AwsClients.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
        return resolve().clients();
    }

    private static boolean requireBackend() {
        return "1".equals(System.getenv("SHOPSYNC_REQUIRE_AWS"))
                || "true".equalsIgnoreCase(System.getenv("SHOPSYNC_REQUIRE_AWS"));
    }

    private static Resolved resolve() {
        Resolved current = resolved;
        if (current != null) {
            return current;
        }
        synchronized (LOCK) {
            if (resolved == null) {
                resolved = discover();
            }
            return resolved;
        }
    }

    private static Resolved discover() {
        Optional<String> configured = Optional.ofNullable(System.getenv("AWS_ENDPOINT_URL"))
                .map(String::trim).filter(s -> !s.isEmpty());
        if (configured.isPresent()) {
            URI endpoint = URI.create(configured.get());
            // A configured endpoint that does not answer is a broken set-up, never a reason to skip.
            requireReachable(endpoint);
            return new Resolved(AwsClients.at(endpoint, region()), null);
        }
        if (!dockerAvailable()) {
            return new Resolved(null, "AWS_ENDPOINT_URL is not set and no Docker engine answers");
        }
        LocalStackContainer localstack = new LocalStackContainer(DockerImageName.parse(LOCALSTACK_IMAGE));
        localstack.start();
        return new Resolved(AwsClients.at(localstack.getEndpoint(), localstack.getRegion()), null);
    }

    private static String region() {
        String region = System.getenv("AWS_REGION");
        return region == null || region.isBlank() ? "us-east-1" : region;
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static void requireReachable(URI endpoint) {
        try {
            HttpURLConnection connection = (HttpURLConnection) endpoint.toURL().openConnection();
            connection.setConnectTimeout(2_000);
            connection.setReadTimeout(5_000);
            connection.getResponseCode();
            connection.disconnect();
        } catch (Exception e) {
            throw new IllegalStateException("AWS_ENDPOINT_URL=" + endpoint + " does not answer (" + e
                    + "). Start the endpoint (scripts/test starts moto server) or unset AWS_ENDPOINT_URL.", e);
        }
    }
}
