package io.shopsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.webhook.WebhookSignature;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalIntakeTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void make_shouldGiveEachWebhookANewOrderAndWebhookId_signedWithTheStacksSecret() throws Exception {
        LocalIntake.Template template = LocalIntake.Template.read(REPO);
        long[] serial = {0};
        List<LocalIntake.Webhook> made = template.make(3, "shopsync-local-dev-secret", serial);
        made.addAll(template.make(2, "shopsync-local-dev-secret", serial));

        Set<String> webhookIds = new HashSet<>();
        Set<Long> orderIds = new HashSet<>();
        for (LocalIntake.Webhook webhook : made) {
            JsonNode order = JSON.readTree(webhook.body());
            assertThat(webhook.headers()).containsEntry("x-shopify-topic", "orders/create")
                    .containsEntry("x-shopify-shop-domain", "shopsync-demo.myshopify.com")
                    .containsEntry("x-shopify-webhook-id", webhook.webhookId())
                    .containsEntry("x-shopify-order-id", order.path("id").asText())
                    .doesNotContainKeys("host", "content-length");
            assertThat(webhook.headers().get("x-shopify-hmac-sha256"))
                    .isEqualTo(WebhookSignature.sign(webhook.body(), "shopsync-local-dev-secret"));
            assertThat(order.path("id").asLong()).isNotEqualTo(820982911946154508L);
            assertThat(order.path("admin_graphql_api_id").asText()).isEqualTo("gid://shopify/Order/" + order.path("id").asText());
            assertThat(order.path("line_items")).isNotEmpty();
            webhookIds.add(webhook.webhookId());
            orderIds.add(order.path("id").asLong());
        }
        assertThat(webhookIds).hasSize(5);
        assertThat(orderIds).hasSize(5);
    }

    @Test
    void pct_shouldBeTheNearestRank() {
        long[] sorted = new long[100];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = i + 1;
        }

        assertThat(LocalIntake.pct(sorted, 50)).isEqualTo(50);
        assertThat(LocalIntake.pct(sorted, 99)).isEqualTo(99);
        assertThat(LocalIntake.pct(new long[] {7}, 99)).isEqualTo(7);
    }
}
