package io.shopsync.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.flow.UnprocessableWebhookException;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An Admin GraphQL {@code Order} (as {@link io.shopsync.connectors.shopify.ShopifyAdmin#order} reads it) in
 * the shape of the REST webhook payload of {@code orders/updated}: the shape the order flow's mappings, its
 * entity keys and its versioning read. Ids become exact integers as in a webhook, enum values the REST
 * spelling ({@code PARTIALLY_REFUNDED} becomes {@code partially_refunded}, {@code PARTIALLY_FULFILLED}
 * {@code partial}), money {@code shop_money} amounts.
 *
 * <p>What a webhook has and this payload lacks is {@link #NOT_CARRIED} (README, Reconciliation).
 */
public final class OrderPayload {

    /**
     * Webhook fields the reconciled payload does not carry. None is read by the shipped mappings; a
     * custom mapping that reads one gets nothing for a reconciled order (its rules' fallbacks apply).
     */
    public static final List<String> NOT_CARRIED = List.of(
            "presentment_money in every *_set (only shop_money)", "discount_codes[].amount and .type",
            "line_items[] beyond the first 100, and their tax_lines, discount_allocations, grams, properties",
            "refunds[] beyond the first 20; refunds[].restock and refund_line_items[].id, .line_item_id, .location_id",
            "fulfillments, shipping_lines, tax_lines, note_attributes, discount_applications",
            "addresses' latitude and longitude; customer.default_address.id",
            "browser_ip, client_details, landing_site, referring_site, cart_token, checkout_token, token, order_status_url",
            "order_number, number, confirmation_number, user_id, app_id, location_id, device_id, po_number, reference",
            "total_line_items_price, total_outstanding, total_tip_received, total_weight, payment_gateway_names, payment_terms",
            "buyer_accepts_marketing, confirmed, duties_included, estimated_taxes, taxes_included, tax_exempt",
            "landing_site_ref, source_identifier, source_url, merchant_business_entity_id, merchant_of_record_app_id",
            "returns, line_item_groups");

    /** The money fields: webhook amount field and GraphQL {@code MoneyBag} field. */
    private static final List<String[]> MONEY = List.of(
            new String[] {"total_price", "totalPriceSet"}, new String[] {"subtotal_price", "subtotalPriceSet"},
            new String[] {"total_tax", "totalTaxSet"}, new String[] {"total_discounts", "totalDiscountsSet"},
            new String[] {"current_total_price", "currentTotalPriceSet"},
            new String[] {"current_subtotal_price", "currentSubtotalPriceSet"},
            new String[] {"current_total_tax", "currentTotalTaxSet"},
            new String[] {"current_total_discounts", "currentTotalDiscountsSet"});

    /** REST's fulfillment_status: null until something shipped. */
    private static final Set<String> UNFULFILLED = Set.of("UNFULFILLED", "IN_PROGRESS", "ON_HOLD", "OPEN",
            "PENDING_FULFILLMENT", "SCHEDULED", "REQUEST_DECLINED");

    private final ObjectMapper json;

    public OrderPayload(ObjectMapper json) {
        this.json = json;
    }

    /**
     * @throws UnprocessableWebhookException when the order has no numeric id or no {@code updatedAt}: without
     *     them it has no entity key and no version
     */
    public ObjectNode webhookShape(JsonNode order) {
        ObjectNode out = json.createObjectNode();
        String id = legacyId(order, "legacyResourceId", "order");
        if (order.path("updatedAt").asText("").isEmpty()) {
            throw new UnprocessableWebhookException("order " + id + " has no updatedAt");
        }
        out.put("id", new BigInteger(id));
        out.put("admin_graphql_api_id", "gid://shopify/Order/" + id);
        text(out, "name", order, "name");
        text(out, "email", order, "email");
        text(out, "contact_email", order, "email");
        text(out, "phone", order, "phone");
        out.put("test", order.path("test").asBoolean(false));
        text(out, "created_at", order, "createdAt");
        text(out, "updated_at", order, "updatedAt");
        text(out, "processed_at", order, "processedAt");
        text(out, "cancelled_at", order, "cancelledAt");
        text(out, "closed_at", order, "closedAt");
        enumValue(out, "cancel_reason", order.path("cancelReason"));
        enumValue(out, "financial_status", order.path("displayFinancialStatus"));
        out.set("fulfillment_status", fulfillmentStatus(order.path("displayFulfillmentStatus")));
        text(out, "currency", order, "currencyCode");
        text(out, "presentment_currency", order, "presentmentCurrencyCode");
        List<String> tagTexts = new java.util.ArrayList<>();
        order.path("tags").forEach(tag -> tagTexts.add(tag.asText()));
        out.put("tags", String.join(", ", tagTexts));
        text(out, "note", order, "note");
        text(out, "source_name", order, "sourceName");
        text(out, "customer_locale", order, "customerLocale");
        ArrayNode codes = out.putArray("discount_codes");
        order.path("discountCodes").forEach(code -> codes.addObject().put("code", code.asText()));
        for (String[] money : MONEY) {
            JsonNode bag = order.path(money[1]);
            if (bag.isObject()) {
                out.put(money[0], bag.path("shopMoney").path("amount").asText());
                out.set(money[0] + "_set", moneySet(bag));
            }
        }
        if (order.path("totalShippingPriceSet").isObject()) {
            out.set("total_shipping_price_set", moneySet(order.path("totalShippingPriceSet")));
        }
        out.set("customer", customer(order.path("customer")));
        out.set("billing_address", address(order.path("billingAddress")));
        out.set("shipping_address", address(order.path("shippingAddress")));
        ArrayNode lines = out.putArray("line_items");
        for (JsonNode line : order.path("lineItems").path("nodes")) {
            lines.add(lineItem(line));
        }
        ArrayNode refunds = out.putArray("refunds");
        for (JsonNode refund : order.path("refunds")) {
            refunds.add(refund(refund, id));
        }
        return out;
    }

    /** Whether Shopify had more line items than the query reads (the payload then lists only the first 100). */
    public static boolean lineItemsTruncated(JsonNode order) {
        return order.path("lineItems").path("pageInfo").path("hasNextPage").asBoolean(false);
    }

    /** An order's {@code customer} (GraphQL {@code Customer}) in the webhook's shape; also {@link CustomerPayload}'s base. */
    JsonNode customer(JsonNode customer) {
        if (!customer.isObject()) {
            return json.nullNode();
        }
        ObjectNode out = json.createObjectNode();
        String id = legacyId(customer, "legacyResourceId", "customer");
        out.put("id", new BigInteger(id));
        out.put("admin_graphql_api_id", "gid://shopify/Customer/" + id);
        JsonNode email = customer.path("defaultEmailAddress").path("emailAddress");
        out.set("email", email.isTextual() ? email : json.nullNode());
        JsonNode phone = customer.path("defaultPhoneNumber").path("phoneNumber");
        out.set("phone", phone.isTextual() ? phone : json.nullNode());
        text(out, "first_name", customer, "firstName");
        text(out, "last_name", customer, "lastName");
        text(out, "created_at", customer, "createdAt");
        text(out, "updated_at", customer, "updatedAt");
        JsonNode address = address(customer.path("defaultAddress"));
        if (address.isObject()) {
            ((ObjectNode) address).put("customer_id", new BigInteger(id));
            ((ObjectNode) address).put("default", true);
        }
        out.set("default_address", address);
        return out;
    }

    private JsonNode address(JsonNode address) {
        if (!address.isObject()) {
            return json.nullNode();
        }
        ObjectNode out = json.createObjectNode();
        text(out, "first_name", address, "firstName");
        text(out, "last_name", address, "lastName");
        text(out, "name", address, "name");
        text(out, "company", address, "company");
        text(out, "address1", address, "address1");
        text(out, "address2", address, "address2");
        text(out, "city", address, "city");
        text(out, "province", address, "province");
        text(out, "province_code", address, "provinceCode");
        text(out, "country", address, "country");
        text(out, "country_code", address, "countryCodeV2");
        text(out, "zip", address, "zip");
        text(out, "phone", address, "phone");
        return out;
    }

    private JsonNode lineItem(JsonNode line) {
        ObjectNode out = json.createObjectNode();
        String id = idOfGid(line.path("id"), "LineItem");
        out.put("id", new BigInteger(id));
        out.put("admin_graphql_api_id", "gid://shopify/LineItem/" + id);
        out.put("quantity", line.path("quantity").asInt());
        if (line.path("currentQuantity").canConvertToInt()) {
            out.put("current_quantity", line.path("currentQuantity").asInt());
        }
        text(out, "title", line, "title");
        text(out, "name", line, "name");
        text(out, "sku", line, "sku");
        text(out, "variant_title", line, "variantTitle");
        text(out, "vendor", line, "vendor");
        JsonNode price = line.path("originalUnitPriceSet");
        if (price.isObject()) {
            out.put("price", price.path("shopMoney").path("amount").asText());
            out.set("price_set", moneySet(price));
        }
        out.set("variant_id", optionalId(line.path("variant")));
        out.set("product_id", optionalId(line.path("product")));
        return out;
    }

    private JsonNode refund(JsonNode refund, String orderId) {
        ObjectNode out = json.createObjectNode();
        out.put("id", new BigInteger(legacyId(refund, "legacyResourceId", "refund")));
        out.put("order_id", new BigInteger(orderId));
        text(out, "created_at", refund, "createdAt");
        // REST's processed_at is when the refund was made; GraphQL's Refund has only createdAt.
        text(out, "processed_at", refund, "createdAt");
        text(out, "note", refund, "note");
        ArrayNode lines = out.putArray("refund_line_items");
        for (JsonNode line : refund.path("refundLineItems").path("nodes")) {
            ObjectNode item = lines.addObject();
            item.put("quantity", line.path("quantity").asInt());
            enumValue(item, "restock_type", line.path("restockType"));
            item.putObject("line_item").set("title", line.path("lineItem").path("title").isTextual()
                    ? line.path("lineItem").path("title") : json.nullNode());
            if (line.path("subtotalSet").isObject()) {
                item.set("subtotal_set", moneySet(line.path("subtotalSet")));
            }
        }
        ArrayNode transactions = out.putArray("transactions");
        for (JsonNode transaction : refund.path("transactions").path("nodes")) {
            ObjectNode item = transactions.addObject();
            enumValue(item, "kind", transaction.path("kind"));
            enumValue(item, "status", transaction.path("status"));
            text(item, "processed_at", transaction, "processedAt");
            item.put("amount", transaction.path("amountSet").path("shopMoney").path("amount").asText());
            item.put("currency", transaction.path("amountSet").path("shopMoney").path("currencyCode").asText());
        }
        return out;
    }

    private ObjectNode moneySet(JsonNode bag) {
        ObjectNode set = json.createObjectNode();
        set.putObject("shop_money").put("amount", bag.path("shopMoney").path("amount").asText())
                .put("currency_code", bag.path("shopMoney").path("currencyCode").asText());
        return set;
    }

    private JsonNode fulfillmentStatus(JsonNode status) {
        if (!status.isTextual() || UNFULFILLED.contains(status.asText())) {
            return json.nullNode();
        }
        return json.getNodeFactory().textNode("PARTIALLY_FULFILLED".equals(status.asText()) ? "partial"
                : status.asText().toLowerCase(Locale.ROOT));
    }

    JsonNode optionalId(JsonNode object) {
        JsonNode id = object.path("legacyResourceId");
        return id.isTextual() && id.asText().matches("[1-9][0-9]{0,24}") ? json.getNodeFactory().numberNode(new BigInteger(id.asText()))
                : json.nullNode();
    }

    void text(ObjectNode out, String field, JsonNode from, String graphqlField) {
        JsonNode value = from.path(graphqlField);
        if (value.isTextual()) {
            out.put(field, value.asText());
        } else {
            out.putNull(field);
        }
    }

    static void enumValue(ObjectNode out, String field, JsonNode value) {
        if (value.isTextual()) {
            out.put(field, value.asText().toLowerCase(Locale.ROOT));
        } else {
            out.putNull(field);
        }
    }

    static String legacyId(JsonNode object, String field, String what) {
        JsonNode id = object.path(field);
        if (id.isTextual() && id.asText().matches("[1-9][0-9]{0,24}")) {
            return id.asText();
        }
        throw new UnprocessableWebhookException(what + " has no numeric " + field);
    }

    /** {@code gid://shopify/LineItem/866550311766439020} → {@code 866550311766439020}. */
    private static String idOfGid(JsonNode gid, String type) {
        String prefix = "gid://shopify/" + type + "/";
        String text = gid.asText("");
        String id = text.startsWith(prefix) ? text.substring(prefix.length()) : "";
        if (!id.matches("[1-9][0-9]{0,24}")) {
            throw new UnprocessableWebhookException(type + " id is not a " + prefix + "<number> global id");
        }
        return id;
    }
}
