package io.shopsync.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.connectors.shopify.AdminGraphql;
import io.shopsync.delivery.DeliveryStore;
import io.shopsync.flow.EntityKeys;
import io.shopsync.flow.OrderFlow;
import io.shopsync.flow.UnprocessableWebhookException;
import io.shopsync.flow.WebhookRoutes;
import io.shopsync.observability.Telemetry;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A customer as the Admin GraphQL API lists it, in the shape of Shopify's customers/update webhook. */
class CustomerPayloadTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Zoë as the 2026-10 {@code Customer} answers the import's fields. */
    private static final String ZOE = """
            {"legacyResourceId":"706405506930370084","firstName":"Zoë","lastName":"Adams","state":"INVITED",
             "note":"VIP, prefers e-mail","verifiedEmail":true,"taxExempt":false,"createdAt":"2024-03-14T09:26:53-04:00",
             "updatedAt":"2026-11-27T05:15:40-05:00","defaultEmailAddress":{"emailAddress":"Zoe.Adams@Example.com"},
             "defaultPhoneNumber":{"phoneNumber":"+16135550142"},
             "defaultAddress":{"firstName":"Zoë","lastName":"Adams","name":"Zoë Adams","company":null,
              "address1":"150 Elgin Street","address2":"Suite 800","city":"Ottawa","province":"Ontario","provinceCode":"ON",
              "country":"Canada","countryCodeV2":"CA","zip":"K2P 1L4","phone":null}}""";

    @Test
    void webhookShape_givesTheFieldsTheCustomerMappingsAndTheFlowRead_inRestSpelling() {
        ObjectNode payload = new CustomerPayload(JSON).webhookShape(json(ZOE));

        // The entity key and version a customers/update webhook gives.
        assertThat(EntityKeys.byId("customer", "id").of("shopsync-demo.myshopify.com", payload))
                .isEqualTo("shopsync-demo.myshopify.com/customer/706405506930370084");
        assertThat(payload.get("id").isIntegralNumber()).as("an exact integer, as in a webhook").isTrue();
        assertThat(payload.path("admin_graphql_api_id").asText()).isEqualTo("gid://shopify/Customer/706405506930370084");
        assertThat(payload.path("updated_at").asText()).isEqualTo("2026-11-27T05:15:40-05:00");
        assertThat(payload.path("created_at").asText()).isEqualTo("2024-03-14T09:26:53-04:00");
        assertThat(payload.path("email").asText()).isEqualTo("Zoe.Adams@Example.com");
        assertThat(payload.path("phone").asText()).isEqualTo("+16135550142");
        assertThat(payload.path("first_name").asText()).isEqualTo("Zoë");
        assertThat(payload.path("last_name").asText()).isEqualTo("Adams");
        assertThat(payload.path("state").asText()).isEqualTo("invited");
        assertThat(payload.path("verified_email").asBoolean()).isTrue();
        assertThat(payload.path("tax_exempt").isBoolean()).isTrue();
        assertThat(payload.path("note").asText()).isEqualTo("VIP, prefers e-mail");
        JsonNode address = payload.path("default_address");
        assertThat(address.path("city").asText()).isEqualTo("Ottawa");
        assertThat(address.path("province").asText()).isEqualTo("Ontario");
        assertThat(address.path("country").asText()).isEqualTo("Canada");
        assertThat(address.path("zip").asText()).isEqualTo("K2P 1L4");
        assertThat(address.path("country_code").asText()).isEqualTo("CA");
        assertThat(address.path("customer_id").asText()).isEqualTo("706405506930370084");
        assertThat(address.path("default").asBoolean()).isTrue();
        assertThat(payload.path("addresses")).containsExactly(address);
    }

    @Test
    void webhookShape_ofACustomerWithoutContactOrAddress_hasNullsAndNoAddresses() {
        ObjectNode customer = (ObjectNode) json(ZOE);
        customer.putNull("defaultEmailAddress").putNull("defaultPhoneNumber").putNull("defaultAddress").putNull("note");

        ObjectNode payload = new CustomerPayload(JSON).webhookShape(customer);

        assertThat(payload.get("email").isNull()).isTrue();
        assertThat(payload.get("phone").isNull()).isTrue();
        assertThat(payload.get("default_address").isNull()).isTrue();
        assertThat(payload.get("note").isNull()).isTrue();
        assertThat(payload.path("addresses").isArray()).isTrue();
        assertThat(payload.path("addresses")).isEmpty();
    }

    @Test
    void webhookShape_refusesACustomerWithoutANumericIdOrAnUpdatedAt() {
        ObjectNode withoutId = (ObjectNode) json(ZOE);
        withoutId.put("legacyResourceId", "gid://shopify/Customer/706405506930370084");
        ObjectNode withoutVersion = (ObjectNode) json(ZOE);
        withoutVersion.putNull("updatedAt");

        assertThatThrownBy(() -> new CustomerPayload(JSON).webhookShape(withoutId))
                .isInstanceOf(UnprocessableWebhookException.class).hasMessageContaining("legacyResourceId");
        assertThatThrownBy(() -> new CustomerPayload(JSON).webhookShape(withoutVersion))
                .isInstanceOf(UnprocessableWebhookException.class).hasMessageContaining("updatedAt");
    }

    @Test
    void theCustomerImport_refusesAnOrderFlowThatDoesNotTakeCustomerTopics() {
        ShopifyCustomers customers = new ShopifyCustomers(new AdminGraphql(null, null, null, "2026-10", JSON,
                Clock.systemUTC()), 100, 20_000, duration -> { });
        DeliveryStore noStore = null;

        assertThatThrownBy(() -> new CustomerReconciliation(OrderFlow.FLOW, Set.of("klaviyo"), customers, noStore, null,
                "2026-10", JSON, new Telemetry(JSON, line -> { }, Clock.systemUTC()), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not take customers/create").hasMessageContaining("OrderFlowCustomerTopics=true");
        assertThat(new CustomerReconciliation(WebhookRoutes.orderFlow(true), Set.of("klaviyo"), customers, noStore, null,
                "2026-10", JSON, new Telemetry(JSON, line -> { }, Clock.systemUTC()), Clock.systemUTC()).name())
                .isEqualTo("customers");
    }
}
