package io.shopsync.local;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The local stack started inside another program's JVM (the local-intake benchmark of {@code scripts/bench}): the
 * same {@link RunningStack} {@code scripts/local} runs, dry run, on a free loopback port, reconciler on demand only
 * so that nothing but the caller's webhooks runs. Local-only, like the rest of this module.
 */
public final class InProcessStack implements AutoCloseable {

    private final RunningStack stack;
    private final Path logFile;

    private InProcessStack(RunningStack stack, Path logFile) {
        this.stack = stack;
        this.logFile = logFile;
    }

    /**
     * Starts the stack of {@code template} on a free port of 127.0.0.1.
     *
     * @param logFile where the flows' JSON log lines go (one per intake and per delivery)
     * @param environment as the process environment would give it (SHOPIFY_WEBHOOK_SECRET, AWS_ENDPOINT_URL, ...)
     * @param console where the start's progress lines and alerts go
     */
    public static InProcessStack start(Path template, Path logFile, Map<String, String> environment, PrintStream console) {
        LocalStack.quietEmbeddedSqsLogs(logFile.toAbsolutePath().resolveSibling("local-sqs.log"));
        RunningStack stack = RunningStack.start(new RunningStack.Options(template.toAbsolutePath(), 0, logFile, true,
                environment, false, null, Duration.ZERO), console);
        return new InProcessStack(stack, logFile);
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String url() {
        return stack.url();
    }

    /** The secret the stack accepts first, which webhooks must be signed with. */
    public String signingSecret() {
        return Replay.replaySecret(stack.signingSecret());
    }

    public Path logFile() {
        return logFile;
    }

    @Override
    public void close() {
        stack.close();
    }
}
