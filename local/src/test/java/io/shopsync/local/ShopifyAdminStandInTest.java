package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.reconcile.FulfilmentPayload;
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
    private static final String FULFILMENT_SCAN = "query FulfilmentVersions($first: Int!, $after: String, $query: String!)"
            + " { orders }";
    private static final String FULFILMENT_QUERY = "query Fulfilment($id: ID!) { fulfillment(id: $id) { legacyResourceId } }";
    private static final String LEVELS = io.shopsync.connectors.shopify.ShopifyAdmin.INVENTORY_LEVELS;

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
                .path("message").asText()).contains("answers only the reconciler's OrderVersions, Order,")
                .contains("InventoryLevels queries");
        assertThat(standIn.answer("query WebhookSubscriptions { webhookSubscriptions(first: 100) { nodes { id } } }",
                JSON.createObjectNode()).path("errors").path(0).path("extensions").path("code").asText())
                .as("not served: an error, never an empty list").isEqualTo("undefinedField");
    }

    @Test
    void fulfilment_becomesTheWebhooksPayloadAgain_atItsLatestVersion() throws IOException {
        copy("orders-create.json", "fulfillments-create.json", "fulfillments-update.json");
        ShopifyAdminStandIn standIn = ShopifyAdminStandIn.fromFixture(fixture, "t", JSON);
        JsonNode webhook = JSON.readTree(PAYLOADS.resolve("fulfillments-update.json").toFile());

        ObjectNode answer = standIn.answer(FULFILMENT_QUERY, JSON.createObjectNode()
                .put("id", "gid://shopify/Fulfillment/" + webhook.path("id").asText()));
        ObjectNode reconciled = new FulfilmentPayload(JSON).webhookShape(answer.path("data").path("fulfillment"));

        for (String field : new String[] {"id", "order_id", "name", "status", "shipment_status", "email", "service",
            "location_id", "tracking_company", "tracking_number", "tracking_numbers", "tracking_url", "tracking_urls"}) {
            // As JSON text: an id is a BigInteger node on one side, an int node on the other.
            assertThat(reconciled.path(field).toString()).as(field).isEqualTo(webhook.path(field).toString());
        }
        assertThat(java.time.OffsetDateTime.parse(reconciled.path("updated_at").asText()).toInstant())
                .isEqualTo(java.time.OffsetDateTime.parse(webhook.path("updated_at").asText()).toInstant());
        assertThat(reconciled.path("line_items").size()).isEqualTo(webhook.path("line_items").size());
        for (int i = 0; i < webhook.path("line_items").size(); i++) {
            JsonNode line = webhook.path("line_items").get(i);
            for (String field : new String[] {"id", "variant_id", "product_id", "sku", "quantity", "fulfillable_quantity"}) {
                assertThat(reconciled.path("line_items").get(i).path(field).toString()).as("line " + i + " " + field)
                        .isEqualTo(line.path(field).toString());
            }
        }
        assertThat(answer.path("extensions").path("cost").has("throttleStatus")).isTrue();
        assertThat(standIn.answer(FULFILMENT_QUERY, JSON.createObjectNode().put("id", "gid://shopify/Fulfillment/1"))
                .path("data").path("fulfillment").isNull()).as("an unknown fulfilment").isTrue();
    }

    @Test
    void fulfilmentScan_listsEachOrderOfTheWindow_withItsFulfilmentsVersions() throws IOException {
        copy("orders-cancelled.json", "orders-guest-pos.json", "fulfillments-create.json", "fulfillments-update.json");
        ShopifyAdminStandIn standIn = ShopifyAdminStandIn.fromFixture(fixture, "t", JSON);

        JsonNode orders = standIn.answer(FULFILMENT_SCAN, JSON.createObjectNode().put("first", 50)
                .put("query", "updated_at:>='2026-11-27T00:00:00Z' updated_at:<'2026-11-28T00:00:00Z'"))
                .path("data").path("orders");

        assertThat(orders.path("nodes")).hasSize(2);
        assertThat(orders.path("nodes").get(0).path("legacyResourceId").asText()).isEqualTo("820982911946154508");
        assertThat(orders.path("nodes").get(0).path("fulfillments")).hasSize(1);
        assertThat(orders.path("nodes").get(0).path("fulfillments").get(0).path("legacyResourceId").asText())
                .isEqualTo("255858046011252993");
        assertThat(orders.path("nodes").get(0).path("fulfillments").get(0).path("updatedAt").asText())
                .as("the latest version, in UTC").isEqualTo("2026-11-29T00:47:05Z");
        assertThat(orders.path("nodes").get(1).path("fulfillments")).as("the guest order is not fulfilled").isEmpty();
    }

    @Test
    void inventoryLevels_ofALocation_inAWindow_withTheirItem() throws IOException {
        copy("orders-guest-pos.json", "inventory-levels-update.json", "inventory-items-update.json");
        ShopifyAdminStandIn standIn = ShopifyAdminStandIn.fromFixture(fixture, "t", JSON);
        ObjectNode variables = JSON.createObjectNode().put("location", "gid://shopify/Location/655441491").put("first", 100)
                .put("q", "updated_at:>='2026-11-27T16:00:00Z' AND updated_at:<'2026-11-27T17:00:00Z'");

        JsonNode levels = standIn.answer(LEVELS, variables).path("data").path("location").path("inventoryLevels");

        assertThat(levels.path("nodes")).hasSize(1);
        JsonNode level = levels.path("nodes").get(0);
        assertThat(level.path("updatedAt").asText()).isEqualTo("2026-11-27T16:29:59Z");
        assertThat(level.path("quantities").findValuesAsText("name")).containsExactly("available", "on_hand");
        assertThat(level.path("quantities").get(0).path("quantity").asInt()).isEqualTo(42);
        assertThat(level.path("item").path("id").asText()).isEqualTo("gid://shopify/InventoryItem/437290762312585471");
        assertThat(level.path("item").path("sku").asText()).isEqualTo("SS-MCS-OAT-M");
        assertThat(level.path("item").path("tracked").asBoolean()).isTrue();
        assertThat(levels.path("pageInfo").path("hasNextPage").asBoolean()).isFalse();

        assertThat(standIn.answer(LEVELS, variables.put("q", "updated_at:>='2026-11-27T17:00:00Z' AND"
                + " updated_at:<'2026-11-28T00:00:00Z'")).path("data").path("location").path("inventoryLevels")
                .path("nodes")).as("changed before the window").isEmpty();
        assertThat(standIn.answer(LEVELS, variables.put("location", "gid://shopify/Location/1")).path("data")
                .path("location").isNull()).as("a location the shop does not have").isTrue();
        assertThat(standIn.answer(LEVELS, variables.put("q", "updated_at:>2026")).path("errors")).hasSize(1);
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
