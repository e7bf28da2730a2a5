package io.shopsync.delivery;

import io.shopsync.flow.PayloadStub;

/**
 * Completes a webhook Shopify sent as {@code {"id": ...}} only (over the event bus's size limit): the
 * resource read from Shopify by its id, in the webhook's shape, before any target sees it.
 */
@FunctionalInterface
public interface StubResources {

    /** The resource's JSON bytes, or what the failed read means for the delivery. */
    sealed interface Fetched {
        record Resource(byte[] json) implements Fetched {}

        record Failed(DeliveryOutcome outcome) implements Fetched {}
    }

    /**
     * @param shop the delivery's shop (a configured shop: intake checked it)
     * @param apiVersion the version the webhook was serialised with (may be null)
     */
    Fetched fetch(String shop, PayloadStub.Fetch fetch, String apiVersion);

    /** No Admin API token configured: a stub can only be dead-lettered, with what to set before the redrive. */
    StubResources NONE = (shop, fetch, apiVersion) -> new Fetched.Failed(new DeliveryOutcome.PermanentFailure(
            "Shopify sent only the id of this resource (its payload was over the event bus's size limit) and no Admin"
                    + " API token is configured to read it (" + fetch.path() + "): set ShopifyAdminTokensSecretName"
                    + " (scopes in the README's Deploy section), then redrive this dead letter", "payload-stub"));
}
