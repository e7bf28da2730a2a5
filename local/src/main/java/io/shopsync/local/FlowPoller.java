package io.shopsync.local;

import io.shopsync.emulator.SqsEventSource;
import java.io.PrintStream;

/**
 * One flow's delivery trigger: a thread that polls the flow's work queue through the SQS event source,
 * as Lambda's event source mapping does, until stopped. Batch item failures stay on the queue with
 * the visibility the handler gave them; a crashed invocation leaves its whole batch for the queue's
 * visibility timeout, and the crash is printed.
 */
final class FlowPoller implements AutoCloseable {

    private final String flow;
    private final SqsEventSource source;
    private final PrintStream console;
    private final Thread thread;
    private volatile boolean running = true;

    FlowPoller(String flow, SqsEventSource source, PrintStream console) {
        this.flow = flow;
        this.source = source;
        this.console = console;
        this.thread = new Thread(this::run, "poller-" + flow);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        while (running) {
            try {
                SqsEventSource.Poll poll = source.pollOnce();
                if (poll.crash() != null && running) {
                    console.println(flow + ": the handler failed on a batch of " + poll.received().size() + " ("
                            + poll.crash() + "); the batch returns to the queue after its visibility timeout");
                }
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                console.println(flow + ": polling the work queue failed (" + e.getMessage() + "); retrying in 1 s");
                sleep();
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asks the poller to stop after its current poll; {@link #close()} waits for it. */
    void stop() {
        running = false;
    }

    /** Stops after the current poll (at most the 1 s long poll plus an invocation in progress). */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
