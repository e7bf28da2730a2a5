package io.shopsync.flow;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a reason names a payload value it cannot use: by its kind and size, not its content. A value
 * that should be an id, an amount or a timestamp and is not may be anything, a customer's e-mail or
 * phone included, and reasons reach log lines, dead-letter attributes and alerts.
 */
public final class PayloadValue {

    private PayloadValue() {}

    /**
     * {@code a text of 16 characters}, {@code an integer of 18 digits}, {@code an array}, ...; a
     * fractional number or a boolean as itself ({@code 8.209829119461545E17} says an id went through a double).
     */
    public static String describe(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "missing";
        }
        if (value.isNull()) {
            return "null";
        }
        if (value.isTextual()) {
            return "a text of " + value.asText().length() + " characters";
        }
        if (value.isIntegralNumber()) {
            return "an integer of " + value.bigIntegerValue().abs().toString().length() + " digits";
        }
        if (value.isNumber() || value.isBoolean()) {
            return value.asText();
        }
        return value.isArray() ? "an array" : "an object";
    }
}
