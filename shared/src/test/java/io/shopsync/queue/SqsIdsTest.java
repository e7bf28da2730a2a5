package io.shopsync.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SqsIdsTest {

    private static Envelope envelope(String shop, String webhookId, String entity) {
        return new Envelope("order-to-crm", "orders/create", shop, webhookId, null, null, "2026-10",
                Instant.parse("2026-11-27T10:15:48Z"), entity, new Body.Inline(new byte[] {'{', '}'}));
    }

    @Test
    void groupId_shouldBeTheEntity_soOneEntityIsProcessedInOrder() {
        Envelope e = envelope("shopsync-demo.myshopify.com", "w1", "shopsync-demo.myshopify.com/order/820982911946154508");

        assertThat(SqsIds.groupId(e)).isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
        assertThat(SqsIds.groupId(envelope("s.myshopify.com", "w1", null))).isEqualTo("s.myshopify.com/unclassified");
    }

    @Test
    void deduplicationId_shouldBeShopAndWebhookId_orTheBodyHashWithoutOne() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);

        assertThat(SqsIds.deduplicationId(envelope("s.myshopify.com", "b54557e4", "e"), body))
                .isEqualTo("s.myshopify.com:b54557e4");
        assertThat(SqsIds.deduplicationId(envelope("s.myshopify.com", null, "e"), body))
                .isEqualTo("s.myshopify.com:sha256-" + Body.ClaimCheck.sha256Hex(body));
    }

    @Test
    void ids_shouldBeHashedToFit_whenLongerThan128CharactersOrNotAscii() {
        String longShop = "a".repeat(120) + ".myshopify.com";

        String dedup = SqsIds.deduplicationId(envelope(longShop, "b54557e4", "e"), new byte[0]);

        assertThat(dedup).hasSize(71).startsWith("sha256-");
        assertThat(SqsIds.fit("shop/ordér/1")).startsWith("sha256-");
        assertThat(SqsIds.fit("shop/order/1")).isEqualTo("shop/order/1");
    }
}
