package io.shopsync.connectors.klaviyo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.mapping.Mapping;
import io.shopsync.mapping.MappingException;
import io.shopsync.testkit.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped Klaviyo mapping files load, validate against KlaviyoSchemas, and map real payloads. */
class KlaviyoMappingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shippedMappings_shouldLoadAndValidateAgainstKlaviyoSchemas() {
        // when
        KlaviyoMappings mappings = ShippedKlaviyoMappings.load(JSON);

        // then
        for (Mapping mapping : List.of(mappings.profile(), mappings.placedOrder(), mappings.orderedProduct(),
                mappings.cancelledOrder(), mappings.refundedOrder())) {
            assertThat(mapping.target()).as(mapping.name()).isEqualTo("klaviyo");
            assertThat(mapping.description()).as(mapping.name()).isNotBlank();
            assertThat(mapping.rules()).as(mapping.name()).isNotEmpty();
        }
    }

    @Test
    void profileMapping_shouldLowerCaseTheEmail_keepUnicodeNames_andWriteTheCustomerIdAsExactText() throws Exception {
        // given
        JsonNode order = JSON.readTree(Fixtures.text("events/payloads/orders-create.json"));
        Mapping profile = ShippedKlaviyoMappings.load(JSON).profile();

        // when
        Map<String, JsonNode> values = profile.apply(order, "shopsync-demo.myshopify.com", "orders/create");

        // then
        assertThat(values.get("email").asText()).isEqualTo("zoe.adams@example.com");
        assertThat(values.get("first_name").asText()).isEqualTo("Zoë");
        assertThat(values.get("external_id").isTextual()).isTrue();
        assertThat(values.get("external_id").asText()).isEqualTo("706405506930370084");
        assertThat(values.get("location.city").asText()).isEqualTo("Indianapolis");
    }

    @Test
    void placedOrderMapping_shouldKeepItemNamesAsAList_andTheTotalAsAnExactNumber() throws Exception {
        // given
        JsonNode order = JSON.readTree(Fixtures.text("events/payloads/orders-create.json"));
        Mapping placed = ShippedKlaviyoMappings.load(JSON).placedOrder();

        // when
        Map<String, JsonNode> values = placed.apply(order, "shopsync-demo.myshopify.com", "orders/create");

        // then
        assertThat(values.get("properties.ItemNames").isArray()).isTrue();
        assertThat(values.get("properties.ItemNames")).extracting(JsonNode::asText)
                .containsExactly("Merino Crew Sweater", "Organic Cotton Tee", "Wool Beanie");
        assertThat(values.get("value").isNumber()).isTrue();
        assertThat(values.get("value").decimalValue()).isEqualByComparingTo("171.31");
        assertThat(values.get("properties.OrderId").asText()).isEqualTo("820982911946154508");
    }

    @Test
    void parse_shouldNameThePropertyAndTheFix_whenAMappingWritesAnUnknownProfileAttribute() {
        // given
        String text = """
                {"target": "klaviyo", "object": "profile",
                 "properties": {"emial": {"from": "email"}}}""";

        // when / then
        assertThatThrownBy(() -> Mapping.parse("klaviyo-profile", text, "override/klaviyo-profile.json",
                KlaviyoSchemas.PROFILE, JSON))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("override/klaviyo-profile.json")
                .hasMessageContaining("property emial")
                .hasMessageContaining("fix the name");
    }

    @Test
    void parse_shouldRejectConnectorOwnedEventAttributes_andAcceptAnyEventProperty() {
        // given
        String uniqueId = """
                {"target": "klaviyo", "object": "event Placed Order",
                 "properties": {"unique_id": {"from": "id", "transform": "id"}}}""";
        String custom = """
                {"target": "klaviyo", "object": "event Placed Order",
                 "properties": {"properties.GiftWrap": {"from": "note_attributes[0].value"}}}""";

        // when / then
        assertThatThrownBy(() -> Mapping.parse("klaviyo-placed-order", uniqueId, "x.json", KlaviyoSchemas.EVENT, JSON))
                .isInstanceOf(MappingException.class).hasMessageContaining("property unique_id");
        assertThat(Mapping.parse("klaviyo-placed-order", custom, "x.json", KlaviyoSchemas.EVENT, JSON).rules())
                .hasSize(1);
    }

    @Test
    void parse_shouldNameThePathAndItsSyntax_whenASourcePathIsMalformed() {
        // given
        String text = """
                {"target": "klaviyo", "object": "event Placed Order",
                 "properties": {"properties.ItemNames": {"from": "line_items[].title"}}}""";

        // when / then
        assertThatThrownBy(() -> Mapping.parse("klaviyo-placed-order", text, "x.json", KlaviyoSchemas.EVENT, JSON))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("malformed source path line_items[].title")
                .hasMessageContaining("line_items[*].sku");
    }
}
