package io.shopsync.privacy;

import io.shopsync.flow.EntityKey;
import java.util.List;

/**
 * Shopify's mandatory compliance (privacy) webhooks. They are subscribed only in the app's configuration file
 * ({@code shopify.app.toml}, {@code [[webhooks.subscriptions]] compliance_topics = [...]}) or the Dev Dashboard,
 * never through the Admin API, and must answer 401 to a bad HMAC.
 */
public final class PrivacyTopics {

    public static final String CUSTOMERS_REDACT = "customers/redact";
    public static final String SHOP_REDACT = "shop/redact";
    public static final String CUSTOMERS_DATA_REQUEST = "customers/data_request";
    public static final List<String> ALL = List.of(CUSTOMERS_REDACT, SHOP_REDACT, CUSTOMERS_DATA_REQUEST);

    /**
     * One FIFO group per shop ({@code shop/privacy}): requests are rare, and the key carries no customer id, so
     * the delivery records of a redaction do not themselves name the person erased.
     */
    public static final EntityKey ENTITY = (shop, payload) -> shop + "/privacy";

    private PrivacyTopics() {}

    public static boolean isPrivacy(String topic) {
        return ALL.contains(topic);
    }
}
