package io.shopsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.delivery.DynamoDbDeliveryStore;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.envelope.EnvelopeCodec;
import io.shopsync.flow.EntityVersion;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * {@code scripts/shopsync reconcile --flows customers} as an operator runs it to import the customers who never
 * ordered: against a deployed stack's outputs and parameters (CloudFormation), the order flow's FIFO queue and the
 * table on an AWS-compatible endpoint, and Shopify's customers connection ({@link ShopifyCustomerHistory}). Each
 * customer a target lacks must reach the queue once, as a customers/* webhook for that person and version would,
 * across a throttle and an interruption; a customer every target has in this version is left alone.
 */
@ExtendWith(AwsBackend.class)
class ReconcileCustomersIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = ReconcileCommandIT.SHOP;
    private static final Instant HISTORY_START = Instant.parse("2025-06-01T00:00:00Z");
    private static final int COUNT = 250;

    private final AwsClients aws;
    private final AwsFlowStack stack;
    private final ShopifyCustomerHistory shopify = new ShopifyCustomerHistory();
    private final CliRun cli;
    private final CloudFormationClient cloudFormation;

    ReconcileCustomersIT(AwsClients aws) {
        this.aws = aws;
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        this.cloudFormation = CloudFormationClient.builder().endpointOverride(aws.endpoint()).region(aws.region())
                .credentialsProvider(aws.credentials()).build();
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
        env.put("AWS_REGION", aws.region().id());
        env.put("SHOPIFY_ADMIN_TOKEN", ShopifyCustomerHistory.TOKEN);
        this.cli = new CliRun(env, Duration.ofMillis(20));
    }

    @AfterEach
    void stop() {
        shopify.close();
        cloudFormation.close();
    }

    /** A stack as sam deploy leaves it: the outputs the command reads, and the parameters it was deployed with. */
    private String deployed(boolean customerTopics) {
        String name = "shopsync-" + System.nanoTime();
        String template = """
                {"Parameters": {"OrderFlowCustomerTopics": {"Type": "String"}, "CrmTargets": {"Type": "String"},
                  "Queue": {"Type": "String"}, "Dlq": {"Type": "String"}, "Table": {"Type": "String"}, "Bucket": {"Type": "String"}},
                 "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
                 "Outputs": {"OrderToCrmQueueUrl": {"Value": {"Ref": "Queue"}},
                  "OrderToCrmDeadLetterQueueUrl": {"Value": {"Ref": "Dlq"}},
                  "IdempotencyTableName": {"Value": {"Ref": "Table"}}, "ClaimCheckBucketName": {"Value": {"Ref": "Bucket"}}}}""";
        cloudFormation.createStack(r -> r.stackName(name).templateBody(template).parameters(
                parameter("OrderFlowCustomerTopics", Boolean.toString(customerTopics)),
                parameter("CrmTargets", "hubspot,klaviyo"),
                parameter("Queue", stack.queues.workQueueUrl()), parameter("Dlq", stack.queues.deadLetterQueueUrl()),
                parameter("Table", stack.table), parameter("Bucket", stack.bucket)));
        return name;
    }

    private static Parameter parameter(String key, String value) {
        return Parameter.builder().parameterKey(key).parameterValue(value).build();
    }

    private static String id(int i) {
        return Long.toString(706_405_506_930_000L + i);
    }

    /** {@code count} customers, two updated in each hour from HISTORY_START (so some share an updated_at). */
    private List<String> customers(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            shopify.customers.put(id(i), HISTORY_START.plus(Duration.ofHours(i / 2)));
            ids.add(id(i));
        }
        return ids;
    }

    /** Both targets already have customer {@code i} in Shopify's version (a live customers/update delivered it). */
    private void alreadyDelivered(int i) {
        DynamoDbDeliveryStore store = DynamoDbDeliveryStore.withDefaults(aws.dynamo(), stack.table);
        Instant updatedAt = shopify.customers.get(id(i));
        for (String target : List.of("hubspot", "klaviyo")) {
            assertThat(store.advanceWatermark(SHOP + "/customer/" + id(i), target,
                    new EntityVersion(updatedAt, updatedAt.plusMillis(700)), Instant.now())).isTrue();
        }
    }

    private CliRun.Result reconcile(String stackName, String... more) {
        List<String> args = new ArrayList<>(List.of("reconcile", "--shop", SHOP, "--admin-url", shopify.baseUrl(),
                "--since", "2025-06-01", "--until", "2025-08-01T00:00:00Z", "--flows", "customers",
                "--stack", stackName, "--rate", "300"));
        args.addAll(List.of(more));
        return cli.run(args.toArray(String[]::new));
    }

    private List<Message> drained() {
        return aws.drain(stack.queues.workQueueUrl());
    }

    private List<Map<String, AttributeValue>> backfillItems() {
        return aws.dynamo().scan(r -> r.tableName(stack.table)).items().stream()
                .filter(item -> item.get("pk").s().startsWith("backfill#")).toList();
    }

    @Test
    void customersOverSeveralPages_throttledAndInterrupted_areResumed_queuingEachOnce_asTheirCustomerWebhooks()
            throws IOException {
        List<String> ids = customers(COUNT);
        alreadyDelivered(0);
        String name = deployed(true);
        shopify.throttleOffsets.add(100);
        shopify.failFromOffset = 200;

        CliRun.Result interrupted = reconcile(name);

        assertThat(interrupted.exitCode()).as(interrupted.all()).isEqualTo(1);
        assertThat(interrupted.err()).contains("INTERNAL_SERVER_ERROR").contains("run the same command again");
        assertThat(ReconcileCommandIT.summary(interrupted)).as("two pages read; the first customer current")
                .containsExactly(200, 199, 1);
        assertThat(cli.waits).as("the THROTTLED page waited for the bucket to refill (202 of 402 points at 100/s)")
                .contains(Duration.ofSeconds(2));
        List<Message> first = drained();
        assertThat(first).hasSize(199);

        shopify.failFromOffset = -1;
        CliRun.Result resumed = reconcile(name);

        assertThat(resumed.exitCode()).as(resumed.all()).isZero();
        assertThat(resumed.out()).contains("customers: resumed from " + shopify.customers.get(id(199)));
        assertThat(ReconcileCommandIT.summary(resumed)[1]).as("the resumed run queues only what the first did not")
                .isEqualTo(50);
        List<Message> second = drained();
        assertThat(second).hasSize(50);

        EnvelopeCodec codec = new EnvelopeCodec(JSON);
        List<Message> all = new ArrayList<>(first);
        all.addAll(second);
        List<Envelope> envelopes = all.stream().map(m -> codec.decode(m.body())).toList();
        assertThat(envelopes).extracting(Envelope::webhookId).containsExactlyInAnyOrderElementsOf(ids.subList(1, COUNT)
                .stream().map(id -> "shopsync-reconcile-customer-" + id + "-" + shopify.customers.get(id).toEpochMilli())
                .toList());
        // A customers/* webhook's group (the person's entity) and the topic no target has seen yet.
        Envelope one = envelopes.get(0);
        assertThat(one.flow()).isEqualTo("order-to-crm");
        assertThat(one.topic()).isEqualTo("customers/create");
        assertThat(one.entity()).isEqualTo(SHOP + "/customer/" + id(1));
        assertThat(first.get(0).attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID)).isEqualTo(one.entity());
        assertThat(one.triggeredAt()).isEqualTo(shopify.customers.get(id(1)));
        JsonNode payload = JSON.readTree(((Body.Inline) one.body()).bytes());
        assertThat(payload.path("shopsync_source").asText()).isEqualTo("backfill");
        assertThat(payload.path("id").isIntegralNumber()).isTrue();
        assertThat(payload.path("id").asText()).isEqualTo(id(1));
        assertThat(payload.path("admin_graphql_api_id").asText()).isEqualTo("gid://shopify/Customer/" + id(1));
        assertThat(payload.path("email").asText()).isEqualTo("zoe.adams+1@example.com");
        assertThat(payload.path("phone").isNull()).isTrue();
        assertThat(payload.path("state").asText()).isEqualTo("enabled");
        assertThat(payload.path("updated_at").asText()).isEqualTo(shopify.customers.get(id(1)).toString());
        assertThat(payload.path("default_address").path("city").asText()).isEqualTo("Ottawa");
        assertThat(payload.path("default_address").path("country_code").asText()).isEqualTo("CA");
        assertThat(payload.path("addresses")).singleElement()
                .satisfies(address -> assertThat(address.path("zip").asText()).isEqualTo("K2P 1L4"));

        assertThat(backfillItems()).singleElement().satisfies(item -> {
            assertThat(item.get("pk").s()).isEqualTo("backfill#" + SHOP + "#2025-06-01T00:00:00Z#customers");
            assertThat(item.get("finished").bool()).isTrue();
        });
        CliRun.Result again = reconcile(name);
        assertThat(again.out()).contains("already done up to 2025-08-01T00:00:00Z");
        assertThat(drained()).isEmpty();
    }

    @Test
    void aDryRun_queuesNothing_keepsNoProgress_andSaysWhatItWouldQueue() {
        List<String> ids = customers(3);
        alreadyDelivered(2);
        String name = deployed(true);

        CliRun.Result result = reconcile(name, "--dry-run");

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out()).contains("dry run: nothing is queued")
                .contains("would queue customers/create " + SHOP + "/customer/" + ids.get(0))
                .contains("dry run, reconcile " + SHOP + ": scanned 3, would queue 2, already current 1");
        assertThat(drained()).isEmpty();
        assertThat(backfillItems()).isEmpty();
    }

    @Test
    void aCustomerOneTargetHasOlder_isQueuedAsAnUpdate_whileACurrentOneIsLeftAlone() throws IOException {
        customers(2);
        alreadyDelivered(1);
        DynamoDbDeliveryStore store = DynamoDbDeliveryStore.withDefaults(aws.dynamo(), stack.table);
        Instant older = shopify.customers.get(id(0)).minus(Duration.ofDays(30));
        assertThat(store.advanceWatermark(SHOP + "/customer/" + id(0), "hubspot", new EntityVersion(older, older),
                Instant.now())).isTrue();

        CliRun.Result result = reconcile(deployed(true));

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(ReconcileCommandIT.summary(result)).containsExactly(2, 1, 1);
        List<Message> queued = drained();
        assertThat(queued).singleElement().satisfies(message -> {
            Envelope envelope = new EnvelopeCodec(JSON).decode(message.body());
            assertThat(envelope.topic()).isEqualTo("customers/update");
            assertThat(envelope.entity()).isEqualTo(SHOP + "/customer/" + id(0));
        });
    }

    @Test
    void aStackWhoseOrderFlowDoesNotTakeCustomerTopics_isRefused_andNothingIsRead() {
        customers(3);

        CliRun.Result result = reconcile(deployed(false));

        assertThat(result.exitCode()).as(result.all()).isEqualTo(1);
        assertThat(result.err()).contains("OrderFlowCustomerTopics").contains("customers/update");
        assertThat(shopify.scanRequests()).isZero();
        assertThat(drained()).isEmpty();
    }

    @Test
    void withoutAStack_customersAreRefused_becauseOnlyTheStackSaysWhetherItsOrderFlowTakesThem() {
        CliRun.Result result = cli.run("reconcile", "--shop", SHOP, "--admin-url", shopify.baseUrl(), "--since", "2025-06-01",
                "--flows", "customers", "--queue-url", stack.queues.workQueueUrl(), "--dlq-url",
                stack.queues.deadLetterQueueUrl(), "--table", stack.table, "--bucket", stack.bucket);

        assertThat(result.exitCode()).as(result.all()).isEqualTo(1);
        assertThat(result.err()).contains("--stack").contains("OrderFlowCustomerTopics");
        assertThat(shopify.scanRequests()).isZero();
    }
}
