package io.shopsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code scripts/bench jar-size}: per function jar, what each part costs (compressed bytes and entries per
 * group: each AWS service, SDK core modules, Jackson, Shopsync), and what the zip format adds on top (a local
 * header and a central-directory entry per file), against the 12 MB goal of issue #12.
 */
public final class JarSize {

    static final long GOAL = 12_000_000L;

    private JarSize() {}

    public static void main(String[] args) throws IOException {
        Path repo = Path.of(".");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--repo")) {
                repo = Path.of(args[++i]);
            }
        }
        for (String function : List.of("order-to-crm", "stock-to-inventory", "fulfilment-to-crm", "reconciler")) {
            Path jar = repo.resolve("functions/" + function + "/target/" + function + ".jar");
            if (Files.exists(jar)) {
                report(jar);
            }
        }
    }

    static void report(Path jar) throws IOException {
        Map<String, long[]> groups = new HashMap<>();
        long entries = 0;
        long compressed = 0;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : java.util.Collections.list(zip.entries())) {
                long[] group = groups.computeIfAbsent(group(entry.getName()), k -> new long[2]);
                group[0] += entry.getCompressedSize();
                group[1]++;
                entries++;
                compressed += entry.getCompressedSize();
            }
        }
        long size = Files.size(jar);
        System.out.printf(Locale.ROOT, "%n%s: %.1f MB (goal %.0f MB: %s), %,d entries; zip headers and directory %.1f MB%n",
                jar.getFileName(), size / 1e6, GOAL / 1e6, size <= GOAL ? "met" : "missed by " + String.format(Locale.ROOT,
                        "%.1f MB", (size - GOAL) / 1e6), entries, (size - compressed) / 1e6);
        System.out.println("| part | compressed | entries |");
        System.out.println("|---|---|---|");
        groups.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(20)
                .forEach(e -> System.out.printf(Locale.ROOT, "| %s | %.2f MB | %,d |%n", e.getKey(), e.getValue()[0] / 1e6,
                        e.getValue()[1]));
    }

    /** software/amazon/awssdk/services/dynamodb/... -> "AWS SDK dynamodb"; com/fasterxml/jackson/core -> "jackson core". */
    static String group(String name) {
        String[] p = name.split("/");
        if (name.startsWith("software/amazon/awssdk/services/") && p.length > 5) {
            return "AWS SDK service " + p[4];
        }
        if (name.startsWith("software/amazon/awssdk/") && p.length > 4) {
            return "AWS SDK " + p[3];
        }
        if (name.startsWith("com/fasterxml/jackson/") && p.length > 4) {
            return "jackson " + p[3];
        }
        if (name.startsWith("io/shopsync/")) {
            return "shopsync";
        }
        if (p.length > 2) {
            return p[0] + "/" + p[1];
        }
        return p[0];
    }
}
