package io.shopsync.connectors.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopsync.testkit.AwsBackend;
import io.shopsync.testkit.AwsClients;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

@ExtendWith(AwsBackend.class)
class DynamoDbReportedLevelsIT extends ReportedLevelsContract {

    private final DynamoDbReportedLevels store;
    private final AwsClients aws;
    private final String table;

    DynamoDbReportedLevelsIT(AwsClients aws) {
        this.aws = aws;
        this.table = aws.createTable("shopsync-reported-it");
        this.store = new DynamoDbReportedLevels(aws.dynamo(), table, RETENTION);
    }

    @Override
    ReportedLevels store() {
        return store;
    }

    @Test
    void read_shouldTakeALevelWrittenBeforeRevisionsExisted_asRevisionZero_andLetOneConditionalWriteReplaceIt() {
        // given: an item as the store wrote it before conditional writes on a revision
        ReportedLevels.Key key = new ReportedLevels.Key("katana", "shopsync-demo.myshopify.com", "SHIRT-LIN-M-LEGACY", "12");
        aws.dynamo().putItem(r -> r.tableName(table).item(Map.of(
                "pk", s(DynamoDbReportedLevels.pk(key)),
                "available", AttributeValue.builder().n("45").build(),
                "version", s(DynamoDbReportedLevels.version(Instant.parse("2026-11-27T15:59:58Z"))),
                "sourceUpdatedAt", s("2026-11-27T15:59:58Z"),
                "deliveryId", s("shopsync-demo.myshopify.com:w-0"),
                "rememberedAt", s(NOW.toString()),
                "expiresAt", AttributeValue.builder().n(Long.toString(NOW.plus(RETENTION).getEpochSecond())).build())));

        // when
        ReportedLevels.State legacy = store.read(key, NOW);
        ReportedLevels.Reported next = new ReportedLevels.Reported(42, Instant.parse("2026-11-27T16:00:00Z"),
                "shopsync-demo.myshopify.com:w-1");

        // then
        assertThat(legacy.revision()).isZero();
        assertThat(legacy.level().orElseThrow().available()).isEqualTo(45);
        assertThat(store.replace(key, legacy, Optional.of(next), Optional.empty(), NOW)).isPresent();
        assertThat(store.replace(key, legacy, Optional.of(next), Optional.empty(), NOW)).isEmpty();
        assertThat(store.last(key, NOW)).contains(next);
    }

    private static AttributeValue s(String value) {
        return AttributeValue.builder().s(value).build();
    }
}
