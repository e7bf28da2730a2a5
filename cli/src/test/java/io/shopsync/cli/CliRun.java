package io.shopsync.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Runs the CLI in this JVM as scripts/shopsync would, with a given environment, and captures what it printed. */
final class CliRun {

    /** What a run printed and answered. */
    record Result(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private final Map<String, String> environment;
    private final Duration longestRealWait;
    private final AwsCredentialsProvider credentials;
    /** Every wait the CLI asked for (throttling, polling), in order. */
    final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());

    /**
     * @param longestRealWait waits are recorded, and really waited for at most this long (polling a real
     *     SQS move needs time to pass; a throttle wait need not)
     */
    CliRun(Map<String, String> environment, Duration longestRealWait) {
        this(environment, longestRealWait, StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")));
    }

    CliRun(Map<String, String> environment, Duration longestRealWait, AwsCredentialsProvider credentials) {
        this.environment = environment;
        this.longestRealWait = longestRealWait;
        this.credentials = credentials;
    }

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext context = new CliContext(environment, credentials, duration -> {
                    waits.add(duration);
                    Thread.sleep(Math.min(duration.toMillis(), longestRealWait.toMillis()));
                });
        int code = ShopsyncCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), context);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
