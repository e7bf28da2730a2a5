package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's server side over real HTTP: the page and its headers, the counts the page needs, the redrive of
 * dead letters back to the work queue, and the refusal of state-changing requests that carry no same-origin proof
 * (what a form on another web site posting to http://127.0.0.1:PORT would be).
 */
class LocalConsoleIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String FLOW = "stock-to-inventory";
    /** What a script sends to show it is not a web page (the README's curl line). */
    private static final String PROOF = "X-Shopsync-Local";

    @TempDir
    static Path logs;

    private static final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private static RunningStack stack;
    private static String url;

    @BeforeAll
    static void start() {
        stack = RunningStack.start(new RunningStack.Options(StackTemplate.find(Path.of("")), 0,
                logs.resolve("local-stack.log"), true, Map.of()), new PrintStream(console, true, StandardCharsets.UTF_8));
        url = stack.url();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void getSlash_servesTheConsolePage_withItsScript_andAPolicyThatRunsNoInlineScriptAndForbidsFraming() {
        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(url + "/")).GET());
        HttpResponse<String> script = send(HttpRequest.newBuilder(URI.create(url + "/_local/console.js")).GET());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<title>Shopsync local console</title>", "src=\"/_local/console.js\"");
        assertThat(page.headers().firstValue("content-security-policy").orElse(""))
                .contains("script-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe-inline");
        assertThat(page.headers().firstValue("x-frame-options")).hasValue("DENY");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
        assertThat(script.body()).contains("/_local/status", "/_local/dlq/redrive").doesNotContain("innerHTML =");
    }

    @Test
    void status_countsRetriedDeliveries_andWhatIsInTheDeadLetterQueueNow() {
        String item = "437290762312500001";
        InventoryOutage.answer(stack, item, 503);
        try {
            assertThat(SignedWebhooks.post(url, InventoryOutage.levelUpdateFor(item), RunningStack.DEV_SECRET).statusCode())
                    .isEqualTo(200);
            JsonNode flow = awaitFlow(counts -> counts.path("retried").asInt() >= 1);

            assertThat(flow.path("retried").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(flow.path("inFlight").asInt()).as("the retried delivery waits on the work queue").isGreaterThanOrEqualTo(1);
            assertThat(flow.path("lastRetryReason").asText()).contains("webhook", "503");
            assertThat(flow.has("inDeadLetterQueue")).isTrue();
        } finally {
            InventoryOutage.fixed(stack);
        }
        // Delivered once the endpoint is back (after its backoff), so the other tests' counts do not move under them.
        assertThat(awaitFlow(counts -> counts.path("inFlight").asInt() == 0, Duration.ofSeconds(40))
                .path("inFlight").asInt()).isZero();
    }

    @Test
    void redrive_movesADeadLetterBackToItsWorkQueue_andTheFlowDeliversItOnceTheTargetIsFixed() {
        String item = "437290762312500002";
        JsonNode letter = deadLetteredByARefusingEndpoint(item);
        assertThat(letter.path("reason").asText()).contains("401");
        assertThat(letter.path("target").asText()).isEqualTo("webhook");
        int inDlq = status().path(FLOW).path("inDeadLetterQueue").asInt();
        assertThat(inDlq).isGreaterThanOrEqualTo(1);
        long deliveredBefore = status().path(FLOW).path("delivered").asLong();
        InventoryOutage.fixed(stack);

        HttpResponse<String> answer = post("/_local/dlq/redrive",
                "{\"flow\":\"" + FLOW + "\",\"messageId\":\"" + letter.path("messageId").asText() + "\"}",
                PROOF, "1");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(json(answer).path("moved").asInt()).isEqualTo(1);
        assertThat(json(answer).path("left").asInt()).isEqualTo(inDlq - 1);
        SignedWebhooks.awaitIdle(url, Duration.ofSeconds(20));
        assertThat(deadLettersOf(item)).isEmpty();
        assertThat(status().path(FLOW).path("delivered").asLong()).isEqualTo(deliveredBefore + 1);
        assertThat(StreamSupport.stream(SignedWebhooks.get(url + "/_local/outbox").spliterator(), false)
                .filter(r -> r.path("target").asText().equals("webhook"))
                .filter(r -> r.path("body").toString().contains(item))).hasSize(2); // refused once, then accepted
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("redrive " + FLOW + ": 1 moved back");
    }

    @Test
    void redrive_ofAnUnknownFlowOrADeadLetterNoLongerThere_saysWhatExists() {
        HttpResponse<String> unknownFlow = post("/_local/dlq/redrive", "{\"flow\":\"orders\"}", PROOF, "1");
        HttpResponse<String> gone = post("/_local/dlq/redrive", "{\"flow\":\"" + FLOW + "\",\"messageId\":\"no-such-id\"}",
                PROOF, "1");
        HttpResponse<String> noFlow = post("/_local/dlq/redrive", "[]", PROOF, "1");

        assertThat(unknownFlow.statusCode()).isEqualTo(404);
        assertThat(json(unknownFlow).path("message").asText()).contains("order-to-crm, stock-to-inventory, fulfilment-to-crm");
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(json(gone).path("message").asText()).contains("no longer in the " + FLOW, "GET /_local/dlq");
        assertThat(noFlow.statusCode()).isEqualTo(400);
    }

    @Test
    void stateChangingPosts_withoutSameOriginProof_areRefused_andChangeNothing() {
        String item = "437290762312500003";
        deadLetteredByARefusingEndpoint(item);
        InventoryOutage.fixed(stack);
        String redrive = "{\"flow\":\"" + FLOW + "\"}";

        for (String path : List.of("/_local/dlq/redrive", "/_local/reconcile", "/_local/eventbridge")) {
            // A script that proves nothing, and a form another site posts (its Origin, a form's content type).
            HttpResponse<String> bare = post(path, redrive);
            HttpResponse<String> crossSite = post(path, "flow=" + FLOW, "Origin", "http://attacker.example",
                    "Content-Type", "application/x-www-form-urlencoded");
            HttpResponse<String> crossSiteWithHeader = post(path, redrive, "Origin", "http://127.0.0.1.attacker.example",
                    PROOF, "1");

            assertThat(bare.statusCode()).as(path).isEqualTo(403);
            assertThat(json(bare).path("message").asText()).contains(PROOF, url + "/");
            assertThat(crossSite.statusCode()).as(path).isEqualTo(403);
            assertThat(json(crossSite).path("message").asText()).contains("another origin (http://attacker.example)");
            assertThat(crossSiteWithHeader.statusCode()).as(path).isEqualTo(403);
        }
        assertThat(deadLettersOf(item)).as("nothing was redriven").hasSize(1);

        HttpResponse<String> fromThePage = post("/_local/dlq/redrive", redrive, "Origin", url);
        assertThat(fromThePage.statusCode()).as(fromThePage.body()).isEqualTo(200);
        assertThat(json(fromThePage).path("moved").asInt()).isGreaterThanOrEqualTo(1);
        SignedWebhooks.awaitIdle(url, Duration.ofSeconds(20));
        assertThat(deadLettersOf(item)).isEmpty();
    }

    /** A level update for the item, refused by the inventory endpoint (401, permanent): its dead letter. */
    private static JsonNode deadLetteredByARefusingEndpoint(String item) {
        InventoryOutage.answer(stack, item, 401);
        assertThat(SignedWebhooks.post(url, InventoryOutage.levelUpdateFor(item), RunningStack.DEV_SECRET).statusCode())
                .isEqualTo(200);
        return awaitDeadLetter(item);
    }

    private static JsonNode status() {
        return SignedWebhooks.get(url + "/_local/status").path("flows");
    }

    private static JsonNode awaitFlow(java.util.function.Predicate<JsonNode> condition) {
        return awaitFlow(condition, Duration.ofSeconds(20));
    }

    private static JsonNode awaitFlow(java.util.function.Predicate<JsonNode> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode flow = status().path(FLOW);
        while (!condition.test(flow) && System.nanoTime() < deadline) {
            sleep();
            flow = status().path(FLOW);
        }
        return flow;
    }

    private static JsonNode awaitDeadLetter(String item) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            List<JsonNode> letters = deadLettersOf(item);
            if (!letters.isEmpty()) {
                return letters.get(0);
            }
            sleep();
        }
        throw new AssertionError("no dead letter for inventory item " + item + " within 20 s; dlq "
                + SignedWebhooks.get(url + "/_local/dlq").path(FLOW) + ", status " + status().path(FLOW));
    }

    /** The flow's dead letters about the item: its SKU (DRY-RUN-SKU-item) is in the reason. */
    private static List<JsonNode> deadLettersOf(String item) {
        return StreamSupport.stream(SignedWebhooks.get(url + "/_local/dlq").path(FLOW).spliterator(), false)
                .filter(letter -> letter.path("reason").asText().contains(item)
                        || letter.path("entity").asText().contains(item)).toList();
    }

    private static HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return SignedWebhooks.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(response.body(), e);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
