package org.equiflow.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The per-batch diagnostics training reports: ESS and the acceptance Metropolis would have. */
class TrainerEstimatesTest {

    @Test
    void equalWeightsMeanEveryProposalIsAccepted() {
        double[] lw = new double[64];
        java.util.Arrays.fill(lw, -123.4);
        assertEquals(1.0, Trainer.acceptanceEstimate(lw), 1e-12);
        assertEquals(1.0, org.equiflow.stats.Reweighting.ess(lw), 1e-12);
    }

    @Test
    void theEstimateMatchesTheAcceptanceOfAnActualChain() {
        // Log-weights of proposals drawn from q: Gaussian with spread 1.5, a realistic mid-training flow.
        var random = new SplittableRandom(9);
        double[] batch = new double[2000];
        for (int i = 0; i < batch.length; i++) batch[i] = 1.5 * random.nextGaussian();
        double estimate = Trainer.acceptanceEstimate(batch);
        int steps = 400_000, accepted = 0;
        double current = 1.5 * random.nextGaussian();
        for (int i = 0; i < steps; i++) {
            double proposal = 1.5 * random.nextGaussian();
            if (Math.log(1 - random.nextDouble()) < proposal - current) {
                current = proposal;
                accepted++;
            }
        }
        assertEquals(accepted / (double) steps, estimate, 0.02);
    }
}
