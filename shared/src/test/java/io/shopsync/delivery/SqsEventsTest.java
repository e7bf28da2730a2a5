package io.shopsync.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqsEventsTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void messages_shouldReadTheFieldsDeliveryNeeds() throws Exception {
        var event = json.readTree("""
                {"Records":[{"messageId":"059f36b4-87a3-44ab-83d2-661975830a7d","receiptHandle":"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
                  "body":"{\\"v\\":1}","attributes":{"ApproximateReceiveCount":"3","SentTimestamp":"1545082649183",
                  "MessageGroupId":"shopsync-demo.myshopify.com/order/820982911946154508","MessageDeduplicationId":"d"},
                  "messageAttributes":{"target":{"stringValue":"klaviyo","dataType":"String"}},
                  "md5OfBody":"e4e68fb7bd0e697a0ae8f1bb342846b3","eventSource":"aws:sqs",
                  "eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:shopsync-order-to-crm.fifo","awsRegion":"us-east-1"}]}""");

        List<QueueMessage> messages = SqsEvents.messages(event);

        assertThat(SqsEvents.isSqsEvent(event)).isTrue();
        assertThat(messages).singleElement().satisfies(m -> {
            assertThat(m.messageId()).isEqualTo("059f36b4-87a3-44ab-83d2-661975830a7d");
            assertThat(m.receiveCount()).isEqualTo(3);
            assertThat(m.groupId()).isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
            assertThat(m.body()).isEqualTo("{\"v\":1}");
            assertThat(m.attribute("target")).contains("klaviyo");
        });
    }

    @Test
    void batchResponse_shouldNameEachFailedMessage() {
        assertThat(SqsEvents.batchResponse(json, List.of("a", "b")).toString())
                .isEqualTo("{\"batchItemFailures\":[{\"itemIdentifier\":\"a\"},{\"itemIdentifier\":\"b\"}]}");
        assertThat(SqsEvents.batchResponse(json, List.of()).toString()).isEqualTo("{\"batchItemFailures\":[]}");
    }
}
