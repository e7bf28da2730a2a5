package io.shopsync.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the repository's shared fixtures (events/, sample payloads) from any module's tests. */
public final class Fixtures {

    private Fixtures() {}

    /** The repository root: the nearest ancestor of the working directory that holds template.yaml. */
    public static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("template.yaml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("template.yaml not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    public static Path path(String relativeToRoot) {
        return repositoryRoot().resolve(relativeToRoot);
    }

    public static byte[] bytes(String relativeToRoot) {
        try {
            return Files.readAllBytes(path(relativeToRoot));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String relativeToRoot) {
        return new String(bytes(relativeToRoot), java.nio.charset.StandardCharsets.UTF_8);
    }
}
