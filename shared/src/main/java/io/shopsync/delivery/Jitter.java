package io.shopsync.delivery;

import java.util.Random;
import java.util.function.DoubleSupplier;

/**
 * The randomness behind retry delays (backoff jitter, a store's retry pause), renewable after a SnapStart restore.
 * Lambda resumes every new execution environment from one snapshot, so a generator seeded before it (including
 * {@code ThreadLocalRandom}'s seed for the thread that ran the priming) draws the same sequence in every copy, and
 * the copies would retry a recovering target in step: the function's {@code afterRestore} hook calls
 * {@link #reseed()} (AWS, "Handling uniqueness with Lambda SnapStart"). Jitter needs no cryptographic strength: a
 * {@link Random} seeded from the clock at restore, which differs between copies, is enough and loads nothing.
 * Thread-safe.
 */
public final class Jitter implements DoubleSupplier {

    /** The process's jitter: one per JVM, as the snapshot is. */
    public static final Jitter SHARED = new Jitter();

    private volatile Random random;

    private Jitter() {
        this.random = new Random();
    }

    /** A generator in a known state: two of them stand for two copies restored from one snapshot. */
    Jitter(long seed) {
        this.random = new Random(seed);
    }

    /** A value in [0, 1). */
    @Override
    public double getAsDouble() {
        return random.nextDouble();
    }

    /** A value in [{@code from}, {@code to}). */
    public long between(long from, long to) {
        return random.nextLong(from, to);
    }

    /**
     * Draws from a new seed: call it after a restore. {@code new Random()} seeds from {@code System.nanoTime()} (which
     * differs between restored copies) mixed with a per-call uniquifier (which differs between calls in one JVM).
     */
    public void reseed() {
        random = new Random();
    }
}
