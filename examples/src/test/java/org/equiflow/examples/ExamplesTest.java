package org.equiflow.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.equiflow.cli.Main;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every example script passes `equiflow check` with no error and no warning. */
class ExamplesTest {
    static final Path EXAMPLES = Path.of("").toAbsolutePath();

    @TestFactory
    Stream<DynamicTest> everyExampleChecksCleanly() throws IOException {
        var files = Files.list(EXAMPLES).filter(p -> p.toString().endsWith(".flow")).sorted().toList();
        assertTrue(files.size() >= 2);
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            var out = new StringWriter();
            var err = new StringWriter();
            int exit = Main.execute(new String[] {"check", "--color=never", f.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
            assertEquals(0, exit, err.toString());
            assertEquals("", err.toString(), "an example should produce no warnings");
            assertTrue(out.toString().contains("1 passed, 0 failed"), out.toString());
        }));
    }
}
