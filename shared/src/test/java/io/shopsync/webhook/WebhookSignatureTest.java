package io.shopsync.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    /** Public vectors from Shopify's own libraries (DESIGN.md and reference/shopify-webhooks.md §1.3). */
    @ParameterizedTest(name = "{0} signed with {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "'{\"foo\": \"bar\"}'|test_secret_key|B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=",
            "'{\"foo\":\"bar\"}'|7008c5f4da4718b9b45d26d3fcbbb157|+R9TwYM4mbLTk3hEAOBkpA7zW2lc9vNFmVKs2u2jtyY=",
            "foo=anything|secret|yCGX/RrK4fcuNtr3ztk5tQGsOBjcAzHpGLdMUrbV8yI=",
            "foo=anything|old_secret|XqRcjrSv57VACn6apEO9znyu/wkN1VC7QxdSPwK3Hzs=",
            "{}|API_SECRET_KEY|+ihUB5l+D7QrohDEi/6NcBcJRyKssyWqos13LmnsBbs="
    })
    void sign_shouldMatchShopifysPublishedVectors(String body, String secret, String expected) {
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);

        assertThat(WebhookSignature.sign(raw, secret)).isEqualTo(expected);
        assertThat(WebhookSignature.forSecret(secret).matches(raw, Base64.getDecoder().decode(expected))).isTrue();
    }

    @ParameterizedTest(name = "body with a trailing {0}")
    @CsvSource({"' '", "'\n'"})
    void matches_shouldFail_whenBodyHasTrailingWhitespace(String whitespace) {
        byte[] tampered = ("{\"foo\": \"bar\"}" + whitespace).getBytes(StandardCharsets.UTF_8);
        byte[] expected = Base64.getDecoder().decode("B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=");

        assertThat(WebhookSignature.forSecret("test_secret_key").matches(tampered, expected)).isFalse();
    }

    @Test
    void forSecret_shouldRefuse_anEmptySecret() {
        assertThatThrownBy(() -> WebhookSignature.forSecret(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be empty");
    }
}
