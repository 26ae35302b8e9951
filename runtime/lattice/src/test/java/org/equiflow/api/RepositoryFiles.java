package org.equiflow.api;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's own files (examples, docs) from a module's test, whichever directory it runs in. */
final class RepositoryFiles {
    private RepositoryFiles() {}

    static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("examples")) && Files.isDirectory(p.resolve("docs"))) return p;
        }
        throw new IllegalStateException("no repository root with examples/ and docs/ above " + Path.of("").toAbsolutePath());
    }
}
