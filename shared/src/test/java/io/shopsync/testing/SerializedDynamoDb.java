package io.shopsync.testing;

import io.shopsync.testkit.AwsClients;
import java.util.List;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * A DynamoDB client whose UpdateItems reach the backend one at a time. DynamoDB applies the writes to one item one
 * after another, so a conditional {@code ADD} is atomic; moto server evaluates concurrent ones without isolation
 * (measured on moto 5: eight threads racing a counter limited to 2 were granted 3 in 2 of 20 trials, the item
 * still saying 2). Tests of concurrent conditional counters send through this, so they test the code and not
 * moto's race.
 */
public final class SerializedDynamoDb implements DynamoDbClient {

    private final DynamoDbClient delegate;

    public SerializedDynamoDb(DynamoDbClient delegate) {
        this.delegate = delegate;
    }

    /** One at the test backend that adds the operation name of each request it sends (retries too) to {@code sent}. */
    public static SerializedDynamoDb counting(AwsClients aws, List<String> sent) {
        return new SerializedDynamoDb(DynamoDbClient.builder().endpointOverride(aws.endpoint()).region(aws.region())
                .credentialsProvider(aws.credentials()).httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                        sent.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
                    }
                }))
                .build());
    }


    @Override
    public synchronized UpdateItemResponse updateItem(UpdateItemRequest request) {
        return delegate.updateItem(request);
    }

    @Override
    public String serviceName() {
        return delegate.serviceName();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
