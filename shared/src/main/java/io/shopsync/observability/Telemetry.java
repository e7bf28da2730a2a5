package io.shopsync.observability;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One structured JSON log line per unit of work, which is also a CloudWatch Embedded Metric Format
 * document: CloudWatch extracts the metrics from the log line, so no CloudWatch API call is made
 * (cheaper, faster, and the local emulators cannot answer that API anyway).
 *
 * <p>Metrics have the single dimension {@code flow}. Fields are for people and Logs Insights: ids
 * and outcomes, never secrets or personal data.
 */
public final class Telemetry {

    public static final String NAMESPACE = "Shopsync";

    private final ObjectMapper json;
    private final LineSink sink;
    private final Clock clock;

    public Telemetry(ObjectMapper json, LineSink sink, Clock clock) {
        this.json = json;
        this.sink = sink;
        this.clock = clock;
    }

    public Line line(String flow, String message) {
        return new Line(flow, message);
    }

    /** A line under construction; {@link #emit()} writes it. */
    public final class Line {
        private final Map<String, Object> fields = new LinkedHashMap<>();
        private final Map<String, Number> metrics = new LinkedHashMap<>();
        private final Map<String, String> units = new LinkedHashMap<>();

        private Line(String flow, String message) {
            fields.put("flow", flow);
            fields.put("message", message);
        }

        public Line field(String name, Object value) {
            if (value != null) {
                fields.put(name, value instanceof Number || value instanceof Boolean ? value : value.toString());
            }
            return this;
        }

        public Line count(String metric) {
            metrics.merge(metric, 1, (a, b) -> a.longValue() + b.longValue());
            units.put(metric, "Count");
            return this;
        }

        /** A count of {@code value} in one line (a run's total), instead of one line per unit. */
        public Line count(String metric, long value) {
            metrics.merge(metric, value, (a, b) -> a.longValue() + b.longValue());
            units.put(metric, "Count");
            return this;
        }

        public Line milliseconds(String metric, double value) {
            metrics.put(metric, value);
            units.put(metric, "Milliseconds");
            return this;
        }

        public void emit() {
            ObjectNode root = json.createObjectNode();
            long timestamp = clock.millis();
            if (!metrics.isEmpty()) {
                ObjectNode aws = root.putObject("_aws");
                aws.put("Timestamp", timestamp);
                ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
                directive.put("Namespace", NAMESPACE);
                directive.putArray("Dimensions").addArray().add("flow");
                ArrayNode definitions = directive.putArray("Metrics");
                units.forEach((name, unit) -> definitions.addObject().put("Name", name).put("Unit", unit));
            } else {
                root.put("timestamp", timestamp);
            }
            fields.forEach((name, value) -> root.set(name, json.valueToTree(value)));
            metrics.forEach((name, value) -> root.set(name, json.valueToTree(value)));
            try {
                sink.write(json.writeValueAsString(root));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write a log line", e);
            }
        }
    }
}
