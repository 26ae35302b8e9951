package org.equiflow.symmetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.equiflow.tensor.Tape;
import org.equiflow.compiler.symmetry.Status;
import org.equiflow.sample.Proposals;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.CompiledFlow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `symmetrize z2`: the inverse flow inverts the forward one, the mixture density
 * ½(q_f(φ) + q_f(−φ)) is even and normalised, the proposals (with their random sign flips) are
 * drawn from it and report it, and training gradients reach every parameter through it.
 */
class SymmetrizedFlowTest {
    @TempDir
    Path dir;

    static final String SOURCE = LayerSymmetryPropertyTest.HEADER + """
            flow f for T {
                prior normal()
                repeat i in 0..3 {
                    affine(mask = checkerboard(parity = i % 2), net = cnn(hidden = [4], act = leaky_relu, out_act = tanh))
                }
                affine(mask = stripes(axis = 0), scale = cnn(hidden = [3], out_act = tanh), shift = cnn(hidden = [3], act = sigmoid))
                symmetrize z2
            }
            """;

    /**
     * The flow at its initial parameters: far enough from the identity that q_f(φ) and q_f(−φ)
     * differ clearly (checked below), near enough that the importance ratios of the
     * normalisation test have a small variance (at 1.5× the parameters the estimate already
     * loses its precision).
     */
    private SymmetryProbe symmetrized() {
        return SymmetryProbe.compile(dir, "mixture", SOURCE, 11);
    }

    @Test
    void inverseUndoesTheFlowAndNegatesItsLogDet() {
        CompiledFlow flow = symmetrized().flow;
        assertTrue(flow.symmetrized());
        Tensor z = flow.samplePrior(5, new SplittableRandom(3));
        var forward = flow.forward(z);
        var back = flow.inverse(forward.x());
        assertTrue(SymmetryProbe.maxDifference(z, back.x()) < 1e-10);
        assertTrue(SymmetryProbe.maxDifference(forward.logDet(), Ops.neg(back.logDet())) < 1e-10);
        double spread = 0;
        for (int b = 0; b < 5; b++) spread = Math.max(spread, Math.abs(forward.logDet().get(b)));
        assertTrue(spread > 0.5, "the flow should be far from volume-preserving: " + spread);
    }

    @Test
    void theMixtureDensityIsEvenAndIsTheMeanOfBothBranches() {
        var probe = symmetrized();
        CompiledFlow flow = probe.flow;
        assertEquals(Status.HOLDS, probe.analysis.of("z2").status());
        Tensor z = flow.samplePrior(6, new SplittableRandom(8));
        var out = flow.forward(z);
        Tensor mixture = flow.logDensity(z, out);
        // The same field reached from the other side: −x = f(z′) with z′ = f⁻¹(−x).
        Tensor zMirror = flow.inverse(SymmetryProbe.negate(out.x())).x();
        var mirrored = flow.forward(zMirror);
        assertTrue(SymmetryProbe.maxDifference(mirrored.x(), SymmetryProbe.negate(out.x())) < 1e-10);
        assertTrue(SymmetryProbe.maxDifference(mixture, flow.logDensity(zMirror, mirrored)) < 1e-10, "q_mix(−φ) = q_mix(φ)");
        double asymmetry = 0;
        for (int b = 0; b < 6; b++) {
            double a = flow.logPrior(z).get(b) - out.logDet().get(b);
            double c = flow.logPrior(zMirror).get(b) - mirrored.logDet().get(b);
            assertEquals(Math.log(0.5 * (Math.exp(a) + Math.exp(c))), mixture.get(b), 1e-9);
            asymmetry = Math.max(asymmetry, Math.abs(a - c));
        }
        assertTrue(asymmetry > 0.1, "q_f itself should not be even, or the test shows nothing: " + asymmetry);
    }

    /**
     * ∫ q = 1: E_{φ∼N(0, 2²)}[q(φ)/N(φ)] over the 16 sites, with q(φ) evaluated through the
     * inverse flow (φ = f(z) with z = f⁻¹(φ)); within 5 standard errors of 1.
     */
    @Test
    void theMixtureDensityIsNormalised() {
        CompiledFlow flow = symmetrized().flow;
        var random = new SplittableRandom(21);
        double sigma = 2.0, sum = 0, sumSquares = 0;
        int n = 0;
        for (int batch = 0; batch < 40; batch++) {
            Tensor phi = Tensor.zeros(flow.fieldShape(500), flow.dtype());
            for (int i = 0; i < phi.size(); i++) phi.set(i, sigma * random.nextGaussian());
            Tensor z = flow.inverse(phi).x();
            var out = flow.forward(z);
            Tensor logQ = flow.logDensity(z, out);
            int per = phi.size() / 500;
            for (int k = 0; k < 500; k++) {
                double logReference = 0;
                for (int i = k * per; i < (k + 1) * per; i++) logReference += -0.5 * phi.get(i) * phi.get(i) / (sigma * sigma);
                logReference -= per * Math.log(sigma * Math.sqrt(2 * Math.PI));
                double r = Math.exp(logQ.get(k) - logReference);
                sum += r;
                sumSquares += r * r;
                n++;
            }
        }
        double mean = sum / n, error = Math.sqrt((sumSquares / n - mean * mean) / n);
        assertEquals(1.0, mean, 5 * error, "∫ q = " + mean + " ± " + error);
        assertTrue(error < 0.1, "the estimate should be informative: ± " + error);
    }

    /**
     * The proposals are drawn from the mixture: the magnetization, odd under φ → −φ, averages to
     * zero (while the flow's own draws f(z) are clearly biased), and the log q a proposal reports
     * is the mixture density of the field it carries (flipped or not).
     */
    @Test
    void proposalsAreDrawnFromTheMixture() {
        CompiledFlow flow = symmetrized().flow;
        var proposals = new Proposals(flow, 99);
        var random = new SplittableRandom(5);
        double sum = 0, sumSquares = 0, own = 0, ownSquares = 0;
        int n = 0;
        for (int batch = 0; batch < 20; batch++) {
            Proposals.Batch b = proposals.next(500);
            Tensor own0 = flow.forward(flow.samplePrior(500, random)).x();
            int per = b.siteCount();
            for (int k = 0; k < b.size(); k++) {
                double m = 0, mOwn = 0;
                for (int i = k * per; i < (k + 1) * per; i++) {
                    m += b.configs()[i];
                    mOwn += own0.get(i);
                }
                sum += m / per;
                sumSquares += (m / per) * (m / per);
                own += mOwn / per;
                ownSquares += (mOwn / per) * (mOwn / per);
                n++;
            }
            if (batch == 0) {
                // Recompute log q at the reported fields (stored in float32, hence the tolerance).
                Tensor phi = Tensor.zeros(flow.fieldShape(500), flow.dtype());
                for (int i = 0; i < phi.size(); i++) phi.set(i, b.configs()[i]);
                Tensor z = flow.inverse(phi).x();
                Tensor logQ = flow.logDensity(z, flow.forward(z));
                for (int k = 0; k < 500; k++) assertEquals(b.logQ()[k], logQ.get(k), 1e-3, "proposal " + k);
            }
        }
        double mean = sum / n, error = Math.sqrt((sumSquares / n - mean * mean) / n);
        double ownMean = own / n, ownError = Math.sqrt((ownSquares / n - ownMean * ownMean) / n);
        assertEquals(0.0, mean, 5 * error, "⟨M⟩ under the mixture");
        assertTrue(Math.abs(ownMean) > 5 * ownError, "the unsymmetrized flow should be biased, or the test shows nothing: " + ownMean + " ± " + ownError);
    }

    @Test
    void gradientsFlowThroughTheMixture() {
        CompiledFlow flow = symmetrized().flow;
        Tensor z = flow.samplePrior(4, new SplittableRandom(1));
        try (Tape tape = Tape.open()) {
            var out = flow.forward(z);
            Tensor loss = Ops.meanOverBatch(Ops.add(flow.logDensity(z, out), flow.action(out.x())));
            tape.backward(loss);
        }
        for (String name : flow.parameterNames()) {
            Tensor g = flow.parameters().get(name).grad();
            assertTrue(g != null, name + " has no gradient");
            double norm = 0;
            for (int i = 0; i < g.size(); i++) norm += g.get(i) * g.get(i);
            assertTrue(Double.isFinite(norm) && norm > 0, name + ": gradient norm " + norm);
        }
    }
}
