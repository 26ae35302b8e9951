package org.equiflow.sample;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.equiflow.compiler.Compiler;
import org.equiflow.physics.SuNTorusExact;
import org.equiflow.stats.Autocorrelation;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Tensor;
import org.equiflow.train.Trainer;
import org.equiflow.truffle.CompiledFlow;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Exactness of a briefly trained flow of spectral couplings (Boyda et al.) on the 4×4 torus, SU(2)
 * at β = 2.2 (a spline of the eigen-angle on [0, π]) and SU(3) at β = 5 (two splines on the Weyl
 * alcove of the eigenphases), against the character expansion of {@link SuNTorusExact}, not
 * against ourselves: independence Metropolis from the flow reproduces ⟨(1/N) Re tr P⟩ within 3σ,
 * and training improves on the Haar prior (whose acceptance here is a few per mille). The chain's
 * plaquette is read from the compiled Wilson action of its states, ⟨(1/N) Re tr P⟩ = −S/(βV). The exact KL of the
 * trained flow, E_q[log q + S] + ln Z, is non-negative and below 2: q is normalised as Z is.
 */
class SpectralFlowExactnessTest {
    private static final int L = 4, VOLUME = L * L;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "SU({0}) at β = {1}: {2} training steps, {3} proposals for the KL")
    @CsvSource({"2, 2.2, 150, 4096", "3, 5.0, 100, 2048"})
    void trainedSpectralFlowPlusMetropolisReproducesTheExactPlaquette(int n, double beta, int steps, int klProposals) throws IOException {
        Path script = dir.resolve("su" + n + ".flow");
        Files.writeString(script, """
                use std.theories.su$N
                use std.nets.cnn
                use std.gauge.{spectral_coupling, link_mask}
                theory G = su$N(lattice = [4, 4], beta = $BETA)
                flow spectral for G {
                    prior haar
                    repeat i in 0..8 {
                        spectral_coupling(links = link_mask(mu = i % 2, offset = (i / 2) % 4), bins = 6,
                                          net = cnn(hidden = [8], kernel = 3, act = leaky_relu))
                    }
                }
                """.replace("$N", Integer.toString(n)).replace("$BETA", Double.toString(beta)));
        var checked = Compiler.check(script, script.getFileName().toString(), Map.of());
        assertTrue(checked.ok(), checked.diagnostics().toString());
        var flow = new CompiledFlow(Compiler.lower(checked, "spectral", null).orElseThrow(), DType.F64, 5);
        var trainer = new Trainer(flow, Trainer.adamFor(flow, 3e-3), 6);
        Trainer.Step last = null;
        for (int step = 0; step < steps; step++) last = trainer.step(step, 64);

        // The exact KL(q‖p) = E_q[log q + S] + ln Z with ln Z of the Haar measure of mass one, the measure of log q:
        // non-negative (up to its error) only if log q is normalised as Z is; a U(1)-style −n·log 2π would make it hugely negative.
        Proposals.Batch fresh = new Proposals(flow, 9).next(klProposals);
        double sum = 0, squares = 0;
        for (int b = 0; b < fresh.size(); b++) {
            double loss = fresh.logQ()[b] + fresh.action()[b];
            sum += loss;
            squares += loss * loss;
        }
        double meanLoss = sum / fresh.size(), lossError = Math.sqrt((squares / fresh.size() - meanLoss * meanLoss) / fresh.size());
        double kl = meanLoss + new SuNTorusExact(n, beta).logPartitionFunction(VOLUME);
        String klReport = String.format("exact KL(q||p) = %.4f ± %.4f (E_q[log q + S] = %.4f)%n", kl, lossError, meanLoss);
        System.out.print(klReport);
        assertTrue(kl > -3 * lossError && kl < 2, klReport);

        int count = 1 << 13;
        var proposals = new Proposals(flow, 7);
        var chain = IndependenceMetropolis.run(proposals, count, 1024, 8, null);
        // The chain's states (float32, as the ensemble stores them) through the compiled action.
        Tensor states = Tensor.zeros(flow.fieldShape(count), DType.F64);
        float[] configs = chain.configs();
        for (int i = 0; i < configs.length; i++) states.set(i, configs[i]);
        Tensor action = flow.action(states);
        double[] plaquette = new double[count];
        for (int i = 0; i < count; i++) plaquette[i] = -action.get(i) / (beta * VOLUME);
        var estimate = Autocorrelation.gamma(plaquette);
        double exact = new SuNTorusExact(n, beta).plaquette(VOLUME);
        double pull = (estimate.mean() - exact) / estimate.error();
        String report = String.format("SU(%d) β = %.1f %d×%d spectral flow: last loss %.3f, batch ESS %.3f, acceptance %.3f,"
                        + " <(1/%d) Re tr P> = %.5f ± %.5f (tau_int %.1f), exact %.5f, pull %+.2f%n",
                n, beta, L, L, last.loss(), last.ess(), chain.acceptance(), n, estimate.mean(), estimate.error(), estimate.tauInt(), exact, pull);
        System.out.print(report);
        assertTrue(Math.abs(pull) < 3, report);
        // Trained beyond the Haar prior, and an error small enough that a wrong plaquette would show.
        assertTrue(chain.acceptance() > 0.05, report);
        assertTrue(estimate.error() < 0.02, report);
    }
}
