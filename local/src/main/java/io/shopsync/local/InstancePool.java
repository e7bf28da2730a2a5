package io.shopsync.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * A function's warm instances, as Lambda keeps them: each invocation runs in an idle instance, one invocation at a
 * time per instance; when every instance is busy a new one is built (a cold start), up to {@code most} (the
 * function's concurrency here); beyond that an invocation waits for one to come free. The most recently used idle
 * instance is taken first, so a steady trickle keeps reusing one warm instance.
 *
 * <p>What the local stack's intake runs on: one instance, shared, made every webhook wait for the one before it
 * (issue #12: under 16 connections the wait was most of a request's time), where API Gateway would have invoked
 * further instances at once.
 */
final class InstancePool<T extends RequestStreamHandler> implements RequestStreamHandler {

    private final Supplier<T> factory;
    private final int most;
    private final T first;
    private final Deque<T> idle = new ArrayDeque<>();
    private int built;

    /**
     * @param factory builds one instance (its constructor, as Lambda's init runs it)
     * @param most the most instances at once
     */
    InstancePool(Supplier<T> factory, int most) {
        if (most < 1) {
            throw new IllegalArgumentException("an instance pool needs at least one instance, not " + most);
        }
        this.factory = factory;
        this.most = most;
        this.first = factory.get();
        this.built = 1;
        this.idle.push(first);
    }

    /** The instance built first (at start, before any invocation), e.g. to read what its flow takes. */
    T first() {
        return first;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        T instance = take();
        try {
            instance.handleRequest(input, output, context);
        } finally {
            give(instance);
        }
    }

    private T take() throws IOException {
        synchronized (this) {
            while (idle.isEmpty() && built >= most) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting for a free instance");
                }
            }
            if (!idle.isEmpty()) {
                return idle.pop();
            }
            built++;
        }
        try {
            return factory.get();
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                built--;
                notifyAll();
            }
            throw e;
        }
    }

    private synchronized void give(T instance) {
        idle.push(instance);
        notifyAll();
    }
}
