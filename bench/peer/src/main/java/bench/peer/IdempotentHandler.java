package bench.peer;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.lambda.powertools.idempotency.Idempotency;
import software.amazon.lambda.powertools.idempotency.IdempotencyConfig;
import software.amazon.lambda.powertools.idempotency.Idempotent;
import software.amazon.lambda.powertools.idempotency.persistence.DynamoDBPersistenceStore;

/**
 * The peer of issue #12: the idempotent handler Powertools v1's documentation shows, keyed on the webhook id,
 * its records in DynamoDB ({@code IDEMPOTENCY_TABLE}, hash key {@code id}). It does no work of its own.
 * Its DynamoDB client is the one Powertools builds by default (url-connection, environment credentials,
 * {@code AWS_REGION}), plus the endpoint override the benchmark's local endpoint needs (SDK 2.20 does not
 * read {@code AWS_ENDPOINT_URL} itself).
 */
public class IdempotentHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    public IdempotentHandler() {
        Idempotency.config()
                .withConfig(IdempotencyConfig.builder()
                        .withEventKeyJMESPath("headers.\"x-shopify-webhook-id\"")
                        .build())
                .withPersistenceStore(DynamoDBPersistenceStore.builder()
                        .withTableName(System.getenv("IDEMPOTENCY_TABLE"))
                        .withDynamoDbClient(dynamo())
                        .build())
                .configure();
    }

    private static DynamoDbClient dynamo() {
        var builder = DynamoDbClient.builder()
                .httpClient(UrlConnectionHttpClient.builder().build())
                .credentialsProvider(EnvironmentVariableCredentialsProvider.create())
                .region(Region.of(System.getenv("AWS_REGION")));
        String endpoint = System.getenv("AWS_ENDPOINT_URL");
        if (endpoint != null && !endpoint.isBlank()) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return builder.build();
    }

    @Override
    @Idempotent
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        return Map.of("statusCode", 200, "body", "{\"ok\":true}");
    }
}
