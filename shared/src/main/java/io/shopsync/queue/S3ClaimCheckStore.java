package io.shopsync.queue;

import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Claim checks in an S3 bucket, keyed {@code flow/yyyy/MM/dd/shop/<webhook id or body hash>.json}. Each
 * function's role may read and write only under its flow's prefix (template.yaml), so the shop and the
 * webhook id, both unsigned headers, are each kept to one plain path segment.
 */
public final class S3ClaimCheckStore implements ClaimCheckStore {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

    private final Supplier<S3Objects> s3;
    private final String bucket;

    /** @param s3 supplies S3 on first use: most webhooks never need it, so cold start skips it */
    public S3ClaimCheckStore(Supplier<S3Objects> s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    @Override
    public Body.ClaimCheck store(Envelope envelope, byte[] body) {
        String sha256 = Body.ClaimCheck.sha256Hex(body);
        String name = envelope.webhookId() != null ? envelope.webhookId() : sha256;
        String key = envelope.flow() + "/" + DAY.format(envelope.receivedAt()) + "/"
                + (envelope.shop() == null ? "unknown-shop" : segment(envelope.shop())) + "/" + segment(name) + ".json";
        try {
            s3.get().put(bucket, key, body, "application/json");
        } catch (SdkException e) {
            throw new QueueUnavailableException("cannot store a " + body.length + "-byte body in s3://" + bucket
                    + "/" + key + " (" + e.getClass().getSimpleName() + "): check the bucket exists and the"
                    + " function may s3:PutObject there", e);
        }
        return new Body.ClaimCheck(bucket, key, sha256, body.length);
    }

    @Override
    public byte[] fetch(Body.ClaimCheck claimCheck) {
        byte[] bytes = s3.get().get(claimCheck.bucket(), claimCheck.key());
        String actual = Body.ClaimCheck.sha256Hex(bytes);
        if (!actual.equals(claimCheck.sha256())) {
            throw new IllegalStateException("s3://" + claimCheck.bucket() + "/" + claimCheck.key()
                    + " does not hold the body intake stored (SHA-256 " + actual + ", expected "
                    + claimCheck.sha256() + ")");
        }
        return bytes;
    }

    /** One path segment: no slash or other special character, and never "." or "..". */
    public static String segment(String name) {
        String plain = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return plain.matches("\\.*") ? plain.replace('.', '_') + "_" : plain;
    }
}
