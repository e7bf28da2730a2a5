package io.shopsync.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.shopsync.flow.PayloadValue;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The value transformations a mapping rule may name, applied left to right. */
public enum Transform {

    /** Text without surrounding whitespace. */
    TRIM("trim"),
    /** Lower-case text (emails: HubSpot matches its unique key exactly). */
    LOWERCASE("lowercase"),
    /** A Shopify money string or number as an exact decimal string ("149.90"), never a double. */
    MONEY("money"),
    /** A number node (Klaviyo's event value); exact decimal. */
    NUMBER("number"),
    /** An ISO-8601 timestamp with offset, as a UTC instant ("2026-11-27T10:15:45Z"). */
    TIMESTAMP("timestamp"),
    /** An ISO-8601 timestamp as epoch milliseconds (HubSpot datetime properties). */
    EPOCH_MILLIS("epoch-millis"),
    /** A Shopify id (integer, exact beyond 2^53) as decimal text. */
    ID("id"),
    /** An array (or Shopify's comma-separated tags) joined with the rule's separator (default ";"). */
    JOIN("join"),
    /** A value looked up in the rule's "values" table; unmapped values use "default" or are left out. */
    MAP("map"),
    /** Any scalar as text. */
    STRING("string");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final String label;

    Transform(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Transform named(String label) {
        for (Transform transform : values()) {
            if (transform.label.equals(label)) {
                return transform;
            }
        }
        List<String> known = new ArrayList<>();
        for (Transform transform : values()) {
            known.add(transform.label);
        }
        throw new MappingException("unknown transform " + label + " (known: " + String.join(", ", known) + ")");
    }

    /** @return the transformed value, or null when there is nothing to write */
    JsonNode apply(JsonNode value, String separator, Map<String, JsonNode> values, JsonNode fallback, String where) {
        if (value == null || value.isNull()) {
            return this == MAP ? fallback : null;
        }
        switch (this) {
            case TRIM:
                return NODES.textNode(value.asText().trim());
            case LOWERCASE:
                return NODES.textNode(value.asText().toLowerCase(Locale.ROOT));
            case MONEY:
                return NODES.textNode(decimal(value, where).toPlainString());
            case NUMBER:
                return NODES.numberNode(decimal(value, where));
            case TIMESTAMP:
                return NODES.textNode(instant(value, where).withOffsetSameInstant(ZoneOffset.UTC).toInstant().toString());
            case EPOCH_MILLIS:
                return NODES.textNode(Long.toString(instant(value, where).toInstant().toEpochMilli()));
            case ID:
                if (value.isIntegralNumber()) {
                    return NODES.textNode(value.bigIntegerValue().toString());
                }
                if (value.isTextual() && value.asText().matches("\\d+")) {
                    return value;
                }
                throw new MappingException(where + ": " + PayloadValue.describe(value) + " is not a Shopify id");
            case JOIN:
                return join(value, separator);
            case MAP:
                JsonNode mapped = values.get(value.asText());
                return mapped != null ? mapped : fallback;
            case STRING:
                return value.isValueNode() ? NODES.textNode(value.asText()) : NODES.textNode(value.toString());
            default:
                throw new IllegalStateException(label);
        }
    }

    private static JsonNode join(JsonNode value, String separator) {
        List<String> parts = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(element -> parts.add(element.asText().trim()));
        } else {
            for (String part : value.asText().split(",")) {
                parts.add(part.trim());
            }
        }
        parts.removeIf(String::isEmpty);
        return parts.isEmpty() ? null : NODES.textNode(String.join(separator, parts));
    }

    private static BigDecimal decimal(JsonNode value, String where) {
        try {
            return value.isNumber() ? value.decimalValue() : new BigDecimal(value.asText().trim());
        } catch (NumberFormatException e) {
            throw new MappingException(where + ": " + PayloadValue.describe(value) + " is not an amount");
        }
    }

    private static OffsetDateTime instant(JsonNode value, String where) {
        try {
            return OffsetDateTime.parse(value.asText());
        } catch (DateTimeParseException e) {
            throw new MappingException(where + ": " + PayloadValue.describe(value) + " is not an ISO-8601 timestamp");
        }
    }

}
