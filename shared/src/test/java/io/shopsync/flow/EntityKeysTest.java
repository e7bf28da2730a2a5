package io.shopsync.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class EntityKeysTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP = "shopsync-demo.myshopify.com";

    @Test
    void byId_shouldKeepIdsAbove2To53Exact() throws Exception {
        // 820982911946154508 is not representable as a double: it would round to ...500.
        JsonNode order = JSON.readTree("{\"id\":820982911946154508,\"customer\":null}");

        assertThat(EntityKeys.byId("order", "id").of(SHOP, order))
                .isEqualTo("shopsync-demo.myshopify.com/order/820982911946154508");
    }

    @Test
    void byId_shouldAcceptIdsBeyondLong_andDigitStrings() throws Exception {
        assertThat(EntityKeys.id(JSON.readTree("{\"id\":18446744073709551617}"), "id")).isEqualTo("18446744073709551617");
        assertThat(EntityKeys.id(JSON.readTree("{\"id\":\"820982911946154508\"}"), "id")).isEqualTo("820982911946154508");
    }

    @Test
    void byIds_shouldNameAnItemAtALocation() throws Exception {
        JsonNode level = JSON.readTree("""
                {"inventory_item_id":49148385,"location_id":655441491,"available":null,
                 "updated_at":"2025-04-02T11:29:59-05:00"}""");

        assertThat(EntityKeys.byIds("inventory-level", "inventory_item_id", "location_id").of(SHOP, level))
                .isEqualTo("shopsync-demo.myshopify.com/inventory-level/49148385/655441491");
    }

    @Test
    void id_shouldRejectMissingNullFractionalNegativeAndNonNumericIds() throws Exception {
        for (String payload : new String[] {"{}", "{\"id\":null}", "{\"id\":1.5}", "{\"id\":-3}", "{\"id\":0}",
                "{\"id\":\"gid://shopify/Order/1\"}", "{\"id\":true}", "{\"id\":{}}"}) {
            JsonNode node = JSON.readTree(payload);
            assertThatThrownBy(() -> EntityKeys.id(node, "id"))
                    .as(payload)
                    .isInstanceOf(UnprocessableWebhookException.class)
                    .hasMessageContaining("id");
        }
    }
}
