package io.shopsync.reconcile.stock;

import io.shopsync.testing.MotoS3;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.shopsync.connectors.inventory.DynamoDbReportedLevels;
import io.shopsync.connectors.inventory.KatanaInventory;
import io.shopsync.connectors.inventory.ReportedLevels;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.emulator.SqsEventSource;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.queue.S3ClaimCheckStore;
import io.shopsync.queue.SqsFlowQueues;
import io.shopsync.stock.LocationMapping;
import io.shopsync.stock.StockQuantity;
import io.shopsync.stock.StockToInventory;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.ShopifyGraphqlValidation;
import io.shopsync.testing.ShopifyInventoryAnswers;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Stock drift on a real AWS-compatible endpoint: the stock flow's DynamoDB table (watermarks, reported
 * levels) read as the flow wrote it, the correction queued on its SQS FIFO queue and delivered by the
 * real stock-flow function to the inventory system's signed webhook endpoint (a local server).
 */
@ExtendWith(AwsBackend.class)
class StockDriftIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final String GRAPHQL = "/admin/api/2026-10/graphql.json";
    private static final String ENDPOINT = "/inventory/shopsync";
    private static final String ITEM = "437290762312585471";
    private static final String UPDATED = "2026-11-27T16:29:59Z";
    private final AwsClients aws;
    private final AwsFlowStack stack;
    private final WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
            .extensions(new ShopifyGraphqlValidation()));
    private final FlowEnvironment environment;
    private final SqsFlowQueues queues;
    private final DynamoDbDeliveryStore store;

    StockDriftIT(AwsClients aws) {
        this.aws = aws;
        server.start();
        server.stubFor(post(urlEqualTo(GRAPHQL)).withRequestBody(matchingJsonPath("$.query", containing("inventoryLevels(")))
                .willReturn(aResponse().withStatus(200).withBody(ShopifyInventoryAnswers.page(null,
                        ShopifyInventoryAnswers.level(ITEM, "SS-MCS-OAT-M", 42, 45, UPDATED)))));
        server.stubFor(post(urlEqualTo(GRAPHQL)).withRequestBody(matchingJsonPath("$.query", containing("inventoryItem(id:")))
                .willReturn(aResponse().withStatus(200).withBody(
                        "{\"data\":{\"inventoryItem\":{\"sku\":\"SS-MCS-OAT-M\",\"tracked\":true}}}")));
        server.stubFor(post(urlEqualTo(ENDPOINT)).willReturn(aResponse().withStatus(204)));
        this.stack = AwsFlowStack.create(aws, "stock-to-inventory");
        this.environment = stack.environment(Map.of(
                "INVENTORY_TARGET", "webhook",
                "INVENTORY_WEBHOOK_URL", server.baseUrl() + ENDPOINT,
                "INVENTORY_WEBHOOK_SECRET", "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
                "SHOPIFY_ADMIN_TOKENS", "{\"" + SHOP + "\": \"shpat_0123456789abcdef\"}",
                "SHOPIFY_ADMIN_BASE_URL", server.baseUrl(),
                "LOCATION_MAPPING", "{\"655441491\": \"101\", \"655441492\": null}"));
        this.queues = new SqsFlowQueues(aws.sqs(), stack.queues.workQueueUrl(), stack.queues.deadLetterQueueUrl(),
                new S3ClaimCheckStore(MotoS3.of(aws), stack.bucket), new EnvelopeCodec(JSON), SqsFlowQueues.DEFAULT_MAX_MESSAGE_BYTES);
        this.store = new DynamoDbDeliveryStore(aws.dynamo(), stack.table, Duration.ofSeconds(90), Duration.ofHours(72),
                Duration.ofDays(35));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private StockDrift drift(LastReported last) {
        return new StockDrift(environment.shopifyAdmin(), StockToInventory.FLOW, queues, last,
                LocationMapping.parse(environment.setting("LOCATION_MAPPING"), "LOCATION_MAPPING", JSON),
                StockQuantity.AVAILABLE, JSON, Clock.systemUTC());
    }

    private static void pollUntil(SqsEventSource source, BooleanSupplier done) {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!done.getAsBoolean() && Instant.now().isBefore(deadline)) {
            source.pollOnce();
        }
        assertThat(done.getAsBoolean()).as("delivered within 20 s").isTrue();
    }

    private int endpointPosts() {
        return server.findAll(postRequestedFor(urlEqualTo(ENDPOINT))).size();
    }

    /**
     * The webhook for a level never came: two overlapping runs find it, queue it once, the stock flow delivers it
     * to the endpoint, and the next run finds the watermark current and queues nothing.
     */
    @Test
    void aMissedLevel_isFoundQueuedOnceDelivered_andThenFoundInStep() throws Exception {
        Instant from = Instant.parse("2026-11-27T16:15:00Z");
        Instant to = Instant.parse("2026-11-27T16:30:00Z");
        StockDrift drift = drift(LastReported.webhook(store));

        StockDrift.Result first = drift.run(SHOP, from, to, false);
        StockDrift.Result overlapping = drift.run(SHOP, from.minusSeconds(300), to.plusSeconds(60), false);

        assertThat(first.failure()).isEmpty();
        assertThat(first.driftFound()).isEqualTo(1);
        assertThat(overlapping.driftFound()).isEqualTo(1);
        assertThat(aws.sqs().getQueueAttributes(r -> r.queueUrl(stack.queues.workQueueUrl())
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).as("one correction on the queue").isEqualTo("1");
        SqsEventSource source = new SqsEventSource(aws.sqs(), stack.queues.workQueueUrl(),
                new StockToInventory(environment));
        pollUntil(source, () -> endpointPosts() == 1);
        for (int i = 0; i < 3; i++) {
            source.pollOnce(); // a second copy, had SQS kept one, would arrive now
        }
        assertThat(endpointPosts()).isEqualTo(1);
        JsonNode reported = JSON.readTree(server.findAll(postRequestedFor(urlEqualTo(ENDPOINT))).get(0).getBodyAsString());
        assertThat(reported.path("data").path("sku").asText()).isEqualTo("SS-MCS-OAT-M");
        assertThat(reported.path("data").path("locationRef").asText()).isEqualTo("101");
        assertThat(reported.path("data").path("available").asInt()).isEqualTo(42);
        assertThat(reported.path("data").path("sourceUpdatedAt").asText()).isEqualTo(UPDATED);
        String webhookId = first.drifts().get(0).webhookId();
        assertThat(stack.item("delivery#" + SHOP + ":" + webhookId + "#webhook")).containsEntry("outcome", "delivered");

        StockDrift.Result after = drift.run(SHOP, from, to, false);

        assertThat(after.scanned()).isEqualTo(1);
        assertThat(after.driftFound()).isZero();
        assertThat(after.queued()).isZero();
    }

    /** Katana's remembered levels, as DynamoDbReportedLevels stores them, are the yardstick. */
    @Test
    void katana_driftIsTheRememberedLevelAgainstShopifys_inTheRealTable() {
        ReportedLevels levels = new DynamoDbReportedLevels(aws.dynamo(), stack.table, Duration.ofDays(365));
        ReportedLevels.Key key = new ReportedLevels.Key(KatanaInventory.NAME, SHOP, "SS-MCS-OAT-M", "101");
        Instant now = Instant.now();
        levels.remember(key, new ReportedLevels.Reported(40, Instant.parse("2026-11-27T16:20:00Z"), SHOP + ":a"), now);
        Instant from = Instant.parse("2026-11-27T16:15:00Z");
        Instant to = Instant.parse("2026-11-27T16:30:00Z");

        StockDrift.Result drifted = drift(LastReported.katana(levels)).run(SHOP, from, to, true);
        levels.remember(key, new ReportedLevels.Reported(42, Instant.parse(UPDATED), SHOP + ":b"), now);
        StockDrift.Result inStep = drift(LastReported.katana(levels)).run(SHOP, from, to, true);

        assertThat(drifted.driftFound()).isEqualTo(1);
        assertThat(drifted.drifts().get(0).reported()).contains(40);
        assertThat(drifted.queued()).isZero();
        assertThat(inStep.driftFound()).isZero();
        assertThat(aws.drain(stack.queues.workQueueUrl())).isEmpty();
    }
}
