package io.shopsync.bench.crac;

/** Mirrors jdk.crac.RestoreException. */
public class RestoreException extends Exception {
    public RestoreException(Throwable cause) {
        super(cause);
    }
}
