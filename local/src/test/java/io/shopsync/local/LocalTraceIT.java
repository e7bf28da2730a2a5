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
        for (String sample : new String[] {"inventory-items-update.json", "inventory-levels-update.json"}) {
            assertThat(SignedWebhooks.post(url, SignedWebhooks.event(Fixtures.path("events/stock-to-inventory/" + sample)),
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

    @Test
    void trace_bySku_resolvesTheItemThroughTheShopifyStandIn_andTracesItsLevelAtEachLocation() throws IOException {
        HttpResponse<String> all = get("/_local/trace?shop=shopsync-demo&sku=SS-MCS-OAT-M");
        HttpResponse<String> one = get("/_local/trace?shop=" + SHOP + "&sku=SS-MCS-OAT-M&location=655441491&format=text");

        assertThat(all.statusCode()).as(all.body()).isEqualTo(200);
        JsonNode trace = SignedWebhooks.JSON.readTree(all.body());
        assertThat(trace.path("resolvedThrough").asText()).isEqualTo("shopify-admin-api");
        assertThat(trace.path("items").get(0).path("inventoryItemId").asText()).isEqualTo("437290762312585471");
        assertThat(trace.path("levels")).hasSize(1);
        JsonNode level = trace.path("levels").get(0);
        assertThat(level.path("entity").asText()).isEqualTo(SHOP + "/inventory-level/437290762312585471/655441491");
        JsonNode webhook = level.path("targets").get(0).path("webhooks").get(0);
        assertThat(level.path("targets").get(0).path("flow").asText()).isEqualTo("stock-to-inventory");
        assertThat(webhook.path("webhookId").asText()).isEqualTo("bec90c6c-369b-51d0-b103-9529bc85193d");
        assertThat(webhook.path("outcome").asText()).isEqualTo("delivered");
        assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
        assertThat(one.body()).startsWith("SKU SS-MCS-OAT-M at " + SHOP + ": inventory item 437290762312585471 at "
                        + "location 655441491 (resolved through Shopify's Admin API)\n")
                .contains("inventory level of item 437290762312585471 at location 655441491 at " + SHOP,
                        "inventory_levels/update  webhook bec90c6c-369b-51d0-b103-9529bc85193d");
    }

    @Test
    void trace_byOrderName_resolvesTheIdThroughTheShopifyStandIn_andAnUnknownNameIs404() {
        HttpResponse<String> named = get("/_local/trace?shop=" + SHOP + "&name=%231001&format=text");
        HttpResponse<String> unknown = get("/_local/trace?shop=" + SHOP + "&name=%231999&format=text");

        assertThat(named.statusCode()).as(named.body()).isEqualTo(200);
        assertThat(named.body()).startsWith("order #1001 (id " + ORDER + ") at " + SHOP)
                .contains("orders/paid  webhook 3eb951a6-f2bd-5fec-8bd0-064e4ca6dfc7");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).startsWith("shop " + SHOP + " has no order named #1999");
    }

    @Test
    void trace_ofAnUnknownSku_is404_withWhatToCheck() {
        HttpResponse<String> unknown = get("/_local/trace?shop=" + SHOP + "&sku=SS-MCS-OAT-m&format=text");

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).startsWith("shop " + SHOP + " has no inventory item with SKU SS-MCS-OAT-m");
    }

    @Test
    void trace_byWebhookId_tracesItsOrder_withThatWebhookMarked_andAnUnknownOneIs404() {
        HttpResponse<String> paid = get("/_local/trace?shop=" + SHOP + "&webhook=3eb951a6-f2bd-5fec-8bd0-064e4ca6dfc7"
                + "&format=text");
        HttpResponse<String> unknown = get("/_local/trace?shop=" + SHOP + "&webhook=0b7c6a2e-93f1-4d7e-9a55-1c2d3e4f5a6b"
                + "&format=text");

        assertThat(paid.statusCode()).as(paid.body()).isEqualTo(200);
        assertThat(paid.body()).startsWith("webhook 3eb951a6-f2bd-5fec-8bd0-064e4ca6dfc7 (order " + ORDER + ") at " + SHOP)
                .containsPattern("orders/paid  webhook 3eb951a6-f2bd-5fec-8bd0-064e4ca6dfc7 .*  <- this webhook\n")
                .doesNotContainPattern("orders/updated  webhook \\S+ .*<- this webhook");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).startsWith("no webhook 0b7c6a2e-93f1-4d7e-9a55-1c2d3e4f5a6b of " + SHOP + " in the last "
                + "72 h: check that the webhook was posted to this stack");
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
