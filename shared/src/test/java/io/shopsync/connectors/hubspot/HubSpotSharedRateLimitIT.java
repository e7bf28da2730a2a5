package io.shopsync.connectors.hubspot;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.shopsync.connectors.hubspot.HubSpotApi.UpdateResult;
import io.shopsync.connectors.hubspot.HubSpotApi.UpsertInput;
import io.shopsync.http.TargetResponse;
import io.shopsync.lambda.AwsServices;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.testing.FakeCrmApis;
import io.shopsync.testing.MotoS3;
import io.shopsync.testing.MotoSignedAws;
import io.shopsync.testing.RollingWindow;
import io.shopsync.testing.SerializedDynamoDb;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * HubSpot's limit is per account, while each function instance builds its own connector: several instances
 * of the order and fulfilment flows, wired as Lambda wires them ({@link FlowEnvironment#builderFromVariables}
 * on the real DynamoDB client), sending as fast as they are let must together stay within
 * {@code HUBSPOT_REQUESTS_PER_10S} in every ten seconds HubSpot counts (its window rolls), measured on the
 * arrival times at the HubSpot stand-in, in real time.
 */
@ExtendWith(AwsBackend.class)
class HubSpotSharedRateLimitIT {

    private static final int PERMITS = 20;
    private static final int INSTANCES = 4;
    private static final Duration WINDOW = Duration.ofSeconds(10);

    private final AwsClients aws;
    private final FakeCrmApis apis = new FakeCrmApis();
    /** DynamoDB requests on the wire, by operation name. */
    private final List<String> dynamoRequests = Collections.synchronizedList(new ArrayList<>());
    private final String table;

    HubSpotSharedRateLimitIT(AwsClients aws) {
        this.aws = aws;
        this.table = aws.createTable("shopsync-hubspot-budget-it");
    }

    @AfterEach
    void stop() {
        apis.close();
    }

    private DynamoDbClient countedDynamo() {
        return SerializedDynamoDb.counting(aws, dynamoRequests);
    }

    /** One function instance's HubSpot API, wired from the environment template.yaml gives the flows. */
    private HubSpotApi instance(DynamoDbClient dynamo, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "SHOPIFY_WEBHOOK_SECRET", "shopsync-local-dev-secret",
                "WORK_QUEUE_URL", "http://127.0.0.1:1/queue/order-to-crm.fifo",
                "DEAD_LETTER_QUEUE_URL", "http://127.0.0.1:1/queue/order-to-crm-dlq.fifo",
                "CLAIM_CHECK_BUCKET", "shopsync-claim-checks",
                "ALERTS_TOPIC_ARN", "arn:aws:sns:us-east-1:000000000000:shopsync-alerts",
                "IDEMPOTENCY_TABLE", table,
                "HUBSPOT_TOKEN", FakeCrmApis.HUBSPOT_TOKEN,
                "HUBSPOT_BASE_URL", apis.server.baseUrl(),
                "HUBSPOT_REQUESTS_PER_10S", Integer.toString(PERMITS),
                "HUBSPOT_CALLER_CONCURRENCY", "2,2"));
        env.putAll(extra);
        AwsServices services = new AwsServices(aws.sqs(), MotoSignedAws.secrets(aws), dynamo, MotoSignedAws.sns(aws), MotoS3.of(aws));
        return FlowEnvironment.builderFromVariables(env, services).build().hubspot().api();
    }

    private static UpsertInput contact(int instance, int n) {
        String email = "burst-" + instance + "-" + n + "@example.com";
        return new UpsertInput("contact-0", "email", email, Map.of("email", email, "firstname", "Zoe"));
    }


    @Test
    void instancesSendingAsFastAsTheyAreLet_stayWithinTheConfiguredRate_inEveryRollingWindow() throws Exception {
        DynamoDbClient dynamo = countedDynamo();
        List<HubSpotApi> instances = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            instances.add(instance(dynamo, Map.of()));
        }
        AtomicInteger written = new AtomicInteger();
        AtomicInteger deferred = new AtomicInteger();
        Instant end = Instant.now().plus(WINDOW).plusSeconds(3);
        ExecutorService pool = Executors.newFixedThreadPool(INSTANCES);
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            int instance = i;
            running.add(pool.submit(() -> {
                for (int n = 0; Instant.now().isBefore(end); n++) {
                    UpdateResult result = instances.get(instance).upsert("contacts", List.of(contact(instance, n)))
                            .get("contact-0");
                    if (result instanceof UpdateResult.Updated) {
                        written.incrementAndGet();
                    } else {
                        // Deferred by the limit: the message would go back to the queue until the budget frees.
                        assertThat(result).isInstanceOfSatisfying(UpdateResult.RequestFailed.class, failed ->
                                assertThat(failed.failure()).isInstanceOfSatisfying(TargetResponse.Transient.class,
                                        retry -> assertThat(retry.reason()).contains("rate limit")));
                        deferred.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> each : running) {
            each.get();
        }
        pool.shutdown();

        List<Instant> arrivals = apis.server.getAllServeEvents().stream()
                .filter(event -> event.getRequest().getUrl().equals(FakeCrmApis.HUBSPOT_CONTACTS))
                .map(event -> event.getRequest().getLoggedDate().toInstant()).toList();
        int busiest = RollingWindow.busiest(arrivals, WINDOW);
        long updates = dynamoRequests.stream().filter("UpdateItem"::equals).count();
        System.out.printf("hubspot shared budget: %d instances, %d requests per 10 s configured: busiest rolling 10 s"
                        + " %d requests, %d written, %d deferred; %d DynamoDB requests (%d UpdateItem), %.2f per HubSpot"
                        + " request%n", INSTANCES, PERMITS, busiest, written.get(), deferred.get(), dynamoRequests.size(),
                updates, (double) dynamoRequests.size() / Math.max(1, arrivals.size()));

        assertThat(arrivals).hasSize(written.get());
        assertThat(busiest).as("requests HubSpot saw in its busiest 10 s").isLessThanOrEqualTo(PERMITS);
        // The budget is used, not just guarded: at least three quarters of it in the busiest window.
        assertThat(busiest).isGreaterThanOrEqualTo(PERMITS * 3 / 4);
        apis.server.verify(written.get(), postRequestedFor(urlEqualTo(FakeCrmApis.HUBSPOT_CONTACTS)));
    }
}
