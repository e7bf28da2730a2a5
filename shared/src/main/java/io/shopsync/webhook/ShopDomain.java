package io.shopsync.webhook;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A shop's {@code <name>.myshopify.com} domain. Shopify's HMAC covers the body only, so the
 * {@code X-Shopify-Shop-Domain} header is whatever the sender wrote: it is accepted only in this one
 * bare shape (no scheme, port, path, query, userinfo, trailing dot or other host), lower-cased, and
 * never used to build a URL (the Admin API host comes from configuration).
 */
public final class ShopDomain {

    /** A store handle: a DNS label of letters, digits and hyphens, not starting or ending with a hyphen. */
    private static final Pattern BARE = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.myshopify\\.com");

    private ShopDomain() {}

    /** The lower-cased domain, or empty when {@code value} is not exactly a bare shop domain. */
    public static Optional<String> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String lower = value.trim().toLowerCase(Locale.ROOT);
        return BARE.matcher(lower).matches() ? Optional.of(lower) : Optional.empty();
    }

    /**
     * Configured shop domains (an allow-list, the keys of a token map), lower-cased.
     *
     * @throws IllegalStateException naming {@code source} when an entry is not a bare shop domain
     */
    public static Set<String> configured(Collection<String> values, String source) {
        Set<String> shops = new LinkedHashSet<>();
        for (String value : values) {
            shops.add(parse(value).orElseThrow(() -> new IllegalStateException(source + " holds \""
                    + Untrusted.excerpt(value) + "\", which is not a shop domain: give each shop as <name>.myshopify.com")));
        }
        return Set.copyOf(shops);
    }
}
