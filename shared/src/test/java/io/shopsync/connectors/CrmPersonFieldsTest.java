package io.shopsync.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.hubspot.HubSpotSchemas;
import io.shopsync.connectors.klaviyo.KlaviyoSchemas;
import io.shopsync.mapping.Mapping;
import io.shopsync.mapping.TargetSchema;
import io.shopsync.testkit.Fixtures;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same order describes the same person to HubSpot (contact) and Klaviyo (profile): each person field
 * the two mappings share is taken from the same Shopify field, so the two CRMs never disagree on it.
 */
class CrmPersonFieldsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MAPPINGS = "functions/order-to-crm/src/main/resources/mappings/";
    private static final String TOPIC = "orders/updated";
    private static final String SHOP = "shopsync-demo.myshopify.com";
    /** HubSpot contact property → Klaviyo profile attribute, for the fields both write. */
    private static final Map<String, String> SHARED = Map.of("email", "email", "firstname", "first_name",
            "lastname", "last_name", "phone", "phone_number", "city", "location.city", "country", "location.country");

    static Stream<Arguments> orders() throws Exception {
        ObjectNode order = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-create.json"));
        ObjectNode checkoutPhone = order.deepCopy();
        checkoutPhone.put("phone", "+1 613-555-0100"); // typed at checkout for SMS updates, not the customer's own
        ObjectNode customerWithoutPhone = checkoutPhone.deepCopy();
        ((ObjectNode) customerWithoutPhone.get("customer")).putNull("phone");
        ObjectNode billingPhoneOnly = customerWithoutPhone.deepCopy();
        billingPhoneOnly.putNull("phone");
        ObjectNode guest = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-guest-pos.json"));
        return Stream.of(Arguments.of("Shopify's order, no checkout phone", order),
                Arguments.of("a checkout phone other than the customer's", checkoutPhone),
                Arguments.of("a checkout phone, the customer has none", customerWithoutPhone),
                Arguments.of("only the billing address has a phone", billingPhoneOnly),
                Arguments.of("a guest POS order", guest));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("orders")
    void hubSpotContactAndKlaviyoProfile_shouldTakeEachPersonFieldFromTheSameShopifyField(String name, JsonNode order) {
        // when
        Map<String, JsonNode> contact = mapping("hubspot-contact", HubSpotSchemas.CONTACTS).apply(order, SHOP, TOPIC);
        Map<String, JsonNode> profile = mapping("klaviyo-profile", KlaviyoSchemas.PROFILE).apply(order, SHOP, TOPIC);

        // then
        assertThat(text(contact.get("phone"))).as("every order here has a phone somewhere").isNotNull();
        SHARED.forEach((hubspot, klaviyo) -> assertThat(text(profile.get(klaviyo)))
                .as("%s (HubSpot %s, Klaviyo %s)", name, hubspot, klaviyo).isEqualTo(text(contact.get(hubspot))));
    }

    private static Mapping mapping(String file, TargetSchema schema) {
        return Mapping.parse(file, Fixtures.text(MAPPINGS + file + ".json"), file, schema, JSON);
    }

    private static String text(JsonNode value) {
        return value == null || value.isNull() ? null : value.asText();
    }
}
