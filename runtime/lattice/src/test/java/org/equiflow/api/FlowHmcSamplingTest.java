package org.equiflow.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.equiflow.io.EnsembleMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code method flow_hmc} as a sampling run: the tutorial's φ⁴ theory (m² = −4, λ = 8) on 4×4,
 * sampled by flow-HMC through an untrained flow, agrees with plain HMC on ⟨φ²⟩ and |m|; the
 * chain is written and measured as any flow sampler's, with its acceptance.
 */
class FlowHmcSamplingTest {
    private static final String SCRIPT = """
            use std.theories.phi4
            use std.nets.cnn
            use std.masks.checkerboard
            theory T = phi4(lattice = [4, 4], m2 = -4.0, lambda = 8.0)
            flow small for T {
                prior normal(sigma = 1.0)
                repeat i in 0..4 {
                    affine(mask = checkerboard(parity = i % 2), net = cnn(hidden = [4], kernel = 3, act = leaky_relu, out_act = tanh))
                }
            }
            sample small {
                method     flow_hmc
                count      1500
                thermalize 100
                step_size  0.1
                md_steps   10
                integrator leapfrog
                seed       5
                measure    phi2, abs_magnetization, acceptance
            }
            hmc T { trajectories 1500  thermalize 100  step_size 0.1  md_steps 10  seed 9  measure phi2, abs_magnetization }
            """;

    @Test
    void flowHmcThroughAnUntrainedFlowAgreesWithHmc(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("phi4.flow");
        Files.writeString(script, SCRIPT);
        Session session = Session.open(script);
        var flowHmc = session.flow("small").sample(SamplingOptions.builder().untrained(true).build());
        var hmc = session.hmc(HmcOptions.builder().chains(1).out(dir.resolve("hmc")).build());
        assertEquals(java.util.List.of(), flowHmc.warnings(), "a chain that moves and decorrelates: nothing to distrust");
        assertEquals("flow_hmc", flowHmc.method());
        assertEquals(1500, flowHmc.count());
        assertTrue(flowHmc.acceptance() > 0.5 && flowHmc.acceptance() < 1, "acceptance " + flowHmc.acceptance());
        for (String name : new String[] {"phi2", "abs_magnetization"}) {
            var a = flowHmc.observable(name).orElseThrow();
            var b = hmc.observable(name).orElseThrow();
            double sigma = Math.hypot(a.error(), b.error());
            System.out.printf("%s: flow_hmc %.4f(%.4f) tau_int %.2f, hmc %.4f(%.4f) tau_int %.2f; flow_hmc acceptance %.3f, hmc %.3f%n",
                    name, a.value(), a.error(), a.tauInt(), b.value(), b.error(), b.tauInt(), flowHmc.acceptance(), hmc.acceptance());
            assertTrue(a.error() > 0 && a.error() < 0.05 * Math.abs(a.value()), name + " error " + a.error());
            assertEquals(b.value(), a.value(), 4 * sigma, name + ": flow_hmc " + a.value() + " ± " + a.error() + ", hmc " + b.value() + " ± " + b.error());
        }
        var meta = EnsembleMetadata.read(flowHmc.ensemble().getParent().getParent().resolve("ensemble.json"));
        assertEquals("flow_hmc", meta.samplerMethod());
        assertEquals(flowHmc.acceptance(), meta.acceptance());
        // The report says how the trajectories were integrated, in float64.
        String summary = Files.readString(flowHmc.reportDirectory().resolve("summary.md"));
        for (String row : new String[] {"| integrator | leapfrog |", "| step size | 0.1 |", "| md steps | 10 |", "| precision | f64 |"}) {
            assertTrue(summary.contains(row), row + " in\n" + summary);
        }
    }

    /**
     * {@code target_acceptance}: from a step size of 1.5, at which ten leapfrog steps accept almost
     * nothing, dual averaging over the 200 thermalization trajectories finds a step the kept chain
     * accepts near the target with; the chain, integrated with that one step throughout, still
     * agrees with HMC.
     */
    @Test
    void aTunedStepSizeReachesTheTargetAcceptanceAndTheChainStillAgreesWithHmc(@TempDir Path dir) throws Exception {
        String untuned = SCRIPT.replace("step_size  0.1\n", "step_size  1.5\n").replace("count      1500\n", "count      100\n")
                .replace("thermalize 100\n", "thermalize 0\n");
        String tunedScript = SCRIPT.replace("step_size  0.1\n", "step_size  1.5\n  target_acceptance 0.8\n")
                .replace("thermalize 100\n", "thermalize 200\n");
        Path badScript = dir.resolve("bad").resolve("phi4.flow"), script = dir.resolve("phi4.flow");
        Files.createDirectories(badScript.getParent());
        Files.writeString(badScript, untuned);
        Files.writeString(script, tunedScript);
        var bad = Session.open(badScript).flow("small").sample(SamplingOptions.builder().untrained(true).build());
        assertTrue(bad.acceptance() < 0.1, "the starting step size is bad: acceptance " + bad.acceptance());
        assertTrue(bad.stepSizeTuning().isEmpty());
        Session session = Session.open(script);
        var tuned = session.flow("small").sample(SamplingOptions.builder().untrained(true).build());
        var hmc = session.hmc(HmcOptions.builder().chains(1).out(dir.resolve("hmc")).build());
        var tuning = tuned.stepSizeTuning().orElseThrow();
        System.out.printf("tuned step size %.4f from %.2f over %d trajectories: acceptance %.3f (untuned %.3f)%n", tuning.tunedStepSize(),
                tuning.initialStepSize(), tuning.trajectories(), tuned.acceptance(), bad.acceptance());
        assertEquals(0.8, tuning.targetAcceptance());
        assertEquals(1.5, tuning.initialStepSize());
        assertEquals(200, tuning.trajectories());
        assertTrue(tuning.tunedStepSize() < 1.5, "tuned to " + tuning.tunedStepSize());
        assertTrue(tuned.acceptance() >= 0.65 && tuned.acceptance() <= 0.95, "kept acceptance " + tuned.acceptance());
        var a = tuned.observable("phi2").orElseThrow();
        var b = hmc.observable("phi2").orElseThrow();
        double sigma = Math.hypot(a.error(), b.error());
        System.out.printf("phi2: tuned flow_hmc %.4f(%.4f) tau_int %.2f, hmc %.4f(%.4f)%n", a.value(), a.error(), a.tauInt(), b.value(), b.error());
        assertEquals(b.value(), a.value(), 4 * sigma, "phi2: tuned flow_hmc " + a.value() + " ± " + a.error() + ", hmc " + b.value() + " ± " + b.error());
        // The run records the step size it kept, and from where and to what it was tuned.
        String summary = Files.readString(tuned.reportDirectory().resolve("summary.md"));
        for (String row : new String[] {"| step size | " + tuning.tunedStepSize() + " |", "| target acceptance | 0.8 |", "| step size tuned from | 1.5 "}) {
            assertTrue(summary.contains(row), row + " in\n" + summary);
        }
        String metadata = Files.readString(tuned.ensemble().getParent().getParent().resolve("ensemble.json"));
        assertTrue(metadata.contains("\"target_acceptance\"") && metadata.contains("\"initial_step_size\""), metadata);
    }

    @Test
    void flowHmcRefusesFloat32(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("phi4.flow");
        Files.writeString(script, SCRIPT);
        var refused = assertThrows(InvalidSettingException.class, () -> Session.open(script).flow("small")
                .sample(SamplingOptions.builder().untrained(true).precision(Precision.F32).build()));
        assertTrue(refused.getMessage().contains("`method flow_hmc` integrates in float64 only"), refused.getMessage());
    }
}
