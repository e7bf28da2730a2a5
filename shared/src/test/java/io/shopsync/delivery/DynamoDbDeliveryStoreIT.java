package io.shopsync.delivery;

import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(AwsBackend.class)
class DynamoDbDeliveryStoreIT extends DeliveryStoreContract {

    private final DynamoDbDeliveryStore store;

    DynamoDbDeliveryStoreIT(AwsClients aws) {
        this.store = new DynamoDbDeliveryStore(aws.dynamo(), aws.createTable("shopsync-store-it"), LEASE, RETENTION,
                Duration.ofDays(35));
    }

    @Override
    DeliveryStore store() {
        return store;
    }
}
