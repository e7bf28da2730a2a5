package io.shopsync.queue;

import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import java.nio.charset.StandardCharsets;

/** FIFO group and deduplication ids, within SQS's rules (1-128 characters, ASCII punctuation). */
public final class SqsIds {

    private static final int MAX = 128;

    private SqsIds() {}

    /** The entity key, or a per-shop group for deliveries whose entity is unknown. */
    public static String groupId(Envelope envelope) {
        String group = envelope.entity() != null ? envelope.entity()
                : (envelope.shop() != null ? envelope.shop() : "unknown-shop") + "/unclassified";
        return fit(group);
    }

    /** Shop and webhook id, so a redelivery within SQS's 5-minute window is dropped; body hash without an id. */
    public static String deduplicationId(Envelope envelope, byte[] body) {
        String shop = envelope.shop() != null ? envelope.shop() : "unknown-shop";
        String id = envelope.webhookId() != null ? envelope.webhookId()
                : "sha256-" + Body.ClaimCheck.sha256Hex(body);
        return fit(shop + ":" + id);
    }

    public static String fit(String id) {
        if (id.length() <= MAX && id.chars().allMatch(c -> c > 32 && c < 127)) {
            return id;
        }
        return "sha256-" + Body.ClaimCheck.sha256Hex(id.getBytes(StandardCharsets.UTF_8));
    }
}
