package io.shopsync.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/local}: the whole Shopsync stack in one JVM, without AWS or Docker.
 *
 * <p>Reads the functions, routes and queues from template.yaml, runs the queues in embedded SQS,
 * each flow's real handler behind its route and its queue, and serves the routes on 127.0.0.1. With
 * {@code --replay} it then posts the signed sample webhooks of events/ and prints what happened.
 * Ctrl-C stops it. Exit codes: 0 done, 1 failed (the message says why), 2 bad usage or busy port.
 */
@Command(name = "scripts/local", mixinStandardHelpOptions = true, version = "shopsync-local 0.1.0",
        description = "Runs the whole Shopsync stack in one JVM (no AWS, no Docker): the template's webhook routes "
                + "on 127.0.0.1, the flows' FIFO queues and DLQs in embedded SQS, each flow's real handler, "
                + "connectors in dry run.",
        footer = {"", "GET / is the live console: counts per flow, dead letters with a redrive button, alerts, the outbox.",
            "JSON endpoints: GET /_local/status, /_local/outbox, /_local/dlq, /_local/alerts;",
            "POST /_local/eventbridge (a Shopify EventBridge event, routed as the template's rules route it);",
            "POST /_local/reconcile (a reconciler run now, against the Shopify Admin stand-in at /admin/api/...);",
            "POST /_local/dlq/redrive ({\"flow\": NAME[, \"messageId\": ID]}: dead letters back to the work queue).",
            "A POST other than a webhook needs the header X-Shopsync-Local: 1 (or the console's own Origin).",
            "Environment: SHOPIFY_WEBHOOK_SECRET (accepted secrets, comma-separated; default: the dev secret),",
            "AWS_ENDPOINT_URL (keep delivery records in DynamoDB there instead of in memory),",
            "SHOPIFY_ALLOWED_SHOPS (the shops served; default in dry run: shopsync-demo.myshopify.com, the samples' shop).",
            "Only requests for Host 127.0.0.1 or localhost are answered (others get 403)."})
public final class LocalStack implements Callable<Integer> {

    static final int PORT_IN_USE = 2;
    static final int BAD_USAGE = 2;

    @Option(names = "--port", paramLabel = "N", description = "HTTP port on 127.0.0.1 (default: ${DEFAULT-VALUE})")
    int port = 3000;

    @Option(names = "--template", paramLabel = "PATH",
            description = "the SAM template (default: template.yaml here or in the nearest directory above)")
    Path template;

    @Option(names = "--replay", paramLabel = "DIR", arity = "0..1", fallbackValue = "events",
            description = "after start, sign and post the sample webhooks in DIR/<flow>/*.json (default DIR: "
                    + "events), wait until nothing is in flight, and print what happened")
    Path replay;

    @Option(names = "--inject-eventbridge", paramLabel = "DIR", arity = "0..1", fallbackValue = "events/eventbridge",
            description = "after start (before --replay), put each Shopify EventBridge event in DIR/*.json on the "
                    + "emulated partner bus: the template's rules route it by topic to its flow, invoked as Lambda "
                    + "invokes asynchronously (default DIR: events/eventbridge); POST /_local/eventbridge does the same")
    Path injectEventBridge;

    @Option(names = "--drop", paramLabel = "NAME", split = ",",
            description = "with --replay: leave out these samples (file names without .json, e.g. orders-guest-pos), "
                    + "as webhooks Shopify never delivered; the reconciler's run after the replay finds the orders")
    java.util.Set<String> drop = new java.util.TreeSet<>();

    @Option(names = "--shopify-fixture", paramLabel = "DIR",
            description = "the orders the Shopify Admin stand-in serves the reconciler: REST-shaped order payloads "
                    + "(default: events/payloads)")
    Path shopifyFixture;

    @Option(names = "--reconcile-every", paramLabel = "SECONDS",
            description = "how often the reconciler runs by itself (default: 60; with --live 0, so the fixture's "
                    + "orders are never sent for real unasked; 0: only on demand, POST /_local/reconcile or --reconcile)")
    Integer reconcileEverySeconds;

    @Option(names = "--reconcile", description = "run the reconciler once after start and wait for what it queued (--replay runs it anyway)")
    boolean reconcileNow;

    @Option(names = "--exit-after-replay", description = "stop after the replay's table (exit 1 if a post was not "
            + "answered 200 or deliveries were still in flight)")
    boolean exitAfterReplay;

    @Option(names = "--replay-wait", paramLabel = "SECONDS",
            description = "how long a replay waits for the flows to go idle (default: ${DEFAULT-VALUE})")
    int replayWaitSeconds = 120;

    @Option(names = "--live", description = "send the connectors' requests for real instead of recording them in the "
            + "outbox; credentials come from the environment (HUBSPOT_TOKEN, KLAVIYO_API_KEY, INVENTORY_WEBHOOK_SECRET, "
            + "KATANA_API_KEY, SHOPIFY_ADMIN_TOKENS), connector settings from the template's defaults and the environment; "
            + "needs SHOPIFY_WEBHOOK_SECRET (your app's client secret): the public dev secret is refused")
    boolean live;

    @Option(names = "--log", paramLabel = "FILE",
            description = "where the flows' JSON log lines go (default: local/target/local-stack.log)")
    Path logFile;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> environment;
    private final boolean keepRunning;

    private LocalStack(PrintStream out, PrintStream err, Map<String, String> environment, boolean keepRunning) {
        this.out = out;
        this.err = err;
        this.environment = environment;
        this.keepRunning = keepRunning;
    }

    public static void main(String[] args) {
        int code = execute(args, System.out, System.err, System.getenv(), true);
        // Reached only when the stack did not keep running (an error, --exit-after-replay, --help).
        System.exit(code);
    }

    /**
     * Runs the command. With {@code keepRunning} false (tests) it returns instead of waiting for Ctrl-C.
     *
     * @return the exit code
     */
    static int execute(String[] args, PrintStream out, PrintStream err, Map<String, String> environment,
                       boolean keepRunning) {
        CommandLine command = new CommandLine(new LocalStack(out, err, environment, keepRunning));
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    @Override
    public Integer call() {
        RunningStack stack;
        Path templateFile;
        try {
            templateFile = template != null ? template.toAbsolutePath() : StackTemplate.find(Path.of(""));
            Path root = templateFile.getParent();
            Path log = logFile != null ? logFile : root.resolve("local/target/local-stack.log");
            quietEmbeddedSqsLogs(log.toAbsolutePath().getParent().resolve("local-sqs.log"));
            if (!drop.isEmpty() && replay == null) {
                err.println("scripts/local: --drop leaves samples out of a replay: add --replay");
                return BAD_USAGE;
            }
            int every = reconcileEverySeconds != null ? reconcileEverySeconds : live ? 0 : 60;
            if (every < 0) {
                err.println("scripts/local: --reconcile-every must be 0 (on demand only) or more seconds");
                return BAD_USAGE;
            }
            stack = RunningStack.start(new RunningStack.Options(templateFile, port, log, replay != null, environment, live,
                    shopifyFixture == null ? null : resolve(shopifyFixture, root),
                    Duration.ofSeconds(every)), out);
        } catch (PortInUseException e) {
            err.println(e.getMessage());
            return PORT_IN_USE;
        } catch (RuntimeException e) {
            err.println("scripts/local: " + e.getMessage());
            return 1;
        }

        if (keepRunning && !exitAfterReplay) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                out.println();
                out.println("stopping: HTTP server, pollers, embedded SQS");
                stack.close();
                out.println("stopped");
                out.flush();
            }, "shutdown"));
        }
        boolean replayOk = true;
        if (injectEventBridge != null) {
            replayOk = injectEventBridge(stack, resolve(injectEventBridge, templateFile.getParent()));
            if (replay == null) {
                replayOk &= new Replay(stack, new ObjectMapper(), out).awaitIdle(Duration.ofSeconds(replayWaitSeconds));
                out.println("status: " + new LocalApi(stack, new ObjectMapper()).status());
                out.flush();
            }
        }
        if (replay != null) {
            try {
                replayOk &= new Replay(stack, new ObjectMapper(), out).run(resolve(replay, templateFile.getParent()),
                        Duration.ofSeconds(replayWaitSeconds), drop);
            } catch (RuntimeException e) {
                err.println("scripts/local: replay failed: " + e.getMessage());
                replayOk = false;
            }
        }
        if (reconcileNow && replay == null) {
            replayOk &= stack.reconciler().map(reconciler -> {
                boolean succeeded = reconciler.run("--reconcile").report().succeeded();
                return new Replay(stack, new ObjectMapper(), out).awaitIdle(Duration.ofSeconds(replayWaitSeconds)) && succeeded;
            }).orElseGet(() -> {
                err.println("scripts/local: --reconcile: this stack runs no reconciler (the \"reconciler:\" line says why)");
                return false;
            });
        }
        if (exitAfterReplay || !keepRunning) {
            stack.close();
            return replayOk ? 0 : 1;
        }
        out.println();
        out.println("running: Ctrl-C stops the stack");
        out.flush();
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** DIR as given, relative to the working directory, or else to the repository root (for the default). */
    private static Path resolve(Path dir, Path root) {
        if (dir.isAbsolute() || Files.isDirectory(dir)) {
            return dir;
        }
        return root.resolve(dir);
    }

    /** Puts each event file of {@code dir} on the emulated bus; false when one was not taken by a flow. */
    private boolean injectEventBridge(RunningStack stack, Path dir) {
        List<Path> files;
        try (Stream<Path> listed = Files.list(dir)) {
            files = listed.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            err.println("scripts/local: cannot read EventBridge events in " + dir + ": " + e.getMessage());
            return false;
        }
        LocalApi api = new LocalApi(stack, new ObjectMapper());
        boolean ok = !files.isEmpty();
        for (Path file : files) {
            LocalApi.Answer answer;
            try {
                answer = api.eventBridge(Files.readAllBytes(file));
            } catch (IOException e) {
                err.println("scripts/local: cannot read " + file + ": " + e.getMessage());
                ok = false;
                continue;
            }
            out.println("eventbridge: " + file.getFileName() + " -> " + answer.body().path("flow").asText("no flow")
                    + ": " + (answer.status() == 202 ? answer.body().path("answer").path("status").asText()
                    : answer.body().path("message").asText()));
            ok &= answer.status() == 202;
        }
        if (files.isEmpty()) {
            err.println("scripts/local: no EventBridge events (*.json) in " + dir);
        }
        out.flush();
        return ok;
    }

    /**
     * ElasticMQ and its actor system log through SLF4J: warnings and errors go to a file next to the
     * flows' log, so the console stays for people. Set before the first logger exists; a value given
     * with -D wins.
     */
    static void quietEmbeddedSqsLogs(Path file) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            return;
        }
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.logFile", file.toString());
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
    }
}
