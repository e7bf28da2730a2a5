package io.shopsync.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.flow.EntityVersion;
import io.shopsync.flow.OrderFlow;
import io.shopsync.flow.TopicRule;
import io.shopsync.testkit.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An Admin GraphQL order, answered as Shopify answers {@code order(id:)} for the order of
 * events/payloads/orders-updated.json (with the refund of refunds-create.json), becomes that webhook's shape.
 */
class OrderPayloadTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}.*");
    private static final String SHOP = "shopsync-demo.myshopify.com";

    /** Every payload path the shipped order mappings and the order connectors read. */
    private static final List<String> READ_BY_THE_ORDER_FLOW = List.of("id", "name", "email", "contact_email",
            "created_at", "updated_at", "processed_at", "cancelled_at", "cancel_reason", "financial_status",
            "fulfillment_status", "currency", "presentment_currency", "tags", "note", "source_name", "customer_locale",
            "test", "total_price", "subtotal_price", "total_tax", "total_discounts", "current_total_price",
            "current_subtotal_price", "current_total_tax", "current_total_discounts",
            "total_shipping_price_set.shop_money.amount", "discount_codes.0.code", "customer.id", "customer.email",
            "customer.first_name", "customer.last_name", "customer.phone", "customer.updated_at",
            "customer.default_address.city", "customer.default_address.country", "customer.default_address.zip",
            "customer.default_address.province", "customer.default_address.address1",
            "billing_address.first_name", "billing_address.city", "billing_address.zip", "billing_address.phone",
            "shipping_address.address1", "shipping_address.city", "shipping_address.country", "shipping_address.zip",
            "line_items.0.id", "line_items.0.title", "line_items.0.quantity", "line_items.0.price", "line_items.0.sku",
            "line_items.0.variant_id", "line_items.0.product_id", "line_items.0.variant_title", "line_items.0.vendor",
            "refunds.0.id", "refunds.0.order_id", "refunds.0.processed_at", "refunds.0.created_at",
            "refunds.0.refund_line_items.0.line_item.title", "refunds.0.transactions.0.kind",
            "refunds.0.transactions.0.status", "refunds.0.transactions.0.amount", "refunds.0.transactions.0.currency",
            "refunds.0.refund_line_items.0.subtotal_set.shop_money.currency_code");

    private final OrderPayload converter = new OrderPayload(JSON);

    static JsonNode graphqlOrder() throws IOException {
        try (InputStream in = OrderPayloadTest.class.getResourceAsStream("/shopify-admin/order-820982911946154508.json")) {
            return JSON.readTree(in).path("data").path("order");
        }
    }

    @Test
    void webhookShape_shouldMatchTheWebhookFieldByField_forEveryFieldItCarries() throws IOException {
        ObjectNode webhook = (ObjectNode) JSON.readTree(Fixtures.text("events/payloads/orders-updated.json"));
        // orders-updated.json has no refund; an order's refunds[] carry refunds/create's shape.
        webhook.putArray("refunds").add(JSON.readTree(Fixtures.text("events/payloads/refunds-create.json")));

        ObjectNode converted = converter.webhookShape(graphqlOrder());

        List<String> differences = new ArrayList<>();
        compare("", converted, webhook, differences);
        assertThat(differences).isEmpty();
        for (String path : READ_BY_THE_ORDER_FLOW) {
            assertThat(at(converted, path).isMissingNode()).as("the reconciled payload carries %s", path).isFalse();
        }
    }

    @Test
    void webhookShape_shouldLackOnlyTheFieldsItsDocumentationNames() throws IOException {
        JsonNode webhook = JSON.readTree(Fixtures.text("events/payloads/orders-updated.json"));
        ObjectNode converted = converter.webhookShape(graphqlOrder());
        String documented = String.join("; ", OrderPayload.NOT_CARRIED);

        List<String> undocumented = new ArrayList<>();
        for (Iterator<String> names = webhook.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!converted.has(name) && !name.endsWith("_set") && !Pattern.compile("\\b" + name + "\\b").matcher(documented).find()) {
                undocumented.add(name);
            }
        }
        assertThat(undocumented).as("webhook fields the reconciled payload lacks without saying so").isEmpty();
    }

    @Test
    void webhookShape_shouldGiveTheSameEntityWatermarkAndVersion_asTheWebhook() throws IOException {
        JsonNode webhook = JSON.readTree(Fixtures.text("events/payloads/orders-updated.json"));
        ObjectNode converted = converter.webhookShape(graphqlOrder());
        TopicRule rule = OrderFlow.FLOW.ruleFor("orders/updated").orElseThrow();

        assertThat(rule.entity().of(SHOP, converted)).isEqualTo(rule.entity().of(SHOP, webhook))
                .isEqualTo(SHOP + "/order/820982911946154508");
        assertThat(rule.watermark().orElseThrow().of(SHOP, converted)).isEqualTo(rule.watermark().orElseThrow().of(SHOP, webhook));
        assertThat(EntityVersion.of(converted, null).updatedAt()).isEqualTo(EntityVersion.of(webhook, null).updatedAt());
        assertThat(EntityVersion.of(converted.get("customer"), null).updatedAt())
                .isEqualTo(EntityVersion.of(webhook.get("customer"), null).updatedAt());
    }

    @Test
    void webhookShape_shouldSpellStatusesAsRest() throws IOException {
        ObjectNode order = (ObjectNode) graphqlOrder().deepCopy();
        order.put("displayFinancialStatus", "PARTIALLY_REFUNDED").put("displayFulfillmentStatus", "PARTIALLY_FULFILLED")
                .put("cancelReason", "CUSTOMER").put("cancelledAt", "2026-11-27T15:03:27Z");

        ObjectNode converted = converter.webhookShape(order);

        assertThat(converted.path("financial_status").asText()).isEqualTo("partially_refunded");
        assertThat(converted.path("fulfillment_status").asText()).isEqualTo("partial");
        assertThat(converted.path("cancel_reason").asText()).isEqualTo("customer");
        order.put("displayFulfillmentStatus", "ON_HOLD");
        assertThat(converter.webhookShape(order).path("fulfillment_status").isNull()).isTrue();
    }

    /** Same node type at every path, and the same value (timestamps as instants). */
    private static void compare(String path, JsonNode converted, JsonNode webhook, List<String> differences) {
        if (webhook == null || webhook.isMissingNode()) {
            differences.add(path + ": not in the webhook");
            return;
        }
        if (converted.isObject()) {
            if (!webhook.isObject()) {
                differences.add(path + ": object, webhook has " + webhook.getNodeType());
                return;
            }
            for (Map.Entry<String, JsonNode> field : (Iterable<Map.Entry<String, JsonNode>>) converted::fields) {
                compare(path + "." + field.getKey(), field.getValue(), webhook.get(field.getKey()), differences);
            }
            return;
        }
        if (converted.isArray()) {
            if (!webhook.isArray() || webhook.size() != converted.size()) {
                differences.add(path + ": array of " + converted.size() + ", webhook has " + webhook);
                return;
            }
            for (int i = 0; i < converted.size(); i++) {
                compare(path + "[" + i + "]", converted.get(i), webhook.get(i), differences);
            }
            return;
        }
        JsonNodeType type = converted.getNodeType();
        if (type != webhook.getNodeType()) {
            differences.add(path + ": " + type + ", webhook has " + webhook.getNodeType());
        } else if (converted.isTextual() && TIMESTAMP.matcher(converted.asText()).matches()) {
            if (!OffsetDateTime.parse(converted.asText()).toInstant().equals(OffsetDateTime.parse(webhook.asText()).toInstant())) {
                differences.add(path + ": " + converted.asText() + " is not the webhook's " + webhook.asText());
            }
        } else if (!converted.equals(webhook) && !(converted.isNumber() && converted.decimalValue().compareTo(webhook.decimalValue()) == 0)) {
            differences.add(path + ": " + converted + " is not the webhook's " + webhook);
        }
    }

    private static JsonNode at(JsonNode node, String dotted) {
        JsonNode current = node;
        for (String part : dotted.split("\\.")) {
            current = part.matches("\\d+") ? current.path(Integer.parseInt(part)) : current.path(part);
        }
        return current;
    }
}
