package org.equiflow.physics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.check.CheckedProgram;
import org.equiflow.physics.Measurements.Result;
import org.equiflow.physics.TrustChecks.Sampler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each warning fires on the situation users met, and stays silent on healthy numbers. */
class TrustChecksTest {
    @TempDir
    Path dir;

    private CheckedProgram program(String source) throws IOException {
        Path script = dir.resolve("t.flow");
        Files.writeString(script, source);
        var checked = Compiler.check(script, "t.flow", Map.of());
        assertTrue(checked.ok());
        return checked.program().orElseThrow();
    }

    /** φ⁴ with z2, an odd observable (the magnetization) and an even one of our own. */
    private CheckedProgram phi4() throws IOException {
        return program("""
                theory phi4z2(lattice: shape, m2: real, lambda: real) {
                    field phi: real on sites
                    action sum x { phi[x] * sum mu { 2 * phi[x] - phi[x + mu] - phi[x - mu] } + m2 * phi[x]^2 + lambda * phi[x]^4 }
                    symmetry z2: phi -> -phi
                    observable magnetization = mean x { phi[x] }
                    observable energy_density = mean x { phi[x]^2 + lambda * phi[x]^4 }
                    observable cubed = mean x { phi[x]^3 }
                }
                theory T = phi4z2(lattice = [8, 8], m2 = -4.0, lambda = 8.0)
                """);
    }

    @Test
    void aCollapsedFlowsMagnetizationIsFlagged() throws IOException {
        var p = phi4();
        var theory = p.theories().get(0);
        // The users' report: ⟨m⟩ = 0.778 ± 0.011 from a flow, for a theory that declares z2.
        var warnings = TrustChecks.oddObservables(theory, p.names(),
                List.of(new Result("magnetization", 0.778, 0.011, 3), new Result("cubed", 0.3, 0.01, 3)), Sampler.FLOW_METROPOLIS);
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).what().contains("`magnetization`") && warnings.get(0).what().contains("71σ"), warnings.toString());
        assertTrue(warnings.get(0).help().contains("symmetrize z2"), warnings.toString());
        var hmc = TrustChecks.oddObservables(theory, p.names(), List.of(new Result("magnetization", 0.9, 0.01, 40)), Sampler.HMC);
        assertTrue(hmc.get(0).help().contains("tunnel"), hmc.toString());
    }

    @Test
    void aSymmetricEstimateOrAnEvenObservableIsNotFlagged() throws IOException {
        var p = phi4();
        var theory = p.theories().get(0);
        // HMC's 0.01 ± 0.10, an estimate 4.9σ out (allowed: the line is at 5σ), and even observables far from zero.
        assertEquals(List.of(), TrustChecks.oddObservables(theory, p.names(), List.of(new Result("magnetization", 0.01, 0.10, 3),
                new Result("cubed", -0.049, 0.01, 2), new Result("energy_density", 5.0, 0.01, 3)), Sampler.HMC));
    }

    @Test
    void withoutADeclaredZ2NothingIsOdd() throws IOException {
        var p = program("""
                theory noz2(lattice: shape, m2: real) {
                    field phi: real on sites
                    action sum x { phi[x] * sum mu { 2 * phi[x] - phi[x + mu] - phi[x - mu] } + m2 * phi[x]^2 + phi[x]^3 }
                    observable magnetization = mean x { phi[x] }
                }
                theory T = noz2(lattice = [4, 4], m2 = 1.0)
                """);
        assertEquals(List.of(), TrustChecks.oddObservables(p.theories().get(0), p.names(),
                List.of(new Result("magnetization", -0.5, 0.001, 1)), Sampler.FLOW_METROPOLIS));
    }

    @Test
    void anAutocorrelationTimeLongAgainstTheChainIsFlagged() {
        // τ_int ≈ N/17, as users saw: errors quoted as if they could be trusted.
        var warnings = TrustChecks.autocorrelation(List.of(new Result("magnetization", 0.1, 0.05, 482), new Result("m2", 0.3, 0.01, 30)),
                8192, Sampler.FLOW_METROPOLIS);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).what().contains("`magnetization`") && warnings.get(0).what().contains("482"), warnings.toString());
        assertTrue(warnings.get(0).help().contains("count"), warnings.toString());
        assertTrue(TrustChecks.autocorrelation(List.of(new Result("m2", 0.3, 0.01, 170)), 8192, Sampler.HMC).get(0).help()
                .contains("trajectories"));
    }

    @Test
    void theQ1RunsAutocorrelationIsNotFlagged() {
        // The worst τ_int of the Q1 tables (34.2 at 8192 proposals) and reweighting's NaN.
        assertEquals(List.of(), TrustChecks.autocorrelation(List.of(new Result("susceptibility", 0.83, 0.1, 34.2),
                new Result("phi2", 1, 0.1, Double.NaN)), 8192, Sampler.FLOW_METROPOLIS));
        assertEquals(List.of(), TrustChecks.autocorrelation(List.of(new Result("binder_cumulant", 0.5, 0.1, Double.NaN)), 10,
                Sampler.FLOW_REWEIGHTING));
    }

    @Test
    void aFlowSamplerAtItsFloorsIsFlagged() {
        var stuck = TrustChecks.flowSampler(0.004, 0.2, 8192);
        assertEquals(1, stuck.size(), stuck.toString());
        assertTrue(stuck.get(0).what().contains("0.4%") && stuck.get(0).help().contains("train"), stuck.toString());
        var fewWeights = TrustChecks.flowSampler(0.2, 5e-4, 8192);
        assertEquals(1, fewWeights.size(), fewWeights.toString());
        assertTrue(fewWeights.get(0).what().contains("effective sample size is 4.1"), fewWeights.toString());
        assertEquals(1, TrustChecks.flowSampler(Double.NaN, 1e-4, 8192).size(), "reweighting: ESS only");
    }

    @Test
    void aHealthyFlowSamplerIsNotFlagged() {
        // The Q1 tables' worst: acceptance 0.185, ESS 0.002 of 65536 (131 effective samples).
        assertEquals(List.of(), TrustChecks.flowSampler(0.185, 0.002, 65536));
        assertEquals(List.of(), TrustChecks.flowSampler(Double.NaN, 0.05, 1024));
    }

    @Test
    void hmcThatNeverMovesOrNeverAcceptsIsFlagged() {
        var still = TrustChecks.hmc(1.0, 0.0, 0.0, 10);
        assertEquals(1, still.size(), still.toString());
        assertTrue(still.get(0).what().contains("do not move") && still.get(0).help().contains("step_size"), still.toString());
        var rejecting = TrustChecks.hmc(0.0, 250, 3.0, 10);
        assertEquals(1, rejecting.size(), rejecting.toString());
        assertTrue(rejecting.get(0).what().contains("accepted 0.0%") && rejecting.get(0).help().contains("lower `step_size`"),
                rejecting.toString());
    }

    @Test
    void healthyHmcIsNotFlagged() {
        assertEquals(List.of(), TrustChecks.hmc(0.972, 0.8, 0.05, 10));
        // A small step accepts everything but still moves the field.
        assertEquals(List.of(), TrustChecks.hmc(1.0, 1e-4, 0.01, 10));
        // A blown-up trajectory (NaN ΔH) is not "did not move".
        assertEquals(List.of(), TrustChecks.hmc(0.99, Double.NaN, 0.1, 10));
    }

    @Test
    void anActionUnboundedBelowIsFound() throws IOException {
        var negativeQuartic = program("use std.theories.phi4\ntheory T = phi4(lattice = [4, 4], m2 = -4.0, lambda = -0.5)\n");
        var why = ActionBounds.unboundedBelow(negativeQuartic.theories().get(0), negativeQuartic.names());
        assertTrue(why.isPresent() && why.get().contains("keeps falling"), why.toString());
        // λ = 0 with m² < 0: unbounded only through the (constant) zero mode, which the probe includes.
        var tachyonic = program("use std.theories.phi4\ntheory T = phi4(lattice = [4, 4], m2 = -1.0, lambda = 0.0)\n");
        assertTrue(ActionBounds.unboundedBelow(tachyonic.theories().get(0), tachyonic.names()).isPresent());
    }

    @Test
    void boundedActionsPassTheProbe() throws IOException {
        for (String theory : List.of("phi4(lattice = [8, 8], m2 = -4.0, lambda = 8.0)", "phi4(lattice = [8, 8], m2 = 1.25, lambda = 0.0)",
                "phi4(lattice = [4, 4], m2 = -100.0, lambda = 0.01)", "u1(lattice = [8, 8], beta = 2.0)")) {
            var p = program("use std.theories.{phi4, u1}\ntheory T = " + theory + "\n");
            assertEquals(java.util.Optional.empty(), ActionBounds.unboundedBelow(p.theories().get(0), p.names()), theory);
        }
    }

    @Test
    void theProbeAlongGivenConfigurationsFindsOnlyFallingDirections() throws IOException {
        var p = program("use std.theories.phi4\ntheory T = phi4(lattice = [2, 2], m2 = 1.0, lambda = -0.1)\n");
        var bounded = program("use std.theories.phi4\ntheory T = phi4(lattice = [2, 2], m2 = 1.0, lambda = 0.1)\n");
        float[] configs = {0.5f, -0.2f, 0.1f, 0.3f, Float.NaN, 0, 0, 0};
        assertTrue(ActionBounds.unboundedAlong(p.theories().get(0), p.names(), configs, 2).isPresent());
        assertEquals(java.util.Optional.empty(), ActionBounds.unboundedAlong(bounded.theories().get(0), bounded.names(), configs, 2));
    }
}
