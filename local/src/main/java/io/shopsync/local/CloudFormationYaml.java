package io.shopsync.local;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads a CloudFormation / SAM template as CloudFormation does: each short-form intrinsic tag becomes
 * its long form ({@code !Ref X} is {@code {"Ref": "X"}}, {@code !GetAtt A.B} is
 * {@code {"Fn::GetAtt": ["A", "B"]}}, {@code !Sub s} is {@code {"Fn::Sub": s}}, and so on), so the
 * result is the same plain maps and lists a JSON template would give.
 *
 * <p>Why snakeyaml-engine with tag constructors rather than Jackson's YAML module: Jackson tolerates
 * the tags by dropping them, which would read {@code !Ref MaxReceiveCount} as the literal string
 * {@code "MaxReceiveCount"}; here the reference stays a reference and is resolved on purpose.
 */
final class CloudFormationYaml {

    /** Short tag to long-form key, as the CloudFormation template reference lists them. */
    private static final Map<String, String> INTRINSICS = Map.ofEntries(
            Map.entry("!Ref", "Ref"),
            Map.entry("!Condition", "Condition"),
            Map.entry("!GetAtt", "Fn::GetAtt"),
            Map.entry("!Sub", "Fn::Sub"),
            Map.entry("!Join", "Fn::Join"),
            Map.entry("!Select", "Fn::Select"),
            Map.entry("!Split", "Fn::Split"),
            Map.entry("!FindInMap", "Fn::FindInMap"),
            Map.entry("!Base64", "Fn::Base64"),
            Map.entry("!Cidr", "Fn::Cidr"),
            Map.entry("!GetAZs", "Fn::GetAZs"),
            Map.entry("!ImportValue", "Fn::ImportValue"),
            Map.entry("!Transform", "Fn::Transform"),
            Map.entry("!If", "Fn::If"),
            Map.entry("!Equals", "Fn::Equals"),
            Map.entry("!And", "Fn::And"),
            Map.entry("!Or", "Fn::Or"),
            Map.entry("!Not", "Fn::Not"),
            Map.entry("!Length", "Fn::Length"),
            Map.entry("!ToJsonString", "Fn::ToJsonString"));

    private CloudFormationYaml() {}

    /** The template's top-level mapping. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> read(Path file) {
        LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).build();
        Object document;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            document = new Load(settings, new Constructor(settings)).loadFromReader(reader);
        } catch (IOException e) {
            throw new TemplateException("cannot read " + file + " (" + e.getMessage() + "): pass --template PATH to "
                    + "the SAM template (template.yaml at the repository root)");
        } catch (YamlEngineException e) {
            throw new TemplateException(file + " is not valid YAML: " + e.getMessage());
        }
        if (!(document instanceof Map)) {
            throw new TemplateException(file + " is not a CloudFormation template: its top level is not a mapping");
        }
        return (Map<String, Object>) document;
    }

    /** The standard constructor, plus one constructor per intrinsic tag. */
    private static final class Constructor extends StandardConstructor {

        Constructor(LoadSettings settings) {
            super(settings);
            INTRINSICS.forEach((tag, key) -> tagConstructors.put(new Tag(tag), new Intrinsic(key)));
        }

        /** Builds {@code {key: value}} from a tagged scalar, sequence or mapping. */
        private final class Intrinsic implements ConstructNode {
            private final String key;

            Intrinsic(String key) {
                this.key = key;
            }

            @Override
            public Object construct(Node node) {
                Object value;
                if (node instanceof ScalarNode scalar) {
                    String text = constructScalar(scalar);
                    // !GetAtt Resource.Attribute is short for ["Resource", "Attribute"].
                    value = key.equals("Fn::GetAtt") && text.contains(".")
                            ? List.of(text.substring(0, text.indexOf('.')), text.substring(text.indexOf('.') + 1))
                            : text;
                } else if (node instanceof SequenceNode sequence) {
                    List<Object> items = new ArrayList<>();
                    for (Node item : sequence.getValue()) {
                        items.add(constructObject(item));
                    }
                    value = items;
                } else {
                    value = constructMapping((MappingNode) node);
                }
                return Map.of(key, value);
            }
        }
    }
}
