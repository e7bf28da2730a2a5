package io.shopsync.stock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Shopify location id → the inventory system's location reference, from the deployment's
 * {@code LOCATION_MAPPING}: {@code {"655441491": "WH-MAIN", "655441492": null}}. A null value means
 * "this location is not synced" (a retail store the inventory system does not hold); a location
 * absent from the mapping is an error, so a new location is noticed, not silently skipped.
 * Validated at cold start.
 */
public final class LocationMapping {

    /** What to do with a location. */
    public sealed interface Decision {
        record Report(String locationRef) implements Decision {}

        record NotSynced() implements Decision {}

        record Unmapped() implements Decision {}
    }

    private final Map<String, String> locations;

    private LocationMapping(Map<String, String> locations) {
        this.locations = locations;
    }

    public static LocationMapping parse(String text, String source, ObjectMapper json) {
        if (text == null || text.isBlank()) {
            throw new IllegalStateException(source + " is not set: map each Shopify location id to the inventory "
                    + "system's location, e.g. {\"655441491\": \"WH-MAIN\"} (null for a location that is not synced)");
        }
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(source + " is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject() || root.isEmpty()) {
            throw new IllegalStateException(source + " must be a JSON object of Shopify location id to location reference");
        }
        Map<String, String> locations = new LinkedHashMap<>();
        root.fields().forEachRemaining(e -> {
            if (!e.getKey().matches("[1-9][0-9]*")) {
                throw new IllegalStateException(source + ": \"" + e.getKey() + "\" is not a Shopify location id (digits, "
                        + "as in gid://shopify/Location/<id>)");
            }
            JsonNode value = e.getValue();
            if (!value.isNull() && !(value.isTextual() && !value.asText().isBlank()) && !value.isIntegralNumber()) {
                throw new IllegalStateException(source + ": location " + e.getKey() + " must map to a non-empty reference or null");
            }
            locations.put(e.getKey(), value.isNull() ? null : value.asText());
        });
        return new LocationMapping(locations);
    }

    /**
     * Fails the cold start when two Shopify locations map to one reference: a system that takes deltas
     * (Katana) would get two absolute levels for the same stock, and their differences would fight.
     */
    public LocationMapping requireOneToOne(String system) {
        Map<String, String> seen = new LinkedHashMap<>();
        locations.forEach((shopify, ref) -> {
            if (ref != null && seen.putIfAbsent(ref, shopify) != null) {
                throw new IllegalStateException("LOCATION_MAPPING maps Shopify locations " + seen.get(ref) + " and "
                        + shopify + " to the same " + system + " location " + ref + ": " + system
                        + " takes stock changes, so each of its locations must have one Shopify location");
            }
        });
        return this;
    }

    /** The synced locations (those mapped to a reference), Shopify location id to reference, in mapping order. */
    public Map<String, String> synced() {
        Map<String, String> synced = new LinkedHashMap<>();
        locations.forEach((shopify, ref) -> {
            if (ref != null) {
                synced.put(shopify, ref);
            }
        });
        return java.util.Collections.unmodifiableMap(synced);
    }

    public Decision decide(String shopifyLocationId) {
        if (!locations.containsKey(shopifyLocationId)) {
            return new Decision.Unmapped();
        }
        return Optional.ofNullable(locations.get(shopifyLocationId))
                .<Decision>map(Decision.Report::new).orElseGet(Decision.NotSynced::new);
    }
}
