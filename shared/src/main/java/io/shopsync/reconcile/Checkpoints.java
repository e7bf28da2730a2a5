package io.shopsync.reconcile;

import java.time.Instant;
import java.util.Optional;

/** Where each shop's checks got to: the end of their last successful window. */
public interface Checkpoints {

    Optional<Instant> read(String shop, String check);

    /** Moves the checkpoint to {@code to}; never backwards (a backfill may have moved it further). */
    void advance(String shop, String check, Instant to);
}
