package org.equiflow.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.equiflow.cli.Main;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example script passes `equiflow check` with no error and no warning other than the
 * symmetry warning W0410 (the notebook model is meant to break Z2 and to say so), the
 * symmetric designs pass even with `--strict`, and every example
 * the runtime can execute runs end to end at small size: a few training steps, a short chain,
 * the ensemble and the report on disk. An example the runtime cannot execute yet must say so
 * with E0800, never fail otherwise.
 */
class ExamplesTest {
    static final Path EXAMPLES = Path.of("").toAbsolutePath();

    @TempDir
    Path runs;

    record Run(int exit, String out, String err) {}

    static Run cli(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int exit = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    static Stream<Path> examples() throws IOException {
        var files = Files.list(EXAMPLES).filter(p -> p.toString().endsWith(".flow")).sorted().toList();
        assertTrue(files.size() >= 2);
        return files.stream();
    }

    @TestFactory
    Stream<DynamicTest> everyExampleChecksCleanly() throws IOException {
        return examples().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Run r = cli("check", "--color=never", f.toString());
            assertEquals(0, r.exit(), r.err());
            String others = r.err().lines().filter(l -> l.startsWith("warning[") || l.startsWith("error"))
                    .filter(l -> !l.startsWith("warning[W0410]")).reduce("", (a, b) -> a + b + "\n");
            assertEquals("", others, "an example should produce no warnings but the symmetry warning");
            assertTrue(r.out().contains("1 passed, 0 failed"), r.out());
        }));
    }

    /** The designs that respect their theory's symmetries, by construction or by self-mixture. */
    static final List<String> SYMMETRIC = List.of("phi4_z2.flow", "phi4_symmetrized.flow", "u1_gauge.flow", "su2_2d.flow");

    @TestFactory
    Stream<DynamicTest> symmetricDesignsPassStrictChecking() {
        return SYMMETRIC.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Run r = cli("check", "--strict", "--color=never", EXAMPLES.resolve(name).toString());
            assertEquals(0, r.exit(), r.err());
            assertEquals("", r.err());
        }));
    }

    @Test
    void theNotebookModelIsWarnedAboutZ2AndFailsStrictChecking() {
        String tutorial = EXAMPLES.resolve("phi4_tutorial.flow").toString();
        Run r = cli("check", "--color=never", tutorial);
        assertEquals(0, r.exit());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("warning[W0410]")).count(), r.err());
        assertTrue(r.err().contains("breaks `z2`") && r.err().contains("leaky_relu is neither odd nor even"), r.err());
        assertTrue(r.out().contains("1 warnings"), r.out());
        Run strict = cli("check", "--strict", "--color=never", tutorial);
        assertEquals(1, strict.exit());
        assertTrue(strict.err().contains("error[W0410]"), strict.err());
    }

    @Test
    void explainSaysWhyEachLayerIsEquivariant() {
        Run r = cli("check", "--explain", "--color=never", EXAMPLES.resolve("phi4_z2.flow").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("layer 15 affine mask=checkerboard(parity = 1)"), r.out());
        assertTrue(r.out().contains("the scale net is even"), r.out());
        assertTrue(r.out().contains("z2: holds  [claimed: ok]"), r.out());
        assertTrue(r.out().contains("translation: holds for a subgroup (shifts a with a0 + a1 even)  [claimed: ok]"), r.out());
    }

    /** The lines of an example script. */
    static List<String> lines(Path f) {
        try {
            return Files.readString(f).lines().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Every example with a flow trains, samples and reports; an example of HMC alone would be run by
     * {@link #everyHmcBlockOfTheExamplesRuns}, and `run` says it has no flow.
     */
    @TestFactory
    Stream<DynamicTest> everyExampleRunsAtSmallSize() throws IOException {
        return examples().filter(f -> lines(f).stream().anyMatch(l -> l.startsWith("flow "))).map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Path out = runs.resolve(f.getFileName().toString());
            Run r = cli("run", "--color=never", f.toString(), "--steps", "3", "--batch", "8", "--count", "64",
                    "--no-progress", "--out", out.toString());
            assertEquals(0, r.exit(), r.out() + r.err());
            assertTrue(Files.exists(out.resolve("checkpoint.eqf")), "checkpoint");
            assertTrue(Files.exists(out.resolve("metrics.csv")), "metrics");
            assertTrue(Files.exists(out.resolve("ensemble.npy")) && Files.exists(out.resolve("ensemble.json")), "ensemble");
            assertTrue(Files.exists(out.resolve("report")), "report");
            assertTrue(r.out().contains("acceptance"), r.out());
        }));
    }

    /** The SU(3) example runs end to end under HMC and measures its plaquette (issue 16). */
    @Test
    void theSu3ExampleSamplesItsPlaquetteUnderHmc() {
        Run r = cli("hmc", "--color=never", EXAMPLES.resolve("su3_2d.flow").toString(), "--set", "G.lattice=[4,4]", "--trajectories", "20",
                "--thermalize", "5", "--chains", "4", "--no-progress", "--out", runs.resolve("hmc-su3").toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("plaquette_mean") && r.out().contains("acceptance"), r.out());
        assertTrue(Files.exists(runs.resolve("hmc-su3").resolve("result").resolve("ensemble.npy")), r.out());
    }

    /** An example's `hmc` block runs too: check accepted it, so the runtime executes it (issue 13). */
    @TestFactory
    Stream<DynamicTest> everyHmcBlockOfTheExamplesRuns() throws IOException {
        return examples().filter(f -> lines(f).stream().anyMatch(l -> l.startsWith("hmc "))).map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Run r = cli("hmc", "--color=never", f.toString(), "--trajectories", "2", "--thermalize", "0", "--chains", "2", "--md-steps", "2",
                    "--out", runs.resolve("hmc-" + f.getFileName()).toString());
            assertEquals(0, r.exit(), r.out() + r.err());
            assertTrue(r.out().contains("acceptance"), r.out());
        }));
    }
}
