package io.shopsync.cli;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One of a shop's webhook subscriptions, as the Admin GraphQL API lists it.
 *
 * @param topic the GraphQL enum value, e.g. {@code ORDERS_CREATE}
 * @param uri where Shopify delivers ({@code uri}, or the older {@code endpoint.callbackUrl}); null if neither
 */
record WebhookSubscription(String id, String topic, String uri, String format, List<String> includeFields,
                           String filter) {

    WebhookSubscription {
        includeFields = includeFields == null ? List.of() : List.copyOf(includeFields);
    }

    /** {@code orders/create} → {@code ORDERS_CREATE}: upper case, '/' becomes '_'. */
    static String enumOf(String topic) {
        return topic.trim().toUpperCase(Locale.ROOT).replace('/', '_');
    }

    /** The topic as the flows name it (orders/create) when one of them takes it, else the enum value. */
    String topicName() {
        return DeployedFlow.ALL.stream().flatMap(f -> f.topics().stream()).filter(t -> enumOf(t).equals(topic))
                .findFirst().orElse(topic);
    }

    /** The numeric tail of the global id (gid://shopify/WebhookSubscription/123 → 123). */
    String shortId() {
        return id == null ? "-" : id.substring(id.lastIndexOf('/') + 1);
    }

    /** The flow whose route the URI ends with, if any. */
    Optional<DeployedFlow> flow() {
        return uri == null ? Optional.empty() : DeployedFlow.servingUrl(uri);
    }

    boolean pointsAt(String url) {
        return uri != null && sameUrl(uri, url);
    }

    /** What makes it deliver less than a flow needs, or in a form it cannot read. */
    List<String> warnings() {
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
    static boolean sameUrl(String a, String b) {
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
