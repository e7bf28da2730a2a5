package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopsync.testkit.Fixtures;
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
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /_local/trace}: the trace {@code scripts/shopsync trace} runs on a deployed stack, answered by the local
 * stack from its own delivery store and dead-letter queues, after Shopify's signed samples went through its real
 * intake, queues and delivery loop (connectors in dry run).
 */
class LocalTraceIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String ORDER = "820982911946154508";
    private static final String SHOP = "shopsync-demo.myshopify.com";

    @TempDir
    static Path logs;

    private static RunningStack stack;
    private static String url;

    @BeforeAll
    static void start() {
        stack = RunningStack.start(new RunningStack.Options(StackTemplate.find(Path.of("")), 0,
                logs.resolve("local-stack.log"), true, Map.of()),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        url = stack.url();
        for (String sample : new String[] {"orders-updated.json", "orders-paid.json"}) {
            assertThat(SignedWebhooks.post(url, SignedWebhooks.event(Fixtures.path("events/order-to-crm/" + sample)),
                    RunningStack.DEV_SECRET).statusCode()).isEqualTo(200);
            SignedWebhooks.awaitIdle(url, Duration.ofSeconds(20));
        }
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void trace_ofAnOrderTheStackDelivered_answersWhatEachTargetGot_asJson() throws IOException {
        HttpResponse<String> answer = get("/_local/trace?shop=shopsync-demo&order=" + ORDER);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode trace = SignedWebhooks.JSON.readTree(answer.body());
        assertThat(trace.path("entity").asText()).isEqualTo(SHOP + "/order/" + ORDER);
        assertThat(trace.path("targets")).extracting(t -> t.path("flow").asText() + " " + t.path("target").asText())
                .contains("order-to-crm hubspot");
        for (JsonNode target : trace.path("targets")) {
            assertThat(target.path("watermark").path("updatedAt").asText()).as(target.toString())
                    .isEqualTo("2026-11-27T14:42:18Z");
            assertThat(target.path("webhooks")).extracting(w -> w.path("topic").asText() + " " + w.path("outcome").asText())
                    .as(target.toString())
                    .containsExactly("orders/paid stale", "orders/updated delivered");
        }
        assertThat(trace.path("nextSteps").get(0).asText()).startsWith("nothing to do");
    }

    @Test
    void trace_asText_isWhatTheCliPrints_andAnUnknownOrderIs404_withWhereToLook() {
        HttpResponse<String> text = get("/_local/trace?shop=" + SHOP + "&order=" + ORDER + "&format=text");
        HttpResponse<String> unknown = get("/_local/trace?shop=" + SHOP + "&order=5123456789012&format=text");
        HttpResponse<String> bad = get("/_local/trace?shop=" + SHOP + "&order=%231042");

        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(text.body()).contains("order-to-crm -> hubspot   watermark: updated_at 2026-11-27T14:42:18Z",
                "orders/paid  webhook 3eb951a6-f2bd-5fec-8bd0-064e4ca6dfc7",
                "stale: not sent: the target already has the version of 2026-11-27T14:42:18Z");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).startsWith("no webhook for order 5123456789012 of " + SHOP + " in the last 72 h: check "
                + "that the webhook was posted to this stack");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("not its name such as #1042");
    }

    private static HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(20)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
