package io.shopsync.delivery;

import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(AwsBackend.class)
class DynamoDbNewestSentVersionIT extends NewestSentVersionContract {

    private final DynamoDbDeliveryStore store;

    DynamoDbNewestSentVersionIT(AwsClients aws) {
        this.store = new DynamoDbDeliveryStore(aws.dynamo(), aws.createTable("shopsync-sent-version-it"), LEASE,
                Duration.ofHours(72), DynamoDbDeliveryStore.WATERMARK_RETENTION);
    }

    @Override
    DeliveryStore store() {
        return store;
    }
}
