package io.shopsync.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopsync.flow.WebhookRoutes;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testkit.Fixtures;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SnapStart priming drives the SDK's request path of every AWS client a flow uses, against the in-memory stand-in
 * only: the clients' endpoint is a loopback socket that counts every connection, so any request that leaves the
 * process during priming fails the test; afterwards the same clients reach that endpoint again (issue #12).
 */
class FlowFunctionPrimingTest {

    /** A loopback endpoint that accepts, counts and hangs up: what a request leaving the process would reach. */
    private static final class Tripwire implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger connections = new AtomicInteger();
        final Thread acceptor = new Thread(() -> {
            while (!socket.isClosed()) {
                try (Socket accepted = socket.accept()) {
                    connections.incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        });

        Tripwire() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** What template.yaml gives a flow's function, with every AWS endpoint at {@code endpoint}. */
    private static Map<String, String> lambda(String endpoint) {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL", endpoint);
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("WORK_QUEUE_URL", endpoint + "/123456789012/shopsync-order-to-crm.fifo");
        env.put("DEAD_LETTER_QUEUE_URL", endpoint + "/123456789012/shopsync-order-to-crm-dlq.fifo");
        env.put("CLAIM_CHECK_BUCKET", "shopsync-claims");
        env.put("SHOPIFY_WEBHOOK_SECRET_ID", "shopsync/order-to-crm-webhook");
        env.put("IDEMPOTENCY_TABLE", "shopsync-idempotency");
        env.put("ALERTS_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:shopsync-alerts");
        return env;
    }

    private static FlowFunction orderFunction(Map<String, String> env) {
        return new FlowFunction(WebhookRoutes.orderFlow(false),
                FlowEnvironment.fromVariables(env, AwsServices.fromEnvironment(env)), List.of()) {
        };
    }

    @Test
    void prime_shouldDriveEveryAwsClientsRequestPath_againstTheStandIn_withoutANetworkCall() throws Exception {
        try (Tripwire network = new Tripwire()) {
            FlowFunction function = orderFunction(lambda(network.url()));
            AwsStandIn aws = new AwsStandIn(FlowFunction.PRIMING_SECRET);

            function.prime(aws);

            assertThat(network.connections.get()).as("connections made during priming").isZero();
            assertThat(aws.exchanges()).as("every priming request answered as the service answers it")
                    .allSatisfy(exchange -> assertThat(exchange.status()).isEqualTo(200));
            assertThat(aws.exchanges()).extracting(e -> e.service() + " " + e.operation()).contains(
                    "secretsmanager GetSecretValue",
                    "sqs SendMessage", "sqs ChangeMessageVisibility",
                    "dynamodb UpdateItem", "dynamodb PutItem",
                    "sns Publish",
                    "s3 PutObject", "s3 GetObject");
        }
    }

    @Test
    void prime_shouldLeaveTheClientsSendingForReal_afterwards() throws Exception {
        // The SDK's environment-variable provider reads the process's environment, which a test cannot set: the
        // default chain's first link, system properties, stands in for it.
        Map<String, String> env;
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        try (Tripwire network = new Tripwire()) {
            env = lambda(network.url());
            env.remove("AWS_ACCESS_KEY_ID");
            env.remove("AWS_SECRET_ACCESS_KEY");
            FlowFunction function = orderFunction(env);
            function.prime();
            assertThat(network.connections.get()).isZero();

            // The first real webhook reads the signing secret: it must go to the endpoint, which hangs up.
            LambdaInvoker.invoke(function, Fixtures.text("events/order-to-crm/orders-create.json"));

            assertThat(network.connections.get()).as("connections after priming").isPositive();
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }
}
