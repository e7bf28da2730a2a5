package io.shopsync.envelope;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;

/**
 * A JSON value cut out of the document that carries it, byte for byte, never re-serialised: ids above 2^53
 * and decimals keep every digit (a tree read and written back would turn {@code 0.10} into {@code 0.1}).
 */
public final class RawJson {

    private RawJson() {}

    /**
     * The bytes of the value at {@code path} (field names from the root object), from its first byte to
     * its last; empty when a field on the path is missing or the document is not JSON.
     */
    public static Optional<byte[]> valueAt(byte[] document, JsonFactory factory, String... path) {
        try (JsonParser parser = factory.createParser(document)) {
            parser.nextToken();
            for (String field : path) {
                if (parser.currentToken() != JsonToken.START_OBJECT || !toField(parser, field)) {
                    return Optional.empty();
                }
                parser.nextToken();
            }
            if (parser.currentToken() == null) {
                return Optional.empty();
            }
            int start = (int) parser.currentTokenLocation().getByteOffset();
            parser.skipChildren();
            int end = (int) parser.currentLocation().getByteOffset();
            return Optional.of(Arrays.copyOfRange(document, start, end));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Moves to the name of {@code field} in the current object; false when the object has no such field. */
    private static boolean toField(JsonParser parser, String field) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            if (field.equals(parser.currentName())) {
                return true;
            }
            parser.nextToken();
            parser.skipChildren();
        }
        return false;
    }
}
