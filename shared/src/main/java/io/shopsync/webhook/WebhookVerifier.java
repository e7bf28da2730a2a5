package io.shopsync.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Authenticates deliveries against the accepted signing secrets.
 *
 * <p>The secrets are loaded on first use and cached for the life of the container. When a
 * signature matches none of them, the cache is reloaded, at most once per {@code minRefreshInterval},
 * so that a rotated secret is picked up without a redeploy while a flood of forged requests cannot
 * turn into a flood of Secrets Manager calls.
 */
public final class WebhookVerifier {

    /** Why a delivery was or was not accepted as Shopify's. */
    public enum Verdict {
        AUTHENTIC, MISSING_SIGNATURE, MALFORMED_SIGNATURE, SIGNATURE_MISMATCH
    }

    private final SigningSecretsSource source;
    private final Clock clock;
    private final Duration minRefreshInterval;
    private SigningSecrets secrets;
    private Instant loadedAt;

    public WebhookVerifier(SigningSecretsSource source, Clock clock, Duration minRefreshInterval) {
        this.source = source;
        this.clock = clock;
        this.minRefreshInterval = minRefreshInterval;
    }

    public WebhookVerifier(SigningSecretsSource source) {
        this(source, Clock.systemUTC(), Duration.ofMinutes(1));
    }

    /** @throws SecretsUnavailableException when the secrets cannot be loaded at all */
    public synchronized Verdict verify(String shopDomain, byte[] rawBody, String signatureHeader) {
        if (signatureHeader == null || signatureHeader.isBlank()) {
            return Verdict.MISSING_SIGNATURE;
        }
        byte[] expected;
        try {
            expected = Base64.getDecoder().decode(signatureHeader.trim());
        } catch (IllegalArgumentException e) {
            return Verdict.MALFORMED_SIGNATURE;
        }
        if (expected.length != 32) {
            return Verdict.MALFORMED_SIGNATURE;
        }
        if (secrets == null) {
            reload();
        }
        if (matchesAny(shopDomain, rawBody, expected)) {
            return Verdict.AUTHENTIC;
        }
        if (Duration.between(loadedAt, clock.instant()).compareTo(minRefreshInterval) >= 0) {
            reload();
            if (matchesAny(shopDomain, rawBody, expected)) {
                return Verdict.AUTHENTIC;
            }
        }
        return Verdict.SIGNATURE_MISMATCH;
    }

    private boolean matchesAny(String shopDomain, byte[] rawBody, byte[] expected) {
        boolean matched = false;
        for (WebhookSignature candidate : secrets.candidatesFor(shopDomain)) {
            // No short-circuit: the time taken does not depend on which secret matched.
            matched |= candidate.matches(rawBody, expected);
        }
        return matched;
    }

    private void reload() {
        // The attempt counts towards the rate limit even when it fails, so an outage of the secret
        // store is not hammered by every request.
        loadedAt = clock.instant();
        secrets = source.load();
    }
}
