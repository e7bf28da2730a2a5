package io.shopsync.envelope;

/** A queue message that is not an envelope this build can read: a poison message, never retried. */
public final class MalformedEnvelopeException extends RuntimeException {

    public MalformedEnvelopeException(String message) {
        super(message);
    }
}
