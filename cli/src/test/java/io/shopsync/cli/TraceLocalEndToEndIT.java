package io.shopsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.local.InProcessLocalStack;
import io.shopsync.testkit.Fixtures;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/shopsync trace --local URL} end to end: the local stack in this JVM (its real intake, queues, delivery
 * loop, connectors in dry run), Shopify's signed samples replayed through the CLI's own {@code replay}, and the trace
 * run through the CLI's entry point, in text and JSON.
 */
class TraceLocalEndToEndIT {

    private static final String ORDER = "820982911946154508";
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path logs;

    private static InProcessLocalStack stack;
    private final CliRun cli = new CliRun(Map.of(), Duration.ofMillis(50));

    @BeforeAll
    static void start() throws Exception {
        stack = InProcessLocalStack.start(logs.resolve("local-stack.log"));
        // Shopify's orders/updated, then its older orders/paid arriving late: one delivered, one stale per target.
        CliRun.Result replay = new CliRun(Map.of(), Duration.ofMillis(50)).run("replay",
                Fixtures.path("events/order-to-crm/orders-updated.json").toString(),
                Fixtures.path("events/order-to-crm/orders-paid.json").toString(),
                "--url", stack.url(), "--secret", InProcessLocalStack.DEV_SECRET, "--keep-ids");
        assertThat(replay.exitCode()).as(replay.all() + stack.console()).isZero();
        awaitIdle();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void traceLocal_text_showsEachTargetsWebhooks_outcomes_watermark_andNothingToDo() {
        CliRun.Result result = cli.run("trace", "--local", stack.url(), "--shop", "shopsync-demo", "--order", ORDER);

        assertThat(result.exitCode()).as(result.all()).isZero();
        String out = result.out();
        assertThat(out).startsWith("order " + ORDER + " at " + SHOP + " (entity " + SHOP + "/order/" + ORDER + ")")
                .contains("order-to-crm -> hubspot   watermark: updated_at 2026-11-27T14:42:18Z (triggered "
                        + "2026-11-27T14:42:19.506183927Z)")
                .contains("orders/paid  webhook 3eb951a6-f2bd-5fec-8bd0-064e4ca6dfc7")
                .contains("stale: not sent: the target already has the version of 2026-11-27T14:42:18Z")
                .contains("orders/updated  webhook ef8a8a1b-49d5-53a2-be6b-563ba9bc4cf2")
                .contains("      delivered: the target accepted it")
                .contains("In a dead-letter queue now: no")
                .contains("nothing to do");
        assertThat(out.indexOf("orders/paid")).isLessThan(out.indexOf("orders/updated"));
    }

    @Test
    void traceLocal_json_carriesTheSameFacts() throws IOException {
        CliRun.Result result = cli.run("trace", "--local", stack.url(), "--shop", "shopsync-demo", "--order", ORDER,
                "--json");

        assertThat(result.exitCode()).as(result.all()).isZero();
        JsonNode trace = JSON.readTree(result.out());
        assertThat(trace.path("entity").asText()).isEqualTo(SHOP + "/order/" + ORDER);
        assertThat(trace.path("found").asBoolean()).isTrue();
        assertThat(trace.path("targets")).isNotEmpty();
        JsonNode hubspot = null;
        for (JsonNode target : trace.path("targets")) {
            if (target.path("flow").asText().equals("order-to-crm") && target.path("target").asText().equals("hubspot")) {
                hubspot = target;
            }
        }
        assertThat(hubspot).as(trace.toString()).isNotNull();
        assertThat(hubspot.path("watermark").path("updatedAt").asText()).isEqualTo("2026-11-27T14:42:18Z");
        assertThat(hubspot.path("webhooks")).extracting(w -> w.path("topic").asText() + " " + w.path("outcome").asText()
                + " " + w.path("webhookId").asText()).containsExactly(
                        "orders/paid stale 3eb951a6-f2bd-5fec-8bd0-064e4ca6dfc7",
                        "orders/updated delivered ef8a8a1b-49d5-53a2-be6b-563ba9bc4cf2");
        assertThat(trace.path("deadLetters").size()).isZero();
        assertThat(trace.path("nextSteps").get(0).asText()).startsWith("nothing to do");
    }

    @Test
    void traceLocal_ofAnOrderNoWebhookReached_saysSo_andExits1() {
        CliRun.Result result = cli.run("trace", "--local", stack.url(), "--shop", "shopsync-demo", "--order",
                "5123456789012");

        assertThat(result.exitCode()).as(result.all()).isEqualTo(1);
        assertThat(result.out()).startsWith("no webhook for order 5123456789012 of " + SHOP + " in the last ");
    }

    @Test
    void traceLocal_byOrderName_isResolvedByTheStacksShopifyStandIn_andTraced() {
        CliRun.Result result = cli.run("trace", "--local", stack.url(), "--shop", "shopsync-demo", "--order-name",
                "#1001");

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).startsWith("order #1001 (id " + ORDER + ") at " + SHOP + " (entity " + SHOP + "/order/"
                        + ORDER + ")")
                .contains("orders/paid  webhook 3eb951a6-f2bd-5fec-8bd0-064e4ca6dfc7")
                .contains("orders/updated  webhook ef8a8a1b-49d5-53a2-be6b-563ba9bc4cf2");
    }

    @Test
    void traceLocal_byAnOrderNameTheShopDoesNotHave_saysSo_andExits1() {
        CliRun.Result result = cli.run("trace", "--local", stack.url(), "--shop", "shopsync-demo", "--order-name",
                "#1999");

        assertThat(result.exitCode()).as(result.all()).isEqualTo(1);
        assertThat(result.out()).startsWith("shop " + SHOP + " has no order named #1999");
    }

    @Test
    void traceLocal_refusesAStringThatIsNoOrderName_beforeAskingTheStack() {
        String tooLong = "#" + "1".repeat(70);
        CliRun.Result result = cli.run("trace", "--local", stack.url(), "--shop", "shopsync-demo", "--order-name",
                tooLong);

        assertThat(result.exitCode()).as(result.all()).isEqualTo(1);
        assertThat(result.err()).contains("--order-name '" + tooLong + "' is not an order name");
    }

    /** Until the stack's status shows nothing in flight twice in a row, as scripts/local --replay waits. */
    private static void awaitIdle() throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        int quiet = 0;
        JsonNode status = null;
        while (quiet < 2) {
            assertThat(Instant.now()).as("nothing in flight within 30 s: " + status).isBefore(deadline);
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(stack.url() + "/_local/status"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            status = JSON.readTree(answer.body());
            int inFlight = 0;
            int received = 0;
            for (JsonNode flow : status.path("flows")) {
                inFlight += flow.path("inFlight").asInt();
                received += flow.path("received").asInt();
            }
            quiet = inFlight == 0 && received == 2 ? quiet + 1 : 0;
            Thread.sleep(200);
        }
    }
}
