package io.shopsync.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventBridgeEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Digits a double cannot hold, a decimal a tree would shorten, text outside ASCII, nesting, spacing. */
    private static final String PAYLOAD = "{\"id\": 9007199254740993017, \"total_tax\":0.10,\"note\":\"Zo\u00eb \ud83c\udf81\","
            + "\"line_items\":[{\"id\":866550311766439020,\"price\":1.50e2}],\"customer\":null}";

    private static String event(String detailType, String metadata, String payload) {
        return "{\"version\":\"0\",\"id\":\"99a3481c-5473-53a2-89ec-e68aa69991f3\",\"detail-type\":\"" + detailType + "\","
                + "\"source\":\"aws.partner/shopify.com/313726713857/shopsync\",\"account\":\"123456789012\","
                + "\"time\":\"2026-11-27T10:15:47Z\",\"region\":\"us-east-1\",\"resources\":[],"
                + "\"detail\":{\"metadata\":" + metadata + ",\"payload\":" + payload + ",\"extra\":{\"payload\":1}}}";
    }

    private static EventBridgeEvents.Delivery read(String event) throws Exception {
        byte[] raw = event.getBytes(StandardCharsets.UTF_8);
        JsonNode tree = JSON.readTree(raw);
        assertThat(EventBridgeEvents.isEventBridgeEvent(tree)).isTrue();
        return EventBridgeEvents.delivery(raw, tree, JSON.getFactory());
    }

    @Test
    void delivery_shouldCutThePayloadsExactBytesOutOfTheEvent_neverReserialised() throws Exception {
        EventBridgeEvents.Delivery delivery = read(event("shopifyWebhook",
                "{\"X-Shopify-Topic\":\"orders/create\",\"X-Shopify-Shop-Domain\":\"shopsync-demo.myshopify.com\"}", PAYLOAD));

        assertThat(new String(delivery.payload(), StandardCharsets.UTF_8)).isEqualTo(PAYLOAD);
        assertThat(delivery.metadata()).containsEntry("X-Shopify-Topic", "orders/create")
                .containsEntry("X-Shopify-Shop-Domain", "shopsync-demo.myshopify.com");
    }

    @Test
    void delivery_shouldFindThePayload_whicheverOrderTheDetailsFieldsComeIn() throws Exception {
        String reordered = "{\"detail\":{\"payload\":" + PAYLOAD + ",\"metadata\":{\"x-shopify-topic\":\"orders/paid\"}},"
                + "\"detail-type\":\"shopifyWebhook\",\"source\":\"aws.partner/shopify.com/1/s\"}";

        EventBridgeEvents.Delivery delivery = read(reordered);

        assertThat(new String(delivery.payload(), StandardCharsets.UTF_8)).isEqualTo(PAYLOAD);
        assertThat(delivery.metadata()).containsEntry("x-shopify-topic", "orders/paid");
    }

    @Test
    void delivery_shouldKeepScalarMetadata_andDropNullsAndObjects() throws Exception {
        EventBridgeEvents.Delivery delivery = read(event("shopifyWebhook",
                "{\"X-Shopify-Order-Id\":820982911946154508,\"X-Shopify-Event-Id\":null,\"nested\":{\"a\":1}}", "{}"));

        assertThat(delivery.metadata()).containsExactly(java.util.Map.entry("X-Shopify-Order-Id", "820982911946154508"));
    }

    @Test
    void delivery_shouldGiveNoBytes_whenThePayloadIsMissing() throws Exception {
        String noPayload = "{\"detail-type\":\"shopifyWebhook\",\"source\":\"s\",\"detail\":{\"metadata\":{}}}";

        assertThat(read(noPayload).payload()).isEmpty();
    }

    @Test
    void delivery_shouldRefuseAnEventThatIsNotAShopifyWebhook() {
        assertThatThrownBy(() -> read(event("Scheduled Event", "{}", "{}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("detail-type \"Scheduled Event\", not \"shopifyWebhook\"")
                .hasMessageContaining("template.yaml");
    }

    @Test
    void isEventBridgeEvent_shouldNotTakeApiGatewayOrSqsEvents() throws Exception {
        assertThat(EventBridgeEvents.isEventBridgeEvent(JSON.readTree("{\"version\":\"2.0\",\"requestContext\":{\"http\":{}}}")))
                .isFalse();
        assertThat(EventBridgeEvents.isEventBridgeEvent(JSON.readTree("{\"Records\":[{\"eventSource\":\"aws:sqs\"}]}")))
                .isFalse();
    }

    private static final String METADATA =
            "{\"X-Shopify-Topic\":\"orders/create\",\"X-Shopify-Shop-Domain\":\"shopsync-demo.myshopify.com\"}";

    @Test
    void deadLetter_fromTheRule_isTheEventItself_withItsExactPayloadBytes() {
        EventBridgeEvents.DeadLetter letter = EventBridgeEvents.deadLetter(
                event("shopifyWebhook", METADATA, PAYLOAD).getBytes(StandardCharsets.UTF_8), JSON);

        assertThat(letter.source()).isEqualTo("rule");
        assertThat(letter.eventId()).isEqualTo("99a3481c-5473-53a2-89ec-e68aa69991f3");
        assertThat(letter.error()).isNull();
        assertThat(new String(letter.delivery().payload(), StandardCharsets.UTF_8)).isEqualTo(PAYLOAD);
    }

    @Test
    void deadLetter_fromLambda_takesTheEventFromRequestPayload_withItsExactPayloadBytes_andSaysWhatFailed() {
        String record = "{\"version\":\"1.0\",\"timestamp\":\"2026-11-27T10:20:01.123Z\",\"requestContext\":"
                + "{\"requestId\":\"e6e5e1e4\",\"condition\":\"RetriesExhausted\",\"approximateInvokeCount\":3},"
                + "\"requestPayload\":" + event("shopifyWebhook", METADATA, PAYLOAD) + ",\"responseContext\":"
                + "{\"statusCode\":200,\"functionError\":\"Unhandled\"},\"responsePayload\":{\"errorMessage\":"
                + "\"flow order-to-crm could not queue EventBridge event\"}}";

        EventBridgeEvents.DeadLetter letter = EventBridgeEvents.deadLetter(record.getBytes(StandardCharsets.UTF_8), JSON);

        assertThat(letter.source()).isEqualTo("lambda");
        assertThat(letter.error()).isEqualTo("RetriesExhausted: flow order-to-crm could not queue EventBridge event");
        assertThat(new String(letter.delivery().payload(), StandardCharsets.UTF_8)).isEqualTo(PAYLOAD);
        assertThat(letter.delivery().metadata()).containsEntry("X-Shopify-Shop-Domain", "shopsync-demo.myshopify.com");
    }

    @Test
    void deadLetter_shouldRefuseAMessageThatHoldsNoShopifyEvent_sayingWhy() {
        assertThatThrownBy(() -> EventBridgeEvents.deadLetter("not json".getBytes(StandardCharsets.UTF_8), JSON))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> EventBridgeEvents.deadLetter(
                "{\"requestContext\":{},\"requestPayload\":{\"Records\":[]}}".getBytes(StandardCharsets.UTF_8), JSON))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no EventBridge event in requestPayload");
        assertThatThrownBy(() -> EventBridgeEvents.deadLetter(
                event("Scheduled Event", "{}", "{}").getBytes(StandardCharsets.UTF_8), JSON))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not \"shopifyWebhook\"");
    }
}
