package io.shopsync.queue;

import io.shopsync.envelope.Body;
import io.shopsync.envelope.Envelope;

/** Stores bodies too large for a queue message and fetches them back. */
public interface ClaimCheckStore {

    /** Stores the envelope's inline body and returns the reference that replaces it. */
    Body.ClaimCheck store(Envelope envelope, byte[] body);

    /** The exact stored bytes, checked against the reference's SHA-256. */
    byte[] fetch(Body.ClaimCheck claimCheck);
}
