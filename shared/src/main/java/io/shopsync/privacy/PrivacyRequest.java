package io.shopsync.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopsync.flow.EntityKeys;
import io.shopsync.flow.UnprocessableWebhookException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A privacy webhook's payload: {@code customers/redact} {@code {shop_id, shop_domain, customer{id,email,phone},
 * orders_to_redact[]}}, {@code customers/data_request} the same with {@code orders_requested[]} and
 * {@code data_request{id}}, {@code shop/redact} {@code {shop_id, shop_domain}}. Ids are exact decimal text.
 *
 * <p>{@code toString} names ids only: the e-mail and phone are personal data and never logged.
 */
public record PrivacyRequest(String topic, String shopId, Optional<String> customerId, Optional<String> email,
                             Optional<String> phone, List<String> orderIds, Optional<String> dataRequestId) {

    public static PrivacyRequest of(String topic, JsonNode payload) {
        String shopId = EntityKeys.id(payload, "shop_id");
        if (PrivacyTopics.SHOP_REDACT.equals(topic)) {
            return new PrivacyRequest(topic, shopId, Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                    Optional.empty());
        }
        JsonNode customer = payload.get("customer");
        if (customer == null || !customer.isObject()) {
            throw new UnprocessableWebhookException(topic + " payload has no customer object");
        }
        String ordersField = PrivacyTopics.CUSTOMERS_DATA_REQUEST.equals(topic) ? "orders_requested" : "orders_to_redact";
        List<String> orders = new ArrayList<>();
        JsonNode list = payload.get(ordersField);
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw new UnprocessableWebhookException(ordersField + " is not an array");
            }
            for (JsonNode order : list) {
                if (order.isIntegralNumber() && order.bigIntegerValue().signum() > 0) {
                    orders.add(order.bigIntegerValue().toString());
                } else if (order.isTextual() && order.asText().matches("[1-9][0-9]{0,24}")) {
                    orders.add(order.asText());
                } else {
                    throw new UnprocessableWebhookException(ordersField + " holds something that is not an order id");
                }
            }
        }
        Optional<String> dataRequestId = Optional.empty();
        JsonNode request = payload.get("data_request");
        if (request != null && request.isObject() && request.hasNonNull("id")) {
            dataRequestId = Optional.of(EntityKeys.id(request, "id"));
        }
        return new PrivacyRequest(topic, shopId, Optional.of(EntityKeys.id(customer, "id")),
                text(customer, "email").map(e -> e.toLowerCase(Locale.ROOT)), text(customer, "phone"),
                List.copyOf(orders), dataRequestId);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() || value.asText().isBlank()
                ? Optional.empty() : Optional.of(value.asText().trim());
    }

    /** Ids only, for logs and reasons. */
    @Override
    public String toString() {
        return topic + " for shop id " + shopId + customerId.map(id -> ", customer " + id).orElse("")
                + (orderIds.isEmpty() ? "" : ", " + orderIds.size() + " orders")
                + dataRequestId.map(id -> ", data request " + id).orElse("");
    }
}
