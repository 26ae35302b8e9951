package org.equiflow.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.equiflow.api.example.TutorialExample;
import org.equiflow.io.Checkpoint;
import org.equiflow.testing.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/api.md shows the Java API with TutorialExample: its first java block is that file (less the
 * package line) word for word, and the file is compiled with the tests and run here on the
 * tutorial's script, so the documented code is the code that runs.
 */
class ApiDocumentationTest {
    private static final Path ROOT = Repository.root();
    private static final Path EXAMPLE = ROOT.resolve("runtime/lattice/src/test/java/org/equiflow/api/example/TutorialExample.java");

    @Test
    void theDocumentsExampleIsTheCompiledExample() throws IOException {
        String doc = Files.readString(ROOT.resolve("docs/api.md"));
        var block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertTrue(block.find(), "docs/api.md has no ```java block");
        String example = Files.readString(EXAMPLE).replaceFirst("^package [^;]+;\n\n", "");
        assertEquals(example, block.group(1), "docs/api.md's first java block must be " + EXAMPLE + " without its package line");
    }

    @Test
    void theDocumentsExampleTrainsResumesAndSamplesTheTutorial(@TempDir Path runs) throws Exception {
        Path directory = runs.resolve("tutorial");
        SamplingResult sampled = TutorialExample.trainAndSample(ROOT.resolve("examples/phi4_tutorial.flow"), directory);
        assertEquals(30, Checkpoint.load(directory.resolve("checkpoint.eqf")).trainingStep(), "the resumed run trained to its new total");
        assertEquals(256, sampled.count());
        assertEquals(30, sampled.trainingStep());
        assertTrue(sampled.acceptance() >= 0 && sampled.acceptance() <= 1, "acceptance " + sampled.acceptance());
        assertTrue(Files.isRegularFile(sampled.ensemble()) && Files.isRegularFile(sampled.reportDirectory().resolve("summary.md")));
        assertTrue(sampled.observable("susceptibility").isPresent(), "the tutorial's `sample` block measures the susceptibility");
    }
}
