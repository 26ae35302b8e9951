package org.equiflow.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the tests find the repository's files. Maven runs each module's tests in that module's
 * folder, which sits one or two levels below the root (runtime/tensor, compiler), so the root is
 * found by walking up to the parent pom rather than by a fixed number of {@code ..}. Run
 * outside a checkout (the GPU bundle of tools/gpu-bundle, which carries examples/ and no
 * sources), {@code -Dequiflow.repository=DIR} names the folder that holds examples/.
 */
public final class Repository {

    private Repository() {
    }

    /**
     * The repository root: {@code -Dequiflow.repository} when set (it must hold examples/), otherwise the nearest
     * folder at or above the working directory holding the parent pom and examples/.
     */
    public static Path root() {
        String override = System.getProperty("equiflow.repository");
        if (override != null) {
            Path dir = Path.of(override).toAbsolutePath();
            if (!Files.isDirectory(dir.resolve("examples"))) {
                throw new IllegalStateException("-Dequiflow.repository=" + override + " holds no examples/ folder");
            }
            return dir;
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("examples")) && Files.isDirectory(dir.resolve("runtime")) && Files.exists(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no equiflow repository (pom.xml, runtime/ and examples/) at or above " + Path.of("").toAbsolutePath());
    }

    /** The example scripts. */
    public static Path examples() {
        return root().resolve("examples");
    }
}
