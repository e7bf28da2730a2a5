package io.shopsync.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What of a target's error answer may be quoted in a failure reason: its error codes, field names and
 * paths, and its request ids, never its free text. Targets echo what they were sent (names, e-mail
 * addresses, phone numbers, street lines, even our credentials) in their messages, and reasons reach
 * log lines, dead-letter attributes and alerts. Masking such values by pattern misses their other
 * forms ({@code %40}, {@code (at)}, a phone without {@code +}); keeping only known code fields does not.
 *
 * <p>Kept: the values of the fields the targets' documented error bodies use for codes, field paths and
 * ids, wherever they sit (HubSpot {@code category}, {@code subCategory}, {@code errors[].code},
 * {@code errors[].in}, {@code context.propertyName}, {@code context.missingScopes}, {@code policyName},
 * {@code correlationId}; Klaviyo {@code errors[].code}, {@code source.pointer}, {@code source.parameter},
 * {@code errors[].id}; Katana {@code code}, {@code details[].path}, {@code details[].code}), and only when
 * the value is shaped as a code (letters, digits and {@code _ . : / - [ ] $}, no spaces, no {@code @}, no
 * {@code %}, at least one letter) or, for ids, as a UUID. Also kept: the {@code error} code and {@code name}
 * (the property) of the validation results HubSpot embeds as JSON in its {@code message}.
 */
public final class ErrorCodes {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CODE_FIELDS = Set.of("code", "category", "subCategory", "errorType", "errorCode",
            "error_code", "error", "policyName", "pointer", "parameter", "in", "path", "propertyName", "missingScopes");
    private static final Set<String> ID_FIELDS = Set.of("correlationId", "requestId", "request_id", "id");
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_.:/\\[\\]$-]{1,80}");
    private static final Pattern LETTER = Pattern.compile("[A-Za-z]");
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final int MOST = 16;

    private ErrorCodes() {}

    /**
     * The codes of an answer body, as {@code field=value} pairs joined by ", " (field paths without
     * array indexes: {@code errors.code=INVALID_EMAIL}); for a body that is not JSON, only its length.
     * Empty for an empty body.
     */
    public static String of(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            return "a body that is not JSON (" + body.length() + " characters)";
        }
        String codes = of(root);
        return codes.isEmpty() ? "no error code in its body" : codes;
    }

    /** The codes under one node of an answer (one of HubSpot's per-input errors, say). */
    public static String of(JsonNode node) {
        Set<String> pairs = new LinkedHashSet<>();
        collect(node, "", pairs, false);
        List<String> kept = new ArrayList<>(pairs);
        String joined = String.join(", ", kept.subList(0, Math.min(MOST, kept.size())));
        return kept.size() > MOST ? joined + ", ..." : joined;
    }

    private static void collect(JsonNode node, String path, Set<String> pairs, boolean embedded) {
        if (node == null) {
            return;
        }
        if (node.isArray()) {
            node.forEach(element -> collect(element, path, pairs, embedded));
            return;
        }
        if (!node.isObject()) {
            return;
        }
        boolean validationResult = embedded && node.has("error");
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            String where = path.isEmpty() ? name : path + "." + name;
            if (value.isContainerNode()) {
                boolean codes = CODE_FIELDS.contains(name) && value.isArray();
                if (codes) {
                    value.forEach(element -> keep(where, element, pairs, false));
                } else {
                    collect(value, where, pairs, embedded);
                }
            } else if (CODE_FIELDS.contains(name) || (validationResult && name.equals("name"))) {
                keep(where, value, pairs, false);
            } else if (ID_FIELDS.contains(name)) {
                keep(where, value, pairs, true);
            } else if ((name.equals("status") || name.equals("statusCode")) && value.canConvertToInt()) {
                continue; // the HTTP status is in the reason already
            } else if (name.equals("message") && value.isTextual()) {
                embeddedJson(value.asText()).ifPresent(inner -> collect(inner, where, pairs, true));
            }
        }
    }

    private static void keep(String where, JsonNode value, Set<String> pairs, boolean id) {
        if (!value.isValueNode()) {
            return;
        }
        String text = value.asText();
        boolean shaped = id ? UUID.matcher(text).matches()
                : CODE.matcher(text).matches() && LETTER.matcher(text).find();
        if (shaped) {
            pairs.add(where + "=" + text);
        }
    }

    /** HubSpot puts its property validation results in its message as JSON: {@code "...: [{...}]"}. */
    private static java.util.Optional<JsonNode> embeddedJson(String message) {
        int start = message.indexOf("[{");
        if (start < 0) {
            start = message.indexOf("{\"");
        }
        if (start < 0) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(JSON.readTree(message.substring(start)));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }
}
