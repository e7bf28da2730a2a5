package io.shopsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ColdStartTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void event_shouldMakeEachDeliveryANewWebhookForANewOrder_soNoRunIsAnsweredAsADuplicate() throws Exception {
        String first = ColdStart.event("delivery", REPO);
        String second = ColdStart.event("delivery", REPO);

        assertThat(first).isNotEqualTo(second);
        for (String event : List.of(first, second)) {
            assertThat(event).doesNotContain("820982911946154508")
                    .doesNotContain("f1e47194-bdbf-5fad-9917-193e05f15a92")
                    .contains("\"flow\\\":\\\"order-to-crm\\\"");
        }
    }

    @Test
    void event_shouldKeepTheSignedBodyOfAnIntakeEvent_whileTheWebhookIdChanges() throws Exception {
        String sample = java.nio.file.Files.readString(REPO.resolve("events/order-to-crm/orders-create.json"));
        String event = ColdStart.event("intake", REPO);

        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(json.readTree(event).path("body").asText()).isEqualTo(json.readTree(sample).path("body").asText());
        assertThat(json.readTree(event).path("headers").path("x-shopify-webhook-id").asText())
                .isNotEqualTo("f1e47194-bdbf-5fad-9917-193e05f15a92");
    }

    @Test
    void median_shouldTakeTheMiddle_orTheMeanOfTheTwoMiddleValues() {
        assertThat(ColdStart.median(List.of(5L, 1L, 3L))).isEqualTo(3L);
        assertThat(ColdStart.median(List.of(4L, 1L, 3L, 10L))).isEqualTo(3L);
    }

    @Test
    void group_shouldNameTheServiceOrModuleAClassComesFrom() {
        assertThat(JarSize.group("software/amazon/awssdk/services/dynamodb/model/GetItemRequest.class"))
                .isEqualTo("AWS SDK service dynamodb");
        assertThat(JarSize.group("software/amazon/awssdk/core/SdkBytes.class")).isEqualTo("AWS SDK core");
        assertThat(JarSize.group("com/fasterxml/jackson/databind/ObjectMapper.class")).isEqualTo("jackson databind");
        assertThat(JarSize.group("io/shopsync/lambda/AwsServices.class")).isEqualTo("shopsync");
    }
}
