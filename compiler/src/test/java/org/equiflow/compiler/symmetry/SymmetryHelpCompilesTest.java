package org.equiflow.compiler.symmetry;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.ErrorCode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: every `help:` of a Z2 symmetry diagnostic (E0410, W0410) must compile. The help of
 * a Z2-breaking scale net used to suggest `cnn(…) >> abs >> conv() >> tanh`, which does not
 * (two linear stages without `channels`). Each backquoted net snippet of every help line, from
 * every golden program that breaks a symmetry, is put into a script as a scale net and as a
 * shift net and checked; a suggested `symmetrize z2` is added to the flow it was suggested for,
 * which must then check without errors.
 */
class SymmetryHelpCompilesTest {
    @TempDir
    Path dir;

    private static final Path GOLDEN = Path.of("").toAbsolutePath().resolve("src/test/resources/golden");
    private static final Path EXAMPLES = Path.of("").toAbsolutePath().resolveSibling("examples");

    private static final String TEMPLATE = """
            use std.theories.phi4
            use std.nets.{cnn, conv}
            use std.masks.checkerboard
            theory T = phi4(lattice = [4, 4], m2 = -4.0, lambda = 8.0)
            flow f for T {
                prior normal()
                affine(mask = checkerboard(parity = 0), %s = %s)
            }
            """;

    /** A script that breaks Z2, with the diagnostics it gets. */
    record Broken(Path script, List<Diagnostic> z2) {}

    private static List<Broken> brokenScripts() throws IOException {
        List<Path> scripts = new ArrayList<>();
        try (Stream<Path> files = Files.list(GOLDEN.resolve("invalid"))) {
            files.filter(p -> p.getFileName().toString().matches("[EW]0410_.*\\.flow")).sorted().forEach(scripts::add);
        }
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            files.filter(p -> p.toString().endsWith(".flow")).sorted().forEach(scripts::add);
        }
        List<Broken> out = new ArrayList<>();
        for (Path script : scripts) {
            var result = Compiler.check(script, script.getFileName().toString());
            var z2 = result.diagnostics().all().stream()
                    .filter(d -> (d.code() == ErrorCode.E0410 || d.code() == ErrorCode.W0410) && d.message().contains("z2"))
                    .toList();
            if (!z2.isEmpty()) out.add(new Broken(script, z2));
        }
        return out;
    }

    /** Backquoted snippets of a help line that are nets (calls or compositions), with `scale = ` / `shift = ` dropped. */
    private static List<String> netSnippets(String help) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("`([^`]+)`").matcher(help);
        while (m.find()) {
            String s = m.group(1).replaceFirst("^(scale|shift|net)\\s*=\\s*", "");
            if (s.startsWith("use ") || s.startsWith("symmetrize") || s.startsWith("equivariant") || !s.contains("(")) continue;
            out.add(s);
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everySuggestedNetCompiles() throws IOException {
        Set<String> snippets = new LinkedHashSet<>();
        for (Broken b : brokenScripts()) for (Diagnostic d : b.z2()) for (String h : d.help()) snippets.addAll(netSnippets(h));
        assertFalse(snippets.isEmpty(), "the Z2 help suggests no nets any more; this test would check nothing");
        return snippets.stream().flatMap(snippet -> Stream.of("scale", "shift").map(role -> DynamicTest.dynamicTest(role + " = " + snippet, () -> {
            Path script = dir.resolve("snippet.flow");
            Files.writeString(script, TEMPLATE.formatted(role, snippet));
            var result = Compiler.check(script, "snippet.flow");
            assertTrue(result.ok(), () -> "the help suggests `" + snippet + "`, which does not compile as a " + role + " net:\n"
                    + result.diagnostics().all().stream().map(Diagnostic::summary).toList());
        })));
    }

    @TestFactory
    Stream<DynamicTest> aSuggestedSymmetrizeCompilesInItsFlow() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Broken b : brokenScripts()) {
            boolean suggested = b.z2().stream().anyMatch(d -> d.help().stream().anyMatch(h -> h.contains("`symmetrize z2`") && h.startsWith("or add")));
            if (!suggested) continue;
            tests.add(DynamicTest.dynamicTest(b.script().getFileName().toString(), () -> {
                String source = Files.readString(b.script());
                Path script = dir.resolve(b.script().getFileName());
                Files.writeString(script, withSymmetrize(source));
                var result = Compiler.check(script, script.getFileName().toString());
                // The suggestion must remove the Z2 complaint and add no error of its own; errors the
                // script had for other reasons (a `dense` stage, a translation claim) may stay.
                Set<String> before = new LinkedHashSet<>(Compiler.check(b.script(), script.getFileName().toString()).diagnostics().all().stream()
                        .filter(Diagnostic::isError).filter(d -> !b.z2().contains(d)).map(d -> d.code() + " " + d.message()).toList());
                List<String> after = result.diagnostics().all().stream().filter(Diagnostic::isError).map(d -> d.code() + " " + d.message()).toList();
                List<String> added = after.stream().filter(e -> !before.contains(e)).toList();
                assertTrue(added.isEmpty(), () -> "the help suggests `symmetrize z2` for " + b.script().getFileName()
                        + ", which then does not compile:\n" + added);
                assertTrue(result.diagnostics().all().stream().noneMatch(d -> d.message().contains("`z2`")), () -> "z2 still broken: "
                        + result.diagnostics().all().stream().map(Diagnostic::summary).toList());
            }));
        }
        assertFalse(tests.isEmpty(), "no script is offered `symmetrize z2`; this test would check nothing");
        return tests.stream();
    }

    /** The suggested even scale and odd shift, together, satisfy a claim `equivariant z2`. */
    @Test
    void theSuggestedScaleAndShiftProveZ2() throws IOException {
        Path script = dir.resolve("claim.flow");
        Files.writeString(script, TEMPLATE.replace("flow f for T {", "flow f for T equivariant z2 {")
                .formatted("scale", FlowSymmetry.EVEN_SCALE_EXAMPLE + ", shift = " + FlowSymmetry.ODD_SHIFT_EXAMPLE));
        var result = Compiler.check(script, "claim.flow");
        assertTrue(result.ok(), () -> result.diagnostics().all().stream().map(Diagnostic::summary).toList().toString());
    }

    /**
     * A flow with a spline layer is offered `symmetrize z2` now that the runtime inverts splines
     * (it was not while it could not; {@link #aSuggestedSymmetrizeCompilesInItsFlow} checks that
     * the suggestion compiles, with golden/invalid/E0410_spline_symmetrize_help.flow).
     */
    @Test
    void aFlowWithSplinesIsOfferedSymmetrize() throws IOException {
        Path script = dir.resolve("spline.flow");
        Files.writeString(script, TEMPLATE.replace("affine(mask = checkerboard(parity = 0), %s = %s)",
                "spline(mask = checkerboard(parity = 0), net = cnn())\n    affine(mask = checkerboard(parity = 1), net = cnn())"));
        var result = Compiler.check(script, "spline.flow");
        var helps = result.diagnostics().all().stream().filter(d -> d.code() == ErrorCode.W0410).flatMap(d -> d.help().stream()).toList();
        assertFalse(helps.isEmpty());
        assertTrue(helps.stream().anyMatch(h -> h.startsWith("or add `symmetrize z2`")), helps.toString());
    }

    /** Every flow of the script gets the suggested line, just before its closing brace (flows end with `}` alone on a line). */
    private static String withSymmetrize(String source) {
        StringBuilder out = new StringBuilder();
        boolean inFlow = false;
        for (String line : source.split("\n", -1)) {
            if (line.startsWith("flow ")) inFlow = true;
            if (inFlow && line.equals("}")) {
                out.append("    symmetrize z2\n");
                inFlow = false;
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }
}
