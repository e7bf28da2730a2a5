package io.shopsync.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopsync.testing.MutableClock;
import io.shopsync.webhook.WebhookVerifier.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WebhookVerifierTest {

    private static final byte[] BODY = "{\"id\":820982911946154508,\"email\":\"zoe@example.com\"}"
            .getBytes(StandardCharsets.UTF_8);
    private static final String SHOP = "shopsync-demo.myshopify.com";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    private final AtomicReference<String> stored = new AtomicReference<>("current,previous");
    private final AtomicInteger loads = new AtomicInteger();
    private final SigningSecretsSource source = () -> {
        loads.incrementAndGet();
        return SigningSecrets.parse(stored.get(), "test secret");
    };
    private final WebhookVerifier verifier = new WebhookVerifier(source, clock, Duration.ofMinutes(1));

    @Test
    void verify_shouldAcceptCurrentAndPreviousSecret_duringRotation() {
        assertThat(verifier.verify(SHOP, BODY, WebhookSignature.sign(BODY, "current"))).isEqualTo(Verdict.AUTHENTIC);
        assertThat(verifier.verify(SHOP, BODY, WebhookSignature.sign(BODY, "previous"))).isEqualTo(Verdict.AUTHENTIC);
        assertThat(loads).hasValue(1);
    }

    @Test
    void verify_shouldReject_missingMalformedAndMismatchedSignatures() {
        assertThat(verifier.verify(SHOP, BODY, null)).isEqualTo(Verdict.MISSING_SIGNATURE);
        assertThat(verifier.verify(SHOP, BODY, "  ")).isEqualTo(Verdict.MISSING_SIGNATURE);
        assertThat(verifier.verify(SHOP, BODY, "not base64!")).isEqualTo(Verdict.MALFORMED_SIGNATURE);
        assertThat(verifier.verify(SHOP, BODY, "c2hvcnQ=")).isEqualTo(Verdict.MALFORMED_SIGNATURE);
        assertThat(verifier.verify(SHOP, BODY, WebhookSignature.sign(BODY, "wrong"))).isEqualTo(Verdict.SIGNATURE_MISMATCH);
    }

    @Test
    void verify_shouldReject_aTamperedBody() {
        String signature = WebhookSignature.sign(BODY, "current");
        byte[] tampered = "{\"id\":820982911946154508,\"email\":\"attacker@example.com\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(verifier.verify(SHOP, tampered, signature)).isEqualTo(Verdict.SIGNATURE_MISMATCH);
    }

    @Test
    void verify_shouldPickUpARotatedSecret_afterTheRefreshInterval_butReloadAtMostOncePerMinute() {
        assertThat(verifier.verify(SHOP, BODY, WebhookSignature.sign(BODY, "current"))).isEqualTo(Verdict.AUTHENTIC);
        stored.set("next,current");
        String newSignature = WebhookSignature.sign(BODY, "next");

        clock.advance(Duration.ofSeconds(30));
        for (int i = 0; i < 100; i++) {
            assertThat(verifier.verify(SHOP, BODY, newSignature)).isEqualTo(Verdict.SIGNATURE_MISMATCH);
        }
        assertThat(loads).as("no reload within a minute of the last one").hasValue(1);

        clock.advance(Duration.ofSeconds(31));
        assertThat(verifier.verify(SHOP, BODY, newSignature)).isEqualTo(Verdict.AUTHENTIC);
        assertThat(loads).hasValue(2);
    }

    @Test
    void verify_shouldPropagateSecretsUnavailable_whenTheFirstLoadFails() {
        WebhookVerifier broken = new WebhookVerifier(() -> {
            throw new SecretsUnavailableException("secret store down", null);
        }, clock, Duration.ofMinutes(1));

        assertThatThrownBy(() -> broken.verify(SHOP, BODY, WebhookSignature.sign(BODY, "current")))
                .isInstanceOf(SecretsUnavailableException.class);
    }
}
