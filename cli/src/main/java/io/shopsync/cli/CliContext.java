package io.shopsync.cli;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * What the commands take from outside the process: the environment, AWS credentials and a way to
 * wait. {@link #system()} is what {@code scripts/shopsync} runs with; tests pass their own.
 */
record CliContext(Map<String, String> environment, AwsCredentialsProvider awsCredentials, Sleeper sleeper) {

    /** Waits; tests shorten or record the waits (throttling, polling a redrive). */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    CliContext {
        environment = Map.copyOf(environment);
    }

    static CliContext system() {
        return new CliContext(System.getenv(), DefaultCredentialsProvider.builder().build(),
                duration -> Thread.sleep(duration.toMillis()));
    }

    /** A non-blank environment variable. */
    Optional<String> setting(String name) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    void sleep(Duration duration) {
        try {
            sleeper.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while waiting; nothing further was done", e);
        }
    }
}
