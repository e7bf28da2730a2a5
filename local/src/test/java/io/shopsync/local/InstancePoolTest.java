package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The local stack's intake instances: concurrent invocations as Lambda scales out, one at a time per instance. */
class InstancePoolTest {

    /** An instance that notes how many invocations run in it at once, and waits at a gate. */
    private static final class Instance implements RequestStreamHandler {
        final AtomicInteger inside = new AtomicInteger();
        volatile int mostAtOnce;
        final CountDownLatch entered;
        final CountDownLatch gate;

        Instance(CountDownLatch entered, CountDownLatch gate) {
            this.entered = entered;
            this.gate = gate;
        }

        @Override
        public void handleRequest(java.io.InputStream in, java.io.OutputStream out,
                                  com.amazonaws.services.lambda.runtime.Context context) {
            mostAtOnce = Math.max(mostAtOnce, inside.incrementAndGet());
            entered.countDown();
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inside.decrementAndGet();
            }
        }
    }

    /**
     * Invokes the pool from {@code calls} threads at once, opens the gate once {@code entered} is counted down (or
     * after 5 s) and waits until every invocation returned.
     *
     * @return whether {@code entered} was counted down while the gate was closed
     */
    private static boolean invokeAtOnce(InstancePool<Instance> pool, int calls, CountDownLatch entered,
                                        CountDownLatch gate) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(calls);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                running.add(threads.submit(() -> {
                    pool.handleRequest(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), null);
                    return null;
                }));
            }
            boolean allEntered = entered.await(5, TimeUnit.SECONDS);
            gate.countDown();
            for (Future<?> call : running) {
                call.get(20, TimeUnit.SECONDS);
            }
            return allEntered;
        } finally {
            gate.countDown();
            threads.shutdownNow();
        }
    }

    @Test
    void concurrentInvocations_runAtOnce_eachInAnInstanceOfItsOwn() throws Exception {
        CountDownLatch entered = new CountDownLatch(4);
        CountDownLatch gate = new CountDownLatch(1);
        List<Instance> built = Collections.synchronizedList(new ArrayList<>());
        InstancePool<Instance> pool = new InstancePool<>(() -> {
            Instance instance = new Instance(entered, gate);
            built.add(instance);
            return instance;
        }, 8);
        // All four inside at once: with one shared instance, one at a time, the second would wait for the gate.
        assertThat(invokeAtOnce(pool, 4, entered, gate)).as("four invocations running at once").isTrue();
        assertThat(built).hasSize(4);
        assertThat(built).allSatisfy(instance -> assertThat(instance.mostAtOnce).isEqualTo(1));
    }

    @Test
    void sequentialInvocations_reuseTheWarmInstance() throws Exception {
        CountDownLatch open = new CountDownLatch(0);
        List<Instance> built = new ArrayList<>();
        InstancePool<Instance> pool = new InstancePool<>(() -> {
            Instance instance = new Instance(new CountDownLatch(0), open);
            built.add(instance);
            return instance;
        }, 8);
        for (int i = 0; i < 5; i++) {
            pool.handleRequest(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), null);
        }

        assertThat(built).hasSize(1);
        assertThat(pool.first()).isSameAs(built.get(0));
    }

    @Test
    void moreConcurrentInvocationsThanTheLimit_waitForAFreeInstance_andNeverShareOne() throws Exception {
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch gate = new CountDownLatch(1);
        Set<Instance> built = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        InstancePool<Instance> pool = new InstancePool<>(() -> {
            Instance instance = new Instance(entered, gate);
            built.add(instance);
            return instance;
        }, 2);
        assertThat(invokeAtOnce(pool, 3, entered, gate)).as("two invocations running at once").isTrue();
        assertThat(built).hasSize(2);
        assertThat(built).allSatisfy(instance -> assertThat(instance.mostAtOnce).isEqualTo(1));
    }
}
