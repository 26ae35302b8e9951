package org.equiflow.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReweightingTest {
  @Test
  void equalWeightsHaveFullEffectiveSampleSize() {
    for (double logWeight : new double[] {0, 1000, -1000}) {
      double[] logWeights = new double[100];
      Arrays.fill(logWeights, logWeight);
      assertEquals(1, Reweighting.ess(logWeights), 1e-12, "log w = " + logWeight);
    }
  }

  @Test
  void oneDominantWeightGivesEssOneOverN() {
    double[] logWeights = new double[50];
    Arrays.fill(logWeights, -1000);
    logWeights[17] = 1000;
    assertEquals(1.0 / 50, Reweighting.ess(logWeights), 1e-15);
  }

  @Test
  void essIsInvariantUnderShiftsOfThousands() {
    double[] logWeights = Series.normal(0, 0.5, 10_000, 61);
    double reference = Reweighting.ess(logWeights);
    assertTrue(reference > 0 && reference < 1);
    for (double shift : new double[] {1000, -1000, 1e5}) {
      double[] shifted = logWeights.clone();
      for (int i = 0; i < shifted.length; i++) {
        shifted[i] += shift;
      }
      assertEquals(reference, Reweighting.ess(shifted), 1e-9, "shift " + shift);
    }
    // For log-normal weights the ESS fraction tends to exp(−σ²) (σ = 0.5 keeps Σw² from being
    // dominated by rare large weights at this N).
    assertEquals(Math.exp(-0.25), reference, 0.03);
  }

  /**
   * The jackknife error of the ESS matches the spread of the ESS over independent repetitions
   * (log-normal weights, σ = 0.5 and 0.8, N = 1000, 300 repetitions), and vanishes for equal weights.
   */
  @Test
  void theEssJackknifeErrorIsTheSpreadOverRepetitions() {
    for (double sigma : new double[] {0.5, 0.8}) {
      int repetitions = 300;
      double[] ess = new double[repetitions];
      double meanError = 0;
      for (int r = 0; r < repetitions; r++) {
        double[] logWeights = Series.normal(0, sigma, 1000, 1000 + r);
        ess[r] = Reweighting.ess(logWeights);
        meanError += Reweighting.essError(logWeights) / repetitions;
      }
      double mean = Arrays.stream(ess).average().orElseThrow();
      double spread = Math.sqrt(Arrays.stream(ess).map(e -> (e - mean) * (e - mean)).sum() / (repetitions - 1));
      // the spread itself is known to ~4 % from 300 repetitions; heavy tails make the jackknife a little low at σ = 0.8
      assertEquals(spread, meanError, 0.2 * spread, "σ = " + sigma + ": spread " + spread + ", mean jackknife error " + meanError);
    }
    double[] equal = new double[100];
    Arrays.fill(equal, 3.0);
    assertEquals(0, Reweighting.essError(equal), 1e-12);
  }

  /**
   * Samples from N(0, σ0²) reweighted to N(0, σ1²): log w = −x²/2 (1/σ1² − 1/σ0²) + const. The
   * reweighted ⟨x²⟩ must be σ1² within errors, whatever the constant.
   */
  @Test
  void importanceSamplingRecoversTheTargetSecondMoment() {
    double sigma0 = 1.5;
    double sigma1 = 1.0;
    int n = 20_000;
    double[] x = Series.normal(0, sigma0, n, 62);
    double[] logWeights = new double[n];
    for (int i = 0; i < n; i++) {
      logWeights[i] = 1000 - x[i] * x[i] / 2 * (1 / (sigma1 * sigma1) - 1 / (sigma0 * sigma0));
    }
    Estimate e = Reweighting.estimate(logWeights, Series.squares(x));
    assertEquals(sigma1 * sigma1, e.value(), 3 * e.error(), e::toString);
    assertTrue(e.error() > 0 && e.error() < 0.03, e::toString);
    assertTrue(Reweighting.ess(logWeights) > 0.5);
  }

  /** The error bar of the ratio estimator covers the exact value ~68% of the time. */
  @Test
  void reweightedErrorBarHasAbout68PercentCoverage() {
    int replicas = 200;
    int covered = 0;
    for (int r = 0; r < replicas; r++) {
      double[] x = Series.normal(0, 1.3, 2000, 700 + r);
      double[] logWeights = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        logWeights[i] = -x[i] * x[i] / 2 * (1 - 1 / 1.69);
      }
      Estimate e = Reweighting.estimate(logWeights, Series.squares(x));
      if (Math.abs(e.value() - 1) < e.error()) {
        covered++;
      }
    }
    double fraction = (double) covered / replicas;
    assertTrue(fraction > 0.58 && fraction < 0.78, () -> "coverage " + fraction);
  }

  @Test
  void dominantWeightIsHandledWithoutOverflowOrNaN() {
    double[] logWeights = {-1000, 1000, -1000, -999};
    double[] observable = {1, 5, 2, 3};
    Estimate e = Reweighting.estimate(logWeights, observable);
    assertTrue(Double.isFinite(e.value()) && Double.isFinite(e.error()), e::toString);
    // Leaving out the dominant sample leaves the others, weighted 1 : 1 : e against each other.
    double withoutDominant = (1 + 2 + 3 * Math.E) / (2 + Math.E);
    double average = (3 * 5 + withoutDominant) / 4;
    assertEquals(5 - 3 * (average - 5), e.value(), 1e-12);
  }

  @Test
  void equalWeightsReduceToThePlainMean() {
    double[] x = Series.normal(3, 1, 500, 63);
    Estimate reweighted = Reweighting.estimate(new double[500], x);
    Estimate plain = Jackknife.mean(x, 1);
    assertEquals(plain.value(), reweighted.value(), 1e-12);
    assertEquals(plain.error(), reweighted.error(), 1e-12);
  }

  @Test
  void mismatchedOrShortInputIsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Reweighting.estimate(new double[] {0, 0}, new double[] {1}));
    assertThrows(
        IllegalArgumentException.class,
        () -> Reweighting.estimate(new double[] {0}, new double[] {1}));
    assertThrows(IllegalArgumentException.class, () -> Reweighting.ess(new double[0]));
    assertThrows(
        IllegalArgumentException.class, () -> Reweighting.ess(new double[] {Double.NaN}));
  }
}
