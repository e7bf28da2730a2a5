package io.shopsync.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShopifyHeadersTest {

    @Test
    void lookups_shouldIgnoreCase_asHttpApiLowerCasesHeaders() {
        ShopifyHeaders headers = ShopifyHeaders.of(Map.of(
                "X-Shopify-Topic", "orders/create",
                "x-shopify-hmac-SHA256", "abc=",
                "X-SHOPIFY-SHOP-DOMAIN", "Shopsync-Demo.myshopify.com"));

        assertThat(headers.topic()).isEqualTo("orders/create");
        assertThat(headers.hmac()).isEqualTo("abc=");
        assertThat(headers.shopDomain()).isEqualTo("shopsync-demo.myshopify.com");
    }

    @Test
    void lookups_shouldAcceptTheUnprefixedNames_ofNewerDeliveries() {
        ShopifyHeaders headers = ShopifyHeaders.of(Map.of(
                "shopify-topic", "inventory_levels/update",
                "shopify-hmac-sha256", "abc=",
                "shopify-webhook-id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
                "shopify-event-id", "7f0ae9c1-e5d4-4ae4-b3b8-0e3a0d4f3f83"));

        assertThat(headers.topic()).isEqualTo("inventory_levels/update");
        assertThat(headers.webhookId()).isEqualTo("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
        assertThat(headers.eventId()).isEqualTo("7f0ae9c1-e5d4-4ae4-b3b8-0e3a0d4f3f83");
    }

    @Test
    void triggeredAt_shouldKeepNanoseconds_andIgnoreMalformedValues() {
        assertThat(ShopifyHeaders.of(Map.of("x-shopify-triggered-at", "2024-08-03T18:28:37.234647458Z")).triggeredAt())
                .contains(Instant.parse("2024-08-03T18:28:37.234647458Z"));
        assertThat(ShopifyHeaders.of(Map.of("x-shopify-triggered-at", "yesterday")).triggeredAt()).isEmpty();
        assertThat(ShopifyHeaders.of(Map.of()).triggeredAt()).isEmpty();
    }

    @Test
    void missingOrBlankHeaders_shouldReadAsNull() {
        ShopifyHeaders headers = ShopifyHeaders.of(Map.of("x-shopify-webhook-id", "   "));

        assertThat(headers.webhookId()).isNull();
        assertThat(headers.topic()).isNull();
        assertThat(headers.apiVersion()).isNull();
    }
}
