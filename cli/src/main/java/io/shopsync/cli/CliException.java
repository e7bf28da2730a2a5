package io.shopsync.cli;

/**
 * A failure the operator can act on: the message says what went wrong and what to do next. The CLI
 * prints it without a stack trace and exits 1. Messages never contain a secret or a token.
 */
final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
