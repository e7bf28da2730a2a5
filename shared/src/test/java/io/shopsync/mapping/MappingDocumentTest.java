package io.shopsync.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopsync.testkit.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/data-mapping.md in step with the shipped mapping files: the part between the markers is
 * rendered from them. When a mapping changes, run
 * {@code mvn -pl shared -am test -Dtest=MappingDocumentTest -DupdateDocs=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class MappingDocumentTest {

    private static final String START = "<!-- mappings:start (generated from functions/*/src/main/resources/mappings; do not edit) -->";
    private static final String END = "<!-- mappings:end -->";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TargetSchema ANY = new TargetSchema(Set.of(), "");

    @Test
    void dataMappingDocument_shouldDescribeEveryShippedMappingFile_exactly() throws IOException {
        Path document = Fixtures.path("docs/data-mapping.md");
        String rendered = render();
        String text = Files.exists(document) ? Files.readString(document, StandardCharsets.UTF_8) : "";

        if (Boolean.getBoolean("updateDocs")) {
            int start = text.indexOf(START);
            int end = text.indexOf(END);
            String updated = start >= 0 && end > start
                    ? text.substring(0, start) + rendered + text.substring(end + END.length())
                    : text + "\n" + rendered + "\n";
            Files.writeString(document, updated, StandardCharsets.UTF_8);
            text = updated;
        }

        assertThat(text).as("docs/data-mapping.md is out of step with the mapping files; regenerate it with "
                + "mvn -pl shared -am test -Dtest=MappingDocumentTest -DupdateDocs=true -Dsurefire.failIfNoSpecifiedTests=false")
                .contains(rendered);
    }

    private static String render() throws IOException {
        List<Path> files;
        try (Stream<Path> found = Files.walk(Fixtures.path("functions"))) {
            files = found.filter(p -> p.toString().contains("/src/main/resources/mappings/") && p.toString().endsWith(".json"))
                    .sorted().toList();
        }
        StringBuilder out = new StringBuilder(START).append("\n");
        for (Path file : files) {
            String name = file.getFileName().toString().replace(".json", "");
            String flow = Fixtures.repositoryRoot().relativize(file).getName(1).toString();
            String text = Files.readString(file, StandardCharsets.UTF_8);
            Mapping mapping = Mapping.parse(name, text, file.toString(), ANY, JSON);
            JsonNode raw = JSON.readTree(text);
            out.append("\n### ").append(mapping.target()).append(" ").append(mapping.object()).append(": `")
                    .append(name).append(".json` (flow ").append(flow).append(")\n\n");
            out.append(mapping.description()).append("\n\n");
            out.append("| target property | Shopify source (first present) | transform | notes |\n");
            out.append("|---|---|---|---|\n");
            for (Mapping.Rule rule : mapping.rules()) {
                String source = rule.constant() != null ? "constant `" + rule.constant().asText() + "`"
                        : rule.from().stream().map(p -> "`" + p + "`").collect(Collectors.joining(", "));
                String transform = rule.transforms().stream().map(Transform::label).collect(Collectors.joining(" → "));
                if (!rule.values().isEmpty()) {
                    transform += " (" + rule.values().entrySet().stream()
                            .map(e -> e.getKey() + " → " + e.getValue().asText()).collect(Collectors.joining(", "))
                            + (rule.fallback() != null ? "; otherwise " + rule.fallback().asText() : "") + ")";
                }
                String notes = (rule.required() ? "**required**. " : "") + rule.note();
                out.append("| `").append(rule.property()).append("` | ").append(source).append(" | ")
                        .append(transform.isEmpty() ? "as is" : transform).append(" | ")
                        .append(notes.replace("|", "\\|").trim()).append(" |\n");
            }
            if (raw.path("customProperties").size() > 0) {
                out.append("\nCreate these custom properties in the target first: ");
                out.append(Stream.of(JSON.convertValue(raw.get("customProperties"), String[].class))
                        .map(p -> "`" + p + "`").collect(Collectors.joining(", "))).append(".\n");
            }
        }
        return out.append("\n").append(END).toString();
    }
}
