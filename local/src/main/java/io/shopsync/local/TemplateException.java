package io.shopsync.local;

/** template.yaml lacks something the local stack needs; the message names it and where it belongs. */
final class TemplateException extends RuntimeException {

    TemplateException(String message) {
        super(message);
    }
}
