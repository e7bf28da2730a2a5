package io.shopsync.stock;

import java.util.Locale;

/**
 * Which of Shopify's quantities of an inventory level the inventory system's stock mirrors (setting
 * {@code STOCK_QUANTITY}). Katana's {@code quantity_in_stock} is stock on hand and Katana tracks its own
 * commitments, so {@link #ON_HAND} is the like-for-like figure; {@link #AVAILABLE} (the default) is what
 * the webhook carries, on hand minus the units Shopify has committed to unfulfilled orders.
 */
public enum StockQuantity {

    /** The webhook's {@code available}: no extra call. */
    AVAILABLE("available"),
    /** Shopify's {@code on_hand}, read through the Admin API (scope read_inventory) at delivery. */
    ON_HAND("on_hand");

    private final String setting;

    StockQuantity(String setting) {
        this.setting = setting;
    }

    public String setting() {
        return setting;
    }

    /** @param value the setting; null means {@link #AVAILABLE} */
    public static StockQuantity parse(String value, String variable) {
        if (value == null || value.isBlank()) {
            return AVAILABLE;
        }
        for (StockQuantity quantity : values()) {
            if (quantity.setting.equals(value.trim().toLowerCase(Locale.ROOT))) {
                return quantity;
            }
        }
        throw new IllegalStateException(variable + " must be available or on_hand, got " + value);
    }
}
