package io.shopsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * {@code scripts/shopsync reconcile} as an operator runs it to import a store's history: against the order
 * flow's FIFO queue, the idempotency table and the claim-check bucket on an AWS-compatible endpoint, and a
 * Shopify stand-in holding the history ({@link ShopifyOrderHistory}). Each order must reach the queue once,
 * across an interruption; a dry run must change nothing; bad input must say what to do.
 */
@ExtendWith(AwsBackend.class)
class ReconcileCommandIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SHOP = "shopsync-demo.myshopify.com";
    private static final Instant HISTORY_START = Instant.parse("2025-06-01T00:00:00Z");
    private static final Pattern SUMMARY = Pattern.compile(
            "reconcile " + SHOP + ": scanned (\\d+), (?:would queue|queued) (\\d+), already current (\\d+)");

    private final AwsClients aws;
    private final AwsFlowStack stack;
    private final ShopifyOrderHistory shopify = new ShopifyOrderHistory();
    private final CliRun cli;

    ReconcileCommandIT(AwsClients aws) {
        this.aws = aws;
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
        env.put("AWS_REGION", aws.region().id());
        env.put("SHOPIFY_ADMIN_TOKEN", ShopifyOrderHistory.TOKEN);
        this.cli = new CliRun(env, Duration.ofMillis(20));
    }

    @AfterEach
    void stop() {
        shopify.close();
    }

    /** {@code count} orders, three updated in each hour from HISTORY_START (so some share an updated_at). */
    private List<String> history(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = Long.toString(5_100_000_000_000L + i);
            shopify.orders.put(id, HISTORY_START.plus(Duration.ofHours(i / 3)));
            ids.add(id);
        }
        return ids;
    }

    private CliRun.Result reconcile(String... more) {
        List<String> args = new ArrayList<>(List.of("reconcile", "--shop", SHOP, "--admin-url", shopify.baseUrl(),
                "--since", "2025-06-01", "--until", "2025-08-01T00:00:00Z",
                "--queue-url", stack.queues.workQueueUrl(), "--dlq-url", stack.queues.deadLetterQueueUrl(),
                "--table", stack.table, "--bucket", stack.bucket));
        args.addAll(List.of(more));
        return cli.run(args.toArray(String[]::new));
    }

    /** The summary line's scanned, queued (or would queue) and already current, for shop {@value #SHOP}. */
    static int[] summary(CliRun.Result result) {
        Matcher m = SUMMARY.matcher(result.out());
        assertThat(m.find()).as("summary line in:\n" + result.all()).isTrue();
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
    }

    private List<Envelope> queued() {
        EnvelopeCodec codec = new EnvelopeCodec(JSON);
        return aws.drain(stack.queues.workQueueUrl()).stream().map(Message::body).map(codec::decode).toList();
    }

    private List<Map<String, AttributeValue>> backfillItems() {
        return aws.dynamo().scan(r -> r.tableName(stack.table)).items().stream()
                .filter(item -> item.get("pk").s().startsWith("backfill#")).toList();
    }

    @Test
    void ordersOverSeveralPages_areEachQueuedOnce_markedAsHistory_atTheGivenRate() throws IOException {
        List<String> ids = history(600);
        long started = System.nanoTime();

        CliRun.Result result = reconcile("--rate", "200");

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(summary(result)).containsExactly(600, 600, 0);
        assertThat(shopify.scanRequests()).as("3 pages of at most 250").isEqualTo(3);
        // --rate 200: 600 sends take at least 599/200 s.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(2_990));
        assertThat(result.err()).contains("reconcile " + SHOP + ": scanned 250, queued 250, already current 0");

        List<Envelope> envelopes = queued();
        assertThat(envelopes).hasSize(600);
        Map<String, Long> perOrder = envelopes.stream().collect(Collectors.groupingBy(Envelope::webhookId, Collectors.counting()));
        assertThat(perOrder.keySet()).containsExactlyInAnyOrderElementsOf(ids.stream().map(id ->
                "shopsync-reconcile-" + id + "-" + shopify.orders.get(id).toEpochMilli()).toList());
        Envelope first = envelopes.get(0);
        assertThat(first.topic()).isEqualTo("orders/create");
        JsonNode payload = JSON.readTree(((Body.Inline) first.body()).bytes());
        assertThat(payload.path("shopsync_source").asText()).isEqualTo("backfill");
        // The original order time travels with it: Klaviyo's event time, HubSpot's hs_external_created_date.
        assertThat(payload.path("processed_at").asText()).isEqualTo("2026-11-27T10:15:42Z");
        assertThat(backfillItems()).singleElement().satisfies(item -> {
            assertThat(item.get("pk").s()).isEqualTo("backfill#" + SHOP + "#2025-06-01T00:00:00Z#orders");
            assertThat(item.get("finished").bool()).isTrue();
            assertThat(item.get("through").s()).isEqualTo("2025-08-01T00:00:00Z");
        });
    }

    @Test
    void aRunInterruptedByAShopifyFailure_isResumed_withoutQueuingAnyOrderTwice() {
        List<String> ids = history(1000);
        // The third page (orders 500..749) fails on Shopify's side, past the scan's retries. Order 500 shares its
        // updated_at with orders 498 and 499 of the second page.
        shopify.failFromOffset = 500;

        CliRun.Result interrupted = reconcile("--rate", "300");

        assertThat(interrupted.exitCode()).as(interrupted.all()).isEqualTo(1);
        assertThat(interrupted.err()).contains("INTERNAL_SERVER_ERROR").contains("run the same command again")
                .contains("queues no order twice");
        int[] before = summary(interrupted);
        assertThat(before[1]).isEqualTo(500);

        shopify.failFromOffset = -1;
        CliRun.Result resumed = reconcile("--rate", "300");

        assertThat(resumed.exitCode()).as(resumed.all()).isZero();
        assertThat(resumed.out()).contains("orders: resumed from " + shopify.orders.get(ids.get(499)));
        int[] after = summary(resumed);
        assertThat(after[1]).as("the resumed run queues only what the first did not").isEqualTo(500);
        // SQS would hide a second send of the same webhook id (deduplication): count what each run sent and what
        // Shopify was asked for in full (each queued order is read once, right before it is queued).
        assertThat(before[1] + after[1]).isEqualTo(1000);
        assertThat(shopify.fullReads.values().stream().mapToInt(AtomicInteger::get).max().orElse(0)).isEqualTo(1);
        assertThat(shopify.fullReads.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(queued().stream().map(Envelope::webhookId).distinct()).hasSize(1000);

        CliRun.Result again = reconcile("--rate", "300");
        assertThat(again.exitCode()).as(again.all()).isZero();
        assertThat(again.out()).contains("already done up to 2025-08-01T00:00:00Z");
        assertThat(summary(again)).containsExactly(0, 0, 0);
    }

    @Test
    void aDryRun_queuesNothing_keepsNoProgress_andSaysWhatItWouldQueue() {
        List<String> ids = history(5);

        CliRun.Result result = reconcile("--dry-run");

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("dry run: nothing is queued")
                .contains("would queue orders/create " + SHOP + "/order/" + ids.get(0))
                .contains("dry run, reconcile " + SHOP + ": scanned 5, would queue 5, already current 0");
        assertThat(aws.drain(stack.queues.workQueueUrl())).isEmpty();
        assertThat(backfillItems()).isEmpty();
    }

    @Test
    void sinceInTheFuture_isBadUsage() {
        CliRun.Result result = cli.run("reconcile", "--shop", SHOP, "--since", "2099-01-01", "--stack", "shopsync");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--since 2099-01-01 is in the future");
    }

    @Test
    void withoutAStackOrItsQueue_saysWhichOptionsAreMissing() {
        CliRun.Result result = cli.run("reconcile", "--shop", SHOP, "--admin-url", shopify.baseUrl(), "--since", "2025-06-01");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("which stack? pass --stack NAME").contains("--queue-url, --dlq-url, --table and --bucket");
    }

    @Test
    void aStackThatDoesNotExist_isNamed() {
        CliRun.Result result = cli.run("reconcile", "--shop", SHOP, "--admin-url", shopify.baseUrl(), "--since", "2025-06-01",
                "--stack", "no-such-stack-" + System.nanoTime());

        assertThat(result.exitCode()).as(result.all()).isEqualTo(1);
        assertThat(result.err()).contains("does not exist").contains("--stack");
    }

    @Test
    void anUnknownShop_failsWithShopifysAnswer_andQueuesNothing() {
        history(3);
        // Shopify answers 404 for a *.myshopify.com domain that is no shop.
        shopify.server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
                        com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo(ShopifyOrderHistory.PATH)).atPriority(1)
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(404)
                        .withHeader("Content-Type", "text/html").withBody("<!DOCTYPE html><title>Not Found</title>")));

        CliRun.Result result = cli.run("reconcile", "--shop", "no-such-store", "--admin-url", shopify.baseUrl(),
                "--since", "2025-06-01", "--queue-url", stack.queues.workQueueUrl(), "--dlq-url",
                stack.queues.deadLetterQueueUrl(), "--table", stack.table, "--bucket", stack.bucket);

        assertThat(result.exitCode()).as(result.all()).isEqualTo(1);
        assertThat(result.err()).contains("no-such-store.myshopify.com").contains("404");
        assertThat(aws.drain(stack.queues.workQueueUrl())).isEmpty();
    }
}
