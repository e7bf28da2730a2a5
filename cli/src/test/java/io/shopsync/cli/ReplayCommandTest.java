package io.shopsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay} against a local HTTP server that checks each signature itself (HMAC-SHA256 of the
 * received bytes with javax.crypto, not the code under test) and answers 401 when it does not match.
 */
class ReplayCommandTest {

    private static final String SECRET = "replay-test-secret";
    private static final Path EVENTS = Path.of("..", "events");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the server received. */
    record Received(String path, Map<String, String> headers, byte[] body, boolean signatureValid) {
        String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    private HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startStack() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
            boolean valid = validSignature(body, headers.get("x-shopify-hmac-sha256"));
            received.add(new Received(exchange.getRequestURI().getPath(), headers, body, valid));
            exchange.sendResponseHeaders(valid ? 200 : 401, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopStack() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static boolean validSignature(byte[] body, String header) {
        if (header == null) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return MessageDigest.isEqual(mac.doFinal(body), Base64.getDecoder().decode(header));
        } catch (Exception e) {
            return false;
        }
    }

    private static CliRun cli(Map<String, String> environment) {
        return new CliRun(environment, Duration.ZERO);
    }

    @Test
    void replay_shouldPostEverySampleEventSigned_toItsRoute_withFreshIds_inTheOrderShopifyTriggeredThem() throws IOException {
        CliRun.Result result = cli(Map.of()).run("replay", EVENTS.toString(), "--url", url(), "--secret", SECRET);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(received).hasSize(10).allMatch(Received::signatureValid);
        assertThat(received).filteredOn(r -> r.header("x-shopify-topic").startsWith("orders/")
                || r.header("x-shopify-topic").startsWith("refunds/")).extracting(Received::path)
                .hasSize(6).containsOnly("/webhooks/orders");
        assertThat(received).filteredOn(r -> r.header("x-shopify-topic").startsWith("inventory_")).extracting(Received::path)
                .hasSize(2).containsOnly("/webhooks/inventory");
        assertThat(received).filteredOn(r -> r.header("x-shopify-topic").startsWith("fulfillments/"))
                .extracting(Received::path).hasSize(2).containsOnly("/webhooks/fulfilments");
        List<Instant> triggered = received.stream().map(r -> Instant.parse(r.header("x-shopify-triggered-at"))).toList();
        assertThat(triggered).isSorted();

        JsonNode create = JSON.readTree(EVENTS.resolve("order-to-crm/orders-create.json").toFile());
        Received posted = received.stream().filter(r -> r.header("x-shopify-triggered-at")
                .equals(create.path("headers").path("x-shopify-triggered-at").asText())).findFirst().orElseThrow();
        assertThat(new String(posted.body(), StandardCharsets.UTF_8)).isEqualTo(create.path("body").asText());
        assertThat(posted.header("x-shopify-webhook-id")).isNotBlank()
                .isNotEqualTo(create.path("headers").path("x-shopify-webhook-id").asText());
        assertThat(posted.header("x-shopify-event-id")).isNotBlank()
                .isNotEqualTo(create.path("headers").path("x-shopify-event-id").asText());
        assertThat(posted.header("x-shopify-shop-domain")).isEqualTo("shopsync-demo.myshopify.com");
        assertThat(received).extracting(r -> r.header("x-shopify-webhook-id")).doesNotHaveDuplicates();

        assertThat(result.out()).contains("200  orders/create", "events/order-to-crm/orders-create.json",
                "replay: 10 posted, all answered 2xx");
        assertThat(result.out().lines().filter(line -> line.startsWith("  200 "))).hasSize(10);
        assertThat(result.out()).contains("skip 3: SQS delivery events", "skip 15: raw payloads without a topic",
                "skip 3: EventBridge events");
        assertThat(result.all()).doesNotContain(SECRET);
    }

    @Test
    void replay_shouldSendTheEventsOwnIds_withKeepIds() throws IOException {
        Path event = EVENTS.resolve("stock-to-inventory/inventory-levels-update.json");

        CliRun.Result result = cli(Map.of()).run("replay", event.toString(), "--url", url(), "--secret", SECRET, "--keep-ids");

        assertThat(result.exitCode()).as(result.all()).isZero();
        JsonNode headers = JSON.readTree(event.toFile()).path("headers");
        assertThat(received).singleElement().satisfies(r -> {
            assertThat(r.signatureValid()).isTrue();
            assertThat(r.header("x-shopify-webhook-id")).isEqualTo(headers.path("x-shopify-webhook-id").asText());
            assertThat(r.header("x-shopify-event-id")).isEqualTo(headers.path("x-shopify-event-id").asText());
        });
    }

    @Test
    void replay_shouldPostARawPayload_withTheTopicOfItsSidecarFile_toTheFlowTakingTheTopic(@TempDir Path dir) throws IOException {
        byte[] payload = Files.readAllBytes(EVENTS.resolve("payloads/inventory-levels-update.json"));
        Path file = Files.write(dir.resolve("level.json"), payload);
        Files.writeString(dir.resolve("level.json.topic"), "inventory_levels/update\n");

        CliRun.Result result = cli(Map.of("SHOPIFY_WEBHOOK_SECRET", SECRET)).run("replay", file.toString(),
                "--url", url() + "/", "--shop", "My-Store.myshopify.com");

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(received).singleElement().satisfies(r -> {
            assertThat(r.signatureValid()).isTrue();
            assertThat(r.path()).isEqualTo("/webhooks/inventory");
            assertThat(r.body()).isEqualTo(payload);
            assertThat(r.header("x-shopify-topic")).isEqualTo("inventory_levels/update");
            assertThat(r.header("x-shopify-shop-domain")).isEqualTo("my-store.myshopify.com");
            assertThat(r.header("x-shopify-api-version")).isEqualTo("2026-10");
            assertThat(r.header("content-type")).isEqualTo("application/json");
            assertThat(r.header("x-shopify-webhook-id")).isNotBlank();
            assertThat(r.header("x-shopify-event-id")).isNotBlank();
            assertThat(Instant.parse(r.header("x-shopify-triggered-at"))).isBefore(Instant.now().plusSeconds(1));
        });
    }

    @Test
    void replay_shouldPostNothing_andSayHowToGiveTheTopic_whenARawPayloadHasNone(@TempDir Path dir) throws IOException {
        Path event = EVENTS.resolve("order-to-crm/orders-create.json");
        Path raw = Files.write(dir.resolve("order.json"), Files.readAllBytes(EVENTS.resolve("payloads/orders-create.json")));

        CliRun.Result result = cli(Map.of()).run("replay", event.toString(), raw.toString(), "--url", url(),
                "--secret", SECRET, "--shop", "my-store.myshopify.com");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("nothing was posted", "order.json", "order.json.topic", "--topic");
        assertThat(received).isEmpty();
    }

    @Test
    void replay_shouldExitNonZero_andSayWhatToDo_whenTheStackRejectsTheSignature() {
        CliRun.Result result = cli(Map.of("SHOPIFY_WEBHOOK_SECRET", "not-the-stacks-secret,another"))
                .run("replay", EVENTS.resolve("fulfilment-to-crm").toString(), "--url", url());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(received).hasSize(2).noneMatch(Received::signatureValid);
        assertThat(result.out()).contains("401  fulfillments/create", "signature not accepted", "--secret or SHOPIFY_WEBHOOK_SECRET");
        assertThat(result.err()).contains("2 of 2 not answered 2xx (HTTP 401: 2)");
        assertThat(result.all()).doesNotContain("not-the-stacks-secret");
    }

    @Test
    void replay_shouldSignWithTheFirstClientSecret_ofAListInShopifyWebhookSecret() {
        CliRun.Result result = cli(Map.of("SHOPIFY_WEBHOOK_SECRET", SECRET + ",previous-secret"))
                .run("replay", EVENTS.resolve("fulfilment-to-crm/fulfillments-create.json").toString(), "--url", url());

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(received).singleElement().matches(Received::signatureValid);
    }

    @Test
    void replay_shouldPostToTheUrlAsGiven_whenItHasAPath() {
        CliRun.Result result = cli(Map.of()).run("replay", EVENTS.resolve("order-to-crm/orders-paid.json").toString(),
                "--url", url() + "/custom/route", "--secret", SECRET);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(received).singleElement().extracting(Received::path).isEqualTo("/custom/route");
    }

    @Test
    void replay_shouldSayTheStackIsNotRunning_whenNothingListens() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        CliRun.Result result = cli(Map.of()).run("replay", EVENTS.resolve("order-to-crm").toString(),
                "--url", "http://127.0.0.1:" + closedPort, "--secret", SECRET);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("cannot connect to http://127.0.0.1:" + closedPort, "is the stack running?",
                "scripts/local");
    }

    @Test
    void replay_shouldAskForASecret_whenNoneIsGiven() {
        CliRun.Result result = cli(Map.of()).run("replay", EVENTS.toString(), "--url", url());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("no signing secret", "--secret", "SHOPIFY_WEBHOOK_SECRET");
        assertThat(received).isEmpty();
    }
}
