package io.shopsync.connectors.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StandardWebhookSignatureTest {

    /** The published vector (docs/reference/target-apis.md §3.4): secret bytes 0x01..0x20. */
    private static final String SECRET = "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
    private static final String ID = "evt_2Qx7shopify_inventory_1";
    private static final long TIMESTAMP = 1764000000L;
    private static final byte[] BODY = ("{\"type\":\"inventory.level.set\",\"timestamp\":\"2025-11-24T16:00:00Z\","
            + "\"data\":{\"sku\":\"TSHIRT-RED-M\",\"locationRef\":\"WH-MAIN\",\"available\":42,"
            + "\"sourceUpdatedAt\":\"2025-11-24T15:59:58Z\"}}").getBytes(StandardCharsets.UTF_8);
    private static final String EXPECTED = "v1,sMkBujBbEI7mP2o/vM8OI307ikWTtiBIlpyZJFOq+7s=";
    /** A second secret, bytes 0x21..0x40, as a rotation would add. */
    private static final String NEXT_SECRET = "whsec_ISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0A=";

    @Test
    void sign_shouldMatchThePublishedTestVector() {
        String signature = StandardWebhookSignature.parse(SECRET, "test").sign(ID, TIMESTAMP, BODY);

        assertThat(signature).isEqualTo(EXPECTED);
    }

    @Test
    void sign_shouldChange_whenOneByteOfTheBodyChanges() {
        byte[] tampered = BODY.clone();
        tampered[tampered.length - 3] = 'X';

        assertThat(StandardWebhookSignature.parse(SECRET, "test").sign(ID, TIMESTAMP, tampered)).isNotEqualTo(EXPECTED);
    }

    @Test
    void sign_shouldSignWithEverySecret_spaceSeparated_duringARotation() {
        StandardWebhookSignature both = StandardWebhookSignature.parse(SECRET + " " + NEXT_SECRET, "test");
        String next = StandardWebhookSignature.parse(NEXT_SECRET, "test").sign(ID, TIMESTAMP, BODY);

        String header = both.sign(ID, TIMESTAMP, BODY);

        assertThat(both.secrets()).isEqualTo(2);
        assertThat(header).isEqualTo(EXPECTED + " " + next);
        assertThat(next).startsWith("v1,").isNotEqualTo(EXPECTED);
    }

    @Test
    void parse_shouldAcceptCommasAndLineBreaksBetweenSecrets() {
        assertThat(StandardWebhookSignature.parse(" " + SECRET + ",\n" + NEXT_SECRET + "\n", "test").secrets())
                .isEqualTo(2);
    }

    @Test
    void parse_shouldRejectASecretWithoutThePrefix_withoutQuotingIt() {
        assertThatThrownBy(() -> StandardWebhookSignature.parse("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
                "Secrets Manager secret shopsync/inventory-webhook-secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shopsync/inventory-webhook-secret")
                .hasMessageContaining("does not start with whsec_")
                .hasMessageContaining("redrive")
                .hasMessageNotContaining("AQIDBAUG");
    }

    @Test
    void parse_shouldRejectInvalidBase64_andSayWhichSecretOfARotation() {
        assertThatThrownBy(() -> StandardWebhookSignature.parse(SECRET + " whsec_not*base64!", "test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("signing secret 2 of 2")
                .hasMessageContaining("not valid base64");
    }

    @Test
    void parse_shouldRejectAKeyShorterThan24Bytes() {
        assertThatThrownBy(() -> StandardWebhookSignature.parse("whsec_AQIDBAUGBwgJCgsMDQ4PEA==", "test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("decodes to 16 bytes");
    }

    @Test
    void parse_shouldRejectAnEmptyValue() {
        assertThatThrownBy(() -> StandardWebhookSignature.parse("  ", "test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no signing secret");
    }
}
