package org.equiflow.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.equiflow.api.ComparisonException.Problem;
import org.equiflow.physics.ExactAnswers;
import org.equiflow.physics.FreeScalarExact;
import org.equiflow.testing.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `compare` as the API does it: real flow and HMC runs of the free field (small, so the numbers
 * are noisy but the bookkeeping is exact), then hand-written run directories for what real runs
 * cannot be made to show on demand — a pull beyond 3, different theories, an old sidecar.
 */
class ComparisonTest {
    private static final Path FREE = Repository.root().resolve("examples/free_field.flow");
    private static final Map<String, String> SMALL = Map.of("Free.lattice", "[4,4]");

    @TempDir
    Path runs;

    private Path hmc(String name, long seed) throws Exception {
        Path out = runs.resolve(name);
        Session.open(FREE, SMALL).hmc(HmcOptions.builder().trajectories(300).thermalize(20).chains(2).seed(seed).out(out).build());
        return out;
    }

    @Test
    void aFlowAndAnHmcRunOfTheFreeFieldAreComparedWithTheExactAnswer() throws Exception {
        Path flowRun = runs.resolve("flow");
        Flow flow = Session.open(FREE, SMALL).flow("shallow").at(flowRun);
        flow.train(TrainingOptions.builder().steps(5).build());
        flow.sample(SamplingOptions.builder().count(512).build());
        Path hmcRun = hmc("hmc", 3);

        JsonNode run = new ObjectMapper().readTree(flowRun.resolve("ensemble.json").toFile()).path("run");
        assertEquals("std.theories.phi4", run.path("standard_theory").asText());
        assertTrue(run.path("theory_definition").asText().contains("param m2 = 1.25"), run.toString());
        assertEquals(64, run.path("theory_sha256").asText().length());
        assertTrue(run.path("training_seconds").asDouble() > 0 && run.path("sampling_seconds").asDouble() > 0, run.toString());
        assertTrue(Files.isRegularFile(flowRun.resolve("report/correlator.csv")), "G(t) per t for compare");

        var comparison = Comparison.load(List.of(flowRun, hmcRun));
        var exact = (ExactAnswers.Known) ExactAnswers.of(comparison.runs().get(0).standardTheory().orElseThrow());
        assertTrue(comparison.exact().isPresent(), comparison.noExact());
        assertTrue(exact.answer() instanceof FreeScalarExact);
        var phi2 = comparison.rows().stream().filter(r -> r.observable().equals("phi2")).findFirst().orElseThrow();
        assertEquals(exact.answer().values().get("phi2"), phi2.exact());
        for (int i = 0; i < 2; i++) {
            var measured = comparison.runs().get(i).observables().get("phi2");
            assertEquals((measured.value() - phi2.exact()) / measured.error(), phi2.pulls().get(i).orElseThrow(), 1e-12);
        }
        var g0 = comparison.rows().stream().filter(r -> r.observable().equals("G(t=0)")).findFirst().orElseThrow();
        assertEquals(exact.answer().correlator()[0], g0.exact());
        assertTrue(g0.values().get(0).isPresent() && g0.values().get(1).isPresent(), "both runs measured G(t)");

        var flowCost = comparison.cost().get(0);
        var hmcCost = comparison.cost().get(1);
        assertTrue(flowCost.trainingSeconds() > 0 && hmcCost.trainingSeconds() == 0, comparison.text());
        assertEquals(600, hmcCost.count());
        assertEquals(hmcCost.count() / (2 * hmcCost.tauInt()), hmcCost.effectiveSamples(), 1e-9);
        assertTrue(comparison.markdown().contains("| phi2 | " + String.format(java.util.Locale.ROOT, "%.6g", phi2.exact()) + " | "),
                comparison.markdown());
    }

    @Test
    void runsOfDifferentParametersAreRefusedWithTheDifferenceNamed() throws Exception {
        Path a = hmc("a", 1);
        Path b = runs.resolve("b");
        Session.open(FREE, Map.of("Free.lattice", "[4,4]", "Free.m2", "2.0"))
                .hmc(HmcOptions.builder().trajectories(20).thermalize(0).chains(1).out(b).build());
        var refused = assertThrows(ComparisonException.class, () -> Comparison.load(List.of(a, b)));
        assertEquals(Problem.DIFFERENT_THEORIES, refused.problem());
        assertTrue(refused.getMessage().contains("m2 = 1.25 vs 2.0"), refused.getMessage());

        Path gauge = runs.resolve("gauge");
        Session.open(Repository.root().resolve("examples/u1_gauge.flow"), Map.of("G.lattice", "[4,4]"))
                .hmc(HmcOptions.builder().trajectories(10).thermalize(0).chains(1).out(gauge).build());
        var otherTheory = assertThrows(ComparisonException.class, () -> Comparison.load(List.of(a, gauge)));
        assertTrue(otherTheory.getMessage().contains("theory std.theories.phi4 vs std.theories.u1")
                && otherTheory.getMessage().contains("beta = (no such parameter) vs 2.0"), otherTheory.getMessage());
    }

    @Test
    void whatIsNotARunDirectoryIsRefusedWithTheReason() throws Exception {
        Path real = hmc("real", 1);
        var missing = assertThrows(ComparisonException.class, () -> Comparison.load(List.of(real, runs.resolve("nowhere"))));
        assertEquals(Problem.NOT_A_DIRECTORY, missing.problem());
        var parent = assertThrows(ComparisonException.class, () -> Comparison.load(List.of(real, runs)));
        assertEquals(Problem.NOT_A_RUN, parent.problem());
        assertTrue(parent.getMessage().contains("note: " + real + " is a run directory"), parent.getMessage());
        assertEquals(Problem.TOO_FEW_RUNS, assertThrows(ComparisonException.class, () -> Comparison.load(List.of(real))).problem());
        Path broken = Files.createDirectories(runs.resolve("broken"));
        Files.writeString(broken.resolve("ensemble.json"), "{ not json");
        assertEquals(Problem.UNREADABLE, assertThrows(ComparisonException.class, () -> Comparison.load(List.of(real, broken))).problem());
    }

    /** A run directory as an older equiflow wrote it: observables, but no "run" section, no correlator.csv. */
    private Path handWritten(String name, String theory, double value, double error, Double tauInt) throws Exception {
        Path directory = Files.createDirectories(runs.resolve(name));
        Files.writeString(directory.resolve("ensemble.json"), """
                {"theory": "%s", "theory_parameters": {"lattice": [4, 4], "m2": -4.0, "lambda": 8.0}, "lattice": [4, 4],
                 "flow": null, "sampler_method": "hmc", "seed": 1, "count": 1000, "acceptance": 0.9, "ess": null,
                 "created_at": "2026-12-01T00:00:00Z",
                 "observables": {"susceptibility": {"value": %s, "error": %s%s}, "only_in_%s": {"value": 1.0, "error": 0.1}}}
                """.formatted(theory, value, error, tauInt == null ? "" : ", \"tau_int\": " + tauInt, name));
        return directory;
    }

    @Test
    void withoutAnExactAnswerRunsArePulledAgainstTheFirstAndLargePullsAreMarked() throws Exception {
        Path first = handWritten("first", "T", 10.0, 0.3, 2.0);
        Path second = handWritten("second", "T", 12.0, 0.4, null);
        var comparison = Comparison.load(List.of(first, second));
        assertTrue(comparison.exact().isEmpty());
        assertTrue(comparison.noExact().contains("not recorded as a standard theory"), comparison.noExact());
        assertEquals(1, comparison.rows().size(), "only what both measured: " + comparison.rows());
        var row = comparison.rows().get(0);
        assertTrue(row.pulls().get(0).isEmpty(), "the reference has no pull");
        assertEquals(4.0, row.pulls().get(1).orElseThrow(), 1e-12, "(12 − 10)/√(0.3² + 0.4²)");
        assertTrue(comparison.flagged());
        String text = comparison.text();
        assertTrue(text.contains("+4.00 !!") && text.contains("ref"), text);
        assertFalse(text.contains("exact  "), "no exact column without exact values:\n" + text);
        var cost = comparison.cost();
        assertEquals(250, cost.get(0).effectiveSamples(), 1e-9, "N / 2τ_int");
        assertTrue(Double.isNaN(cost.get(0).samplingSeconds()) && text.contains("–"), "an old directory's cost is unknown:\n" + text);

        Path table = runs.resolve("tables/compare.csv");
        Path costFile = comparison.writeCsv(table);
        assertEquals(runs.resolve("tables/compare-cost.csv"), costFile);
        List<String> lines = Files.readAllLines(table);
        assertEquals("observable,exact,value_1,error_1,tau_int_1,pull_1,value_2,error_2,tau_int_2,pull_2", lines.get(0));
        assertTrue(lines.get(1).startsWith("susceptibility,,10.0,0.3,2.0,,12.0,0.4,,4.0"), lines.get(1));
        assertTrue(Files.readString(costFile).startsWith("run,directory,sampler,method,count,"), Files.readString(costFile));
    }

    @Test
    void oldDirectoriesOfDifferentTheoriesAreStillRefusedByTheirParameters() throws Exception {
        Path first = handWritten("first", "T", 10.0, 0.3, 2.0);
        Path other = Files.createDirectories(runs.resolve("other"));
        Files.writeString(other.resolve("ensemble.json"), Files.readString(first.resolve("ensemble.json")).replace("\"m2\": -4.0", "\"m2\": -3.0"));
        var refused = assertThrows(ComparisonException.class, () -> Comparison.load(List.of(first, other)));
        assertTrue(refused.getMessage().contains("m2 = -4.0 vs -3.0") && refused.getMessage().contains("older run directory"),
                refused.getMessage());
    }
}
