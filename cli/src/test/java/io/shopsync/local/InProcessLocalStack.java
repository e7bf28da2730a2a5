package io.shopsync.local;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The local stack ({@code scripts/local}) started in this JVM for the CLI's tests, as local/'s own tests start it
 * (RunningStack is local/'s, package-private; this bridge sits in its package in the CLI's test sources only, so the
 * CLI's main code never links local/). A dry run on any free port, with the dev secret events/ is signed with.
 */
public final class InProcessLocalStack implements AutoCloseable {

    /** The secret the stack accepts and events/ is signed with. */
    public static final String DEV_SECRET = RunningStack.DEV_SECRET;

    private final RunningStack stack;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    private InProcessLocalStack(Path logFile) {
        this.stack = RunningStack.start(new RunningStack.Options(StackTemplate.find(Path.of("")), 0, logFile, true,
                Map.of()), new PrintStream(console, true, StandardCharsets.UTF_8));
    }

    /** Starts it; {@code logFile} takes the functions' log lines. */
    public static InProcessLocalStack start(Path logFile) {
        return new InProcessLocalStack(logFile);
    }

    /** Where it answers, e.g. http://127.0.0.1:43121. */
    public String url() {
        return stack.url();
    }

    /** What it printed (its ready line, the signing secret it accepts), for a failing test's message. */
    public String console() {
        return console.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        stack.close();
    }
}
