package io.shopsync.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Shopify's webhook signature for one secret: HMAC-SHA256 over the raw body bytes, keyed by the
 * secret's UTF-8 bytes, standard base64 with padding. The initialised {@link Mac} is a prototype
 * built once and cloned per use, so verification costs no key set-up per request.
 */
public final class WebhookSignature {

    private static final String ALGORITHM = "HmacSHA256";
    private final Mac prototype;

    private WebhookSignature(Mac prototype) {
        this.prototype = prototype;
    }

    public static WebhookSignature forSecret(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("a webhook signing secret must not be empty");
        }
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            return new WebhookSignature(mac);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** The header value Shopify would send for this body. */
    public String sign(byte[] rawBody) {
        return Base64.getEncoder().encodeToString(digest(rawBody));
    }

    /** Constant-time comparison of this secret's digest with the decoded header digest. */
    public boolean matches(byte[] rawBody, byte[] expectedDigest) {
        return MessageDigest.isEqual(digest(rawBody), expectedDigest);
    }

    /** Convenience for tools and tests: the signature of a body under a secret. */
    public static String sign(byte[] rawBody, String secret) {
        return forSecret(secret).sign(rawBody);
    }

    private byte[] digest(byte[] rawBody) {
        try {
            Mac mac = (Mac) prototype.clone();
            return mac.doFinal(rawBody);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 Mac cannot be cloned in this JVM", e);
        }
    }
}
