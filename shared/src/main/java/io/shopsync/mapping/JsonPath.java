package io.shopsync.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A source path into a Shopify payload: dotted field names with optional array steps,
 * {@code customer.email}, {@code line_items[0].sku}, {@code discount_codes[*].code} (every element).
 * {@code $shop} and {@code $topic} name the delivery's shop and topic.
 */
public final class JsonPath {

    private static final Pattern SYNTAX = Pattern.compile(
            "\\$shop|\\$topic|[a-z_][a-z0-9_]*(\\[(\\d+|\\*)])?(\\.[a-z_][a-z0-9_]*(\\[(\\d+|\\*)])?)*");
    private static final Pattern STEP = Pattern.compile("([a-z_][a-z0-9_]*)(?:\\[(\\d+|\\*)])?");

    private final String text;
    private final List<String[]> steps = new ArrayList<>();

    private JsonPath(String text) {
        this.text = text;
        if (!text.startsWith("$")) {
            for (String part : text.split("\\.")) {
                Matcher m = STEP.matcher(part);
                if (!m.matches()) {
                    throw new MappingException("malformed source path " + text);
                }
                steps.add(new String[] {m.group(1), m.group(2)});
            }
        }
    }

    public static JsonPath parse(String text) {
        if (text == null || !SYNTAX.matcher(text).matches()) {
            throw new MappingException("malformed source path " + text + ": use field names joined by '.', "
                    + "with [n] or [*] after an array field, e.g. line_items[*].sku, or $shop / $topic");
        }
        return new JsonPath(text);
    }

    /** The value at this path, or null when any step is missing or null. */
    public JsonNode read(JsonNode payload, String shop, String topic) {
        if (text.equals("$shop")) {
            return shop == null ? null : JsonNodeFactory.instance.textNode(shop);
        }
        if (text.equals("$topic")) {
            return topic == null ? null : JsonNodeFactory.instance.textNode(topic);
        }
        return walk(payload, 0);
    }

    private JsonNode walk(JsonNode node, int index) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (index == steps.size()) {
            return node;
        }
        String[] step = steps.get(index);
        JsonNode field = node.get(step[0]);
        if (step[1] == null) {
            return walk(field, index + 1);
        }
        if (field == null || !field.isArray()) {
            return null;
        }
        if (!step[1].equals("*")) {
            return walk(field.get(Integer.parseInt(step[1])), index + 1);
        }
        ArrayNode all = JsonNodeFactory.instance.arrayNode();
        for (JsonNode element : field) {
            JsonNode value = walk(element, index + 1);
            if (value != null) {
                all.add(value);
            }
        }
        return all;
    }

    @Override
    public String toString() {
        return text;
    }
}
