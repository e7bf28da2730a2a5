package io.shopsync.connectors.inventory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Ids an inventory system sees, derived from a level's delivery id (shop and Shopify webhook id), so
 * every retry and redrive of the same delivery carries the same id and the system can tell it has
 * seen it. Hashed: the ids stay short and reveal nothing of the shop.
 */
final class StableIds {

    private StableIds() {}

    /** The Standard Webhooks {@code webhook-id}: {@code msg_} and 32 hex digits (128 bits). */
    static String webhookId(String deliveryId) {
        return "msg_" + sha256Hex(deliveryId).substring(0, 32);
    }

    /** Katana's {@code stock_adjustment_number}: {@code SHOPSYNC-} and 16 hex digits (64 bits). */
    static String adjustmentNumber(String deliveryId) {
        return "SHOPSYNC-" + sha256Hex(deliveryId).substring(0, 16);
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
