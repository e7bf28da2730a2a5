package io.shopsync.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which Shopify field becomes which target property, and how: a reviewable data file per target
 * object, shipped with the flow ({@code mappings/<name>.json} on the classpath) and overridable per
 * deployment (a file of the same name in the directory {@code MAPPINGS_DIR} names, e.g. a Lambda layer).
 * Loaded and validated once per container; a malformed file fails the first invocation, loudly.
 *
 * <pre>{
 *   "target": "hubspot", "object": "contacts", "description": "...",
 *   "customProperties": ["shopify_customer_id"],
 *   "properties": {
 *     "email": {"from": ["email", "customer.email"], "transform": ["trim", "lowercase"], "required": true},
 *     "lifecyclestage": {"constant": "customer"},
 *     "hs_pipeline_stage": {"from": "financial_status", "transform": "map", "values": {"paid": "..."}}
 *   }
 * }</pre>
 */
public final class Mapping {

    private static final Set<String> RULE_KEYS = Set.of("from", "transform", "constant", "required", "values",
            "default", "separator", "note");

    private final String name;
    private final String target;
    private final String object;
    private final String description;
    private final Set<String> customProperties;
    private final Map<String, Rule> rules;

    /** One target property's rule. */
    public record Rule(String property, List<JsonPath> from, List<Transform> transforms, JsonNode constant,
                       boolean required, Map<String, JsonNode> values, JsonNode fallback, String separator,
                       String note) {}

    private Mapping(String name, String target, String object, String description, Set<String> customProperties,
                    Map<String, Rule> rules) {
        this.name = name;
        this.target = target;
        this.object = object;
        this.description = description;
        this.customProperties = customProperties;
        this.rules = rules;
    }

    /** Loads {@code name}: the deployment's override in MAPPINGS_DIR if there is one, else the shipped file. */
    public static Mapping load(String name, TargetSchema schema, ObjectMapper json) {
        String directory = System.getenv("MAPPINGS_DIR");
        if (directory != null && !directory.isBlank()) {
            Path override = Path.of(directory, name + ".json");
            if (Files.exists(override)) {
                try {
                    return parse(name, Files.readString(override), override.toString(), schema, json);
                } catch (IOException e) {
                    throw new MappingException("cannot read mapping " + override + ": " + e.getMessage());
                }
            }
        }
        String resource = "mappings/" + name + ".json";
        try (InputStream in = Mapping.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new MappingException("mapping " + resource + " is not on the classpath");
            }
            return parse(name, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), resource,
                    schema, json);
        } catch (IOException e) {
            throw new MappingException("cannot read mapping " + resource + ": " + e.getMessage());
        }
    }

    public static Mapping parse(String name, String text, String source, TargetSchema schema, ObjectMapper json) {
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (IOException e) {
            throw new MappingException("mapping " + source + " is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject() || !root.path("properties").isObject()) {
            throw new MappingException("mapping " + source + " needs a \"properties\" object");
        }
        Set<String> custom = new LinkedHashSet<>();
        root.path("customProperties").forEach(n -> custom.add(n.asText()));
        Map<String, Rule> rules = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.get("properties").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String property = field.getKey();
            String where = "mapping " + source + ", property " + property;
            if (!schema.accepts(property, custom)) {
                throw new MappingException(where + ": " + root.path("target").asText() + " "
                        + root.path("object").asText() + " have no such property; fix the name, or create it in the "
                        + "target and list it in \"customProperties\"");
            }
            rules.put(property, rule(property, field.getValue(), where));
        }
        return new Mapping(name, root.path("target").asText(), root.path("object").asText(),
                root.path("description").asText(""), custom, rules);
    }

    private static Rule rule(String property, JsonNode spec, String where) {
        if (!spec.isObject()) {
            throw new MappingException(where + ": a rule is an object with \"from\" or \"constant\"");
        }
        spec.fieldNames().forEachRemaining(key -> {
            if (!RULE_KEYS.contains(key)) {
                throw new MappingException(where + ": unknown key \"" + key + "\" (known: " + RULE_KEYS + ")");
            }
        });
        List<JsonPath> from = new ArrayList<>();
        JsonNode fromNode = spec.path("from");
        if (fromNode.isTextual()) {
            from.add(JsonPath.parse(fromNode.asText()));
        } else if (fromNode.isArray()) {
            fromNode.forEach(p -> from.add(JsonPath.parse(p.asText())));
        }
        JsonNode constant = spec.get("constant");
        if (from.isEmpty() == (constant == null)) {
            throw new MappingException(where + ": give exactly one of \"from\" (a path or a list of paths) and \"constant\"");
        }
        List<Transform> transforms = new ArrayList<>();
        JsonNode transformNode = spec.path("transform");
        if (transformNode.isTextual()) {
            transforms.add(Transform.named(transformNode.asText()));
        } else if (transformNode.isArray()) {
            transformNode.forEach(t -> transforms.add(Transform.named(t.asText())));
        }
        Map<String, JsonNode> values = new LinkedHashMap<>();
        spec.path("values").fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue()));
        if (transforms.contains(Transform.MAP) && values.isEmpty()) {
            throw new MappingException(where + ": transform \"map\" needs a \"values\" table");
        }
        return new Rule(property, List.copyOf(from), List.copyOf(transforms), constant,
                spec.path("required").asBoolean(false), values, spec.get("default"),
                spec.path("separator").asText(";"), spec.path("note").asText(""));
    }

    /**
     * The target properties for one payload, in the file's order; properties whose value is absent are
     * left out, so the target keeps what it has.
     *
     * @throws MappingException when a required property has no value, or a value cannot be transformed
     */
    public Map<String, JsonNode> apply(JsonNode payload, String shop, String topic) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Rule rule : rules.values()) {
            String where = target + " " + object + "." + rule.property();
            JsonNode value = rule.constant();
            if (value == null) {
                for (JsonPath path : rule.from()) {
                    value = path.read(payload, shop, topic);
                    if (value != null && !(value.isTextual() && value.asText().isBlank())
                            && !(value.isArray() && value.isEmpty())) {
                        break;
                    }
                    value = null;
                }
            }
            for (Transform transform : rule.transforms()) {
                value = transform.apply(value, rule.separator(), rule.values(), rule.fallback(), where);
            }
            if (value == null || value.isNull()) {
                if (rule.required()) {
                    throw new MappingException(where + " is required but the payload has no "
                            + rule.from().stream().map(JsonPath::toString).reduce((a, b) -> a + " or " + b).orElse("value"));
                }
                continue;
            }
            out.put(rule.property(), value);
        }
        return out;
    }

    public String name() {
        return name;
    }

    public String target() {
        return target;
    }

    public String object() {
        return object;
    }

    public String description() {
        return description;
    }

    public Set<String> customProperties() {
        return Set.copyOf(customProperties);
    }

    public List<Rule> rules() {
        return List.copyOf(rules.values());
    }
}
