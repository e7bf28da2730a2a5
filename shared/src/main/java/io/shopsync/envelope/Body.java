package io.shopsync.envelope;

import java.util.Arrays;
import java.util.HexFormat;

/** A webhook body: the raw bytes inline, or a claim check pointing at them in S3. */
public sealed interface Body {

    /** The exact bytes as received. */
    record Inline(byte[] bytes) implements Body {
        public Inline {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        public int size() {
            return bytes.length;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Inline inline && Arrays.equals(bytes, inline.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Inline[" + bytes.length + " bytes]";
        }
    }

    /** The body is stored in S3 because it would not fit in a queue message. */
    record ClaimCheck(String bucket, String key, String sha256, long size) implements Body {
        public static String sha256Hex(byte[] bytes) {
            try {
                return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is not available in this JVM", e);
            }
        }
    }
}
