package io.shopsync.mapping;

/**
 * A mapping that cannot work: a malformed file (thrown at cold start, so the deploy's first
 * invocation fails loudly) or a payload that lacks a required value (a permanent failure of that
 * item, category {@code mapping}).
 */
public final class MappingException extends RuntimeException {

    public MappingException(String message) {
        super(message);
    }
}
