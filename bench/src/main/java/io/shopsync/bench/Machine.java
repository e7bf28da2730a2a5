package io.shopsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine line printed with every figure: cores, CPU model, JVM. */
final class Machine {

    private Machine() {}

    static String describe() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux: the core count and JVM still say what ran
        }
        return "machine: " + Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }
}
