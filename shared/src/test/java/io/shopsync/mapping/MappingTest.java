package io.shopsync.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.testkit.Fixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MappingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TargetSchema CONTACTS = TargetSchema.closed("email", "firstname", "lastname", "lifecyclestage",
            "hs_pipeline_stage", "total");

    private static Mapping mapping(String properties) {
        return Mapping.parse("test", "{\"target\":\"hubspot\",\"object\":\"contacts\",\"customProperties\":[\"shopify_id\","
                + "\"tags\",\"created\",\"items\"],\"properties\":" + properties + "}", "test.json", CONTACTS, JSON);
    }

    private static JsonNode order() throws Exception {
        return JSON.readTree(Fixtures.text("events/payloads/orders-create.json"));
    }

    @Test
    void apply_shouldTakeTheFirstNonNullPath_andApplyTransformsInOrder() throws Exception {
        Mapping mapping = mapping("""
                {"email": {"from": ["contact_email_missing", "email"], "transform": ["trim", "lowercase"]},
                 "shopify_id": {"from": "id", "transform": "id"},
                 "total": {"from": "current_total_price", "transform": "money"},
                 "created": {"from": "created_at", "transform": "timestamp"},
                 "tags": {"from": "tags", "transform": "join", "separator": "|"},
                 "items": {"from": "line_items[*].sku", "transform": "join"},
                 "lifecyclestage": {"constant": "customer"}}""");

        Map<String, JsonNode> out = mapping.apply(order(), "shopsync-demo.myshopify.com", "orders/create");

        assertThat(out.get("email").asText()).isEqualTo("zoe.adams@example.com");
        assertThat(out.get("shopify_id").asText()).isEqualTo("820982911946154508");
        assertThat(out.get("total").asText()).isEqualTo("171.31");
        assertThat(out.get("created").asText()).isEqualTo("2026-11-27T10:15:42Z");
        assertThat(out.get("tags").asText()).isEqualTo("black-friday|newsletter");
        assertThat(out.get("items").asText()).contains(";");
        assertThat(out.get("lifecyclestage").asText()).isEqualTo("customer");
        assertThat(out.keySet()).containsExactly("email", "shopify_id", "total", "created", "tags", "items", "lifecyclestage");
    }

    @Test
    void apply_shouldLeaveOutAbsentValues_soTheTargetKeepsWhatItHas() throws Exception {
        Mapping mapping = mapping("{\"firstname\": {\"from\": \"customer.first_name\"}}");

        assertThat(mapping.apply(JSON.readTree(Fixtures.text("events/payloads/orders-guest-pos.json")), "s", "t")).isEmpty();
    }

    @Test
    void apply_shouldMapValues_withADefaultForUnmappedOnes() throws Exception {
        Mapping mapping = mapping("""
                {"hs_pipeline_stage": {"from": "financial_status", "transform": "map",
                  "values": {"paid": "stage-paid"}, "default": "stage-open"}}""");

        assertThat(mapping.apply(JSON.readTree("{\"financial_status\":\"paid\"}"), "s", "t").get("hs_pipeline_stage").asText())
                .isEqualTo("stage-paid");
        assertThat(mapping.apply(JSON.readTree("{\"financial_status\":\"voided\"}"), "s", "t").get("hs_pipeline_stage").asText())
                .isEqualTo("stage-open");
    }

    @Test
    void apply_shouldFailForTheItem_whenARequiredValueIsMissingOrMalformed() throws Exception {
        Mapping required = mapping("{\"shopify_id\": {\"from\": \"id\", \"transform\": \"id\", \"required\": true}}");
        Mapping money = mapping("{\"total\": {\"from\": \"total_price\", \"transform\": \"money\"}}");

        assertThatThrownBy(() -> required.apply(JSON.readTree("{}"), "s", "t")).isInstanceOf(MappingException.class)
                .hasMessageContaining("hubspot contacts.shopify_id is required but the payload has no id");
        assertThatThrownBy(() -> money.apply(JSON.readTree("{\"total_price\":\"12,50\"}"), "s", "t"))
                .hasMessageContaining("is not an amount");
    }

    @Test
    void apply_shouldDescribeAMalformedTextValue_withoutQuotingIt_forItMayBePersonal() throws Exception {
        Mapping id = mapping("{\"shopify_id\": {\"from\": \"customer.phone\", \"transform\": \"id\"}}");
        Mapping money = mapping("{\"total\": {\"from\": \"note\", \"transform\": \"money\"}}");
        Mapping time = mapping("{\"total\": {\"from\": \"email\", \"transform\": \"timestamp\"}}");

        assertThatThrownBy(() -> id.apply(JSON.readTree("{\"customer\":{\"phone\":\"+351 912 345 678\"}}"), "s", "t"))
                .hasMessageContaining("a text of 16 characters is not a Shopify id").hasMessageNotContaining("912");
        assertThatThrownBy(() -> money.apply(JSON.readTree("{\"note\":\"call Zuleika\"}"), "s", "t"))
                .hasMessageContaining("is not an amount").hasMessageNotContaining("Zuleika");
        assertThatThrownBy(() -> time.apply(JSON.readTree("{\"email\":\"zuleika(at)example.org\"}"), "s", "t"))
                .hasMessageContaining("is not an ISO-8601 timestamp").hasMessageNotContaining("zuleika");
        assertThatThrownBy(() -> money.apply(JSON.readTree("{\"note\":[1]}"), "s", "t"))
                .hasMessageContaining("an array is not an amount");
    }

    @Test
    void parse_shouldRefuseAnUnknownTargetProperty_atLoadTime() {
        assertThatThrownBy(() -> mapping("{\"fristname\": {\"from\": \"customer.first_name\"}}"))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("property fristname")
                .hasMessageContaining("list it in \"customProperties\"");
    }

    @Test
    void parse_shouldRefuseMalformedPathsTransformsAndRules() {
        assertThatThrownBy(() -> mapping("{\"firstname\": {\"from\": \"customer..first_name\"}}"))
                .hasMessageContaining("malformed source path customer..first_name");
        assertThatThrownBy(() -> mapping("{\"firstname\": {\"from\": \"name\", \"transform\": \"upper\"}}"))
                .hasMessageContaining("unknown transform upper");
        assertThatThrownBy(() -> mapping("{\"firstname\": {\"from\": \"name\", \"constant\": \"x\"}}"))
                .hasMessageContaining("exactly one of");
        assertThatThrownBy(() -> mapping("{\"firstname\": {\"form\": \"name\"}}"))
                .hasMessageContaining("unknown key \"form\"");
        assertThatThrownBy(() -> mapping("{\"firstname\": {\"from\": \"name\", \"transform\": \"map\"}}"))
                .hasMessageContaining("needs a \"values\" table");
        assertThatThrownBy(() -> Mapping.parse("x", "{", "x.json", CONTACTS, JSON)).hasMessageContaining("not valid JSON");
    }
}
