package org.equiflow.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.equiflow.stats.Autocorrelation.Analysis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AutocorrelationTest {
  private static final int N = 200_000;

  @ParameterizedTest(name = "rho = {0}")
  @CsvSource({"0.9, 11", "0.5, 12"})
  void ar1TauIntAndErrorMatchExactValues(double rho, long seed) {
    Analysis a = Autocorrelation.gamma(Series.ar1(rho, N, seed));
    double exactTau = Series.exactTauInt(rho);
    assertTrue(
        Math.abs(a.tauInt() - exactTau) < 3 * a.tauIntError(),
        () -> "tau_int " + a.tauInt() + " ± " + a.tauIntError() + " vs exact " + exactTau);
    double exactError = Math.sqrt((1 + rho) / (1 - rho) / N);
    assertEquals(1, a.error() / exactError, 0.15, () -> "error " + a.error() + " vs " + exactError);
    assertTrue(Math.abs(a.mean()) < 4 * exactError, () -> "mean " + a.mean());
    assertEquals(N, a.n());
    assertTrue(a.window() > 1 && a.window() < N / 100, () -> "window " + a.window());
  }

  /**
   * Lags past the direct ones come from the FFT (a real transform of the zero-padded series, its
   * power spectrum transformed back): equal to the direct sums Σ δ^i δ^{i+t} to rounding (relative
   * to Γ(0)), at every lag, for lengths that are and are not powers of two.
   */
  @ParameterizedTest(name = "N = {0}")
  @CsvSource({"2", "3", "64", "65", "5003"})
  void theFftLagSumsAreTheDirectSums(int length) {
    double[] x = Series.ar1(0.99, length, 17);
    double mean = 0;
    for (double v : x) mean += v / x.length;
    double[] delta = new double[x.length];
    for (int i = 0; i < x.length; i++) delta[i] = x[i] - mean;
    double[] byFft = Autocorrelation.lagSumsByFft(delta);
    double scale = Autocorrelation.autocovariance(delta, 0) * x.length;
    for (int t = 0; t < x.length; t++) {
      double direct = Autocorrelation.autocovariance(delta, t) * (x.length - t);
      assertEquals(direct, byFft[t], 1e-11 * scale, "lag " + t);
    }
  }

  /**
   * The lags summed block by block (transforms of twice the block, summed on the spectra) are the direct sums to
   * rounding, at every lag of the block, for series that fill their last block and that do not, and for one block.
   */
  @ParameterizedTest(name = "N = {0}, block {1}")
  @CsvSource({"64, 16", "100, 16", "5003, 256", "5003, 8192", "40000, 1024"})
  void theBlockedLagSumsAreTheDirectSums(int length, int block) {
    double[] delta = Series.ar1(0.99, length, 19);
    double[] blocked = Autocorrelation.lagSumsInBlocks(delta, block);
    double scale = Autocorrelation.autocovariance(delta, 0) * length;
    for (int t = 0; t < Math.min(block, length); t++) {
      double direct = Autocorrelation.autocovariance(delta, t) * (length - t);
      assertEquals(direct, blocked[t], 1e-11 * scale, "lag " + t);
    }
  }

  /** Γ(t) from each source in turn — direct, block by block, the whole-series FFT — is the direct sum to rounding. */
  @Test
  void everyLagOfALongSeriesIsItsDirectSum() {
    int length = 4 * Autocorrelation.Autocovariances.BLOCKED_LAGS + 77;
    double[] delta = Series.ar1(0.995, length, 29);
    var gamma = new Autocorrelation.Autocovariances(delta);
    double gamma0 = Autocorrelation.autocovariance(delta, 0);
    for (int t = 0; t < length; t += t < 300 ? 1 : t < 9000 ? 37 : 997) {
      assertEquals(Autocorrelation.autocovariance(delta, t), gamma.at(t), 1e-11 * gamma0 * length / (length - t), "lag " + t);
    }
  }

  /**
   * The direct lags summed a block at a time have the bits of each lag summed alone: the same
   * products added in the same order, for series where the block's lags share all but a few pairs
   * and where they share one.
   */
  @ParameterizedTest(name = "N = {0}, first lag {1}")
  @CsvSource({"17, 0", "17, 1", "32, 16", "5003, 0", "5003, 241", "200000, 57"})
  void aBlockOfLagsHasTheBitsOfOneLagAtATime(int length, int first) {
    double[] delta = Series.ar1(0.9, length, 31);
    double[] gamma = new double[length];
    Autocorrelation.autocovariancesBlock(delta, first, gamma);
    for (int lag = first; lag < first + Autocorrelation.LAG_BLOCK; lag++) {
      assertEquals(Autocorrelation.autocovariance(delta, lag), gamma[lag], 0.0, "lag " + lag);
    }
  }

  /**
   * A slowly decorrelating chain (τ_int = 99.5, a window of hundreds of lags, so past the direct
   * lags into the FFT's): τ_int and the error match the exact AR(1) values, as the short chains'
   * do.
   */
  @Test
  void aSlowChainsWindowReachesIntoTheFftLagsAndStaysExact() {
    double rho = 0.99;
    Analysis a = Autocorrelation.gamma(Series.ar1(rho, N, 23));
    assertTrue(a.window() > Autocorrelation.Autocovariances.DIRECT_LAGS, () -> "window " + a.window());
    double exactTau = Series.exactTauInt(rho);
    assertTrue(Math.abs(a.tauInt() - exactTau) < 3 * a.tauIntError(),
        () -> "tau_int " + a.tauInt() + " ± " + a.tauIntError() + " vs exact " + exactTau);
    double exactError = Math.sqrt((1 + rho) / (1 - rho) / N);
    assertEquals(1, a.error() / exactError, 0.25, () -> "error " + a.error() + " vs " + exactError);
  }

  @Test
  void independentSamplesHaveTauIntOneHalf() {
    Analysis a = Autocorrelation.gamma(Series.normal(0, 1, N, 3));
    assertEquals(0.5, a.tauInt(), 3 * a.tauIntError() + 1e-3);
    assertEquals(Math.sqrt(1.0 / N), a.error(), 0.05 * Math.sqrt(1.0 / N));
  }

  /** The error bar is honest: about 68% of replicas have |mean − exact| below it. */
  @Test
  void errorOfIndependentMeansCoversTheExactValueAbout68PercentOfTheTime() {
    int replicas = 400;
    int covered = 0;
    for (int r = 0; r < replicas; r++) {
      Analysis a = Autocorrelation.gamma(Series.normal(0, 1, 1000, 1000 + r));
      if (Math.abs(a.mean()) < a.error()) {
        covered++;
      }
    }
    double fraction = (double) covered / replicas;
    assertTrue(fraction > 0.6 && fraction < 0.76, () -> "coverage " + fraction);
  }

  @Test
  void correlatedErrorBarCoversTheExactMeanAbout68PercentOfTheTime() {
    int replicas = 200;
    int covered = 0;
    for (int r = 0; r < replicas; r++) {
      Analysis a = Autocorrelation.gamma(Series.ar1(0.8, 5000, 5000 + r));
      if (Math.abs(a.mean()) < a.error()) {
        covered++;
      }
    }
    double fraction = (double) covered / replicas;
    assertTrue(fraction > 0.58 && fraction < 0.78, () -> "coverage " + fraction);
  }

  @Test
  void constantSeriesHasZeroErrorAndTauIntOneHalf() {
    Analysis a = Autocorrelation.gamma(new double[] {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1});
    assertEquals(new Analysis(0.1, 0, 0.5, 0, 0, 7), a);
  }

  @Test
  void fewerThanTwoSamplesIsRejectedWithAClearMessage() {
    var e = assertThrows(IllegalArgumentException.class, () -> Autocorrelation.gamma(new double[] {1}));
    assertTrue(e.getMessage().contains("at least 2 samples"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Autocorrelation.gamma(new double[0]));
    assertThrows(
        IllegalArgumentException.class,
        () -> Autocorrelation.gamma(new double[] {1, Double.NaN, 2}));
    assertThrows(
        IllegalArgumentException.class, () -> Autocorrelation.gamma(new double[] {1, 2}, 0));
  }

  @Test
  void twoSamplesGiveAFiniteResult() {
    Analysis a = Autocorrelation.gamma(new double[] {1, 3});
    assertEquals(2, a.mean());
    assertEquals(1, a.window());
    assertTrue(Double.isFinite(a.error()) && Double.isFinite(a.tauInt()), a::toString);
  }

  /** Anticorrelation: τ_int(1) ≤ ½ already, so Wolff's criterion holds at the first W. */
  @Test
  void negativelyCorrelatedSeriesStopsAtTheFirstWindow() {
    Analysis a = Autocorrelation.gamma(Series.ar1(-0.5, N, 21));
    assertEquals(1, a.window());
    assertTrue(a.tauInt() >= 0 && a.tauInt() < 0.5, a::toString);
    // Exact σ² = (1/N)(1+ρ)/(1−ρ) = 1/(3N); a truncated sum ≤ 0 must not turn into a zero error.
    double exactError = Math.sqrt(1.0 / 3 / N);
    assertTrue(a.error() > 0.9 * exactError && a.error() < 2 * exactError, a::toString);
    assertTrue(Double.isFinite(a.tauIntError()), a::toString);
  }

  @Test
  void largerSTauGivesALongerWindow() {
    double[] x = Series.ar1(0.9, 50_000, 4);
    assertTrue(Autocorrelation.gamma(x, 4).window() > Autocorrelation.gamma(x, 1.5).window());
  }

  @Test
  void normalizedFunctionOfAr1DecaysLikeRhoToTheT() {
    double[] rho = Autocorrelation.normalizedFunction(Series.ar1(0.5, N, 5), 4);
    assertEquals(1, rho[0]);
    for (int t = 1; t <= 4; t++) {
      assertEquals(Math.pow(0.5, t), rho[t], 0.01, "t = " + t);
    }
  }

  @Test
  void derivedIdentityEqualsThePrimaryAnalysis() {
    double[] x = Series.ar1(0.9, 20_000, 6);
    Analysis primary = Autocorrelation.gamma(x);
    Analysis derived = Autocorrelation.gammaDerived(new double[][] {x}, m -> m[0]);
    assertEquals(primary.mean(), derived.mean(), 1e-15);
    assertEquals(primary.error(), derived.error(), 1e-9 * primary.error());
    assertEquals(primary.window(), derived.window());
  }

  /** A ratio of two correlated chains: Γ-method and jackknife with τ-sized bins must agree. */
  @Test
  void derivedRatioAgreesWithJackknifeOnLongBins() {
    double[] noiseA = Series.ar1(0.8, N, 7);
    double[] noiseB = Series.ar1(0.8, N, 8);
    double[] a = new double[N];
    double[] b = new double[N];
    for (int i = 0; i < N; i++) {
      a[i] = 2 + noiseA[i] + 0.5 * noiseB[i];
      b[i] = 4 + noiseB[i];
    }
    double[][] series = {a, b};
    Analysis gamma = Autocorrelation.gammaDerived(series, m -> m[0] / m[1]);
    int binSize = 4 * Binning.suggestedBinSize(gamma.tauInt());
    Estimate jackknife = Jackknife.derived(series, binSize, m -> m[0] / m[1]);
    assertEquals(0.5, gamma.mean(), 3 * gamma.error());
    assertEquals(1, jackknife.error() / gamma.error(), 0.15, () -> jackknife + " vs " + gamma);
    // Linear propagation: ratio fluctuation (δa − ½ δb)/4 = δnoiseA/4, an AR(1) with ρ = 0.8.
    double exact = Math.sqrt((1 + 0.8) / (1 - 0.8) / N) / 4;
    assertEquals(1, gamma.error() / exact, 0.15, () -> gamma + " vs exact " + exact);
    assertEquals(Series.exactTauInt(0.8), gamma.tauInt(), 3 * gamma.tauIntError());
  }

  @Test
  void derivedRejectsRaggedInputAndNonFiniteF() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Autocorrelation.gammaDerived(new double[][] {{1, 2, 3}, {1, 2}}, m -> m[0]));
    assertThrows(
        IllegalArgumentException.class,
        () -> Autocorrelation.gammaDerived(new double[][] {{1, 2, 3}, {0, 0, 0}}, m -> m[0] / m[1]));
  }
}
