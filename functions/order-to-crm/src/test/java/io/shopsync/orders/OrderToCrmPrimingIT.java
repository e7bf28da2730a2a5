package io.shopsync.orders;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopsync.emulator.SqsEventSource;
import io.shopsync.lambda.AwsServices;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.FakeTarget;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The order function as Lambda builds it (its own AWS clients from the environment), primed as SnapStart's
 * beforeCheckpoint primes it, then serving a real webhook: the priming wrote nothing to the stack, and the clients
 * it switched to the in-memory stand-in and back deliver for real afterwards (issue #12).
 */
@ExtendWith(AwsBackend.class)
class OrderToCrmPrimingIT {

    private final AwsFlowStack stack;
    private final FakeTarget hubspot = new FakeTarget("hubspot");
    private final OrderToCrm function;

    OrderToCrmPrimingIT(AwsClients aws) {
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        Map<String, String> env = stack.variables();
        env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
        env.put("AWS_REGION", aws.region().id());
        // The credentials come from the process, as in Lambda (the test run exports the endpoint's).
        for (String name : java.util.List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
            if (System.getenv(name) != null) {
                env.put(name, System.getenv(name));
            }
        }
        this.function = new OrderToCrm(FlowEnvironment.builderFromVariables(env, AwsServices.fromEnvironment(env))
                .target(hubspot).build());
    }

    @Test
    void afterPriming_nothingIsWrittenToTheStack_andTheFirstWebhookIsQueuedAndDelivered() throws Exception {
        function.prime();

        assertThat(stack.aws.drain(stack.queues.workQueueUrl())).as("work queue after priming").isEmpty();
        assertThat(stack.aws.drain(stack.queues.deadLetterQueueUrl())).as("DLQ after priming").isEmpty();
        assertThat(stack.aws.drain(stack.alerts.queueUrl())).as("alerts after priming").isEmpty();
        assertThat(stack.aws.dynamo().scan(r -> r.tableName(stack.table)).count()).as("table items after priming").isZero();
        assertThat(stack.aws.s3().listObjectsV2(r -> r.bucket(stack.bucket)).keyCount()).as("claim checks").isZero();

        assertThat(LambdaInvoker.invoke(function, Fixtures.text("events/order-to-crm/orders-create.json"))
                .path("statusCode").asInt()).isEqualTo(200);
        SqsEventSource source = new SqsEventSource(stack.aws.sqs(), stack.queues.workQueueUrl(), function);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (hubspot.effects.isEmpty() && Instant.now().isBefore(deadline)) {
            source.pollOnce();
        }

        assertThat(hubspot.effects).extracting(item -> item.topic() + " " + item.envelope().entity())
                .containsExactly("orders/create shopsync-demo.myshopify.com/order/820982911946154508");
        assertThat(stack.aws.drain(stack.queues.deadLetterQueueUrl())).isEmpty();
    }
}
