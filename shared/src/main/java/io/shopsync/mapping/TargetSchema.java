package io.shopsync.mapping;

import java.util.Set;

/**
 * The properties a target object accepts, so a mapping naming anything else fails when it is loaded,
 * not one order at a time.
 *
 * @param known the target's standard property names
 * @param openPrefix a prefix under which any name is allowed (Klaviyo's {@code properties.}), or null
 */
public record TargetSchema(Set<String> known, String openPrefix) {

    public TargetSchema {
        known = Set.copyOf(known);
    }

    public static TargetSchema closed(String... names) {
        return new TargetSchema(Set.of(names), null);
    }

    public boolean accepts(String property, Set<String> declaredCustom) {
        return known.contains(property) || declaredCustom.contains(property)
                || (openPrefix != null && property.startsWith(openPrefix) && property.length() > openPrefix.length());
    }
}
