package org.equiflow.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.equiflow.io.EnsembleMetadata;
import org.equiflow.io.Npy;
import org.equiflow.testing.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HMC as a run of its own: one committed result of ensemble, metadata and report, in a locked run directory. */
class HmcApiTest {
    private static final Path TUTORIAL = Repository.root().resolve("examples/phi4_tutorial.flow");
    private static final Map<String, String> SMALL = Map.of("T.lattice", "[4,4]");

    private static HmcOptions.Builder brief() {
        return HmcOptions.builder().trajectories(20).thermalize(5).chains(3).mdSteps(4).seed(7);
    }

    @Test
    void theEnsembleIsANumpyArrayOfEveryChainWithItsSettings(@TempDir Path runs) throws Exception {
        var result = Session.open(TUTORIAL, SMALL).hmc(brief().out(runs.resolve("hmc")).build());
        assertEquals(runs.resolve("hmc/result/ensemble.npy"), result.ensemble());
        byte[] bytes = Files.readAllBytes(runs.resolve("hmc/ensemble.npy"));
        // What numpy.load checks: the magic, version 1.0, and a header dict of little-endian float32 in C order.
        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, java.util.Arrays.copyOf(bytes, 8));
        String header = new String(bytes, 10, (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8, StandardCharsets.US_ASCII);
        assertTrue(header.contains("'descr': '<f4'") && header.contains("'fortran_order': False")
                && header.contains("'shape': (60, 4, 4)"), header);
        var array = Npy.readFloats(result.ensemble());
        assertArrayEquals(new int[] {20 * 3, 4, 4}, array.shape());
        assertArrayEquals(result.configs(), array.data(), "the array is the measured chains, chain-major");

        var meta = EnsembleMetadata.read(runs.resolve("hmc/ensemble.json"));
        assertEquals("hmc", meta.samplerMethod());
        assertEquals(null, meta.flowName(), "HMC samples the theory, not a flow");
        assertEquals("T", meta.theory());
        assertEquals(60, meta.count());
        assertEquals(7, meta.seed());
        assertEquals(result.acceptance(), meta.acceptance());
        JsonNode hmc = new ObjectMapper().readTree(runs.resolve("hmc/ensemble.json").toFile()).path("run").path("hmc");
        assertEquals("leapfrog", hmc.path("integrator").asText());
        assertEquals(0.1, hmc.path("step_size").asDouble());
        assertEquals(4, hmc.path("md_steps").asInt());
        assertEquals(20, hmc.path("trajectories").asInt());
        assertEquals(5, hmc.path("thermalize").asInt());
        assertEquals(7, hmc.path("seed").asInt());
        assertEquals(3, hmc.path("chains").asInt());
    }

    @Test
    void theReportTablesEveryObservableOfTheTheoryAndEveryTrajectory(@TempDir Path runs) throws Exception {
        Session session = Session.open(TUTORIAL, SMALL);
        var result = session.hmc(brief().out(runs).build());
        var theory = session.program().theories().get(0);
        String summary = Files.readString(result.reportDirectory().resolve("summary.md"));
        List<String> expected = Stream.concat(theory.observables().stream().map(o -> o.name()),
                Stream.of("acceptance", "susceptibility", "abs_magnetization", "phi2", "correlation_length", "binder_cumulant")).toList();
        for (String name : expected) assertTrue(summary.contains("| " + name + " |"), name + " in\n" + summary);
        assertTrue(summary.contains("| magnetization |"), "the tutorial's theory declares magnetization:\n" + summary);
        for (String name : expected) {
            if (!name.equals("acceptance")) assertTrue(result.observable(name).isPresent(), name);
        }
        List<String> trajectories = Files.readAllLines(result.reportDirectory().resolve("trajectories.csv"));
        assertEquals("trajectory,acceptance,largest_abs_energy_change", trajectories.get(0));
        assertEquals(1 + 20, trajectories.size(), "one row per measured trajectory");
        assertTrue(Files.exists(runs.resolve("report/metrics.csv")) && Files.exists(runs.resolve("report/correlator.png")));
    }

    @Test
    void withoutMeasureAU1TheoryMeasuresItsObservablesAndBuiltIns(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("u1.flow");
        Files.writeString(script, "use std.theories.u1\ntheory G = u1(lattice = [4, 4], beta = 1.0)\n");
        Session session = Session.open(script);
        var result = session.hmc(brief().out(dir.resolve("run")).build());
        List<String> measured = result.report().results().stream().map(r -> r.name()).toList();
        for (var o : session.program().theories().get(0).observables()) assertTrue(measured.contains(o.name()), o.name() + " in " + measured);
        assertTrue(measured.contains("topological_susceptibility") && measured.contains("polyakov_loop"), measured.toString());
        assertArrayEquals(new int[] {60, 2, 4, 4}, Npy.readFloats(result.ensemble()).shape(), "links keep their direction axis");
    }

    @Test
    void aSecondRunReplacesTheWholeResultAndTheSameSeedTheSameChains(@TempDir Path runs) throws Exception {
        Session session = Session.open(TUTORIAL, SMALL);
        Path out = runs.resolve("hmc");
        var first = session.hmc(brief().out(out).build());
        var second = session.hmc(brief().trajectories(10).seed(8).out(out).build());
        assertEquals(8, EnsembleMetadata.read(out.resolve("ensemble.json")).seed());
        assertArrayEquals(new int[] {30, 4, 4}, Npy.readFloats(out.resolve("ensemble.npy")).shape());
        assertEquals(1 + 10, Files.readAllLines(out.resolve("report/trajectories.csv")).size());
        try (var results = Files.list(out.resolve(RunDirectory.RESULTS))) {
            assertEquals(1, results.count(), "the replaced result is gone, not mixed with the new one");
        }
        assertFalse(Files.exists(out.resolve("ensemble_log_weights.npy")));
        var again = session.hmc(brief().out(runs.resolve("again")).build());
        assertArrayEquals(first.configs(), again.configs(), "the same seed draws the same chains");
        assertEquals(first.acceptance(), again.acceptance());
        assertFalse(java.util.Arrays.equals(first.configs(), second.configs()));
    }

    @Test
    void theDefaultDirectoryIsPerTheoryAndSetValues() {
        assertEquals(Path.of("runs/phi4_tutorial/hmc/T"), Workspace.hmcDirectory("examples/phi4_tutorial.flow", "T", null, Map.of()));
        assertEquals(Path.of("runs/phi4_tutorial/hmc/T/T.lattice=4x4"),
                Workspace.hmcDirectory("examples/phi4_tutorial.flow", "T", null, SMALL));
    }

    @Test
    void refusedRunsLeaveNothingAndNeverShareATrainedFlowsDirectory(@TempDir Path runs) throws Exception {
        Session session = Session.open(TUTORIAL, SMALL);
        assertThrows(InvalidSettingException.class, () -> session.hmc(brief().chains(0).out(runs.resolve("never")).build()));
        assertFalse(Files.exists(runs.resolve("never")), "settings are refused before the directory is made");
        Flow flow = session.flow("realnvp").at(runs.resolve("flow"));
        flow.train(TrainingOptions.builder().steps(1).batch(4).build());
        var refused = assertThrows(RunFailure.class, () -> session.hmc(brief().out(runs.resolve("flow")).build()));
        assertTrue(refused.getMessage().contains("holds a trained flow"), refused.getMessage());
        assertFalse(Files.exists(runs.resolve("flow/ensemble.npy")));
        try (RunDirectory held = RunDirectory.open(runs.resolve("busy"))) {
            var busy = assertThrows(RunFailure.class, () -> session.hmc(brief().out(held.path()).build()));
            assertTrue(busy.getMessage().contains("in use by another equiflow command"), busy.getMessage());
        }
    }

}
