package io.shopsync.flow;

/**
 * An authentic delivery that can never be processed as it is (invalid JSON, a topic the flow does
 * not take, missing ids). Retrying the same bytes cannot help, so it is dead-lettered with this reason.
 */
public final class UnprocessableWebhookException extends RuntimeException {

    public UnprocessableWebhookException(String reason) {
        super(reason);
    }
}
