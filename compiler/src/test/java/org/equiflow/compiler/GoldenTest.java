package org.equiflow.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.model.Printer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden tests: every invalid program gives exactly the diagnostics in its {@code .errors}
 * file; every valid program and every example checks cleanly and prints exactly its
 * {@code .ir} file. {@code -Dgolden.update=true} rewrites the golden files.
 */
class GoldenTest {

    private static List<Path> flowFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".flow") && Files.isRegularFile(p)).sorted().toList();
        }
    }

    private static Path sibling(Path flow, String extension) {
        String name = flow.getFileName().toString();
        return flow.resolveSibling(name.substring(0, name.length() - ".flow".length()) + extension);
    }

    @TestFactory
    Stream<DynamicTest> invalidProgramsGiveTheirExactDiagnostics() throws IOException {
        return flowFiles(Golden.ROOT.resolve("invalid")).stream().map(flow -> DynamicTest.dynamicTest(flow.getFileName().toString(), () -> {
            // `check` alone must refuse it: what the runtime cannot run (E08xx) is a check error too.
            Compiler.Result result = Compiler.check(flow, Golden.relative(flow));
            assertFalse(result.ok(), flow + " should be rejected");
            Golden.compare(sibling(flow, ".errors"), Golden.describe(result));
        }));
    }

    @TestFactory
    Stream<DynamicTest> validProgramsCheckAndPrintTheirIr() throws IOException {
        return flowFiles(Golden.ROOT.resolve("valid")).stream().map(flow -> DynamicTest.dynamicTest(flow.getFileName().toString(), () -> {
            Compiler.Result result = Compiler.check(flow, Golden.relative(flow));
            assertTrue(result.ok(), () -> flow + " should check:\n" + Golden.describe(result));
            String out = Golden.describe(result) + Printer.print(result.program().orElseThrow());
            Golden.compare(sibling(flow, ".ir"), out);
        }));
    }

    @TestFactory
    Stream<DynamicTest> examplesCheckAndPrintTheirIr() throws IOException {
        List<Path> examples = flowFiles(Golden.EXAMPLES);
        assertTrue(examples.size() >= 2, "the examples folder should hold the models of LANGUAGE.md §1 and §4");
        return examples.stream().map(flow -> DynamicTest.dynamicTest(flow.getFileName().toString(), () -> {
            Compiler.Result result = Compiler.check(flow, "examples/" + flow.getFileName());
            assertTrue(result.ok(), () -> flow + " should check:\n" + Golden.describe(result));
            String out = Golden.describe(result) + Printer.print(result.program().orElseThrow());
            Golden.compare(Golden.ROOT.resolve("examples").resolve(sibling(flow, ".ir").getFileName()), out);
        }));
    }

    @Test
    void theNotebookModelsAreAmongTheExamples() {
        assertTrue(Files.exists(Golden.EXAMPLES.resolve("phi4_tutorial.flow")), "LANGUAGE.md §1");
        assertTrue(Files.exists(Golden.EXAMPLES.resolve("u1_gauge.flow")), "LANGUAGE.md §4");
    }

    /** Codes exercised by programmatic tests rather than by a golden file (inputs too large to commit). */
    static final Set<ErrorCode> COVERED_ELSEWHERE = EnumSet.of(ErrorCode.E0003);

    @Test
    void everyErrorCodeHasAFailingProgram() throws IOException {
        Set<ErrorCode> seen = EnumSet.noneOf(ErrorCode.class);
        Pattern code = Pattern.compile("^(?:error|warning) ([EW]\\d{4}) ", Pattern.MULTILINE);
        try (Stream<Path> files = Files.list(Golden.ROOT.resolve("invalid"))) {
            for (Path errors : files.filter(p -> p.toString().endsWith(".errors")).toList()) {
                Matcher m = code.matcher(Files.readString(errors));
                while (m.find()) seen.add(ErrorCode.valueOf(m.group(1)));
            }
        }
        seen.addAll(COVERED_ELSEWHERE);
        Set<ErrorCode> missing = EnumSet.allOf(ErrorCode.class);
        missing.removeAll(seen);
        assertEquals(Set.of(), missing, "error codes without a failing program in golden/invalid");
    }

    @Test
    void everyErrorCodeIsDocumented() throws IOException {
        String doc = Files.readString(Golden.MODULE.resolveSibling("docs").resolve("errors.md"));
        for (ErrorCode c : ErrorCode.values()) {
            assertTrue(doc.contains("| " + c.id() + " | " + c.title() + " |"), c.id() + " is missing from docs/errors.md");
        }
    }
}
