/**
 * A stand-in for a CRaC runtime, for the cold-start harness only: org.crac 0.1.3 binds to the package the
 * system property {@code org.crac.Core.Compat} names (its {@code Core}, {@code Context}, {@code Resource},
 * {@code CheckpointException}, {@code RestoreException}), so with {@code -Dorg.crac.Core.Compat=io.shopsync.bench.crac}
 * a handler's registrations land here, and {@code org.crac.Core.checkpointRestore()} runs every registered
 * {@code beforeCheckpoint} then every {@code afterRestore} (in reverse), as Lambda SnapStart does around its
 * snapshot, minus the snapshot itself.
 */
package io.shopsync.bench.crac;
