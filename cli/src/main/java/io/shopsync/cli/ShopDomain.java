package io.shopsync.cli;

import java.util.Locale;

/** A shop's *.myshopify.com domain, from what an operator types: a URL, a domain, or the bare shop name. */
final class ShopDomain {

    private ShopDomain() {}

    static String of(String given) {
        String text = given.trim().toLowerCase(Locale.ROOT).replaceFirst("^https?://", "");
        int slash = text.indexOf('/');
        if (slash >= 0) {
            text = text.substring(0, slash);
        }
        if (!text.contains(".")) {
            text = text + ".myshopify.com";
        }
        // The same rule intake applies to X-Shopify-Shop-Domain: a replay under any other shape would get 401.
        String typed = text;
        return io.shopsync.webhook.ShopDomain.parse(text).orElseThrow(() -> new CliException("--shop " + given
                + " is not a shop domain (" + typed + "): give the shop's *.myshopify.com domain, e.g. my-store.myshopify.com"));
    }
}
