package io.shopsync.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopsync.connectors.RateLimiter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Layers only look down (docs STYLE: "connectors and stores take their settings as values; only lambda/ knows the
 * environment"). Read from the compiled classes, so a fully qualified name in a method body counts as much as an import.
 */
class LayeringTest {

    private static final String LAMBDA = "io/shopsync/lambda/";

    @Test
    void connectorsAndStock_neverReferToTheLambdaLayer() throws Exception {
        Path classes = Path.of(RateLimiter.class.getProtectionDomain().getCodeSource().getLocation().toURI());

        List<String> upward = Stream.of("io/shopsync/connectors", "io/shopsync/stock")
                .flatMap(layer -> classFiles(classes.resolve(layer)))
                .filter(LayeringTest::refersToLambda)
                .map(file -> classes.relativize(file).toString())
                .sorted().toList();

        assertThat(classFiles(classes.resolve("io/shopsync/connectors/hubspot")).count())
                .as("the scan reads the compiled connectors under %s", classes).isGreaterThan(3);
        assertThat(upward).as("classes under io.shopsync.connectors or io.shopsync.stock that refer to io.shopsync.lambda:"
                + " give the factory a settings record that FlowEnvironment builds instead").isEmpty();
    }

    @Test
    void theScanSeesAReferenceWhereThereIsOne() throws URISyntaxException {
        Path classes = Path.of(RateLimiter.class.getProtectionDomain().getCodeSource().getLocation().toURI());

        assertThat(refersToLambda(classes.resolve("io/shopsync/lambda/FlowFunction.class"))).isTrue();
    }

    private static Stream<Path> classFiles(Path directory) {
        try {
            return Files.walk(directory).filter(p -> p.toString().endsWith(".class")).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Class names sit in the constant pool as modified UTF-8, which for these ASCII names is their bytes. */
    private static boolean refersToLambda(Path classFile) {
        try {
            return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains(LAMBDA);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
