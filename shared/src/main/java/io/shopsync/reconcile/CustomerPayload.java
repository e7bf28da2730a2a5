package io.shopsync.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.flow.UnprocessableWebhookException;
import java.util.List;
import java.util.Locale;

/**
 * An Admin GraphQL {@code Customer} (as {@link ShopifyCustomers} lists it) in the shape of the REST webhook payload
 * of {@code customers/update}: the shape the order flow's customer mappings ({@code hubspot-customer.json},
 * {@code klaviyo-customer-profile.json}), its entity key ({@code id}) and its versioning ({@code updated_at}) read.
 * The fields an order's customer carries are built exactly as {@link OrderPayload} builds them (one conversion, so
 * a customer imported alone and one imported with an order look alike); the account fields are added: {@code state}
 * in REST's lower case, {@code verified_email}, {@code tax_exempt}, {@code note}, and {@code addresses} holding the
 * default address.
 *
 * <p>What a webhook has and this payload lacks is {@link #NOT_CARRIED} (README, Import your history).
 */
public final class CustomerPayload {

    /** Webhook fields an imported customer does not carry. None is read by the shipped mappings. */
    public static final List<String> NOT_CARRIED = List.of(
            "addresses[] other than the default address", "default_address.id and the addresses' ids",
            "currency", "multipass_identifier", "tax_exemptions");

    private final ObjectMapper json;
    private final OrderPayload orders;

    public CustomerPayload(ObjectMapper json) {
        this.json = json;
        this.orders = new OrderPayload(json);
    }

    /**
     * @throws UnprocessableWebhookException when the customer has no numeric id or no {@code updatedAt}: without
     *     them it has no entity key and no version
     */
    public ObjectNode webhookShape(JsonNode customer) {
        ObjectNode out = (ObjectNode) orders.customer(customer);
        if (!out.path("updated_at").isTextual()) {
            throw new UnprocessableWebhookException("customer " + out.path("id").asText() + " has no updatedAt");
        }
        JsonNode state = customer.path("state");
        if (state.isTextual()) {
            out.put("state", state.asText().toLowerCase(Locale.ROOT));
        } else {
            out.putNull("state");
        }
        out.put("verified_email", customer.path("verifiedEmail").asBoolean(false));
        out.put("tax_exempt", customer.path("taxExempt").asBoolean(false));
        out.set("note", customer.path("note").isTextual() ? customer.path("note") : json.nullNode());
        JsonNode defaultAddress = out.path("default_address");
        out.putArray("addresses").addAll(defaultAddress.isObject() ? List.of(defaultAddress.deepCopy()) : List.of());
        return out;
    }
}
