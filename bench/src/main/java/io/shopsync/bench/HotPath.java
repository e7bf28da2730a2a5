package io.shopsync.bench;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code scripts/bench hot-path}: runs the JMH benchmarks of this module (intake per webhook and its floor, delivery
 * per batch of new orders), then prints the ratio issue #12 names and the delivery CPU per item.
 */
public final class HotPath {

    private HotPath() {}

    public static void main(String[] args) throws Exception {
        var options = new OptionsBuilder().parent(new CommandLineOptions(args))
                .include(IntakeHotPath.class.getName()).include(DeliveryHotPath.class.getName()).build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, Double> micros = new HashMap<>();
        for (RunResult result : results) {
            String label = result.getParams().getBenchmark();
            micros.put(label.substring(label.lastIndexOf('.') + 1), result.getPrimaryResult().getScore());
        }
        System.out.println();
        System.out.println(Machine.describe());
        System.out.printf(Locale.ROOT, "intake per webhook: %.1f us; floor (HMAC-SHA256 + event parse): %.1f us%n",
                micros.get("intake"), micros.get("floor"));
        System.out.printf(Locale.ROOT, "floor / intake: %.2f (goal >= 0.5)%n", micros.get("floor") / micros.get("intake"));
        Double batch = micros.get("delivery");
        if (batch != null) {
            System.out.printf(Locale.ROOT, "delivery per item: %.1f us (a batch of %d new orders: %.1f us; in-memory store"
                    + " and target, no network); per item / intake floor: %.1f%n", batch / DeliveryHotPath.BATCH,
                    DeliveryHotPath.BATCH, batch, batch / DeliveryHotPath.BATCH / micros.get("floor"));
        }
    }
}
