package io.shopsync.connectors.klaviyo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopsync.flow.PayloadValue;
import io.shopsync.mapping.MappingException;
import java.util.Map;

/** What both Klaviyo connectors do to mapped values before they become JSON:API attributes. */
final class KlaviyoJson {

    private KlaviyoJson() {}

    /** Dotted names nest: location.city becomes {"location":{"city":…}}, properties.X {"properties":{"X":…}}. */
    static ObjectNode nest(ObjectMapper json, Map<String, JsonNode> values) {
        ObjectNode root = json.createObjectNode();
        values.forEach((name, value) -> {
            String[] parts = name.split("\\.");
            ObjectNode parent = root;
            for (int i = 0; i < parts.length - 1; i++) {
                JsonNode child = parent.get(parts[i]);
                parent = child instanceof ObjectNode object ? object : parent.putObject(parts[i]);
            }
            parent.set(parts[parts.length - 1], value);
        });
        return root;
    }

    /** A Shopify id as exact digits (ids exceed 2^53: never through a double). */
    static String shopifyId(JsonNode value, String field) {
        if (value != null && value.isIntegralNumber()) {
            return value.bigIntegerValue().toString();
        }
        if (value != null && value.isTextual() && value.asText().matches("\\d+")) {
            return value.asText();
        }
        throw new MappingException("the payload's " + field + " is " + PayloadValue.describe(value)
                + ", not a Shopify id");
    }
}
