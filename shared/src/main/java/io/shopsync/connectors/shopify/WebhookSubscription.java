package io.shopsync.connectors.shopify;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One of a shop's webhook subscriptions, as the Admin GraphQL API lists it. Its {@code uri} is shown to an
 * operator but never put in an alert: another app's endpoint may carry a credential in its query.
 *
 * @param topic the GraphQL enum value, e.g. {@code ORDERS_CREATE}
 * @param uri where Shopify delivers ({@code uri}, or the older {@code endpoint.callbackUrl}); null if neither
 */
public record WebhookSubscription(String id, String topic, String uri, String format, List<String> includeFields,
                                  String filter) {

    public WebhookSubscription {
        includeFields = includeFields == null ? List.of() : List.copyOf(includeFields);
    }

    /** {@code orders/create} → {@code ORDERS_CREATE}: upper case, '/' becomes '_'. */
    public static String enumOf(String topic) {
        return topic.trim().toUpperCase(Locale.ROOT).replace('/', '_');
    }

    /** The numeric tail of the global id (gid://shopify/WebhookSubscription/123 → 123). */
    public String shortId() {
        return id == null ? "-" : id.substring(id.lastIndexOf('/') + 1);
    }

    public boolean pointsAt(String url) {
        return uri != null && sameUrl(uri, url);
    }

    /** What makes it deliver less than a flow needs, or in a form it cannot read. */
    public List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        if (format != null && !format.equalsIgnoreCase("JSON")) {
            warnings.add("format " + format + ": the flows read JSON");
        }
        if (filter != null && !filter.isBlank()) {
            warnings.add("filter \"" + filter + "\": deliveries that do not match it never arrive");
        }
        if (!includeFields.isEmpty()) {
            warnings.add("includeFields " + String.join(",", includeFields)
                    + ": deliveries lack the other fields a flow may need");
        }
        return warnings;
    }

    /** Same URL: scheme and host compared without case, a trailing slash ignored. */
    public static boolean sameUrl(String a, String b) {
        return normalise(a).equals(normalise(b));
    }

    private static String normalise(String url) {
        String text = url.trim().replaceAll("/+$", "");
        try {
            URI uri = URI.create(text);
            if (uri.getScheme() != null && uri.getRawAuthority() != null) {
                return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority().toLowerCase(Locale.ROOT)
                        + (uri.getRawPath() == null ? "" : uri.getRawPath())
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            }
        } catch (IllegalArgumentException e) {
            // compared as text
        }
        return text;
    }
}
