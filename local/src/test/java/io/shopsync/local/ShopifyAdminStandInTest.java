package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.reconcile.OrderPayload;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Shopify Admin stand-in's answers, compared with what Shopify's GraphQL Admin API answers for the same order. */
class ShopifyAdminStandInTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PAYLOADS = StackTemplate.find(Path.of("")).getParent().resolve("events/payloads");
    private static final String ORDER_QUERY = "query Order($id: ID!) { order(id: $id) { legacyResourceId } }";
    private static final String SCAN = "query OrderVersions($first: Int!, $after: String, $query: String!) { orders }";

    @TempDir
    Path fixture;

    @Test
    void order_isAnsweredInShopifysGraphqlShape_theLatestVersionOfTheFixture() throws IOException {
        copy("orders-create.json", "orders-updated.json", "refunds-create.json");
        ShopifyAdminStandIn standIn = ShopifyAdminStandIn.fromFixture(fixture, "t", JSON);

        ObjectNode answer = standIn.answer(ORDER_QUERY, JSON.createObjectNode().put("id", "gid://shopify/Order/820982911946154508"));

        // shared's fixture: order #1001 at its orders/updated version, written in Shopify's GraphQL shape by hand.
        // It adds a refund the webhook of that version does not have (to exercise refunds): compared apart.
        try (InputStream in = getClass().getResourceAsStream("/shopify-admin/order-820982911946154508.json")) {
            ObjectNode shopify = (ObjectNode) JSON.readTree(in).path("data").path("order");
            ObjectNode order = (ObjectNode) answer.path("data").path("order");
            assertThat(shopify.remove("refunds").size()).isEqualTo(1);
            assertThat(order.remove("refunds").size()).isZero();
            assertThat(order).isEqualTo(shopify);
        }
        assertThat(answer.path("extensions").path("cost").path("throttleStatus").path("maximumAvailable").asDouble())
                .isEqualTo(2000.0);
        assertThat(standIn.orderCount()).as("the refund is not an order").isEqualTo(1);
    }

    @Test
    void order_becomesTheWebhooksPayloadAgain_forEverySampleOrder() throws IOException {
        copy("orders-cancelled.json", "orders-guest-pos.json");
        ShopifyAdminStandIn standIn = ShopifyAdminStandIn.fromFixture(fixture, "t", JSON);

        for (String file : new String[] {"orders-cancelled.json", "orders-guest-pos.json"}) {
            JsonNode webhook = JSON.readTree(PAYLOADS.resolve(file).toFile());
            JsonNode order = standIn.answer(ORDER_QUERY, JSON.createObjectNode()
                    .put("id", "gid://shopify/Order/" + webhook.path("id").asText())).path("data").path("order");

            ObjectNode reconciled = new OrderPayload(JSON).webhookShape(order);

            assertThat(reconciled.path("id").asText()).isEqualTo(webhook.path("id").asText());
            assertThat(java.time.OffsetDateTime.parse(reconciled.path("updated_at").asText()).toInstant())
                    .isEqualTo(java.time.OffsetDateTime.parse(webhook.path("updated_at").asText()).toInstant());
            assertThat(reconciled.path("financial_status")).isEqualTo(webhook.path("financial_status"));
            assertThat(reconciled.path("cancel_reason")).isEqualTo(webhook.path("cancel_reason"));
            assertThat(reconciled.path("customer").isNull()).isEqualTo(webhook.path("customer").isNull());
            assertThat(reconciled.path("line_items").size()).isEqualTo(webhook.path("line_items").size());
            assertThat(reconciled.path("refunds").size()).isEqualTo(webhook.path("refunds").size());
            assertThat(reconciled.path("total_price")).isEqualTo(webhook.path("total_price"));
        }
    }

    @Test
    void scan_listsTheWindowsOrders_oldestUpdateFirst_pageByPage() throws IOException {
        copy("orders-cancelled.json", "orders-guest-pos.json");
        ShopifyAdminStandIn standIn = ShopifyAdminStandIn.fromFixture(fixture, "t", JSON);
        ObjectNode variables = JSON.createObjectNode().put("first", 1)
                .put("query", "updated_at:>='2026-11-27T00:00:00Z' updated_at:<'2026-11-28T00:00:00Z'");
        variables.putNull("after");

        JsonNode first = standIn.answer(SCAN, variables).path("data").path("orders");
        JsonNode second = standIn.answer(SCAN, variables.put("after", first.path("pageInfo").path("endCursor").asText()))
                .path("data").path("orders");

        assertThat(first.path("nodes").get(0).path("legacyResourceId").asText()).isEqualTo("820982911946154508");
        assertThat(first.path("nodes").get(0).path("updatedAt").asText()).isEqualTo("2026-11-27T15:03:28Z");
        assertThat(first.path("pageInfo").path("hasNextPage").asBoolean()).isTrue();
        assertThat(second.path("nodes").get(0).path("legacyResourceId").asText()).isEqualTo("734281950317462958");
        assertThat(second.path("pageInfo").path("hasNextPage").asBoolean()).isFalse();

        JsonNode later = standIn.answer(SCAN, JSON.createObjectNode().put("first", 250)
                .put("query", "updated_at:>='2026-11-27T18:48:10Z' updated_at:<'2026-11-28T00:00:00Z'")).path("data");
        assertThat(later.path("orders").path("nodes").size()).as("the window's start is inclusive").isEqualTo(1);
    }

    @Test
    void anUnknownOrder_isNull_andAnUnknownQuery_isAGraphqlError() throws IOException {
        copy("orders-guest-pos.json");
        ShopifyAdminStandIn standIn = ShopifyAdminStandIn.fromFixture(fixture, "t", JSON);

        assertThat(standIn.answer(ORDER_QUERY, JSON.createObjectNode().put("id", "gid://shopify/Order/1"))
                .path("data").path("order").isNull()).isTrue();
        assertThat(standIn.answer("query Shop { shop { name } }", JSON.createObjectNode()).path("errors").path(0)
                .path("message").asText()).contains("answers only the reconciler's OrderVersions and Order queries");
    }

    @Test
    void aFixtureWithoutOrders_isRefusedAtStart_sayingWhatItNeeds() throws IOException {
        copy("inventory-levels-update.json");

        assertThatThrownBy(() -> ShopifyAdminStandIn.fromFixture(fixture, "t", JSON))
                .hasMessageContaining("no order payload").hasMessageContaining(fixture.toString());
    }

    private void copy(String... files) throws IOException {
        for (String file : files) {
            Files.copy(PAYLOADS.resolve(file), fixture.resolve(file));
        }
    }
}
