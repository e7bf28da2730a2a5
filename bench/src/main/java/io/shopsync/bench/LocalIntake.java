package io.shopsync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.local.InProcessStack;
import io.shopsync.webhook.WebhookSignature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code scripts/bench local-intake}: the local stack's webhook intake under load (issue #12: at least 500
 * webhooks/s, p99 at most 50 ms, nothing lost).
 *
 * <p>Starts the stack of {@code scripts/local} in this JVM on a free port (or targets a running one with
 * {@code --url} and its {@code --log}), posts signed orders/create webhooks made from events/ (each a new order:
 * its own id, name, updated_at, webhook id and event id, signed as the stack expects) over C keep-alive connections
 * (one {@link HttpClient} per connection, HTTP/1.1), then waits until every accepted webhook is delivered to each
 * of its flow's targets, read from the flows' log lines, and prints throughput, client-side latency percentiles,
 * accepted, delivered, dead-lettered and lost, and the handler's own time (the intake's IntakeLatency metric).
 * Exit code 1 when a webhook was not answered 200 or one answered 200 was lost.
 */
public final class LocalIntake {

    /** Headers that only API Gateway or the HTTP client set; not forwarded (the JDK client refuses some). */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection", "expect",
            "upgrade", "x-amzn-trace-id", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto",
            "x-shopify-hmac-sha256");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One prepared webhook: its signed body and headers, and its webhook id. */
    record Webhook(String webhookId, byte[] body, Map<String, String> headers) {}

    /**
     * What one round of posts measured: per webhook its status and client-side latency; the round's wall time, and
     * the CPU time this whole process used meanwhile (stack and load generator, on every core).
     */
    record Round(int[] status, long[] nanos, long wallNanos, long cpuNanos, Map<String, Long> cpuByPart) {}

    /**
     * The threads' parts of the stack, by name: the HTTP server's threads run the intake handler (HTTP API emulation,
     * verify, classify, the SQS send); ElasticMQ's the embedded queue; the pollers the delivery; the rest is this
     * load generator's client, the JIT and the GC.
     */
    private static final Map<String, String> PARTS = new LinkedHashMap<>();

    static {
        PARTS.put("http", "intake (HTTP threads)");
        PARTS.put("elasticmq", "embedded SQS");
        PARTS.put("poller-", "delivery (pollers)");
    }

    /** CPU time per part of the stack so far, from the live threads' CPU clocks (threads that ended are missing). */
    static Map<String, Long> cpuByPart() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> parts = new LinkedHashMap<>();
        PARTS.values().forEach(part -> parts.put(part, 0L));
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            PARTS.forEach((prefix, part) -> {
                if (info.getThreadName().startsWith(prefix) && cpu > 0) {
                    parts.merge(part, cpu, Long::sum);
                }
            });
        }
        return parts;
    }

    private LocalIntake() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        Path repo = Path.of(options.getOrDefault("--repo", ".")).toAbsolutePath().normalize();
        int webhooks = Integer.parseInt(options.getOrDefault("--webhooks", "2000"));
        int warmup = Integer.parseInt(options.getOrDefault("--warmup", "500"));
        List<Integer> connections = Arrays.stream(options.getOrDefault("--connections", "16,1").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        Duration wait = Duration.ofSeconds(Long.parseLong(options.getOrDefault("--wait", "600")));
        PrintStream out = System.out;

        InProcessStack started = null;
        String url = options.get("--url");
        Path log;
        String secret;
        if (url == null) {
            log = Files.createTempFile("shopsync-local-intake-", ".log");
            Map<String, String> environment = new HashMap<>(System.getenv());
            environment.remove("AWS_ENDPOINT_URL"); // delivery records in memory unless --url targets a stack that uses it
            PrintStream startLines = new PrintStream(Files.newOutputStream(Files.createTempFile("shopsync-local-intake-",
                    ".console")), true, StandardCharsets.UTF_8);
            started = InProcessStack.start(repo.resolve("template.yaml"), log, environment, startLines);
            url = started.url();
            secret = started.signingSecret();
            out.println("local stack started in this JVM at " + url + " (log lines: " + log + ")");
        } else {
            if (!options.containsKey("--log")) {
                throw new IllegalArgumentException("--url needs --log FILE: the running stack's log file (its start"
                        + " prints \"log lines: FILE\"), where deliveries are read from");
            }
            log = Path.of(options.get("--log"));
            secret = options.getOrDefault("--secret", System.getenv().getOrDefault("SHOPIFY_WEBHOOK_SECRET",
                    "shopsync-local-dev-secret"));
        }
        try {
            out.println(Machine.describe());
            out.println("load: " + uptime());
            Template template = Template.read(repo);
            long[] serial = {0};
            LogReader reader = new LogReader(log);
            Map<String, Integer> accepted = new LinkedHashMap<>();
            boolean allOk = true;

            List<Webhook> warm = template.make(warmup, secret, serial);
            if (!warm.isEmpty()) {
                Round round = post(url, warm, connections.get(0));
                allOk &= record(warm, round, accepted);
                out.printf(Locale.ROOT, "warm-up: %d webhooks over %d connections (not in the figures)%n", warm.size(),
                        connections.get(0));
            }
            List<String> lines = new ArrayList<>();
            for (int c : connections) {
                List<Webhook> batch = template.make(webhooks, secret, serial);
                Round round = post(url, batch, c);
                allOk &= record(batch, round, accepted);
                lines.add(summary(batch, round, c, reader));
            }
            Delivery delivery = reader.awaitDelivered(accepted.keySet(), wait, out);
            out.println();
            out.println(Machine.describe());
            out.println("load: " + uptime());
            lines.forEach(out::println);
            long ok = accepted.values().stream().filter(s -> s == 200).count();
            long lost = accepted.entrySet().stream().filter(e -> e.getValue() == 200)
                    .filter(e -> !delivery.delivered().contains(e.getKey()) && !delivery.deadLettered().contains(e.getKey()))
                    .count();
            out.printf(Locale.ROOT, "all posts (warm-up included): accepted %d of %d, delivered %d, dead-lettered %d, "
                    + "lost %d (must be 0)%s%n", ok, accepted.size(), delivery.delivered().size(),
                    delivery.deadLettered().size(), lost, delivery.idle() ? "" : "; not every delivery had finished after "
                            + wait.toSeconds() + " s (--wait)");
            out.println("goal: >= 500 webhooks/s, p99 <= 50 ms, lost 0 (16 connections)");
            if (lost > 0 || ok != accepted.size() || !allOk) {
                System.exit(1);
            }
        } finally {
            if (started != null) {
                started.close();
            }
        }
    }

    /** {@code --name value} pairs. */
    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: scripts/bench local-intake [--webhooks 2000] [--connections 16,1]"
                        + " [--warmup 500] [--wait 600] [--url http://127.0.0.1:3000 --log FILE [--secret S]]; got "
                        + String.join(" ", args));
            }
            options.put(args[i], args[++i]);
        }
        return options;
    }

    private static String uptime() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim() + " (1, 5, 15 min load averages)";
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Posts every webhook over {@code connections} keep-alive connections, each sending one after another. */
    static Round post(String url, List<Webhook> webhooks, int connections) throws InterruptedException {
        int[] status = new int[webhooks.size()];
        long[] nanos = new long[webhooks.size()];
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        List<HttpClient> clients = new ArrayList<>();
        URI uri = URI.create(url + "/webhooks/orders");
        for (int c = 0; c < connections; c++) {
            // One client per connection: each sends one request after another, so its pool holds one connection.
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            clients.add(client);
            // Open the connection before the clock starts, as a keep-alive sender would have it open.
            send(client, URI.create(url + "/_local/status"), null);
            threads.add(new Thread(() -> {
                for (int i = next.getAndIncrement(); i < webhooks.size(); i = next.getAndIncrement()) {
                    long start = System.nanoTime();
                    status[i] = send(client, uri, webhooks.get(i));
                    nanos[i] = System.nanoTime() - start;
                }
            }, "post-" + c));
        }
        long cpu = processCpuNanos();
        Map<String, Long> partsBefore = cpuByPart();
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        long wall = System.nanoTime() - start;
        Map<String, Long> parts = cpuByPart();
        parts.replaceAll((part, nanosNow) -> nanosNow - partsBefore.getOrDefault(part, 0L));
        return new Round(status, nanos, wall, processCpuNanos() - cpu, parts);
    }

    /** CPU time of this process so far, on every core; -1 when the JVM does not tell. */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    private static int send(HttpClient client, URI uri, Webhook webhook) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        if (webhook == null) {
            request.GET();
        } else {
            webhook.headers().forEach(request::header);
            request.POST(HttpRequest.BodyPublishers.ofByteArray(webhook.body()));
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static boolean record(List<Webhook> webhooks, Round round, Map<String, Integer> accepted) {
        boolean ok = true;
        for (int i = 0; i < webhooks.size(); i++) {
            accepted.put(webhooks.get(i).webhookId(), round.status()[i]);
            ok &= round.status()[i] == 200;
        }
        return ok;
    }

    private static String summary(List<Webhook> batch, Round round, int connections, LogReader reader) throws IOException {
        long[] sorted = round.nanos().clone();
        Arrays.sort(sorted);
        long ok = Arrays.stream(round.status()).filter(s -> s == 200).count();
        double seconds = round.wallNanos() / 1e9;
        Set<String> ids = new HashSet<>();
        batch.forEach(w -> ids.add(w.webhookId()));
        double[] handler = reader.intakeMillis(ids);
        Arrays.sort(handler);
        String other = Arrays.stream(round.status()).filter(s -> s != 200).boxed()
                .collect(java.util.stream.Collectors.groupingBy(s -> s, java.util.TreeMap::new,
                        java.util.stream.Collectors.counting())).toString();
        double cpuMillis = round.cpuNanos() / 1e6 / batch.size();
        int cores = Runtime.getRuntime().availableProcessors();
        return String.format(Locale.ROOT, "%2d connection%s: %d webhooks in %.2f s = %.0f webhooks/s; latency p50 %.1f ms,"
                        + " p95 %.1f ms, p99 %.1f ms, max %.1f ms; answered 200: %d%s; handler (IntakeLatency) p50 %.1f ms,"
                        + " p99 %.1f ms; CPU of this JVM while posting %.2f ms per webhook, %.0f%% of %d cores (%d webhooks/s"
                        + " if the stack had the cores to itself at that cost)", connections, connections == 1 ? " " : "s",
                batch.size(), seconds, batch.size() / seconds, pct(sorted, 50) / 1e6, pct(sorted, 95) / 1e6,
                pct(sorted, 99) / 1e6, sorted[sorted.length - 1] / 1e6, ok, ok == batch.size() ? "" : " (others: " + other + ")",
                handler.length == 0 ? Double.NaN : pct(handler, 50), handler.length == 0 ? Double.NaN : pct(handler, 99),
                cpuMillis, 100.0 * round.cpuNanos() / round.wallNanos() / cores, cores, Math.round(cores * 1000 / cpuMillis))
                + round.cpuByPart().entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.2f ms", e.getKey(),
                        e.getValue() / 1e6 / batch.size())).collect(java.util.stream.Collectors.joining(", ",
                        "\n    CPU per webhook by part: ", String.format(Locale.ROOT, ", the rest (load generator, JIT, GC) %.2f ms",
                                (round.cpuNanos() - round.cpuByPart().values().stream().mapToLong(Long::longValue).sum())
                                        / 1e6 / batch.size())));
    }

    /** The nearest-rank percentile of sorted values. */
    static long pct(long[] sorted, int p) {
        return sorted[Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    static double pct(double[] sorted, int p) {
        return sorted[Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    /** The orders/create sample of events/, made into new orders: each its own id, name, version and webhook. */
    record Template(byte[] body, Map<String, String> headers) {

        static Template read(Path repo) throws IOException {
            JsonNode event = JSON.readTree(repo.resolve("events/order-to-crm/orders-create.json").toFile());
            Map<String, String> headers = new LinkedHashMap<>();
            event.path("headers").properties().forEach(h -> {
                if (!NOT_FORWARDED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                    headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue().asText());
                }
            });
            return new Template(event.path("body").asText().getBytes(StandardCharsets.UTF_8), headers);
        }

        List<Webhook> make(int count, String secret, long[] serial) throws IOException {
            List<Webhook> made = new ArrayList<>();
            ObjectNode sample = (ObjectNode) JSON.readTree(body);
            long baseId = sample.path("id").asLong();
            long run = System.currentTimeMillis() % 1_000_000L * 1_000_000L;
            for (int i = 0; i < count; i++) {
                long n = ++serial[0];
                long id = baseId + run + n;
                ObjectNode order = sample.deepCopy();
                Instant now = Instant.now();
                String at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC).toString();
                order.put("id", id);
                order.put("admin_graphql_api_id", "gid://shopify/Order/" + id);
                order.put("name", "#B" + n);
                order.put("order_number", 100_000 + n);
                order.put("number", 99_000 + n);
                order.put("created_at", at);
                order.put("updated_at", at);
                byte[] signed = JSON.writeValueAsBytes(order);
                Map<String, String> headers = new LinkedHashMap<>(headers());
                String webhookId = UUID.randomUUID().toString();
                headers.put("x-shopify-order-id", Long.toString(id));
                headers.put("x-shopify-webhook-id", webhookId);
                headers.put("x-shopify-event-id", UUID.randomUUID().toString());
                headers.put("x-shopify-triggered-at", now.toString());
                headers.put("x-shopify-hmac-sha256", WebhookSignature.sign(signed, secret));
                made.add(new Webhook(webhookId, signed, headers));
            }
            return made;
        }
    }

    /** Which webhooks were delivered to every target of their flow, which dead-lettered, and whether all finished. */
    record Delivery(Set<String> delivered, Set<String> deadLettered, boolean idle) {}

    /** Reads the flows' JSON log lines as they are appended. */
    static final class LogReader {
        private final Path file;
        private long offset;
        private final StringBuilder partial = new StringBuilder();
        /** webhook id -> intake's own time. */
        private final Map<String, Double> intake = new HashMap<>();
        /** flow -> its targets, as delivery lines name them. */
        private final Map<String, Set<String>> targets = new HashMap<>();
        /** webhook id -> flow. */
        private final Map<String, String> flowOf = new HashMap<>();
        /** webhook id -> targets done (delivered, duplicate or stale). */
        private final Map<String, Set<String>> done = new HashMap<>();
        private final Set<String> deadLettered = new HashSet<>();

        LogReader(Path file) throws IOException {
            this.file = file;
            this.offset = Files.exists(file) ? Files.size(file) : 0;
        }

        double[] intakeMillis(Set<String> ids) throws IOException {
            readNew();
            return ids.stream().map(intake::get).filter(java.util.Objects::nonNull).mapToDouble(Double::doubleValue)
                    .toArray();
        }

        Delivery awaitDelivered(Set<String> ids, Duration wait, PrintStream out) throws IOException, InterruptedException {
            Instant deadline = Instant.now().plus(wait);
            Instant progress = Instant.now().plusSeconds(10);
            while (true) {
                readNew();
                Set<String> delivered = new HashSet<>();
                Set<String> dead = new HashSet<>();
                for (String id : ids) {
                    if (deadLettered.contains(id)) {
                        dead.add(id);
                    } else if (flowOf.containsKey(id) && done.getOrDefault(id, Set.of())
                            .containsAll(targets.get(flowOf.get(id)))) {
                        delivered.add(id);
                    }
                }
                int finished = delivered.size() + dead.size();
                if (finished == ids.size() || Instant.now().isAfter(deadline)) {
                    return new Delivery(delivered, dead, finished == ids.size());
                }
                if (Instant.now().isAfter(progress)) {
                    out.println("waiting for deliveries: " + finished + " of " + ids.size() + " finished");
                    progress = Instant.now().plusSeconds(10);
                }
                Thread.sleep(200);
            }
        }

        private void readNew() throws IOException {
            if (!Files.exists(file)) {
                return;
            }
            byte[] chunk;
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                long length = in.length();
                if (length <= offset) {
                    return;
                }
                chunk = new byte[(int) (length - offset)];
                in.seek(offset);
                in.readFully(chunk);
                offset = length;
            }
            partial.append(new String(chunk, StandardCharsets.UTF_8));
            int end;
            while ((end = partial.indexOf("\n")) >= 0) {
                String line = partial.substring(0, end);
                partial.delete(0, end + 1);
                if (!line.isBlank()) {
                    read(JSON.readTree(line));
                }
            }
        }

        private void read(JsonNode line) {
            String id = line.path("webhookId").asText(null);
            if (id == null) {
                return;
            }
            String message = line.path("message").asText("");
            String flow = line.path("flow").asText("");
            if (message.equals("webhook intake") && line.has("IntakeLatency")) {
                intake.put(id, line.path("IntakeLatency").asDouble());
            } else if (message.equals("webhook delivery")) {
                String target = line.path("target").asText("");
                targets.computeIfAbsent(flow, f -> new HashSet<>()).add(target);
                flowOf.put(id, flow);
                String outcome = line.path("outcome").asText("");
                if (outcome.equals("delivered") || outcome.equals("duplicate") || outcome.equals("stale")) {
                    done.computeIfAbsent(id, w -> new HashSet<>()).add(target);
                } else if (line.has("DeadLettered")) {
                    deadLettered.add(id);
                }
            }
        }
    }
}
