package io.shopsync.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.webhook.SigningSecrets;
import io.shopsync.webhook.WebhookSignature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code --replay}: signs and posts the sample webhooks of {@code DIR/<flow>/*.json} (API Gateway
 * events, as in events/) to the running stack over real HTTP, waits until no flow has anything in
 * flight, and prints what happened: per flow and topic what arrived, what was delivered, skipped or
 * dead-lettered and why, and what each target was sent.
 */
final class Replay {


    /** What one post got. */
    record Posted(String flow, Path file, String topic, int status) {}

    /** Headers that only API Gateway or the HTTP client set; the replay does not forward them. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection", "expect",
            "upgrade", "x-amzn-trace-id", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto");
    private static final String SIGNATURE_HEADER = "x-shopify-hmac-sha256";
    private static final int WIDTH = 100;

    private final RunningStack stack;
    private final ObjectMapper json;
    private final PrintStream console;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Replay(RunningStack stack, ObjectMapper json, PrintStream console) {
        this.stack = stack;
        this.json = json;
        this.console = console;
    }

    /** Posts, waits, prints the table. @return whether every post got a 200 and nothing is left in flight */
    boolean run(Path dir, Duration wait) {
        return run(dir, wait, Set.of());
    }

    /**
     * Posts every sample except those named in {@code drop} (file names without .json: webhooks Shopify never
     * delivered), waits, prints the table; then, when the stack runs a reconciler, runs it once as its schedule
     * would, waits for what it queued to be delivered, and prints what it found.
     *
     * @return whether every post got a 200, nothing is left in flight and the reconciler's run succeeded
     */
    boolean run(Path dir, Duration wait, Set<String> drop) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("replay directory " + dir.toAbsolutePath() + " does not exist: pass "
                    + "--replay DIR with a folder holding <flow>/*.json API Gateway events (like events/)");
        }
        String secret = replaySecret(stack.signingSecret());
        List<Posted> posted = new ArrayList<>();
        console.println();
        console.println("replay: posting the webhooks in " + dir + " to " + stack.url() + ", each re-signed with "
                + (stack.usesDevSecret() ? "the dev secret" : "the first secret of SHOPIFY_WEBHOOK_SECRET"));
        Set<String> dropped = new java.util.TreeSet<>();
        for (RunningStack.LocalFlow flow : stack.flows()) {
            for (Path file : events(dir.resolve(flow.name()))) {
                String name = file.getFileName().toString().replaceFirst("\\.json$", "");
                if (drop.contains(name)) {
                    dropped.add(name);
                    console.println("replay: dropped " + flow.name() + "/" + file.getFileName()
                            + " (not posted: a webhook Shopify never delivered)");
                    continue;
                }
                posted.add(post(flow, file, secret));
            }
        }
        if (!dropped.containsAll(drop)) {
            Set<String> unknown = new java.util.TreeSet<>(drop);
            unknown.removeAll(dropped);
            throw new IllegalArgumentException("--drop " + String.join(",", unknown) + ": no such sample in " + dir
                    + " (name a file of " + dir + "/<flow>/ without .json, e.g. orders-guest-pos)");
        }
        if (posted.isEmpty()) {
            throw new IllegalArgumentException("no events to replay in " + dir.toAbsolutePath() + ": expected "
                    + stack.flows().stream().map(f -> f.name() + "/*.json").collect(Collectors.joining(", ")));
        }
        long failed = posted.stream().filter(p -> p.status() != 200).count();
        console.println("replay: posted " + posted.size() + " webhooks" + (failed == 0 ? ", all answered 200"
                : ", " + failed + " not answered 200 (see the table)"));
        boolean idle = awaitIdle(wait);
        printTable(dir, posted, idle);
        boolean reconciled = stack.reconciler().map(reconciler -> reconcile(reconciler, wait)).orElse(true);
        return failed == 0 && idle && reconciled;
    }

    /** One reconciler run after the replay: what webhooks missed is found, queued and delivered. */
    private boolean reconcile(LocalReconciler reconciler, Duration wait) {
        console.println();
        console.println("replay: running the reconciler, as its schedule would: it compares the Shopify stand-in's"
                + " orders, fulfilments and stock levels with what was delivered");
        List<String> flowNames = stack.flows().stream().map(RunningStack.LocalFlow::name).toList();
        Map<String, Map<String, Integer>> sentBefore = new LinkedHashMap<>();
        Map<String, Long> deliveredBefore = new LinkedHashMap<>();
        for (String flow : flowNames) {
            sentBefore.put(flow, stack.outbox().countByTarget(flow));
            deliveredBefore.put(flow, stack.metrics().total(flow, "Delivered"));
        }
        LocalReconciler.Run run = reconciler.run("after replay");
        boolean idle = run.queued() == 0 || awaitIdle(wait);
        // Per flow the reconciler queued on: what its poller delivered since, and what the targets were sent.
        java.util.Set<String> queuedOn = new java.util.TreeSet<>();
        run.report().runs().forEach(check -> check.report().queued().forEach(item -> queuedOn.add(item.flow())));
        for (String flow : flowNames) {
            if (!queuedOn.contains(flow)) {
                continue;
            }
            long delivered = stack.metrics().total(flow, "Delivered") - deliveredBefore.get(flow);
            List<String> sent = new ArrayList<>();
            stack.outbox().countByTarget(flow).forEach((target, count) -> {
                int more = count - sentBefore.get(flow).getOrDefault(target, 0);
                if (more > 0) {
                    sent.add(target + " " + more + (more == 1 ? " request" : " requests"));
                }
            });
            console.println("replay: what the reconciler queued: " + delivered + " delivered on " + flow
                    + ", targets sent: " + (sent.isEmpty() ? "nothing" : String.join(", ", sent))
                    + " (GET /_local/outbox shows the requests)");
        }
        console.flush();
        return idle && run.report().succeeded();
    }

    /** The flow's API Gateway events in the order Shopify triggered them (x-shopify-triggered-at). */
    private List<Path> events(Path flowDir) {
        if (!Files.isDirectory(flowDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(flowDir)) {
            List<Path> events = files.filter(f -> f.getFileName().toString().endsWith(".json"))
                    .filter(f -> !f.getFileName().toString().equals("sqs-delivery.json"))
                    .sorted(Comparator.comparing(Path::getFileName)).toList();
            Map<Path, Instant> triggered = new LinkedHashMap<>();
            for (Path event : events) {
                String at = read(event).path("headers").path("x-shopify-triggered-at").asText("");
                triggered.put(event, parseInstant(at));
            }
            return events.stream().sorted(Comparator.comparing(triggered::get)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + flowDir, e);
        }
    }

    private Posted post(RunningStack.LocalFlow flow, Path file, String secret) {
        JsonNode event = read(file);
        JsonNode bodyNode = event.get("body");
        if (bodyNode == null || !bodyNode.isTextual()) {
            throw new IllegalArgumentException(file + " has no body: it must be an API Gateway HTTP API event "
                    + "(regenerate events/ with scripts/sign-events.py)");
        }
        byte[] body = event.path("isBase64Encoded").asBoolean(false)
                ? Base64.getDecoder().decode(bodyNode.asText()) : bodyNode.asText().getBytes(StandardCharsets.UTF_8);
        String path = event.path("rawPath").asText(flow.route().path());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.url() + path))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        event.path("headers").properties().forEach(header -> {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(name) && !name.equals(SIGNATURE_HEADER)) {
                request.header(header.getKey(), header.getValue().asText());
            }
        });
        request.header(SIGNATURE_HEADER, WebhookSignature.sign(body, secret));
        String topic = event.path("headers").path("x-shopify-topic").asText("?");
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Posted(flow.name(), file, topic, response.statusCode());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot post " + file + " to " + stack.url() + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while posting " + file, e);
        }
    }

    /** Waits until no flow has a message in flight (twice in a row), printing progress every 5 s. */
    boolean awaitIdle(Duration wait) {
        Instant deadline = Instant.now().plus(wait);
        Instant nextProgress = Instant.now().plusSeconds(5);
        int quietChecks = 0;
        while (true) {
            Map<String, Integer> inFlight = inFlight();
            int total = inFlight.values().stream().mapToInt(Integer::intValue).sum();
            quietChecks = total == 0 ? quietChecks + 1 : 0;
            if (quietChecks >= 2) {
                console.println("replay: every flow is idle");
                return true;
            }
            Instant now = Instant.now();
            if (now.isAfter(deadline)) {
                console.println("replay: still in flight after " + wait.toSeconds() + " s: " + describe(inFlight)
                        + " (a message waiting out a retry delay stays queued; see /_local/status)");
                return false;
            }
            if (now.isAfter(nextProgress)) {
                console.println("replay: waiting for deliveries: " + describe(inFlight));
                nextProgress = now.plusSeconds(5);
            }
            sleep(200);
        }
    }

    private Map<String, Integer> inFlight() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        stack.flows().forEach(flow -> counts.put(flow.name(), stack.inFlight(flow)));
        return counts;
    }

    private static String describe(Map<String, Integer> inFlight) {
        return inFlight.entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> e.getKey() + " " + e.getValue() + " in flight").collect(Collectors.joining(", "));
    }

    private void printTable(Path dir, List<Posted> posted, boolean idle) {
        FlowMetrics metrics = stack.metrics();
        StringBuilder out = new StringBuilder();
        out.append('\n').append(rule('=')).append('\n');
        out.append("Replay of ").append(dir).append(": ").append(posted.size()).append(" webhooks, ")
                .append(stack.flows().size()).append(" flows").append(idle ? "" : " (some still in flight)").append('\n');
        out.append(rule('=')).append('\n');
        for (RunningStack.LocalFlow flow : stack.flows()) {
            String name = flow.name();
            out.append('\n').append(name).append("   ").append(flow.route().routeKey()).append('\n');
            List<String> topics = new ArrayList<>(metrics.topics(name));
            posted.stream().filter(p -> p.flow().equals(name)).map(Posted::topic)
                    .filter(t -> !topics.contains(t)).forEach(topics::add);
            String format = "  %-26s %8s %10s %10s %6s %14s%n";
            out.append(String.format(format, "topic", "arrived", "delivered", "duplicate", "stale", "dead-lettered"));
            out.append("  ").append("-".repeat(79)).append('\n');
            long[] totals = new long[5];
            for (String topic : topics) {
                long[] row = {
                    metrics.byTopic(name, "WebhooksReceived").getOrDefault(topic, 0L),
                    metrics.byTopic(name, "Delivered").getOrDefault(topic, 0L),
                    metrics.byTopic(name, "Duplicate").getOrDefault(topic, 0L),
                    metrics.byTopic(name, "Stale").getOrDefault(topic, 0L),
                    metrics.byTopic(name, "DeadLettered").getOrDefault(topic, 0L)};
                for (int i = 0; i < row.length; i++) {
                    totals[i] += row[i];
                }
                out.append(String.format(format, topic, row[0], row[1], row[2], row[3], row[4]));
            }
            out.append("  ").append("-".repeat(79)).append('\n');
            out.append(String.format(format, "total", totals[0], totals[1], totals[2], totals[3], totals[4]));

            List<Posted> rejected = posted.stream().filter(p -> p.flow().equals(name) && p.status() != 200).toList();
            for (Posted post : rejected) {
                out.append("  answered ").append(post.status()).append(": ").append(post.file().getFileName()).append('\n');
            }
            int inFlight = stack.inFlight(flow);
            if (inFlight > 0) {
                out.append("  still in flight: ").append(inFlight).append(", ")
                        .append(metrics.total(name, "Retried")).append(" retries so far\n");
                metrics.lastRetryReason(name).ifPresent(reason -> out.append(wrap("last retry: ", reason)));
            }
            long unauthenticated = metrics.total(name, "WebhooksUnauthenticated");
            if (unauthenticated > 0) {
                out.append("  rejected as unauthenticated (401): ").append(unauthenticated).append('\n');
            }

            Map<String, Integer> sent = stack.outbox().countByTarget(name);
            out.append("  targets sent: ").append(sent.isEmpty() ? "nothing (no request in the outbox)"
                    : sent.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()
                            + (e.getValue() == 1 ? " request" : " requests")).collect(Collectors.joining(", ")))
                    .append('\n');

            Map<String, Integer> reasons = new LinkedHashMap<>();
            for (Map<String, String> attributes : LocalApi.deadLetterAttributes(stack, flow)) {
                reasons.merge(shortReason(attributes.getOrDefault("reason", "(no reason attribute)")), 1, Integer::sum);
            }
            if (!reasons.isEmpty()) {
                out.append("  in the dead-letter queue, by reason:\n");
                reasons.forEach((reason, count) -> out.append(wrap(String.format("%4d  ", count), reason)));
            }
        }
        out.append('\n').append(rule('-')).append('\n');
        out.append("Nothing authentic is dropped: each webhook above was delivered, skipped as a duplicate or\n")
                .append("stale version, or is in its flow's dead-letter queue with its reason (and an alert).\n");
        out.append("Details: ").append(stack.url()).append("/_local/status, /_local/outbox, /_local/dlq, /_local/alerts\n");
        out.append("Log lines (one JSON/EMF line per webhook and delivery): ").append(metrics.logFile()).append('\n');
        console.print(out);
        console.flush();
    }

    /** The reason without the target prefix the delivery path adds for flow-wide failures ("-: ..."). */
    private static String shortReason(String reason) {
        return reason.startsWith("-: ") ? reason.substring(3) : reason;
    }

    private static String wrap(String prefix, String text) {
        StringBuilder out = new StringBuilder("  ").append(prefix);
        String indent = " ".repeat(2 + prefix.length());
        int column = 2 + prefix.length();
        for (String word : text.split(" ")) {
            if (column + word.length() + 1 > WIDTH && column > indent.length()) {
                out.append('\n').append(indent);
                column = indent.length();
            } else if (column > indent.length()) {
                out.append(' ');
                column++;
            }
            out.append(word);
            column += word.length();
        }
        return out.append('\n').toString();
    }

    private static String rule(char c) {
        return String.valueOf(c).repeat(WIDTH);
    }

    /** The secret to sign with: the first client secret of the accepted ones. */
    static String replaySecret(String stored) {
        try {
            return SigningSecrets.firstClientSecret(stored, "SHOPIFY_WEBHOOK_SECRET");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--replay signs with a client secret: " + e.getMessage(), e);
        }
    }

    private JsonNode read(Path file) {
        try {
            return json.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not a JSON API Gateway event: " + e.getMessage(), e);
        }
    }

    private static Instant parseInstant(String text) {
        try {
            return Instant.parse(text);
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for deliveries", e);
        }
    }
}
