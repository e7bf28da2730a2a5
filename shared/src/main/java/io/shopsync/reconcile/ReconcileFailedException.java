package io.shopsync.reconcile;

/** A check could not finish; its message names the shop, the check and what to do. */
public final class ReconcileFailedException extends RuntimeException {

    public ReconcileFailedException(String message) {
        super(message);
    }

    public ReconcileFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
