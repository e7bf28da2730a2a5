package io.shopsync.bench.crac;

/** Mirrors jdk.crac.CheckpointException. */
public class CheckpointException extends Exception {
    public CheckpointException(Throwable cause) {
        super(cause);
    }
}
