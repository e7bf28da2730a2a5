package io.shopsync.connectors.shopify;

import io.shopsync.delivery.DeliveryOutcome;

/**
 * The Admin API access token to send to a shop. Three kinds, chosen per shop by how its credentials are
 * stored (see {@link StoredAdminAccessTokens}): a static token, a Dev Dashboard app's client credentials
 * (a token obtained with the client credentials grant, valid about 24 hours), or an expiring offline token
 * with a refresh token (refused for now: see the README, Deploy).
 *
 * <p>The shop a token is issued for is always a configured one: the shop a delivery names only selects it.
 */
public interface AdminAccessTokens {

    /** A token for a configured shop, or why there is none. */
    sealed interface Issued {
        /** @param configuredShop the shop domain from configuration the token belongs to */
        record Token(String configuredShop, String value) implements Issued {
            /** Without the token. */
            @Override
            public String toString() {
                return "Token[configuredShop=" + configuredShop + "]";
            }
        }

        /** No token: the shop is not served, Shopify refused the credentials, or it could not be reached. */
        record Failed(DeliveryOutcome outcome) implements Issued {}
    }

    /** A token for the shop a delivery names; nothing is sent anywhere for a shop this deployment does not serve. */
    Issued token(String shop);

    /**
     * The Admin API answered 401 to {@code token}: forget it. True when a retry may meet a different token
     * (a new one obtained, a rotated secret reloaded); the caller retries once.
     */
    boolean rejected(Issued.Token token);

    /**
     * One shop's token, given by an operator (the CLI's SHOPIFY_ADMIN_TOKEN, or one it obtained with client
     * credentials): every other shop gets none, and a 401 is final (there is nothing to reload).
     */
    static AdminAccessTokens fixed(String shop, String token) {
        return new AdminAccessTokens() {
            @Override
            public Issued token(String requested) {
                return shop.equals(requested) ? new Issued.Token(shop, token)
                        : new Issued.Failed(new DeliveryOutcome.PermanentFailure("shop " + requested + " is not the shop "
                                + "this token was given for (" + shop + ")", "shopify-shop"));
            }

            @Override
            public boolean rejected(Issued.Token rejected) {
                return false;
            }
        };
    }
}
