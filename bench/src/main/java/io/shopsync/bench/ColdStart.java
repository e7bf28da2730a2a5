package io.shopsync.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The cold-start harness of issue #12 ({@code scripts/bench cold-start}): per run, one fresh JVM per series
 * with Lambda's Java 17 flags, the series interleaved (each run rotates their order), against an
 * AWS-compatible endpoint ({@code AWS_ENDPOINT_URL}, else a moto server it starts on {@code --moto-port}).
 * Prints the medians, the ratio flow / peer for construct + first event, and first event after priming /
 * warm event.
 */
public final class ColdStart {

    /** What Lambda's java17 runtime runs a function with (its docs: serial GC, tiered compilation stops at C1). */
    static final List<String> LAMBDA_FLAGS = List.of("-XX:+UseSerialGC", "-XX:+TieredCompilation",
            "-XX:TieredStopAtLevel=1");

    /** The JVM flags of every child: Lambda's, or with {@code --full-tiering} the JVM's default tiers up to C2. */
    static List<String> flags = LAMBDA_FLAGS;

    static final String DEV_SECRET = "shopsync-local-dev-secret";
    static final String SHOP = "shopsync-demo.myshopify.com";
    static final String REGION = "us-east-1";
    private static final String PEER_TABLE = "BENCH_PEER_TABLE";

    record Series(String name, String jar, String handler, boolean primed, String firstFile, Function<String, Boolean> ok) {}

    /** Nanoseconds: the constructor, the priming (0 without), the first and the warm event, the child's whole life. */
    record Sample(long construct, long prime, long first, long warm, long wall) {
        long constructFirst() {
            return construct + first;
        }
    }

    public static void main(String[] args) throws Exception {
        int runs = 20;
        int motoPort = 5626;
        Path repo = Path.of(".").toAbsolutePath().normalize();
        Path functionJarOption = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--moto-port" -> motoPort = Integer.parseInt(args[++i]);
                case "--repo" -> repo = Path.of(args[++i]).toAbsolutePath().normalize();
                case "--function-jar" -> functionJarOption = Path.of(args[++i]).toAbsolutePath();
                // To measure what Lambda's tiered-compilation stop costs or saves: the same runs with C2.
                case "--full-tiering" -> flags = LAMBDA_FLAGS.stream()
                        .filter(flag -> !flag.startsWith("-XX:TieredStopAtLevel")).toList();
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (scripts/bench cold-start [--runs N] [--moto-port PORT] [--function-jar order-to-crm.jar]"
                        + " [--full-tiering])");
            }
        }
        Path functionJar = functionJarOption != null ? functionJarOption
                : repo.resolve("functions/order-to-crm/target/order-to-crm.jar");
        Path peerJar = repo.resolve("bench/peer/target/powertools-peer.jar");
        Path childClasses = repo.resolve("bench/target/classes");
        Path lambdaCore = repo.resolve("bench/target/child-lib/aws-lambda-java-core.jar");
        for (Path p : List.of(functionJar, peerJar, childClasses, lambdaCore)) {
            if (!Files.exists(p)) {
                throw new IllegalStateException(p + " is missing: run scripts/bench, which builds it");
            }
        }

        Process moto = null;
        String endpoint = System.getenv("AWS_ENDPOINT_URL");
        if (endpoint == null || endpoint.isBlank()) {
            endpoint = "http://127.0.0.1:" + motoPort;
            moto = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(motoPort))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Process started = moto;
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroy));
            awaitUp(endpoint, moto);
        }
        HubSpotStandIn hubspot = HubSpotStandIn.start("pat-bench-token");
        Path work = Files.createTempDirectory("shopsync-bench");
        try {
            Map<String, String> env = provision(URI.create(endpoint), hubspot.baseUrl());
            List<Series> series = series(functionJar, peerJar, childClasses, lambdaCore, work, repo);
            Map<String, List<Sample>> samples = new LinkedHashMap<>();
            series.forEach(s -> samples.put(s.name(), new ArrayList<>()));
            for (int run = 0; run < runs; run++) {
                List<Series> order = new ArrayList<>(series);
                Collections.rotate(order, run);
                for (Series s : order) {
                    samples.get(s.name()).add(runOnce(s, env, work, repo));
                }
                System.err.printf(Locale.ROOT, "run %d/%d done%n", run + 1, runs);
            }
            print(samples, runs, hubspot.requests.get(), functionJar, peerJar);
        } finally {
            hubspot.stop();
            if (moto != null) {
                moto.destroy();
            }
        }
    }

    static List<Series> series(Path functionJar, Path peerJar, Path childClasses, Path lambdaCore, Path work, Path repo) {
        String sep = java.io.File.pathSeparator;
        String flow = childClasses + sep + functionJar;
        Function<String, Boolean> accepted = out -> out.contains("\"statusCode\":200");
        Function<String, Boolean> delivered = out -> out.contains("\"batchItemFailures\":[]");
        return List.of(
                new Series("empty handler", childClasses + sep + lambdaCore, EmptyHandler.class.getName(), false,
                        "intake", out -> out.equals("{}")),
                new Series("Powertools v1 idempotent handler (DynamoDB)", childClasses + sep + peerJar,
                        "bench.peer.IdempotentHandler", false, "intake", accepted),
                new Series("order-to-crm, intake event", flow, "io.shopsync.orders.OrderToCrm", false, "intake", accepted),
                new Series("order-to-crm, SQS delivery event (HubSpot stand-in)", flow, "io.shopsync.orders.OrderToCrm",
                        false, "delivery", delivered),
                new Series("order-to-crm, intake event, after priming", flow, "io.shopsync.orders.OrderToCrm", true,
                        "intake", accepted),
                new Series("order-to-crm, SQS delivery event, after priming", flow, "io.shopsync.orders.OrderToCrm", true,
                        "delivery", delivered));
    }

    static Sample runOnce(Series s, Map<String, String> env, Path work, Path repo) throws IOException, InterruptedException {
        Path first = work.resolve("first.json");
        Path warm = work.resolve("warm.json");
        Files.writeString(first, event(s.firstFile(), repo));
        Files.writeString(warm, event(s.firstFile(), repo));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags);
        if (s.primed()) {
            command.add("-Dorg.crac.Core.Compat=" + io.shopsync.bench.crac.Core.class.getPackageName());
        }
        command.add("-cp");
        command.add(s.jar());
        command.add(ColdStartChild.class.getName());
        command.add(s.handler());
        command.add(s.primed() ? "primed" : "plain");
        command.add(first.toString());
        command.add(warm.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        if (s.handler().startsWith("bench.peer.")) {
            // Powertools' table has hash key "id", ours "pk": the peer gets its own, under the same variable.
            builder.environment().put("IDEMPOTENCY_TABLE", env.get(PEER_TABLE));
        }
        builder.environment().remove(PEER_TABLE);
        long started = System.nanoTime();
        Process child = builder.start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = child.waitFor();
        long wall = System.nanoTime() - started;
        if (exit != 0) {
            throw new IllegalStateException(s.name() + ": the child JVM failed:\n" + tail(output));
        }
        Matcher m = Pattern.compile("(?m)^RESULT (\\d+) (\\d+) (\\d+) (\\d+)$").matcher(output);
        Matcher out1 = Pattern.compile("(?m)^OUT1 (.*)$").matcher(output);
        Matcher out2 = Pattern.compile("(?m)^OUT2 (.*)$").matcher(output);
        if (!m.find() || !out1.find() || !out2.find()) {
            throw new IllegalStateException(s.name() + ": no result from the child JVM:\n" + tail(output));
        }
        if (!s.ok().apply(out1.group(1)) || !s.ok().apply(out2.group(1))) {
            throw new IllegalStateException(s.name() + ": the handler did not succeed, so its time says nothing:\n"
                    + tail(output));
        }
        return new Sample(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), wall);
    }

    private static String tail(String output) {
        return output.length() > 4000 ? output.substring(output.length() - 4000) : output;
    }

    /**
     * A fresh event from events/order-to-crm: new webhook and event ids (and, for a delivery, a new order id),
     * so each event is a new webhook, never a duplicate the store would answer early. The body is unchanged,
     * so the intake event's signature (over the body) still verifies.
     */
    static String event(String kind, Path repo) throws IOException {
        if (kind.equals("intake")) {
            String text = Files.readString(repo.resolve("events/order-to-crm/orders-create.json"));
            return text.replace("f1e47194-bdbf-5fad-9917-193e05f15a92", UUID.randomUUID().toString())
                    .replace("c1d3084c-8108-5ff4-a248-8767827aa275", UUID.randomUUID().toString());
        }
        String text = Files.readString(repo.resolve("events/order-to-crm/sqs-delivery.json"));
        String orderId = Long.toString(ThreadLocalRandom.current().nextLong(100_000_000_000_000_000L, 999_999_999_999_999_999L));
        return text.replace("f1e47194-bdbf-5fad-9917-193e05f15a92", UUID.randomUUID().toString())
                .replace("c1d3084c-8108-5ff4-a248-8767827aa275", UUID.randomUUID().toString())
                .replace("72c21068-7f9f-57e5-9db9-7b7ecda9d927", UUID.randomUUID().toString())
                .replace("820982911946154508", orderId);
    }

    /** The resources template.yaml creates, on the endpoint; returns the functions' environment. */
    static Map<String, String> provision(URI endpoint, String hubspotBaseUrl) {
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        Region region = Region.of(REGION);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> env = new HashMap<>();
        try (var http = UrlConnectionHttpClient.builder().build();
             SqsClient sqs = SqsClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials).httpClient(http).build();
             S3Client s3 = S3Client.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials).forcePathStyle(true).httpClient(http).build();
             DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials).httpClient(http).build();
             SnsClient sns = SnsClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials).httpClient(http).build();
             SecretsManagerClient secrets = SecretsManagerClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials).httpClient(http).build()) {
            String dlq = sqs.createQueue(r -> r.queueName("bench-" + suffix + "-dlq.fifo")
                    .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
            String work = sqs.createQueue(r -> r.queueName("bench-" + suffix + ".fifo")
                    .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
            String bucket = "bench-" + suffix;
            s3.createBucket(r -> r.bucket(bucket));
            String flowTable = table(dynamo, "bench-flow-" + suffix, "pk");
            String peerTable = table(dynamo, "bench-peer-" + suffix, "id");
            String topic = sns.createTopic(r -> r.name("bench-" + suffix)).topicArn();
            String webhookSecret = "bench/" + suffix + "/webhook";
            secrets.createSecret(r -> r.name(webhookSecret).secretString(DEV_SECRET));
            String hubspotSecret = "bench/" + suffix + "/hubspot";
            secrets.createSecret(r -> r.name(hubspotSecret).secretString("pat-bench-token"));
            env.put("WORK_QUEUE_URL", work);
            env.put("DEAD_LETTER_QUEUE_URL", dlq);
            env.put("CLAIM_CHECK_BUCKET", bucket);
            env.put("ALERTS_TOPIC_ARN", topic);
            env.put("SHOPIFY_WEBHOOK_SECRET_ID", webhookSecret);
            env.put("HUBSPOT_TOKEN_SECRET_ID", hubspotSecret);
            env.put(PEER_TABLE, peerTable);
            env.put("IDEMPOTENCY_TABLE", flowTable);
        }
        env.put("SHOPIFY_ALLOWED_SHOPS", SHOP);
        env.put("CRM_TARGETS", "hubspot");
        env.put("HUBSPOT_BASE_URL", hubspotBaseUrl);
        env.put("AWS_ENDPOINT_URL", endpoint.toString());
        env.put("AWS_REGION", REGION);
        env.put("AWS_DEFAULT_REGION", REGION);
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("AWS_LAMBDA_FUNCTION_NAME", "bench");
        String path = System.getenv("PATH");
        env.put("PATH", path == null ? "/usr/bin:/bin" : path);
        String home = System.getenv("HOME");
        if (home != null) {
            env.put("HOME", home);
        }
        return env;
    }

    private static String table(DynamoDbClient dynamo, String name, String key) {
        dynamo.createTable(r -> r.tableName(name)
                .attributeDefinitions(AttributeDefinition.builder().attributeName(key).attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName(key).keyType(KeyType.HASH).build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
        return name;
    }

    private static void awaitUp(String endpoint, Process moto) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!moto.isAlive()) {
                throw new IllegalStateException("moto_server exited (" + moto.exitValue() + "): is the port free? "
                        + "pip install \"moto[server]\", or set AWS_ENDPOINT_URL to a running endpoint");
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(endpoint + "/moto-api/").toURL().openConnection();
                c.setConnectTimeout(500);
                c.getResponseCode();
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("moto_server did not answer on " + endpoint + " within 60 s");
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%,d ms", Math.round(nanos / 1e6));
    }

    static void print(Map<String, List<Sample>> samples, int runs, int hubspotRequests, Path functionJar, Path peerJar)
            throws IOException {
        System.out.println();
        System.out.println("Cold start, medians of " + runs + " interleaved runs, a fresh JVM each ("
                + String.join(" ", flags) + ")");
        System.out.println(Machine.describe());
        System.out.printf(Locale.ROOT, "jars: %s %.1f MB, %s %.1f MB%n", functionJar.getFileName(),
                Files.size(functionJar) / 1e6, peerJar.getFileName(), Files.size(peerJar) / 1e6);
        System.out.println();
        System.out.println("| series | construct | priming | first event | warm event | construct + first | JVM process |");
        System.out.println("|---|---|---|---|---|---|---|");
        Map<String, Long> constructFirst = new LinkedHashMap<>();
        Map<String, Long> firstMedian = new LinkedHashMap<>();
        Map<String, Long> warmMedian = new LinkedHashMap<>();
        samples.forEach((name, list) -> {
            long c = median(list.stream().map(Sample::construct).toList());
            long p = median(list.stream().map(Sample::prime).toList());
            long f = median(list.stream().map(Sample::first).toList());
            long w = median(list.stream().map(Sample::warm).toList());
            long cf = median(list.stream().map(Sample::constructFirst).toList());
            long jvm = median(list.stream().map(Sample::wall).toList());
            constructFirst.put(name, cf);
            firstMedian.put(name, f);
            warmMedian.put(name, w);
            boolean primed = name.endsWith("after priming");
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", name, ms(c), primed ? ms(p) : "-",
                    ms(f), ms(w), ms(cf), ms(jvm));
        });
        List<String> names = new ArrayList<>(samples.keySet());
        long peer = constructFirst.get(names.get(1));
        System.out.println();
        System.out.printf(Locale.ROOT, "construct + first, flow / peer: intake %.2fx, delivery %.2fx (goal <= 0.5x)%n",
                constructFirst.get(names.get(2)) / (double) peer, constructFirst.get(names.get(3)) / (double) peer);
        System.out.printf(Locale.ROOT, "first event after priming / warm event: intake %.1fx, delivery %.1fx (goal <= 2x)%n",
                firstMedian.get(names.get(4)) / (double) warmMedian.get(names.get(4)),
                firstMedian.get(names.get(5)) / (double) warmMedian.get(names.get(5)));
        System.out.printf(Locale.ROOT, "first event / warm event without priming: intake %.1fx, delivery %.1fx%n",
                firstMedian.get(names.get(2)) / (double) warmMedian.get(names.get(2)),
                firstMedian.get(names.get(3)) / (double) warmMedian.get(names.get(3)));
        System.out.println("HubSpot stand-in requests answered: " + hubspotRequests);
    }

    /** A loopback HubSpot that answers the CRM batch endpoints as HubSpot does (one result per input), 401 without the token. */
    static final class HubSpotStandIn {
        private final HttpServer server;
        final AtomicInteger requests = new AtomicInteger();

        private HubSpotStandIn(HttpServer server) {
            this.server = server;
        }

        static HubSpotStandIn start(String token) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            HubSpotStandIn standIn = new HubSpotStandIn(server);
            Pattern id = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]*)\"");
            server.createContext("/", exchange -> {
                standIn.requests.incrementAndGet();
                String body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                int status;
                String answer;
                String path = exchange.getRequestURI().getPath();
                if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                    status = 401;
                    answer = "{\"status\":\"error\",\"message\":\"Authentication credentials not found.\",\"category\":\"INVALID_AUTHENTICATION\"}";
                } else if (path.endsWith("/batch/upsert") || path.endsWith("/batch/update")) {
                    StringBuilder results = new StringBuilder();
                    Matcher m = id.matcher(body);
                    while (m.find()) {
                        if (results.length() > 0) {
                            results.append(',');
                        }
                        results.append("{\"id\":\"").append(1_000_000L + Math.abs((long) m.group(1).hashCode()))
                                .append("\",\"new\":false,\"archived\":false,\"properties\":{}}");
                    }
                    status = 200;
                    answer = "{\"status\":\"COMPLETE\",\"results\":[" + results
                            + "],\"startedAt\":\"2026-11-27T00:00:00Z\",\"completedAt\":\"2026-11-27T00:00:00Z\"}";
                } else {
                    status = 200;
                    answer = "{\"status\":\"COMPLETE\",\"results\":[]}";
                }
                byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json;charset=utf-8");
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            });
            server.start();
            return standIn;
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        void stop() {
            server.stop(0);
        }
    }
}
