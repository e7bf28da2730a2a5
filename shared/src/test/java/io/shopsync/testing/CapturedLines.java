package io.shopsync.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.observability.LineSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** A log sink that keeps the lines, parsed, for assertions. */
public final class CapturedLines implements LineSink {

    private static final ObjectMapper JSON = new ObjectMapper();
    public final List<String> raw = new ArrayList<>();

    @Override
    public synchronized void write(String line) {
        raw.add(line);
    }

    public synchronized List<JsonNode> parsed() {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : raw) {
            try {
                nodes.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new UncheckedIOException("log line is not JSON: " + line, e);
            }
        }
        return nodes;
    }

    public JsonNode last() {
        List<JsonNode> nodes = parsed();
        if (nodes.isEmpty()) {
            throw new AssertionError("no log line was written");
        }
        return nodes.get(nodes.size() - 1);
    }
}
