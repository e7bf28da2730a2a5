package io.shopsync.connectors.inventory;

import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(AwsBackend.class)
class DynamoDbReportedLevelsIT extends ReportedLevelsContract {

    private final DynamoDbReportedLevels store;

    DynamoDbReportedLevelsIT(AwsClients aws) {
        this.store = new DynamoDbReportedLevels(aws.dynamo(), aws.createTable("shopsync-reported-it"), RETENTION);
    }

    @Override
    ReportedLevels store() {
        return store;
    }
}
