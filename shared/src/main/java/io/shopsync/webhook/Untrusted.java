package io.shopsync.webhook;

/**
 * Text a sender chose (unsigned headers): what of it may be written to logs and reasons. A flood of
 * requests with 10 KB headers must not become 10 KB log lines.
 */
public final class Untrusted {

    /** The most characters of one value that are logged. */
    public static final int MAX_LOGGED_CHARS = 100;

    private Untrusted() {}

    /** The value itself when short, else its first {@value #MAX_LOGGED_CHARS} characters and how many were cut. */
    public static String excerpt(String value) {
        if (value == null || value.length() <= MAX_LOGGED_CHARS) {
            return value;
        }
        // Never cut a surrogate pair in half: the log line must stay valid UTF-8.
        int cut = Character.isHighSurrogate(value.charAt(MAX_LOGGED_CHARS - 1)) ? MAX_LOGGED_CHARS - 1 : MAX_LOGGED_CHARS;
        return value.substring(0, cut) + "...[" + (value.length() - cut) + " more characters]";
    }
}
