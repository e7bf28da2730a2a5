package io.shopsync.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {

    private final EnvelopeCodec codec = new EnvelopeCodec(new ObjectMapper());

    private static Envelope envelope(Body body) {
        return new Envelope("order-to-crm", "orders/create", "shopsync-demo.myshopify.com",
                "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", "7f0ae9c1-e5d4-4ae4-b3b8-0e3a0d4f3f83",
                Instant.parse("2026-11-27T10:15:47.234647458Z"), "2026-10", Instant.parse("2026-11-27T10:15:48.001Z"),
                "shopsync-demo.myshopify.com/order/820982911946154508", body);
    }

    @Test
    void roundTrip_shouldKeepTheExactBodyBytes_includingWhitespaceAndUnicode() {
        byte[] raw = "{\"id\": 820982911946154508,\n \"name\":\"Zoë Ådams 🛍\",\"note\":\"a\\\"b\"}  "
                .getBytes(StandardCharsets.UTF_8);
        Envelope original = envelope(new Body.Inline(raw));

        Envelope decoded = codec.decode(codec.encode(original));

        assertThat(decoded).isEqualTo(original);
        assertThat(((Body.Inline) decoded.body()).bytes()).isEqualTo(raw);
        assertThat(decoded.triggeredAt()).isEqualTo(Instant.parse("2026-11-27T10:15:47.234647458Z"));
    }

    @Test
    void roundTrip_shouldCarryNonUtf8BodiesAsBase64_unchanged() {
        byte[] raw = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

        String message = codec.encode(envelope(new Body.Inline(raw)));

        assertThat(message).contains("\"bodyBase64\"").doesNotContain("\"body\"");
        assertThat(((Body.Inline) codec.decode(message).body()).bytes()).isEqualTo(raw);
    }

    /** What SQS accepts as message text: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. */
    private static boolean sqsAccepts(String message) {
        return message.codePoints().allMatch(c -> c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF));
    }

    @Test
    void encode_shouldWriteOnlyTextSqsAccepts_andDecodeToTheExactBytes_whenTheBodyHoldsNoncharacters() {
        byte[] raw = "{\"id\":820982911946154508,\"note\":\"gift wrap \uFFFE\uFFFF\u0001 \uD83C\uDF81 \uFFFD\"}"
                .getBytes(StandardCharsets.UTF_8);
        Envelope original = envelope(new Body.Inline(raw));

        String message = codec.encode(original);

        assertThat(sqsAccepts(message)).as("only characters SQS accepts: %s", message).isTrue();
        assertThat(message).contains("\"body\"").contains("\uD83C\uDF81");
        assertThat(((Body.Inline) codec.decode(message).body()).bytes()).isEqualTo(raw);
        assertThat(codec.decode(message)).isEqualTo(original);
    }

    @Test
    void encode_shouldWriteOnlyTextSqsAccepts_whenAHeaderValueHoldsALoneSurrogateOrANoncharacter() {
        Envelope original = new Envelope("order-to-crm", "orders/create\uD800", "shopsync-demo.myshopify.com\uFFFF",
                "b54557e4\uDC00", null, null, null, Instant.parse("2026-11-27T10:15:48.001Z"), null,
                new Body.Inline("{}".getBytes(StandardCharsets.UTF_8)));

        String message = codec.encode(original);

        assertThat(sqsAccepts(message)).as("only characters SQS accepts: %s", message).isTrue();
        assertThat(codec.decode(message)).isEqualTo(original);
    }

    @Test
    void roundTrip_shouldCarryAClaimCheck() {
        Body.ClaimCheck check = new Body.ClaimCheck("bucket", "order-to-crm/2026/11/27/shop/id.json",
                Body.ClaimCheck.sha256Hex(new byte[] {1}), 300_000);

        assertThat(codec.decode(codec.encode(envelope(check))).body()).isEqualTo(check);
    }

    @Test
    void decode_shouldNameTheProblem_forMessagesThatAreNotEnvelopes() {
        assertThatThrownBy(() -> codec.decode("not json")).isInstanceOf(MalformedEnvelopeException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> codec.decode("[1]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> codec.decode("{\"v\":99,\"flow\":\"x\"}")).hasMessageContaining("unknown envelope version 99");
        assertThatThrownBy(() -> codec.decode("{\"v\":1,\"flow\":\"x\",\"receivedAt\":\"2026-11-27T10:15:48Z\"}"))
                .hasMessageContaining("no body");
        assertThatThrownBy(() -> codec.decode("{\"v\":1,\"flow\":\"x\",\"body\":\"{}\"}"))
                .hasMessageContaining("no receivedAt");
        assertThatThrownBy(() -> codec.decode("{\"v\":1,\"flow\":\"x\",\"body\":\"{}\",\"receivedAt\":\"soon\"}"))
                .hasMessageContaining("receivedAt is not an ISO-8601 instant");
    }
}
