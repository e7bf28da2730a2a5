package io.shopsync.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SigningSecretsTest {

    private static final byte[] BODY = "{\"id\":820982911946154508}".getBytes(StandardCharsets.UTF_8);

    @Test
    void parse_shouldAcceptCommaSeparatedClientSecrets() {
        SigningSecrets secrets = SigningSecrets.parse(" current , previous ", "test");

        assertThat(secrets.size()).isEqualTo(2);
        assertThat(acceptedBy(secrets, null, "current")).isTrue();
        assertThat(acceptedBy(secrets, null, "previous")).isTrue();
        assertThat(acceptedBy(secrets, null, "other")).isFalse();
    }

    @Test
    void parse_shouldAcceptJsonWithShopSigningKeys_andOfferAShopKeyOnlyToItsShop() {
        SigningSecrets secrets = SigningSecrets.parse("""
                {"clientSecrets": ["app-secret"],
                 "shopSigningKeys": {"Shop-One.myshopify.com": "6b3a9f1c0d2e4a5b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b"}}
                """, "test");

        String shopKey = "6b3a9f1c0d2e4a5b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b";
        assertThat(acceptedBy(secrets, "shop-one.myshopify.com", shopKey)).isTrue();
        assertThat(acceptedBy(secrets, "shop-two.myshopify.com", shopKey)).isFalse();
        assertThat(acceptedBy(secrets, "shop-two.myshopify.com", "app-secret")).isTrue();
    }

    @Test
    void parse_shouldFailWithoutEchoingTheSecret_whenJsonIsMalformed() {
        assertThatThrownBy(() -> SigningSecrets.parse("{\"clientSecrets\": [\"s3cr3t-value\"", "secret X"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("secret X is not valid JSON")
                .hasMessageNotContaining("s3cr3t-value");
    }

    @Test
    void parse_shouldFail_whenNoSecretIsGiven() {
        assertThatThrownBy(() -> SigningSecrets.parse("{}", "secret X"))
                .hasMessageContaining("no webhook signing secret configured");
        assertThatThrownBy(() -> SigningSecrets.parse("  ", "secret X"))
                .hasMessageContaining("secret X is empty");
        assertThatThrownBy(() -> SigningSecrets.parse("{\"clientSecrets\": [\"\"]}", "secret X"))
                .hasMessageContaining("clientSecrets must hold non-empty strings");
    }

    @Test
    void firstClientSecret_shouldBeWhatToolsSignSampleDeliveriesWith() {
        assertThat(SigningSecrets.firstClientSecret(" current , previous ", "test")).isEqualTo("current");
        assertThat(SigningSecrets.firstClientSecret("{\"clientSecrets\": [\"current\", \"previous\"]}", "test"))
                .isEqualTo("current");
        assertThat(SigningSecrets.firstClientSecret("{\"clientSecrets\": \"only\"}", "test")).isEqualTo("only");
        assertThatThrownBy(() -> SigningSecrets.firstClientSecret(
                "{\"shopSigningKeys\": {\"shop-one.myshopify.com\": \"admin-key\"}}", "secret X"))
                .hasMessageContaining("secret X holds no client secret")
                .hasMessageNotContaining("admin-key");
    }

    private static boolean acceptedBy(SigningSecrets secrets, String shop, String signingSecret) {
        byte[] digest = Base64.getDecoder().decode(WebhookSignature.sign(BODY, signingSecret));
        return secrets.candidatesFor(shop).stream().anyMatch(s -> s.matches(BODY, digest));
    }
}
