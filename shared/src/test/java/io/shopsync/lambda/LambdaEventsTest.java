package io.shopsync.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.delivery.QueueMessage;
import io.shopsync.intake.HttpRequest;
import io.shopsync.intake.HttpResponse;
import io.shopsync.testkit.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lambda's event shapes bound to aws-lambda-java-events' types, from and to Lambda's wire JSON. */
class LambdaEventsTest {

    private final ObjectMapper json = new ObjectMapper();
    private final LambdaEvents events = new LambdaEvents(json);

    private APIGatewayV2HTTPEvent event(String body, boolean base64) {
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey("POST /webhooks/orders")
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST").build()).build())
                .withHeaders(Map.of("x-shopify-topic", "orders/create", "content-type", "application/json"))
                .withBody(body).withIsBase64Encoded(base64).build();
    }

    /** The event as Lambda would pass it: written as wire JSON by the same mapper, then bound again. */
    private APIGatewayV2HTTPEvent roundTrip(APIGatewayV2HTTPEvent event) throws Exception {
        JsonNode wire = json.readTree(events.write(event));
        assertThat(wire.path("isBase64Encoded").isBoolean()).as("wire name isBase64Encoded in " + wire).isTrue();
        assertThat(LambdaEvents.shape(wire)).isEqualTo(LambdaEvents.Shape.HTTP_API);
        return events.httpEvent(wire);
    }

    @Test
    void request_shouldDecodeBase64Bodies_toTheExactBytes() throws Exception {
        byte[] raw = "{\"name\":\"Zoë\"}\n".getBytes(StandardCharsets.UTF_8);

        HttpRequest request = LambdaEvents.request(roundTrip(event(Base64.getEncoder().encodeToString(raw), true)));

        assertThat(request.body()).isEqualTo(raw);
        assertThat(request.headers()).containsEntry("x-shopify-topic", "orders/create");
    }

    @Test
    void request_shouldRefuseABodyMarkedBase64ThatIsNotBase64_withItsOwnException() throws Exception {
        APIGatewayV2HTTPEvent event = roundTrip(event("{\"id\":820982911946154508}", true));
        assertThatThrownBy(() -> LambdaEvents.request(event))
                .isInstanceOf(LambdaEvents.UnreadableBodyException.class)
                .hasMessage("body is marked isBase64Encoded but is not base64");
    }

    @Test
    void request_shouldTakeThePlainBodyAsUtf8Bytes() throws Exception {
        HttpRequest request = LambdaEvents.request(roundTrip(event("{\"name\":\"Zoë\"}", false)));

        assertThat(request.body()).isEqualTo("{\"name\":\"Zoë\"}".getBytes(StandardCharsets.UTF_8));
    }

    /** Lambda's real wire JSON (events/), as API Gateway sends it: the body's bytes as Shopify signed them. */
    @Test
    void apiGatewaysWireJson_bindsToTheType_withTheBodyByteForByte() throws Exception {
        byte[] raw = Fixtures.bytes("events/order-to-crm/orders-create.json");
        JsonNode wire = json.readTree(raw);

        assertThat(LambdaEvents.shape(wire)).isEqualTo(LambdaEvents.Shape.HTTP_API);
        APIGatewayV2HTTPEvent event = events.httpEvent(wire);
        HttpRequest request = LambdaEvents.request(event);

        assertThat(event.getRequestContext().getHttp().getMethod()).isEqualTo("POST");
        assertThat(request.headers()).containsEntry("x-shopify-topic", "orders/create");
        byte[] expected = wire.path("isBase64Encoded").asBoolean() ? Base64.getDecoder().decode(wire.path("body").asText())
                : wire.path("body").asText().getBytes(StandardCharsets.UTF_8);
        assertThat(request.body()).isEqualTo(expected);
        assertThat(new String(request.body(), StandardCharsets.UTF_8)).contains("820982911946154508");
    }

    /** Lambda's real SQS wire JSON (events/): Records and eventSourceARN are the wire's names, not the type's. */
    @Test
    void sqsWireJson_bindsToTheType_withTheFieldsDeliveryNeeds() throws Exception {
        JsonNode wire = json.readTree(Fixtures.bytes("events/order-to-crm/sqs-delivery.json"));

        assertThat(LambdaEvents.shape(wire)).isEqualTo(LambdaEvents.Shape.SQS);
        SQSEvent event = events.sqsEvent(wire);
        List<QueueMessage> messages = LambdaEvents.messages(event);

        JsonNode record = wire.path("Records").get(0);
        assertThat(event.getRecords().get(0).getEventSourceArn()).isEqualTo(record.path("eventSourceARN").asText())
                .isNotBlank();
        assertThat(messages).hasSize(wire.path("Records").size()).first().satisfies(m -> {
            assertThat(m.messageId()).isEqualTo(record.path("messageId").asText());
            assertThat(m.receiptHandle()).isEqualTo(record.path("receiptHandle").asText());
            assertThat(m.body()).isEqualTo(record.path("body").asText());
            assertThat(m.groupId()).isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
            assertThat(m.receiveCount()).isEqualTo(1);
            assertThat(m.attribute("flow")).contains("order-to-crm");
        });
        JsonNode written = json.readTree(events.write(event));
        assertThat(written.path("Records").get(0).path("eventSourceARN").asText()).isEqualTo(record.path("eventSourceARN").asText());
        assertThat(written.has("records")).isFalse();
    }

    @Test
    void messages_shouldReadTheReceiveCountAndMessageAttributes() throws Exception {
        JsonNode wire = json.readTree("""
                {"Records":[{"messageId":"059f36b4-87a3-44ab-83d2-661975830a7d","receiptHandle":"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
                  "body":"{\\"v\\":1}","attributes":{"ApproximateReceiveCount":"3","SentTimestamp":"1545082649183",
                  "MessageGroupId":"shopsync-demo.myshopify.com/order/820982911946154508","MessageDeduplicationId":"d"},
                  "messageAttributes":{"target":{"stringValue":"klaviyo","stringListValues":[],"binaryListValues":[],"dataType":"String"}},
                  "md5OfBody":"e4e68fb7bd0e697a0ae8f1bb342846b3","eventSource":"aws:sqs",
                  "eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:shopsync-order-to-crm.fifo","awsRegion":"us-east-1"}]}""");

        assertThat(LambdaEvents.messages(events.sqsEvent(wire))).singleElement().satisfies(m -> {
            assertThat(m.receiveCount()).isEqualTo(3);
            assertThat(m.body()).isEqualTo("{\"v\":1}");
            assertThat(m.attribute("target")).contains("klaviyo");
        });
    }

    @Test
    void shape_shouldTellTheThreeShapesApart() throws Exception {
        assertThat(LambdaEvents.shape(json.readTree("{\"Records\":[{\"eventSource\":\"aws:sqs\"}]}")))
                .isEqualTo(LambdaEvents.Shape.SQS);
        assertThat(LambdaEvents.shape(json.readTree(Fixtures.bytes("events/eventbridge/order-to-crm.json"))))
                .isEqualTo(LambdaEvents.Shape.EVENT_BRIDGE);
        assertThat(LambdaEvents.shape(json.readTree("{\"Records\":[{\"eventSource\":\"aws:sns\"}]}")))
                .isEqualTo(LambdaEvents.Shape.UNKNOWN);
        assertThat(LambdaEvents.shape(null)).isEqualTo(LambdaEvents.Shape.UNKNOWN);
    }

    @Test
    void response_shouldBeAnHttpApiResponse() throws Exception {
        JsonNode response = json.readTree(events.write(LambdaEvents.response(new HttpResponse(401, "{\"message\":\"Unauthorized\"}"))));

        assertThat(response.path("statusCode").asInt()).isEqualTo(401);
        assertThat(response.path("body").asText()).isEqualTo("{\"message\":\"Unauthorized\"}");
        assertThat(response.path("headers").path("content-type").asText()).isEqualTo("application/json");
        assertThat(response.path("isBase64Encoded").asBoolean(true)).isFalse();
    }

    @Test
    void batchResponse_shouldNameEachFailedMessage() throws Exception {
        assertThat(new String(events.write(LambdaEvents.batchResponse(List.of("a", "b"))), StandardCharsets.UTF_8))
                .isEqualTo("{\"batchItemFailures\":[{\"itemIdentifier\":\"a\"},{\"itemIdentifier\":\"b\"}]}");
        assertThat(new String(events.write(LambdaEvents.batchResponse(List.of())), StandardCharsets.UTF_8))
                .isEqualTo("{\"batchItemFailures\":[]}");
    }
}
