package org.equiflow.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.equiflow.compiler.Compiler;
import org.equiflow.physics.SuNTorusExact;
import org.equiflow.stats.Autocorrelation;
import org.equiflow.tensor.DType;
import org.equiflow.truffle.CompiledFlow;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A flow of the SU(N) Haar prior alone ({@code flow f for G { prior haar }}) is exact: its log q is
 * 0 per configuration (the density with respect to the Haar measure of mass one, the measure of
 * {@link SuNTorusExact}'s Z), so independence Metropolis accepts with min(1, e^{−ΔS}) and its
 * chain reproduces the exact plaquette of the 2D torus within 3σ. On these small lattices the
 * Haar prior is a usable proposal; the chain's plaquette is read from its action,
 * ⟨(1/N) Re tr P⟩ = −S/(βV) for the Wilson action S = −(β/N) Σ Re tr P.
 */
class SuNHaarFlowExactnessTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "SU({0}) β = {1} on {2}×{2}")
    @CsvSource({"2, 2.2, 2", "2, 0.5, 4", "3, 2.0, 2"})
    void independenceMetropolisFromHaarReproducesTheExactPlaquette(int n, double beta, int size) throws IOException {
        Path script = dir.resolve("haar.flow");
        Files.writeString(script, """
                use std.theories.su$N
                theory G = su$N(lattice = [$L, $L], beta = $BETA)
                flow from_haar for G {
                    prior haar
                }
                """.replace("$N", Integer.toString(n)).replace("$L", Integer.toString(size)).replace("$BETA", Double.toString(beta)));
        var checked = Compiler.check(script, "haar.flow", Map.of());
        assertTrue(checked.ok(), checked.diagnostics().toString());
        var flow = new CompiledFlow(Compiler.lower(checked, "from_haar", null).orElseThrow(), DType.F32, 5);
        assertTrue(flow.parameterNames().isEmpty(), "a flow of the prior alone has nothing to train");

        var proposals = new Proposals(flow, 11 + n + size);
        Proposals.Batch batch = proposals.next(64);
        for (int c = 0; c < batch.size(); c++) {
            assertEquals(0.0, batch.logQ()[c], 1e-6, "log q of the Haar prior of mass one");
            assertEquals(-batch.action()[c], batch.logWeight()[c], 1e-6 * (1 + Math.abs(batch.action()[c])));
        }

        int count = 1 << 15, volume = size * size;
        var chain = IndependenceMetropolis.run(proposals, count, 4096, 3, null);
        double[] plaquette = new double[count];
        // Without thermalization the proposal index is the kept step: the state's weight is −S of the state.
        for (int i = 0; i < count; i++) plaquette[i] = chain.proposalLogWeights()[chain.state()[i]] / (beta * volume);
        var estimate = Autocorrelation.gamma(plaquette);
        double exact = new SuNTorusExact(n, beta).plaquette(volume);
        double pull = (estimate.mean() - exact) / estimate.error();
        String report = String.format("SU(%d) β = %.1f %d×%d from Haar: acceptance %.3f, <(1/N) Re tr P> = %.5f ± %.5f, exact %.5f, pull %+.2f%n",
                n, beta, size, size, chain.acceptance(), estimate.mean(), estimate.error(), exact, pull);
        System.out.print(report);
        assertTrue(Math.abs(pull) < 3, report);
        // A test that can fail: the error is small against the plaquette's distance from its Haar mean 0.
        assertTrue(estimate.error() < 0.1 * Math.abs(exact), report);
    }
}
