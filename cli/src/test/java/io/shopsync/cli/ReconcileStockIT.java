package io.shopsync.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import io.shopsync.connectors.inventory.StandardWebhooksInventory;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.EntityVersion;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.ShopifyGraphqlValidation;
import io.shopsync.testing.ShopifyInventoryAnswers;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * {@code scripts/shopsync reconcile --flows stock-to-inventory} as an operator runs it to import a store's stock:
 * against the stock flow's FIFO queue and the table on an AWS-compatible endpoint, and Shopify's Admin GraphQL API
 * (a local server, queries validated as Shopify does) holding 250 levels at the one synced location, over three
 * pages. The generic webhook target already has the first 10 (their watermarks); every other level must be queued
 * once, across an interruption, as the scheduled stock check queues a drift.
 */
@ExtendWith(AwsBackend.class)
class ReconcileStockIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = ReconcileCommandIT.SHOP;
    private static final String TOKEN = "shpat_0123456789abcdef";
    private static final String PATH = "/admin/api/2026-10/graphql.json";
    private static final String MAIN = "655441491";
    private static final String STORE = "655441492";
    private static final String UPDATED = "2026-11-27T16:29:59Z";
    private static final int LEVELS = 250;

    private final AwsClients aws;
    private final AwsFlowStack stack;
    private final WireMockServer shopify = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
            .extensions(new ShopifyGraphqlValidation()));
    private final CliRun cli;

    ReconcileStockIT(AwsClients aws) {
        this.aws = aws;
        this.stack = AwsFlowStack.create(aws, "stock-to-inventory");
        shopify.start();
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
        env.put("AWS_REGION", aws.region().id());
        env.put("SHOPIFY_ADMIN_TOKEN", TOKEN);
        this.cli = new CliRun(env, Duration.ofMillis(20));
    }

    @AfterEach
    void stop() {
        shopify.stop();
    }

    private static String item(int i) {
        return Long.toString(437_290_762_312_585_000L + i);
    }

    /** Shopify's levels at MAIN: pages of 100 with cursors c1, c2; the last page fails when {@code lastFails}. */
    private void levels(boolean lastFails) {
        shopify.resetAll();
        for (int page = 0; page * 100 < LEVELS; page++) {
            List<String> nodes = new ArrayList<>();
            for (int i = page * 100; i < Math.min(LEVELS, page * 100 + 100); i++) {
                nodes.add(ShopifyInventoryAnswers.level(item(i), "SS-" + i, i % 17, i % 17 + 2, UPDATED));
            }
            boolean last = (page + 1) * 100 >= LEVELS;
            MappingBuilder request = post(urlEqualTo(PATH)).withHeader("X-Shopify-Access-Token", equalTo(TOKEN))
                    .withRequestBody(matchingJsonPath("$.variables.location", equalTo("gid://shopify/Location/" + MAIN)))
                    .withRequestBody(page == 0 ? matchingJsonPath("$.variables.after", absent())
                            : matchingJsonPath("$.variables.after", equalTo("c" + page)));
            shopify.stubFor(request.willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                    .withBody(last && lastFails ? """
                            {"errors":[{"message":"Internal error. Looks like something went wrong on our end.",\
                            "extensions":{"code":"INTERNAL_SERVER_ERROR","requestId":"3221c58f-3446-4843-a452-a517787121c6"}}]}"""
                            : ShopifyInventoryAnswers.page(last ? null : "c" + (page + 1), nodes.toArray(String[]::new)))));
        }
    }

    /** The webhook target already has the first {@code count} levels in Shopify's version. */
    private void alreadyDelivered(int count) {
        DynamoDbDeliveryStore store = DynamoDbDeliveryStore.withDefaults(aws.dynamo(), stack.table);
        for (int i = 0; i < count; i++) {
            assertThat(store.advanceWatermark(SHOP + "/inventory-level/" + item(i) + "/" + MAIN,
                    StandardWebhooksInventory.NAME, new EntityVersion(Instant.parse(UPDATED),
                            Instant.parse("2026-11-27T16:30:00.2Z")), Instant.now())).isTrue();
        }
    }

    private CliRun.Result reconcile(String... more) {
        List<String> args = new ArrayList<>(List.of("reconcile", "--shop", SHOP, "--admin-url", shopify.baseUrl(),
                "--since", "2025-06-01", "--flows", "stock-to-inventory",
                "--stock-queue-url", stack.queues.workQueueUrl(), "--stock-dlq-url", stack.queues.deadLetterQueueUrl(),
                "--inventory-target", "webhook",
                "--location-mapping", "{\"" + MAIN + "\": \"WH-MAIN\", \"" + STORE + "\": null}",
                "--table", stack.table, "--bucket", stack.bucket, "--rate", "300"));
        args.addAll(List.of(more));
        return cli.run(args.toArray(String[]::new));
    }

    private static int[] summary(CliRun.Result result) {
        return ReconcileCommandIT.summary(result);
    }

    private List<Message> drained() {
        return aws.drain(stack.queues.workQueueUrl());
    }

    private List<Map<String, AttributeValue>> backfillItems() {
        return aws.dynamo().scan(r -> r.tableName(stack.table)).items().stream()
                .filter(item -> item.get("pk").s().startsWith("backfill#")).toList();
    }

    @Test
    void anImportInterruptedByAShopifyFailure_isResumed_queuingEachLevelOnce_asTheDriftCheckWould() throws IOException {
        levels(true);
        alreadyDelivered(10);

        CliRun.Result interrupted = reconcile();

        assertThat(interrupted.exitCode()).as(interrupted.all()).isEqualTo(1);
        assertThat(interrupted.err()).contains("INTERNAL_SERVER_ERROR").contains("run the same command again");
        int[] before = summary(interrupted);
        assertThat(before).as("two pages read, the first 10 current").containsExactly(200, 190, 10);
        List<Message> first = drained();
        assertThat(first).hasSize(190);

        levels(false);
        CliRun.Result resumed = reconcile();

        assertThat(resumed.exitCode()).as(resumed.all()).isZero();
        int[] after = summary(resumed);
        assertThat(after[1]).as("the resumed run queues only what the first did not").isEqualTo(50);
        assertThat(shopify.findAll(postRequestedFor(urlEqualTo(PATH))))
                .as("the resumed run continues at the page it stopped on, never the location's first")
                .isNotEmpty().allSatisfy(r -> assertThat(r.getBodyAsString()).contains("\"after\""));
        List<Message> second = drained();
        assertThat(second).hasSize(50);

        EnvelopeCodec codec = new EnvelopeCodec(JSON);
        List<Envelope> envelopes = new ArrayList<>();
        first.forEach(m -> envelopes.add(codec.decode(m.body())));
        second.forEach(m -> envelopes.add(codec.decode(m.body())));
        long millis = Instant.parse(UPDATED).toEpochMilli();
        List<String> expected = new ArrayList<>();
        for (int i = 10; i < LEVELS; i++) {
            expected.add("shopsync-reconcile-" + item(i) + "-" + MAIN + "-" + millis);
        }
        assertThat(envelopes).extracting(Envelope::webhookId).containsExactlyInAnyOrderElementsOf(expected);
        // The drift check's envelope: the flow's topic and entity (its FIFO group), the REST webhook payload.
        Envelope one = envelopes.get(0);
        assertThat(one.flow()).isEqualTo("stock-to-inventory");
        assertThat(one.topic()).isEqualTo("inventory_levels/update");
        JsonNode payload = JSON.readTree(((Body.Inline) one.body()).bytes());
        assertThat(one.entity()).isEqualTo(SHOP + "/inventory-level/" + payload.path("inventory_item_id").asText() + "/" + MAIN);
        assertThat(first.get(0).attributes().get(software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName
                .MESSAGE_GROUP_ID)).isEqualTo(one.entity());
        assertThat(payload.path("location_id").asText()).isEqualTo(MAIN);
        assertThat(payload.path("updated_at").asText()).isEqualTo(UPDATED);

        assertThat(backfillItems()).singleElement().satisfies(item -> {
            assertThat(item.get("pk").s()).isEqualTo("backfill#" + SHOP + "#2025-06-01T00:00:00Z#stock");
            assertThat(item.get("finished").bool()).isTrue();
        });
    }

    @Test
    void aDryRun_queuesNothing_keepsNoProgress_andSaysWhatItWouldQueue() {
        levels(false);
        alreadyDelivered(10);

        CliRun.Result result = reconcile("--dry-run");

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("dry run: nothing is queued")
                .contains("would queue inventory_levels/update inventory-level " + item(10) + " at " + MAIN)
                .contains("dry run, reconcile " + SHOP + ": scanned 250, would queue 240, already current 10");
        assertThat(drained()).isEmpty();
        assertThat(backfillItems()).isEmpty();
    }
}
