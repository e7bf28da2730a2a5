package io.shopsync.webhook;

/** The signing secrets could not be loaded: our failure, so the delivery must be retried by Shopify. */
public final class SecretsUnavailableException extends RuntimeException {

    public SecretsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
