package io.shopsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Jackson that runs is the release the root pom names (jackson-bom), in its parser (jackson-core) as well
 * as in databind, on this module's classpath, the widest of the build (WireMock and ElasticMQ bring their own
 * Jackson dependencies): a library cannot pull an older parser back in.
 */
class JacksonVersionTest {

    @Test
    void coreAndDatabind_areThePomsJacksonRelease() throws IOException {
        String pom = Files.readString(StackTemplate.find(Path.of("")).getParent().resolve("pom.xml"));
        Matcher property = Pattern.compile("<jackson\\.version>([^<]+)</jackson\\.version>").matcher(pom);
        assertThat(property.find()).as("root pom.xml sets jackson.version").isTrue();

        assertThat(com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString()).isEqualTo(property.group(1));
        assertThat(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString()).isEqualTo(property.group(1));
    }
}
