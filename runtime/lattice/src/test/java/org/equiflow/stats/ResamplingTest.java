package org.equiflow.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/** Binning, jackknife and bootstrap against exact values of known distributions. */
class ResamplingTest {
  private static final ToDoubleFunction<double[]> RATIO = m -> m[0] / m[1];
  private static final ToDoubleFunction<double[]> VARIANCE = m -> m[1] - m[0] * m[0];

  @Test
  void binningAveragesBlocksAndDropsTheIncompleteLastBin() {
    assertArrayEquals(new double[] {1.5, 3.5}, Binning.bin(new double[] {1, 2, 3, 4, 100}, 2));
    assertArrayEquals(new double[] {1, 2}, Binning.bin(new double[] {1, 2}, 1));
    assertThrows(IllegalArgumentException.class, () -> Binning.bin(new double[] {1, 2}, 3));
    assertThrows(IllegalArgumentException.class, () -> Binning.bin(new double[] {1, 2}, 0));
  }

  @Test
  void suggestedBinSizeIsFiveTauIntAndOneForIndependentData() {
    assertEquals(1, Binning.suggestedBinSize(0.5));
    assertEquals(1, Binning.suggestedBinSize(0.2));
    assertEquals(48, Binning.suggestedBinSize(9.5));
    assertEquals(5, Binning.suggestedBinSize(1.0));
    assertThrows(IllegalArgumentException.class, () -> Binning.suggestedBinSize(Double.NaN));
  }

  /** Bins sized from τ_int give the Γ-method error; unbinned data underestimate it ~sqrt(19)×. */
  @Test
  void binnedJackknifeErrorOfAr1MatchesTheExactErrorOnlyWithTauSizedBins() {
    int n = 200_000;
    double[] x = Series.ar1(0.9, n, 31);
    double exact = Math.sqrt(19.0 / n);
    int binSize = Binning.suggestedBinSize(Autocorrelation.gamma(x).tauInt());
    Estimate binned = Jackknife.mean(x, binSize);
    assertEquals(1, binned.error() / exact, 0.15, () -> "binned " + binned + ", bin " + binSize);
    Estimate unbinned = Jackknife.mean(x, 1);
    assertTrue(unbinned.error() < 0.3 * exact, () -> "unbinned " + unbinned);
  }

  @Test
  void jackknifeMeanIsTheStandardErrorWithZeroBias() {
    double[] x = {1, 2, 4, 7};
    Estimate e = Jackknife.mean(x, 1);
    assertEquals(3.5, e.value(), 1e-15);
    double standardError = Math.sqrt((6.25 + 2.25 + 0.25 + 12.25) / 3 / 4);
    assertEquals(standardError, e.error(), 1e-14);
    assertEquals(0, e.bias(), 1e-14);
  }

  /** ⟨a⟩/⟨b⟩ for independent normals: σ² = (σa²/μb² + μa² σb²/μb⁴)/N by the delta method. */
  @Test
  void jackknifeRatioOfMeansMatchesTheExactRatioAndError() {
    int n = 20_000;
    double[][] series = {Series.normal(2, 1, n, 41), Series.normal(4, 1, n, 42)};
    Estimate e = Jackknife.derived(series, 1, RATIO);
    double exactError = Math.sqrt((1.0 / 16 + 4.0 / 256) / n);
    assertEquals(0.5, e.value(), 3 * exactError);
    assertEquals(1, e.error() / exactError, 0.1, e::toString);
  }

  /** ⟨x²⟩ − ⟨x⟩² for x ~ N(1, 2²): value 4, error² = 2σ⁴/N for a normal sample variance. */
  @Test
  void jackknifeVarianceMatchesTheExactVarianceAndError() {
    int n = 20_000;
    double[] x = Series.normal(1, 2, n, 43);
    Estimate e = Jackknife.derived(new double[][] {x, Series.squares(x)}, 1, VARIANCE);
    double exactError = Math.sqrt(2 * 16.0 / n);
    assertEquals(4, e.value(), 3 * exactError);
    assertEquals(1, e.error() / exactError, 0.1, e::toString);
  }

  /**
   * For f = ⟨x²⟩ − ⟨x⟩² the naive estimator is biased by −σ²/N and the jackknife removes this
   * exactly, giving the unbiased sample variance on every sample.
   */
  @Test
  void jackknifeBiasCorrectionRemovesTheSmallSampleBiasOfTheVariance() {
    int n = 8;
    int replicas = 4000;
    double naiveSum = 0;
    double correctedSum = 0;
    for (int r = 0; r < replicas; r++) {
      double[] x = Series.normal(1, 2, n, 100 + r);
      Estimate e = Jackknife.derived(new double[][] {x, Series.squares(x)}, 1, VARIANCE);
      double mean = Checks.mean(x);
      double unbiased = 0;
      for (double v : x) {
        unbiased += (v - mean) * (v - mean);
      }
      unbiased /= n - 1;
      assertEquals(unbiased, e.value(), 1e-12);
      naiveSum += e.value() + e.bias();
      correctedSum += e.value();
    }
    double naiveBias = naiveSum / replicas - 4;
    double correctedBias = correctedSum / replicas - 4;
    // Exact naive bias −σ²/N = −0.5; the spread of the replica average is ~ 4·sqrt(2/7/4000) ≈ 0.03.
    assertEquals(-0.5, naiveBias, 0.1);
    assertTrue(Math.abs(correctedBias) < 0.1, () -> "corrected bias " + correctedBias);
  }

  @Test
  void jackknifeRejectsTooFewBins() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> Jackknife.mean(new double[] {1, 2, 3}, 2));
    assertTrue(e.getMessage().contains("2 complete bins"), e.getMessage());
  }

  @Test
  void bootstrapIsReproducibleAndAgreesWithTheJackknife() {
    int n = 20_000;
    double[][] series = {Series.normal(2, 1, n, 51), Series.normal(4, 1, n, 52)};
    Estimate first = Bootstrap.derived(series, 10, RATIO, 400, 7);
    Estimate again = Bootstrap.derived(series, 10, RATIO, 400, 7);
    Estimate otherSeed = Bootstrap.derived(series, 10, RATIO, 400, 8);
    assertEquals(first, again);
    assertNotEquals(first.error(), otherSeed.error());
    Estimate jackknife = Jackknife.derived(series, 10, RATIO);
    assertEquals(jackknife.value() + jackknife.bias(), first.value(), 1e-15);
    // 400 resamples estimate the error to about 1/sqrt(2·400) ≈ 3.5%.
    assertEquals(1, first.error() / jackknife.error(), 0.12, first + " vs " + jackknife);
  }

  @Test
  void bootstrapRejectsTooFewResamples() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Bootstrap.derived(new double[][] {{1, 2, 3}}, 1, m -> m[0], 1, 0));
  }

  @Test
  void histogramCountsEveryValueOnce() {
    Histogram h = Histogram.of(new double[] {-1, 0, 0.49, 0.5, 1, 2}, 2, 0, 1);
    assertArrayEquals(new long[] {2, 2}, h.counts());
    assertEquals(1, h.below());
    assertEquals(1, h.above());
    assertEquals(6, h.total());
    assertEquals(0.25, h.binCenter(0), 1e-15);
    assertEquals(h, Histogram.of(new double[] {-1, 0, 0.49, 0.5, 1, 2}, 2, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> Histogram.of(new double[] {1}, 2, 1, 1));
  }
}
