package io.shopsync.alerts;

/** Where dead-letter alerts go. */
@FunctionalInterface
public interface Alerts {

    void raise(Alert alert);
}
