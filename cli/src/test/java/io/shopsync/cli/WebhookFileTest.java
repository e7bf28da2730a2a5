package io.shopsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading replay files: API Gateway events, raw payloads and what is not a webhook. */
class WebhookFileTest {

    private static final WebhookFile.Defaults NONE = new WebhookFile.Defaults(null, null, "2026-10");

    @Test
    void read_shouldDecodeABase64Body_andDropTheOldSignature_underEitherHeaderName(@TempDir Path dir) throws Exception {
        String body = "{\"id\":820982911946154508}";
        Path event = Files.writeString(dir.resolve("event.json"), """
                {"version":"2.0","rawPath":"/webhooks/orders","isBase64Encoded":true,"body":"%s",
                 "headers":{"shopify-topic":"orders/paid","shopify-shop-domain":"a.myshopify.com",
                  "shopify-hmac-sha256":"old","X-Shopify-Hmac-Sha256":"older","host":"x","content-length":"5"}}"""
                .formatted(Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8))));

        WebhookFile file = WebhookFile.read(event, NONE);

        assertThat(new String(file.body(), StandardCharsets.UTF_8)).isEqualTo(body);
        assertThat(file.topic()).isEqualTo("orders/paid");
        assertThat(file.shop()).isEqualTo("a.myshopify.com");
        assertThat(file.route()).contains("/webhooks/orders");
        assertThat(file.headers()).containsOnlyKeys("shopify-topic", "shopify-shop-domain");
    }

    @Test
    void read_shouldTakeARawPayloadsExactBytes(@TempDir Path dir) throws Exception {
        byte[] bytes = "{ \"id\": 1,\n  \"updated_at\": \"2026-11-27T10:15:47Z\" }\n".getBytes(StandardCharsets.UTF_8);
        Path payload = Files.write(dir.resolve("order.json"), bytes);

        WebhookFile file = WebhookFile.read(payload, new WebhookFile.Defaults("Orders/Updated", "a.myshopify.com", "2026-10"));

        assertThat(file.body()).isEqualTo(bytes);
        assertThat(file.topic()).isEqualTo("orders/updated");
        assertThat(file.route()).isEmpty();
    }

    @Test
    void read_shouldSkipAnSqsDeliveryEvent() {
        assertThatThrownBy(() -> WebhookFile.read(Path.of("..", "events", "order-to-crm", "sqs-delivery.json"), NONE))
                .isInstanceOf(WebhookFile.NotAWebhook.class);
    }

    @Test
    void read_shouldSkipAnEventBridgeEvent_withWhereItGoes() {
        assertThatThrownBy(() -> WebhookFile.read(Path.of("..", "events", "eventbridge", "order-to-crm.json"), NONE))
                .isInstanceOf(WebhookFile.NotAWebhook.class)
                .hasMessageContaining("scripts/local --inject-eventbridge");
    }

    @Test
    void read_shouldAskForTheShop_ofARawPayload(@TempDir Path dir) throws IOException {
        Path payload = Files.writeString(dir.resolve("level.json"), "{}");
        Files.writeString(dir.resolve("level.json.topic"), "inventory_levels/update");

        assertThatThrownBy(() -> WebhookFile.read(payload, NONE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--shop");
    }
}
