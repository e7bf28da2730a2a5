package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import io.shopsync.testkit.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * With AWS_ENDPOINT_URL set, the local stack keeps delivery records in DynamoDB there, in a table of its own
 * created as template.yaml creates the idempotency table.
 */
@ExtendWith(AwsBackend.class)
class LocalStackDynamoDbIT {

    @TempDir
    Path logs;

    @Test
    void deliveryRecords_goToDynamoDb_whenAwsEndpointUrlIsSet(AwsClients aws) {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Map<String, String> environment = Map.of("AWS_ENDPOINT_URL", aws.endpoint().toString(),
                "AWS_REGION", aws.region().id(), "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test");

        try (RunningStack stack = RunningStack.start(new RunningStack.Options(StackTemplate.find(Path.of("")), 0,
                logs.resolve("local-stack.log"), false, environment), new PrintStream(console, true, StandardCharsets.UTF_8))) {
            JsonNode event = SignedWebhooks.event(Fixtures.path("events/order-to-crm/orders-create.json"));
            String webhookId = event.path("headers").path("x-shopify-webhook-id").asText();
            int status = SignedWebhooks.post(stack.url(), event,
                    RunningStack.DEV_SECRET).statusCode();
            JsonNode flows = SignedWebhooks.awaitIdle(stack.url(), Duration.ofSeconds(20)).path("flows");

            assertThat(status).isEqualTo(200);
            assertThat(flows.path("order-to-crm").path("received").asInt()).isEqualTo(1);
            assertThat(flows.path("order-to-crm").path("delivered").asInt()).isEqualTo(1);
            String printed = console.toString(StandardCharsets.UTF_8);
            assertThat(printed).contains("delivery records and watermarks in DynamoDB table shopsync-local-idempotency-");
            String table = printed.replaceAll("(?s).*DynamoDB table (\\S+) at .*", "$1");
            // Created as template.yaml creates it, and holding the delivery's record.
            var record = aws.dynamo().getItem(r -> r.tableName(table).consistentRead(true).key(java.util.Map.of("pk",
                    software.amazon.awssdk.services.dynamodb.model.AttributeValue.builder()
                            .s("delivery#shopsync-demo.myshopify.com:" + webhookId + "#hubspot").build()))).item();
            assertThat(record.get("state").s()).isEqualTo("COMPLETED");
            assertThat(aws.dynamo().describeTable(r -> r.tableName(table)).table().keySchema())
                    .extracting(k -> k.attributeName() + ":" + k.keyTypeAsString()).containsExactly("pk:HASH");
            assertThat(aws.dynamo().describeTimeToLive(r -> r.tableName(table)).timeToLiveDescription().attributeName())
                    .isEqualTo("expiresAt");
        }
    }
}
