package org.equiflow.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.DiagnosticRenderer;
import org.equiflow.compiler.diag.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whatever bytes a user passes, the checker answers with diagnostics, never with an exception:
 * truncated and mutated scripts, binary files, empty files, huge files, missing and cyclic imports.
 */
class RobustnessTest {
    @TempDir
    Path dir;

    private static final String TUTORIAL = read(Golden.EXAMPLES.resolve("phi4_tutorial.flow"));
    private static final String GAUGE = read(Golden.EXAMPLES.resolve("u1_gauge.flow"));

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Compiler.Result check(String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, content);
        Compiler.Result result = Compiler.check(file, name);
        // Every diagnostic renders, with a position inside the file it names.
        var renderer = new DiagnosticRenderer(false);
        for (Diagnostic d : result.diagnostics().all()) {
            String text = renderer.render(d);
            assertTrue(text.startsWith(d.severity().label() + "[" + d.code().id() + "]"), text);
            if (d.span() != null) assertTrue(d.span().start() <= d.span().file().text().length(), text);
        }
        return result;
    }

    private static boolean only(Compiler.Result r, ErrorCode code) {
        return r.diagnostics().all().stream().filter(Diagnostic::isError).allMatch(d -> d.code() == code)
                && r.diagnostics().hasErrors();
    }

    @Test
    void everyTruncationOfTheExamplesIsDiagnosedWithoutCrashing() throws IOException {
        for (String source : new String[] {TUTORIAL, GAUGE}) {
            for (int cut = 1; cut < source.length(); cut += 3) {
                String prefix = source.substring(0, cut);
                Compiler.Result r = check("truncated.flow", prefix.getBytes(StandardCharsets.UTF_8));
                // A prefix may be a complete program (cut after a whole item); otherwise it must fail with diagnostics.
                assertTrue(r.ok() || r.diagnostics().hasErrors(), "cut at " + cut);
            }
        }
    }

    @Test
    void randomMutationsAreDiagnosedWithoutCrashing() throws IOException {
        Random random = new Random(20261122);
        String alphabet = "{}()[],.=:;+-*/%^<>!&|#\"'0123456789 \n\tabcxyzABC_é∑";
        for (int trial = 0; trial < 400; trial++) {
            StringBuilder s = new StringBuilder(trial % 2 == 0 ? TUTORIAL : GAUGE);
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(s.length());
                switch (random.nextInt(3)) {
                    case 0 -> s.deleteCharAt(at);
                    case 1 -> s.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> s.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            Compiler.Result r = check("mutated.flow", s.toString().getBytes(StandardCharsets.UTF_8));
            assertTrue(r.ok() || r.diagnostics().hasErrors(), "trial " + trial);
        }
    }

    @Test
    void aBinaryFileIsRefused() throws IOException {
        byte[] bytes = new byte[4096];
        new Random(1).nextBytes(bytes);
        bytes[10] = 0;
        assertTrue(only(check("weights.flow", bytes), ErrorCode.E0002));
        // Invalid UTF-8 without NUL bytes is refused too.
        assertTrue(only(check("latin1.flow", new byte[] {'t', 'h', (byte) 0xE9, (byte) 0xFF, '\n'}), ErrorCode.E0002));
    }

    @Test
    void anEmptyOrBlankFileIsRefused() throws IOException {
        assertTrue(only(check("empty.flow", new byte[0]), ErrorCode.E0004));
        assertTrue(only(check("blank.flow", " \n\t\n".getBytes(StandardCharsets.UTF_8)), ErrorCode.E0004));
    }

    @Test
    void aTenMegabyteFileIsRefusedWithItsSize() throws IOException {
        byte[] big = new byte[10_000_000];
        java.util.Arrays.fill(big, (byte) 'a');
        Compiler.Result r = check("huge.flow", big);
        assertTrue(only(r, ErrorCode.E0003));
        assertTrue(r.diagnostics().all().get(0).message().contains("10.0 MB"), r.diagnostics().all().get(0).message());
    }

    /** Issue 13: `equiflow check /dev/zero` read until the heap was gone (Files.size is 0 for a device). */
    @Test
    void anEndlessDeviceIsRefusedAfterTheLimit() {
        Path zero = Path.of("/dev/zero");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(zero), "needs /dev/zero");
        Compiler.Result r = Compiler.check(zero, "/dev/zero");
        assertTrue(only(r, ErrorCode.E0003));
        assertTrue(r.diagnostics().all().get(0).message().contains("not a regular file"), r.diagnostics().all().get(0).message());
    }

    /** An expression deeper than the checker's stack is an error with a position, not a crash. */
    @Test
    void aGeneratedExpressionTooDeepToCheckIsReportedAtItsFile() throws IOException {
        String sum = String.join(" + ", java.util.Collections.nCopies(5_000, "1"));
        Compiler.Result r = check("deep.flow", ("use std.theories.phi4\nlet n = " + sum
                + "\ntheory T = phi4(lattice = [4, 4], m2 = 1.0, lambda = 0.0)\n").getBytes(StandardCharsets.UTF_8));
        assertTrue(only(r, ErrorCode.E0106), r.diagnostics().all().toString());
        assertEquals("deep.flow:1:1", r.diagnostics().all().get(0).span().location());
    }

    @Test
    void aMissingFileIsReported() {
        Compiler.Result r = Compiler.check(dir.resolve("nope.flow"), "nope.flow");
        assertTrue(only(r, ErrorCode.E0001));
        assertEquals("no such file `nope.flow`", r.diagnostics().all().get(0).message());
    }

    @Test
    void unknownImportsAreReportedWithTheStandardModules() throws IOException {
        Compiler.Result r = check("imports.flow", """
                use std.theorys.phi4
                use ./missing.flow
                theory T = phi4(lattice = [4, 4], m2 = 1.0, lambda = 0.0)
                """.getBytes(StandardCharsets.UTF_8));
        assertTrue(only(r, ErrorCode.E0200));
        assertEquals(2, r.diagnostics().errorCount());
        var first = r.diagnostics().sorted().get(0);
        assertTrue(first.help().contains("did you mean `std.theories`?"), first.help().toString());
    }

    @Test
    void importCyclesAreReportedWithTheChain() throws IOException {
        Files.writeString(dir.resolve("b.flow"), "use ./c.flow\nlet b = 1\n");
        Files.writeString(dir.resolve("c.flow"), "use ./a.flow\nlet c = 2\n");
        Compiler.Result r = check("a.flow", "use ./b.flow\nlet a = 3\n".getBytes(StandardCharsets.UTF_8));
        assertTrue(only(r, ErrorCode.E0201));
        String message = r.diagnostics().all().get(0).message();
        assertTrue(message.startsWith("import cycle: ") && message.contains("a.flow") && message.contains("b.flow")
                && message.contains("c.flow"), message);
    }

    @Test
    void aModuleImportingItselfIsACycle() throws IOException {
        Compiler.Result r = check("self.flow", "use ./self.flow\nlet a = 1\n".getBytes(StandardCharsets.UTF_8));
        assertTrue(only(r, ErrorCode.E0201));
    }

    @Test
    void deepNestingIsDiagnosedNotACrash() throws IOException {
        String deep = "let x = " + "(".repeat(20000) + "1" + ")".repeat(20000) + "\n";
        Compiler.Result r = check("deep.flow", deep.getBytes(StandardCharsets.UTF_8));
        assertTrue(only(r, ErrorCode.E0106));
        // Just under the limit still parses.
        String fine = "let x = " + "(".repeat(150) + "1" + ")".repeat(150) + "\n";
        assertTrue(check("fine.flow", fine.getBytes(StandardCharsets.UTF_8)).ok());
    }
}
