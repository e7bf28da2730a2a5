package io.shopsync.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.shopsync.emulator.SqsEventSource;
import io.shopsync.lambda.AwsServices;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.testing.AwsFlowStack;
import io.shopsync.testing.FakeTarget;
import io.shopsync.testing.LambdaInvoker;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every AWS request the order function makes per webhook, counted on the wire by a recording proxy between the
 * function's own SDK clients (built from its environment, as in Lambda) and the test backend. Issue #12's goals:
 * intake costs one SQS request per webhook, Secrets Manager is read once in the function's life and never again on
 * the hot path, and a delivery costs at most 2 DynamoDB requests per target and nothing else.
 */
@ExtendWith(AwsBackend.class)
class AwsRequestCountIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> HOP_BY_HOP = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "keep-alive");

    private final AwsClients aws;
    private final AwsFlowStack stack;
    private final HttpServer proxy;
    /** "Service.Operation" of every request the function sent, in order. */
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

    AwsRequestCountIT(AwsClients aws) throws IOException {
        this.aws = aws;
        this.stack = AwsFlowStack.create(aws, "order-to-crm");
        this.proxy = recordingProxy(aws.endpoint());
    }

    @AfterEach
    void stopProxy() {
        proxy.stop(0);
    }

    /** The function's environment as Lambda gives it, with every SDK client pointed at the recording proxy. */
    private Map<String, String> variables() {
        Map<String, String> env = new TreeMap<>(stack.variables());
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:" + proxy.getAddress().getPort());
        env.put("AWS_REGION", aws.region().id());
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        return env;
    }

    /**
     * orders/create for another order of the same customer, signed as Shopify would, with its own webhook id, event
     * id and trigger time (a second later each).
     */
    private static String orderWebhook(long orderId, int second) throws IOException {
        ObjectNode order = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-create.json"));
        order.put("id", orderId);
        order.put("name", "#" + (2000 + orderId % 1000));
        ObjectNode event = (ObjectNode) JSON.readTree(LambdaInvoker.withBody(
                Fixtures.text("events/order-to-crm/orders-create.json"), JSON.writeValueAsString(order)));
        ((ObjectNode) event.path("headers")).put("x-shopify-triggered-at",
                Instant.parse("2026-11-27T10:15:47.234647458Z").plusSeconds(second).toString());
        return JSON.writeValueAsString(event);
    }

    private static Map<String, Long> counts(List<String> requests) {
        return requests.stream().collect(Collectors.groupingBy(r -> r, TreeMap::new, Collectors.counting()));
    }

    @Test
    void intake_shouldSendOneSqsRequestPerWebhook_andReadTheSigningSecretOnceInTheFunctionsLife() throws IOException {
        Map<String, String> env = variables();
        OrderToCrm function = new OrderToCrm(FlowEnvironment.fromVariables(env, AwsServices.fromEnvironment(env)));
        List<String> atConstruction = List.copyOf(requests);
        requests.clear();

        int webhooks = 6;
        for (int i = 0; i < webhooks; i++) {
            JsonNode response = LambdaInvoker.invoke(function, orderWebhook(820982911946160000L + i, i));
            assertThat(response.path("statusCode").asInt()).as("answer to webhook %s", i).isEqualTo(200);
        }

        System.out.printf("AWS requests: construction %s; %d intake webhooks %s%n", atConstruction, webhooks,
                counts(requests));
        assertThat(atConstruction).as("AWS requests while Lambda constructs the function").isEmpty();
        assertThat(counts(requests)).as("AWS requests for %s intake webhooks: %s", webhooks, requests)
                .isEqualTo(Map.of("SecretsManager.GetSecretValue", 1L, "SQS.SendMessage", (long) webhooks));
        assertThat(requests.get(0)).as("the secret is read before the first send").isEqualTo("SecretsManager.GetSecretValue");
        assertThat(aws.drain(stack.queues.workQueueUrl())).hasSize(webhooks);
    }

    @Test
    void delivery_shouldCostAtMostTwoDynamoDbRequestsPerNewWebhook_andNoOtherAwsRequest() throws IOException {
        Map<String, String> env = variables();
        FakeTarget hubspot = new FakeTarget("hubspot");
        OrderToCrm function = new OrderToCrm(FlowEnvironment.builderFromVariables(env, AwsServices.fromEnvironment(env))
                .target(hubspot).build());
        int webhooks = 4;
        for (int i = 0; i < webhooks; i++) {
            assertThat(LambdaInvoker.invoke(function, orderWebhook(820982911946170000L + i, i)).path("statusCode").asInt())
                    .isEqualTo(200);
        }
        requests.clear();

        // Lambda's event source polls the queue with its own client (not counted) and hands the batch to the function.
        SqsEventSource source = new SqsEventSource(aws.sqs(), stack.queues.workQueueUrl(), function);
        int received = 0;
        for (int poll = 0; poll < 20 && hubspot.effects.size() < webhooks; poll++) {
            SqsEventSource.Poll result = source.pollOnce();
            assertThat(result.failed()).as("batch item failures").isEmpty();
            received += result.received().size();
        }

        assertThat(hubspot.effects).hasSize(webhooks);
        assertThat(received).isEqualTo(webhooks);
        Map<String, Long> counts = counts(requests);
        System.out.printf("AWS requests: %d new deliveries to one target %s, %.2f per delivery%n", webhooks, counts,
                requests.size() / (double) webhooks);
        assertThat(counts.keySet()).as("services the delivery called: %s", requests)
                .allMatch(request -> request.startsWith("DynamoDB."));
        assertThat(requests).as("DynamoDB requests for %s new deliveries to one target: %s", webhooks, requests)
                .hasSizeLessThanOrEqualTo(2 * webhooks);
    }

    /**
     * A loopback HTTP proxy that forwards every request to the backend unchanged and records its operation: the
     * {@code X-Amz-Target} of the JSON protocols (SQS, DynamoDB, Secrets Manager), the {@code Action} of the query
     * protocol (SNS), else S3's method and path.
     */
    private HttpServer recordingProxy(URI backend) throws IOException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                requests.add(operation(exchange, body));
                HttpRequest.Builder forward = HttpRequest.newBuilder(backend.resolve(exchange.getRequestURI().toString()))
                        .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
                exchange.getRequestHeaders().forEach((name, values) -> {
                    if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                        values.forEach(value -> forward.header(name, value));
                    }
                });
                HttpResponse<byte[]> answer = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
                answer.headers().map().forEach((name, values) -> {
                    if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                        exchange.getResponseHeaders().put(name, values);
                    }
                });
                byte[] out = answer.body();
                exchange.sendResponseHeaders(answer.statusCode(), out.length == 0 ? -1 : out.length);
                exchange.getResponseBody().write(out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("proxy interrupted", e);
            }
        });
        server.start();
        return server;
    }

    private static String operation(HttpExchange exchange, byte[] body) {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if (target != null) {
            String service = target.substring(0, target.indexOf('.'));
            String name = target.startsWith("AmazonSQS") ? "SQS"
                    : target.startsWith("DynamoDB") ? "DynamoDB"
                    : target.startsWith("secretsmanager") ? "SecretsManager" : service;
            return name + "." + target.substring(target.indexOf('.') + 1);
        }
        String form = new String(body, StandardCharsets.UTF_8);
        for (String pair : form.split("&")) {
            if (pair.startsWith("Action=")) {
                return "SNS." + URLDecoder.decode(pair.substring("Action=".length()), StandardCharsets.UTF_8);
            }
        }
        return "S3." + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
    }
}
