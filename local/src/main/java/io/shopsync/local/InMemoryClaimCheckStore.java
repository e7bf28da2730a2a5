package io.shopsync.local;

import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;
import io.shopsync.queue.ClaimCheckStore;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Claim checks kept in memory for the life of the local stack, with the S3 store's contract: the
 * exact bytes come back, checked against the reference's SHA-256.
 */
final class InMemoryClaimCheckStore implements ClaimCheckStore {

    static final String BUCKET = "shopsync-local-claim-checks";

    private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();

    @Override
    public Body.ClaimCheck store(Envelope envelope, byte[] body) {
        String key = envelope.flow() + "/" + (envelope.webhookId() != null ? envelope.webhookId() : UUID.randomUUID())
                + ".json";
        bodies.put(key, body.clone());
        return new Body.ClaimCheck(BUCKET, key, Body.ClaimCheck.sha256Hex(body), body.length);
    }

    @Override
    public byte[] fetch(Body.ClaimCheck claimCheck) {
        byte[] bytes = bodies.get(claimCheck.key());
        if (bytes == null || !BUCKET.equals(claimCheck.bucket())) {
            throw new IllegalStateException("claim check " + claimCheck.bucket() + "/" + claimCheck.key()
                    + " is not in this local stack's memory: it was stored by another run; replay the webhook");
        }
        String actual = Body.ClaimCheck.sha256Hex(bytes);
        if (!actual.equals(claimCheck.sha256())) {
            throw new IllegalStateException("claim check " + claimCheck.key() + " does not hold the body intake stored"
                    + " (SHA-256 " + actual + ", expected " + claimCheck.sha256() + ")");
        }
        return bytes.clone();
    }
}
