package io.shopsync.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.observability.LineSink;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the flows' structured log lines go locally: each line is appended to the log file (the console
 * is for people), and its Embedded Metric Format counts are added up per flow and topic, read from the
 * same fields CloudWatch would extract. What the status endpoint and the replay table show is therefore
 * what the metrics of a deployed stack would show.
 */
final class FlowMetrics implements LineSink, AutoCloseable {

    /** The metrics counted, in the order they are shown. */
    static final List<String> METRICS = List.of("WebhooksReceived", "WebhooksUnauthenticated", "Delivered",
            "Duplicate", "Stale", "Retried", "DeadLettered");

    private static final String NO_TOPIC = "(no topic)";

    private final ObjectMapper json;
    private final BufferedWriter log;
    private final Path logFile;
    /** flow -> topic -> metric -> count. */
    private final Map<String, Map<String, Map<String, AtomicLong>>> counts = new ConcurrentHashMap<>();
    /** flow -> the reason of its latest retried delivery ("target: reason"). */
    private final Map<String, String> lastRetryReason = new ConcurrentHashMap<>();

    FlowMetrics(ObjectMapper json, Path logFile) {
        this.json = json;
        this.logFile = logFile;
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            this.log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the log file " + logFile + ": check the directory is "
                    + "writable, or pass --log FILE", e);
        }
    }

    Path logFile() {
        return logFile;
    }

    @Override
    public void write(String line) {
        synchronized (log) {
            try {
                log.write(line);
                log.newLine();
                log.flush();
            } catch (IOException e) {
                // The counts below still work; a full disk must not stop the flows.
            }
        }
        JsonNode node;
        try {
            node = json.readTree(line);
        } catch (IOException e) {
            return;
        }
        if (node == null || !node.has("_aws")) {
            return;
        }
        String flow = node.path("flow").asText("");
        String topic = node.path("topic").asText(NO_TOPIC);
        if (node.has("Retried")) {
            lastRetryReason.put(flow, node.path("target").asText("-") + ": " + node.path("reason").asText(""));
        }
        for (String metric : METRICS) {
            JsonNode value = node.get(metric);
            if (value != null && value.isNumber()) {
                counts.computeIfAbsent(flow, f -> new ConcurrentHashMap<>())
                        .computeIfAbsent(topic, t -> new ConcurrentHashMap<>())
                        .computeIfAbsent(metric, m -> new AtomicLong()).addAndGet(value.asLong());
            }
        }
    }

    /** A flow's count of one metric over all topics. */
    long total(String flow, String metric) {
        return byTopic(flow, metric).values().stream().mapToLong(Long::longValue).sum();
    }

    /** A flow's count of one metric per topic, topics in name order. */
    Map<String, Long> byTopic(String flow, String metric) {
        Map<String, Long> result = new TreeMap<>();
        counts.getOrDefault(flow, Map.of()).forEach((topic, metrics) -> {
            AtomicLong count = metrics.get(metric);
            if (count != null) {
                result.put(topic, count.get());
            }
        });
        return result;
    }

    /** Why the flow's latest delivery was retried, if any was. */
    Optional<String> lastRetryReason(String flow) {
        return Optional.ofNullable(lastRetryReason.get(flow));
    }

    /** The topics a flow has seen, in name order. */
    List<String> topics(String flow) {
        return List.copyOf(new TreeMap<>(counts.getOrDefault(flow, Map.of())).keySet());
    }

    @Override
    public void close() {
        synchronized (log) {
            try {
                log.close();
            } catch (IOException e) {
                // nothing left to do
            }
        }
    }
}
