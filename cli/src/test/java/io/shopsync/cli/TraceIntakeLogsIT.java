package io.shopsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.emulator.SqsEventSource;
import io.shopsync.observability.Telemetry;
import io.shopsync.orders.OrderToCrm;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.FakeTarget;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;

/**
 * {@code trace} where the delivery records cannot answer: webhooks the real order flow refused at intake leave only
 * their intake log line. The function's lines go to the stack's log group as Lambda writes them (PutLogEvents), the
 * stack is a CloudFormation stack with the template's log groups and outputs, all on the AWS-compatible test backend,
 * and the CLI asks Logs Insights (StartQuery, GetQueryResults) as an operator's trace would.
 */
@ExtendWith(AwsBackend.class)
class TraceIntakeLogsIT {

    private static final String ORDER = "820982911946154508";
    private static final String SHOP = "shopsync-demo.myshopify.com";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AwsClients aws;
    private final AwsFlowStack stack;
    private final FakeTarget hubspot = new FakeTarget("hubspot");
    private final CapturedLines lines = new CapturedLines();
    private final CloudFormationClient cloudFormation;
    private final CloudWatchLogsClient logs;
    private final String stackName = "shopsync-" + System.nanoTime();
    private final String logGroup = "/aws/lambda/" + stackName + "-order-to-crm";
    private final CliRun cli;
    private int written;

    TraceIntakeLogsIT(AwsClients aws) {
        this.aws = aws;
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        this.cloudFormation = CloudFormationClient.builder().endpointOverride(aws.endpoint()).region(aws.region())
                .credentialsProvider(aws.credentials()).build();
        this.logs = CloudWatchLogsClient.builder().endpointOverride(aws.endpoint()).region(aws.region())
                .credentialsProvider(aws.credentials()).build();
        this.cli = new CliRun(Map.of("AWS_ENDPOINT_URL", aws.endpoint().toString(), "AWS_REGION", aws.region().id()),
                Duration.ofMillis(50));
        deploy();
    }

    @AfterEach
    void close() {
        cloudFormation.close();
        logs.close();
    }

    @Test
    void trace_ofAnOrderEveryWebhookOfWhichWasRefused401_showsTheRefusalFromTheLogs_andSaysCheckTheSigningSecret() {
        // The stack's secret was changed to one Shopify does not sign with: every webhook is refused.
        aws.secretsManager().putSecretValue(r -> r.secretId(stack.secretName).secretString("a-secret-shopify-never-used"));
        OrderToCrm function = function();
        assertThat(post(function, Fixtures.text("events/order-to-crm/orders-create.json"))).isEqualTo(401);
        shipLogs();

        CliRun.Result result = trace(ORDER);

        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out())
                .startsWith("no delivery record of order " + ORDER + " of " + SHOP + " in the last 72 h: every webhook of "
                        + "it the flows' logs show was refused at intake\n")
                .contains("orders/create  webhook f1e47194-bdbf-5fad-9917-193e05f15a92  triggered "
                        + "2026-11-27T10:15:47.234647458Z  (order-to-crm, https)\n      401 unauthenticated: signature-mismatch\n")
                .contains("next: the signature matched none of the stack's signing secrets: check that the secret "
                        + "WebhookSecretName holds the app's current client secret (runbook: "
                        + "docs/operations.md#unauthenticated-webhooks)")
                .contains("`scripts/shopsync reconcile --stack " + stackName + " --shop " + SHOP);
        assertThat(result.err()).contains("searching the flows' logs for webhooks of " + SHOP + "/order/" + ORDER
                + " refused at intake (Logs Insights, 3 log groups, last 72 h");
        assertThat(result.all()).doesNotContain("a-secret-shopify-never-used").doesNotContain("Zoe.Adams");
    }

    @Test
    void trace_json_carriesTheRefusals_theLogGroups_andTheQuery() throws Exception {
        aws.secretsManager().putSecretValue(r -> r.secretId(stack.secretName).secretString("a-secret-shopify-never-used"));
        OrderToCrm function = function();
        post(function, Fixtures.text("events/order-to-crm/orders-create.json"));
        shipLogs();

        CliRun.Result result = trace(ORDER, "--json");

        assertThat(result.exitCode()).as(result.all()).isZero();
        JsonNode trace = JSON.readTree(result.out());
        assertThat(trace.path("found").asBoolean()).isFalse();
        JsonNode searched = trace.path("logs");
        assertThat(searched.path("searched").asBoolean()).isTrue();
        assertThat(searched.path("status").asText()).isEqualTo("Complete");
        assertThat(searched.path("problem").isNull()).isTrue();
        assertThat(searched.path("logGroups").toString()).contains("\"" + logGroup + "\"", "-stock-to-inventory\"",
                "-fulfilment-to-crm\"");
        assertThat(searched.path("query").asText()).contains("entity = \"" + SHOP + "/order/" + ORDER + "\"");
        assertThat(Duration.between(Instant.parse(searched.path("from").asText()), Instant.parse(searched.path("to")
                .asText()))).isEqualTo(Duration.ofHours(72));
        JsonNode refusal = searched.path("refusedAtIntake").get(0);
        assertThat(searched.path("refusedAtIntake").size()).isEqualTo(1);
        assertThat(refusal.path("httpStatus").asInt()).isEqualTo(401);
        assertThat(refusal.path("outcome").asText()).isEqualTo("unauthenticated");
        assertThat(refusal.path("reason").asText()).isEqualTo("signature-mismatch");
        assertThat(refusal.path("topic").asText()).isEqualTo("orders/create");
        assertThat(refusal.path("webhookId").asText()).isEqualTo("f1e47194-bdbf-5fad-9917-193e05f15a92");
        assertThat(refusal.path("logGroup").asText()).isEqualTo(logGroup);
        assertThat(refusal.path("nextStep").asText()).contains("docs/operations.md#unauthenticated-webhooks");
    }

    @Test
    void trace_ofADeliveredOrder_alsoShowsAFulfilmentOfItSentToTheWrongRoute_andHowToPointItRight() {
        OrderToCrm function = function();
        SqsEventSource source = new SqsEventSource(aws.sqs(), stack.queues.workQueueUrl(), function);
        String orderEvent = Fixtures.text("events/order-to-crm/orders-create.json");
        assertThat(post(function, orderEvent)).isEqualTo(200);
        // Shopify's fulfillments/create for the same order, subscribed to the order flow's route by mistake.
        assertThat(post(function, LambdaInvoker.withTopicAndBody(orderEvent, "fulfillments/create",
                Fixtures.text("events/payloads/fulfillments-create.json")))).isEqualTo(200);
        pollUntil(source, () -> hubspot.effects.size() == 1);
        shipLogs();

        CliRun.Result result = trace(ORDER);

        assertThat(result.exitCode()).as(result.all()).isZero();
        String out = result.out();
        assertThat(out).contains("order-to-crm -> hubspot", "      delivered: the target accepted it\n");
        assertThat(out).contains("Refused at intake (the flows' logs, last 72 h), newest first:\n")
                .contains("  fulfillments/create  webhook ")
                .contains("      200 dead-lettered: topic fulfillments/create is not handled by flow order-to-crm")
                .contains("next: the subscription sends this topic to the wrong flow's route: `scripts/shopsync webhooks "
                        + "register --stack " + stackName + " --shop " + SHOP + "`");
        // The delivered webhook's own intake line is the records' to tell, not a refusal.
        assertThat(out.substring(out.indexOf("Refused at intake"))).doesNotContain("  orders/create  webhook");
    }

    @Test
    void trace_ofAnOrderNothingArrivedFor_saysTheLogsHaveNoRefusalEither() {
        OrderToCrm function = function();
        post(function, Fixtures.text("events/order-to-crm/orders-create.json"));
        shipLogs();

        CliRun.Result result = trace("5123456789012");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("no webhook for order 5123456789012 of " + SHOP + " in the last 72 h")
                .contains("Refused at intake (the flows' logs, last 72 h): none");
    }

    @Test
    void trace_withNoLogs_searchesNoLogGroup_andSaysSo() {
        aws.secretsManager().putSecretValue(r -> r.secretId(stack.secretName).secretString("a-secret-shopify-never-used"));
        post(function(), Fixtures.text("events/order-to-crm/orders-create.json"));
        shipLogs();

        CliRun.Result result = trace(ORDER, "--no-logs");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("no webhook for order " + ORDER)
                .contains("Refused at intake (the flows' logs): not searched (--no-logs)");
        assertThat(result.err()).doesNotContain("searching the flows' logs");
    }

    /** The stack as sam deploy leaves it: the three functions' log groups, and the outputs trace reads. */
    private void deploy() {
        String dlq = stack.queues.deadLetterQueueUrl();
        StringBuilder resources = new StringBuilder();
        StringBuilder outputs = new StringBuilder();
        for (DeployedFlow flow : DeployedFlow.ALL) {
            String prefix = flow.queueUrlOutput().replace("QueueUrl", "");
            resources.append(resources.isEmpty() ? "" : ",").append("""
                    "%sLogGroup": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/aws/lambda/%s-%s",
                      "RetentionInDays": 30}}""".formatted(prefix, stackName, flow.name()));
            outputs.append("""
                    "%s": {"Value": "%s"}, "%s": {"Value": "%s-%s"},""".formatted(flow.deadLetterQueueUrlOutput(), dlq,
                    flow.functionNameOutput(), stackName, flow.name()));
        }
        String template = """
                {"Resources": {%s},
                 "Outputs": {%s "IdempotencyTableName": {"Value": "%s"}}}""".formatted(resources, outputs, stack.table);
        cloudFormation.createStack(r -> r.stackName(stackName).templateBody(template));
        Instant deadline = Instant.now().plusSeconds(30);
        while (cloudFormation.describeStacks(r -> r.stackName(stackName)).stacks().get(0).stackStatus()
                != StackStatus.CREATE_COMPLETE && Instant.now().isBefore(deadline)) {
            Thread.onSpinWait();
        }
        assertThat(logs.describeLogGroups(r -> r.logGroupNamePrefix(logGroup)).logGroups()).hasSize(1);
        logs.createLogStream(r -> r.logGroupName(logGroup).logStreamName("2026/12/03/[$LATEST]0f1e2d3c4b5a"));
    }

    private OrderToCrm function() {
        return new OrderToCrm(stack.environmentBuilder().target(hubspot)
                .telemetry(new Telemetry(JSON, lines, Clock.systemUTC())).build());
    }

    private static int post(OrderToCrm function, String event) {
        return LambdaInvoker.invoke(function, event).path("statusCode").asInt();
    }

    /**
     * What Lambda does with the function's standard output: each line an event of its log group, stamped when
     * written; with Lambda's own JSON platform line, which is not the function's.
     */
    private void shipLogs() {
        List<InputLogEvent> events = new ArrayList<>();
        events.add(InputLogEvent.builder().timestamp(System.currentTimeMillis()).message(
                "{\"time\":\"" + Instant.now() + "\",\"type\":\"platform.start\",\"record\":{\"requestId\":"
                        + "\"6f1c3a52-0c5e-4a3b-9a66-1d2f0e3b4c5d\",\"version\":\"$LATEST\"}}").build());
        List<String> raw = lines.raw.subList(written, lines.raw.size());
        for (String line : raw) {
            events.add(InputLogEvent.builder().timestamp(System.currentTimeMillis()).message(line).build());
        }
        written = lines.raw.size();
        logs.putLogEvents(r -> r.logGroupName(logGroup).logStreamName("2026/12/03/[$LATEST]0f1e2d3c4b5a")
                .logEvents(events));
    }

    private void pollUntil(SqsEventSource source, BooleanSupplier done) {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!done.getAsBoolean() && Instant.now().isBefore(deadline)) {
            source.pollOnce();
        }
        assertThat(done.getAsBoolean()).as("reached within 30 s").isTrue();
    }

    private CliRun.Result trace(String order, String... more) {
        List<String> args = new ArrayList<>(List.of("trace", "--stack", stackName, "--shop", "shopsync-demo", "--order",
                order));
        args.addAll(List.of(more));
        return cli.run(args.toArray(String[]::new));
    }
}
