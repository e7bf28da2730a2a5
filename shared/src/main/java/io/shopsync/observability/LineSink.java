package io.shopsync.observability;

import java.io.PrintStream;

/** Where structured log lines go. In Lambda that is standard output, which becomes the log stream. */
@FunctionalInterface
public interface LineSink {

    void write(String line);

    static LineSink stdout() {
        PrintStream out = System.out;
        return line -> {
            synchronized (out) {
                out.println(line);
            }
        };
    }
}
