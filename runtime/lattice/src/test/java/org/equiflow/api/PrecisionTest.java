package org.equiflow.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.equiflow.io.Checkpoint;
import org.equiflow.tensor.Backend;
import org.equiflow.tensor.Backends;
import org.equiflow.tensor.Primitive;
import org.equiflow.tensor.Tensor;
import org.equiflow.tensor.CpuBackend;
import org.equiflow.testing.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code precision f32|f64}: a run trains, resumes and samples in one precision, recorded in its
 * checkpoint; a resumption or sampling that names another precision is refused, naming both.
 */
class PrecisionTest {
    private static final Path TUTORIAL = Repository.root().resolve("examples/phi4_tutorial.flow");
    private static final Map<String, String> SMALL = Map.of("T.lattice", "[4,4]");

    private static Flow tutorial(Path script, Path directory) throws Exception {
        return Session.open(script, SMALL).flow("realnvp").at(directory);
    }

    private static TrainingOptions.Builder steps(long steps) {
        return TrainingOptions.builder().steps(steps).batch(8).checkpointEvery(4);
    }

    /** Whether any stored weight has bits below float32's: weights that only ever went through float32 have none. */
    private static boolean hasFloat64Bits(Checkpoint.Contents c) {
        return c.parameters().values().stream().flatMap(v -> java.util.Arrays.stream(v).boxed()).anyMatch(v -> (double) (float) (double) v != v);
    }

    @Test
    void aFloat64RunTrainsResumesAndSamplesInFloat64AndRefusesAnotherPrecision(@TempDir Path runs) throws Exception {
        var straight = tutorial(TUTORIAL, runs.resolve("straight")).train(steps(12).precision(Precision.F64).build());
        Flow interrupted = tutorial(TUTORIAL, runs.resolve("interrupted"));
        interrupted.train(steps(5).precision(Precision.F64).build());
        // Resumed without --precision: the run's own.
        var resumed = interrupted.train(TrainingOptions.builder().steps(12).resume(true).checkpointEvery(4).build());
        var a = Checkpoint.load(straight.checkpoint());
        var b = Checkpoint.load(resumed.checkpoint());
        assertEquals("f64", a.dtype());
        assertEquals("f64", b.dtype());
        assertTrue(hasFloat64Bits(b), "float64 training leaves weights that float32 cannot hold");
        for (String name : a.parameters().keySet()) assertArrayEquals(a.parameters().get(name), b.parameters().get(name), name);
        assertEquals(straight.finalLoss(), resumed.finalLoss());

        var sampled = interrupted.sample(SamplingOptions.builder().count(64).batch(32).build());
        assertEquals(12, sampled.trainingStep());
        assertTrue(sampled.acceptance() > 0 && sampled.acceptance() <= 1, "acceptance " + sampled.acceptance());
        assertEquals(sampled.acceptance(), interrupted.sample(SamplingOptions.builder().count(64).batch(32).precision(Precision.F64).build())
                .acceptance(), "naming the run's own precision changes nothing");

        byte[] checkpoint = Files.readAllBytes(interrupted.checkpoint());
        var resumeF32 = assertThrows(InvalidSettingException.class,
                () -> interrupted.train(TrainingOptions.builder().steps(16).resume(true).precision(Precision.F32).build()));
        assertTrue(resumeF32.getMessage().contains("--precision f32 contradicts the run, which was trained in --precision f64"),
                resumeF32.getMessage());
        var sampleF32 = assertThrows(InvalidSettingException.class,
                () -> interrupted.sample(SamplingOptions.builder().count(64).precision(Precision.F32).build()));
        assertTrue(sampleF32.getMessage().contains("--precision f32 contradicts the run, which was trained in --precision f64"),
                sampleF32.getMessage());
        assertArrayEquals(checkpoint, Files.readAllBytes(interrupted.checkpoint()), "a refused run leaves the checkpoint as it was");
    }

    @Test
    void theDefaultIsFloat32AndAFloat32RunRefusesFloat64(@TempDir Path runs) throws Exception {
        Flow flow = tutorial(TUTORIAL, runs.resolve("run"));
        var trained = flow.train(steps(4).build());
        var c = Checkpoint.load(trained.checkpoint());
        assertEquals("f32", c.dtype());
        assertFalse(hasFloat64Bits(c), "float32 weights");
        var refused = assertThrows(InvalidSettingException.class,
                () -> flow.sample(SamplingOptions.builder().count(16).precision(Precision.F64).build()));
        assertTrue(refused.getMessage().contains("--precision f64 contradicts the run, which was trained in --precision f32"),
                refused.getMessage());
    }

    @Test
    void theTrainBlocksPrecisionIsHonouredAndTheOptionOverridesIt(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("phi4_f64.flow");
        Files.writeString(script, Files.readString(TUTORIAL).replace("    seed      1234\n", "    seed      1234\n    precision f64\n"));
        assertTrue(Files.readString(script).contains("precision f64"), "the tutorial's train block changed; update this test");
        var fromScript = tutorial(script, dir.resolve("script")).train(steps(2).build());
        assertEquals("f64", Checkpoint.load(fromScript.checkpoint()).dtype());
        var overridden = tutorial(script, dir.resolve("option")).train(steps(2).precision(Precision.F32).build());
        assertEquals("f32", Checkpoint.load(overridden.checkpoint()).dtype());
        // An untrained flow samples in the train block's precision, as the run it would become.
        var untrained = tutorial(script, dir.resolve("untrained")).sample(SamplingOptions.builder().count(16).untrained(true).build());
        assertEquals(-1, untrained.trainingStep());
    }

    @Test
    void hmcIntegratesInFloat64AndRefusesFloat32(@TempDir Path runs) throws Exception {
        var session = Session.open(TUTORIAL, SMALL);
        var refused = assertThrows(InvalidSettingException.class,
                () -> session.hmc(HmcOptions.builder().trajectories(2).thermalize(0).chains(2).precision(Precision.F32).build()));
        assertTrue(refused.getMessage().contains("hmc integrates in float64 only"), refused.getMessage());
        var f64 = session.hmc(HmcOptions.builder().trajectories(2).thermalize(0).chains(2).seed(5).precision(Precision.F64).out(runs.resolve("f64")).build());
        var unnamed = session.hmc(HmcOptions.builder().trajectories(2).thermalize(0).chains(2).seed(5).out(runs.resolve("unnamed")).build());
        assertArrayEquals(unnamed.configs(), f64.configs(), "f64 is what hmc always did");
    }

    /** A device like an OpenCL one without cl_khr_fp64: it computes on the CPU, and says it has no float64 kernels. */
    private record NoFloat64Device() implements Backend {
        @Override public String name() { return "opencl"; }
        @Override public String description() { return "a test device"; }
        @Override public void forward(Primitive primitive, List<Tensor> inputs, Tensor out) { CpuBackend.INSTANCE.forward(primitive, inputs, out); }
        @Override public boolean supportsFloat64() { return false; }
    }

    @Test
    void float64IsRefusedOnADeviceWithoutFloat64AndFloat32RunsThere(@TempDir Path runs) throws Exception {
        try (var device = Backends.use(new NoFloat64Device())) {
            Flow flow = tutorial(TUTORIAL, runs.resolve("run"));
            var refused = assertThrows(RunFailure.class, () -> flow.train(steps(2).precision(Precision.F64).build()));
            assertTrue(refused.getMessage().contains("--precision f64 needs float64 kernels, and a test device has none"), refused.getMessage());
            assertFalse(Files.exists(flow.checkpoint()), "nothing was trained");
            flow.train(steps(2).build());
            assertEquals("f32", Checkpoint.load(flow.checkpoint()).dtype());
        }
    }

    @Test
    void onlyF32AndF64AreNamed() {
        assertEquals(Precision.F64, Precision.named("f64"));
        var refused = assertThrows(InvalidSettingException.class, () -> Precision.named("f16"));
        assertTrue(refused.getMessage().contains("f32 or f64"), refused.getMessage());
    }
}
