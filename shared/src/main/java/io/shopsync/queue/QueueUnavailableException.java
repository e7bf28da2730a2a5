package io.shopsync.queue;

/** Our own failure to store a delivery: Shopify must get a non-2xx and retry. */
public final class QueueUnavailableException extends RuntimeException {

    public QueueUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
