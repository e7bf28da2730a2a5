package io.shopsync.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.flow.EntityKeys;
import io.shopsync.flow.Flow;
import io.shopsync.observability.Telemetry;
import io.shopsync.queue.SqsIds;
import io.shopsync.testing.CapturedLines;
import io.shopsync.testing.RecordingFlowQueues;
import io.shopsync.testing.ShopifyRequests;
import io.shopsync.webhook.SigningSecrets;
import io.shopsync.webhook.SigningSecretsSource;
import io.shopsync.webhook.WebhookVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Shopify's Amazon EventBridge delivery: the same envelope as HTTPS, on the same queue, without an HMAC. */
class EventBridgeIntakeTest {

    private static final Flow ORDERS = Flow.named("order-to-crm")
            .accepts(EntityKeys.byId("order", "id"), "orders/create", "orders/paid")
            .accepts(EntityKeys.byId("order", "order_id"), "refunds/create");
    private static final String ORDER = """
            {"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508",\
            "name":"#1001","email":"Zoe.Adams@Example.com","updated_at":"2026-11-27T10:15:46-05:00",\
            "total_price":"171.30","total_tax":0.10,"customer":null}""";
    private static final Instant NOW = Instant.parse("2026-11-27T15:15:48.123Z");
    private static final String WEBHOOK_ID = "b5b1bd6c-5e0b-4d1f-9b3c-4a1a3f0e9d21";

    private final RecordingFlowQueues queues = new RecordingFlowQueues();
    private final CapturedLines log = new CapturedLines();
    private final ObjectMapper json = new ObjectMapper();

    private WebhookIntake intake(Set<String> allowedShops, RecordingFlowQueues q) {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        return new WebhookIntake(ORDERS, new WebhookVerifier(SigningSecretsSource.fixed(
                SigningSecrets.parse(ShopifyRequests.SECRET, "test"))), allowedShops, q, json,
                new Telemetry(json, log, clock), clock);
    }

    private WebhookIntake intake() {
        return intake(Set.of(), queues);
    }

    /** detail.metadata as Shopify writes it: X-Shopify-* under Shopify's own casing. */
    private static Map<String, String> metadata(String topic) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("Content-Type", "application/json");
        metadata.put("X-Shopify-Topic", topic);
        metadata.put("X-Shopify-Shop-Domain", ShopifyRequests.SHOP);
        metadata.put("X-Shopify-Order-Id", "820982911946154508");
        metadata.put("X-Shopify-Hmac-SHA256", "not checked on this path");
        metadata.put("X-Shopify-API-Version", "2026-10");
        metadata.put("X-Shopify-Webhook-Id", WEBHOOK_ID);
        metadata.put("X-Shopify-Triggered-At", "2026-11-27T10:15:47.234647458Z");
        metadata.put("X-Shopify-Event-Id", "3c9f1b4e-27d8-4a6e-9f0a-6e2b8d1c5a47");
        return metadata;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void handleEventBridge_shouldQueueTheSameEnvelope_groupAndDeduplicationIdAsHttps_forTheSameWebhook() {
        ShopifyRequests https = ShopifyRequests.webhook("orders/create", ORDER)
                .header("x-shopify-webhook-id", WEBHOOK_ID)
                .header("x-shopify-event-id", "3c9f1b4e-27d8-4a6e-9f0a-6e2b8d1c5a47");
        RecordingFlowQueues httpsQueues = new RecordingFlowQueues();
        assertThat(intake(Set.of(), httpsQueues).handle(https.build())).isInstanceOf(IntakeOutcome.Enqueued.class);

        IntakeOutcome outcome = intake().handleEventBridge(metadata("orders/create"), bytes(ORDER));

        assertThat(outcome).isInstanceOf(IntakeOutcome.Enqueued.class);
        Envelope viaHttps = httpsQueues.enqueued.get(0);
        Envelope viaBus = queues.enqueued.get(0);
        assertThat(viaBus).isEqualTo(viaHttps);
        assertThat(SqsIds.groupId(viaBus)).isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
        assertThat(SqsIds.deduplicationId(viaBus, bytes(ORDER)))
                .isEqualTo(SqsIds.deduplicationId(viaHttps, bytes(ORDER)))
                .isEqualTo("shopsync-demo.myshopify.com:" + WEBHOOK_ID);
        assertThat(log.last().path("via").asText()).isEqualTo("eventbridge");
        assertThat(log.last().path("WebhooksEnqueued").asInt()).isEqualTo(1);
    }

    @Test
    void handleEventBridge_shouldNeedNoHmac_becauseTheBusIsAuthenticatedByAws() {
        Map<String, String> metadata = metadata("orders/create");
        metadata.remove("X-Shopify-Hmac-SHA256");

        assertThat(intake().handleEventBridge(metadata, bytes(ORDER))).isInstanceOf(IntakeOutcome.Enqueued.class);
    }

    @ParameterizedTest(name = "metadata keys {0}")
    @ValueSource(strings = {"X-Shopify-", "x-shopify-", "X-SHOPIFY-", "shopify-", "Shopify-"})
    void handleEventBridge_shouldReadTheMetadata_inAnyKeyCasing_withOrWithoutTheXPrefix(String prefix) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata("orders/create").forEach((key, value) -> metadata.put(
                key.startsWith("X-Shopify-") ? prefix + key.substring("X-Shopify-".length()) : key, value));

        intake().handleEventBridge(metadata, bytes(ORDER));

        assertThat(queues.enqueued).singleElement().satisfies(envelope -> {
            assertThat(envelope.topic()).isEqualTo("orders/create");
            assertThat(envelope.shop()).isEqualTo(ShopifyRequests.SHOP);
            assertThat(envelope.webhookId()).isEqualTo(WEBHOOK_ID);
            assertThat(envelope.eventId()).isEqualTo("3c9f1b4e-27d8-4a6e-9f0a-6e2b8d1c5a47");
            assertThat(envelope.apiVersion()).isEqualTo("2026-10");
            assertThat(envelope.triggeredAt()).isEqualTo(Instant.parse("2026-11-27T10:15:47.234647458Z"));
        });
    }

    @Test
    void handleEventBridge_shouldQueue_withoutTheOptionalKeys() {
        Map<String, String> metadata = metadata("orders/create");
        metadata.remove("X-Shopify-Event-Id");
        metadata.remove("X-Shopify-Triggered-At");
        metadata.remove("X-Shopify-API-Version");
        metadata.remove("X-Shopify-Order-Id");
        metadata.remove("Content-Type");

        IntakeOutcome outcome = intake().handleEventBridge(metadata, bytes(ORDER));

        assertThat(outcome).isInstanceOf(IntakeOutcome.Enqueued.class);
        Envelope envelope = queues.enqueued.get(0);
        assertThat(envelope.eventId()).isNull();
        assertThat(envelope.triggeredAt()).isNull();
        assertThat(envelope.apiVersion()).isNull();
        assertThat(envelope.webhookId()).isEqualTo(WEBHOOK_ID);
    }

    @Test
    void handleEventBridge_shouldDeduplicateByBodyHash_whenTheWebhookIdIsMissing() {
        Map<String, String> metadata = metadata("orders/create");
        metadata.remove("X-Shopify-Webhook-Id");

        intake().handleEventBridge(metadata, bytes(ORDER));
        intake().handleEventBridge(metadata, bytes(ORDER));

        assertThat(queues.enqueued).hasSize(1);
        assertThat(SqsIds.deduplicationId(queues.enqueued.get(0), bytes(ORDER)))
                .startsWith("shopsync-demo.myshopify.com:sha256-");
    }

    @Test
    void handleEventBridge_shouldRefuseAShopNotOnTheAllowList_andAMalformedShop() {
        WebhookIntake restricted = intake(Set.of("other-store.myshopify.com"), queues);
        Map<String, String> malformed = metadata("orders/create");
        malformed.put("X-Shopify-Shop-Domain", "https://shopsync-demo.myshopify.com/");

        IntakeOutcome notServed = restricted.handleEventBridge(metadata("orders/create"), bytes(ORDER));
        IntakeOutcome badShape = intake().handleEventBridge(malformed, bytes(ORDER));

        assertThat(notServed).isInstanceOf(IntakeOutcome.Unauthenticated.class);
        assertThat(badShape).isEqualTo(new IntakeOutcome.Unauthenticated("shop-domain-malformed"));
        assertThat(queues.enqueued).isEmpty();
        assertThat(queues.deadLettered).isEmpty();
        assertThat(log.last().path("WebhooksUnauthenticated").asInt()).isEqualTo(1);
    }

    @Test
    void handleEventBridge_shouldDeadLetter_aTopicTheFlowDoesNotTake() {
        IntakeOutcome outcome = intake().handleEventBridge(metadata("fulfillments/create"),
                bytes("{\"id\":255858046,\"order_id\":820982911946154508}"));

        assertThat(outcome).isInstanceOf(IntakeOutcome.DeadLettered.class);
        assertThat(queues.deadLettered).singleElement().satisfies(dead -> {
            assertThat(dead.reason().stage()).isEqualTo("intake");
            assertThat(dead.reason().reason()).startsWith("topic fulfillments/create is not handled by flow order-to-crm");
        });
    }

    @Test
    void handleEventBridge_shouldFail_whenTheQueueIsUnavailable() {
        IntakeOutcome outcome = intake(Set.of(), queues.failing()).handleEventBridge(metadata("orders/create"), bytes(ORDER));

        assertThat(outcome).isInstanceOf(IntakeOutcome.Failed.class);
        assertThat(log.last().path("IntakeFailures").asInt()).isEqualTo(1);
    }

    @Test
    void handleEventBridge_shouldQueueAnOrdersIdOnlyStub_inItsOrdersGroup_asItCame_forTheDeliveryToFetch() {
        String stub = "{\"id\":820982911946154508}";

        IntakeOutcome outcome = intake().handleEventBridge(metadata("orders/paid"), bytes(stub));

        assertThat(outcome).isInstanceOf(IntakeOutcome.Enqueued.class);
        assertThat(queues.enqueued).singleElement().satisfies(envelope -> {
            assertThat(envelope.entity()).isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
            assertThat(((Body.Inline) envelope.body()).bytes()).isEqualTo(bytes(stub));
        });
    }

    @Test
    void handleEventBridge_shouldDeadLetterARefundsIdOnlyStub_whichCannotBeFetchedByItsOwnId() {
        IntakeOutcome outcome = intake().handleEventBridge(metadata("refunds/create"), bytes("{\"id\":929361462}"));

        assertThat(outcome).isInstanceOf(IntakeOutcome.DeadLettered.class);
        assertThat(queues.enqueued).isEmpty();
        assertThat(queues.deadLettered).singleElement().satisfies(dead -> assertThat(dead.reason().reason())
                .startsWith("Shopify sent only the id (929361462) of this refunds/create payload")
                .contains("scripts/shopsync replay"));
    }
}
