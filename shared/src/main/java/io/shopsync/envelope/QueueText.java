package io.shopsync.envelope;

/**
 * The characters SQS accepts in message text and string attributes (XML 1.0's set): #x9 | #xA | #xD |
 * #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. SQS answers InvalidMessageContents to anything else,
 * such as U+FFFE, U+FFFF or an unpaired surrogate, which valid UTF-8 and header values can carry.
 */
public final class QueueText {

    private QueueText() {}

    public static boolean allowed(int codePoint) {
        return codePoint == 0x9 || codePoint == 0xA || codePoint == 0xD
                || (codePoint >= 0x20 && codePoint <= 0xD7FF)
                || (codePoint >= 0xE000 && codePoint <= 0xFFFD)
                || (codePoint >= 0x10000 && codePoint <= 0x10FFFF);
    }

    /**
     * JSON text with every character SQS refuses written as its {@code \}{@code uXXXX} escape instead, which
     * a JSON reader turns back into the same character. Safe on any JSON a generator wrote: such a
     * character can only stand inside a string, never next to a backslash of an escape (those are ASCII).
     */
    public static String escapeForJson(String json) {
        int first = firstRefused(json);
        if (first < 0) {
            return json;
        }
        StringBuilder out = new StringBuilder(json.length() + 16).append(json, 0, first);
        for (int i = first; i < json.length(); ) {
            int c = json.codePointAt(i);
            if (allowed(c)) {
                out.appendCodePoint(c);
            } else {
                // Refused code points are all in the BMP (a lone surrogate is one char): one escape each.
                out.append(String.format("\\u%04X", c));
            }
            i += Character.charCount(c);
        }
        return out.toString();
    }

    /** The text with each character SQS refuses replaced by U+FFFD: for informational attributes only. */
    public static String replaceRefused(String text) {
        int first = firstRefused(text);
        if (first < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length()).append(text, 0, first);
        for (int i = first; i < text.length(); ) {
            int c = text.codePointAt(i);
            out.appendCodePoint(allowed(c) ? c : 0xFFFD);
            i += Character.charCount(c);
        }
        return out.toString();
    }

    private static int firstRefused(String text) {
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            if (!allowed(c)) {
                return i;
            }
            i += Character.charCount(c);
        }
        return -1;
    }
}
