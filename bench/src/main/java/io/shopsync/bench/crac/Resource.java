package io.shopsync.bench.crac;

/** Mirrors jdk.crac.Resource. */
public interface Resource {
    void beforeCheckpoint(Context<? extends Resource> context) throws Exception;

    void afterRestore(Context<? extends Resource> context) throws Exception;
}
