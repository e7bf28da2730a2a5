package io.shopsync.bench.crac;

import java.util.ArrayList;
import java.util.List;

/** Mirrors jdk.crac.Core: a global context that keeps its resources strongly (the handler's own fields hold them too). */
public final class Core {

    private static final GlobalContext GLOBAL = new GlobalContext();

    private Core() {}

    public static Context<Resource> getGlobalContext() {
        return GLOBAL;
    }

    /** The hooks, in SnapStart's order: beforeCheckpoint in registration order, afterRestore in reverse. */
    public static void checkpointRestore() throws CheckpointException, RestoreException {
        try {
            GLOBAL.beforeCheckpoint(GLOBAL);
        } catch (Exception e) {
            throw new CheckpointException(e);
        }
        try {
            GLOBAL.afterRestore(GLOBAL);
        } catch (Exception e) {
            throw new RestoreException(e);
        }
    }

    private static final class GlobalContext extends Context<Resource> {
        private final List<Resource> resources = new ArrayList<>();

        @Override
        public synchronized void register(Resource resource) {
            resources.add(resource);
        }

        @Override
        public synchronized void beforeCheckpoint(Context<? extends Resource> context) throws Exception {
            for (Resource resource : resources) {
                resource.beforeCheckpoint(this);
            }
        }

        @Override
        public synchronized void afterRestore(Context<? extends Resource> context) throws Exception {
            for (int i = resources.size() - 1; i >= 0; i--) {
                resources.get(i).afterRestore(this);
            }
        }
    }
}
