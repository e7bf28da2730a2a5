package io.shopsync.connectors.inventory;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The symmetric signature of Standard Webhooks 1.0.0: {@code v1,} followed by the standard base64 of
 * HMAC-SHA256 over {@code "{webhook-id}.{webhook-timestamp}.{body}"} (the exact body bytes sent), keyed
 * by the base64-decoded part of a {@code whsec_} secret. With several secrets (a rotation: the
 * receiver accepts either) every secret signs, and the signatures are joined by spaces, as the
 * {@code webhook-signature} header carries them.
 *
 * <p>One initialised {@link Mac} per secret is kept as a prototype and cloned per signature.
 */
public final class StandardWebhookSignature {

    public static final String SECRET_PREFIX = "whsec_";
    /** Standard Webhooks asks for 24 to 64 random bytes; fewer is a guessable key. */
    static final int MIN_SECRET_BYTES = 24;
    private static final String ALGORITHM = "HmacSHA256";

    private final List<Mac> prototypes;

    private StandardWebhookSignature(List<Mac> prototypes) {
        this.prototypes = prototypes;
    }

    /**
     * Parses one secret, or several separated by spaces, commas or line breaks (current and next during
     * a rotation). The error never quotes a secret, only its position.
     *
     * @param where what holds the secrets (a Secrets Manager secret's description), for the error
     * @throws IllegalArgumentException when a secret is not {@code whsec_} followed by base64 of at least 24 bytes
     */
    public static StandardWebhookSignature parse(String secrets, String where) {
        String[] parts = secrets == null ? new String[0] : secrets.trim().split("[\\s,]+");
        List<Mac> macs = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty()) {
                continue;
            }
            macs.add(mac(decode(parts[i], i + 1, parts.length, where)));
        }
        if (macs.isEmpty()) {
            throw new IllegalArgumentException(where + " holds no signing secret: store one as " + SECRET_PREFIX
                    + "<base64 of 24 to 64 random bytes>, e.g. " + SECRET_PREFIX + "$(openssl rand -base64 32)");
        }
        return new StandardWebhookSignature(List.copyOf(macs));
    }

    /** How many secrets sign (two during a rotation). */
    public int secrets() {
        return prototypes.size();
    }

    /** The {@code webhook-signature} header value: one {@code v1,<base64>} per secret, space-separated. */
    public String sign(String webhookId, long webhookTimestamp, byte[] body) {
        byte[] prefix = (webhookId + "." + webhookTimestamp + ".").getBytes(StandardCharsets.UTF_8);
        StringBuilder header = new StringBuilder();
        for (Mac prototype : prototypes) {
            Mac mac = copy(prototype);
            mac.update(prefix);
            byte[] digest = mac.doFinal(body);
            if (header.length() > 0) {
                header.append(' ');
            }
            header.append("v1,").append(Base64.getEncoder().encodeToString(digest));
        }
        return header.toString();
    }

    private static byte[] decode(String secret, int position, int count, String where) {
        String which = count == 1 ? "the signing secret in " + where : "signing secret " + position + " of " + count
                + " in " + where;
        String advice = ": it must be " + SECRET_PREFIX + " followed by the base64 of 24 to 64 random bytes (e.g. "
                + SECRET_PREFIX + "$(openssl rand -base64 32)); several are separated by spaces during a rotation."
                + " Fix the secret, then redrive the dead letters";
        if (!secret.startsWith(SECRET_PREFIX)) {
            throw new IllegalArgumentException(which + " does not start with " + SECRET_PREFIX + advice);
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(which + " is not valid base64 after " + SECRET_PREFIX + advice);
        }
        if (key.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(which + " decodes to " + key.length + " bytes, fewer than "
                    + MIN_SECRET_BYTES + advice);
        }
        return key;
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    private static Mac copy(Mac prototype) {
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 Mac cannot be cloned in this JVM", e);
        }
    }
}
