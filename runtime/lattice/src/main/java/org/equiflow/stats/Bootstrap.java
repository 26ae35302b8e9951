package org.equiflow.stats;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/** Bootstrap on bins with a fixed seed, so every analysis is reproducible. */
public final class Bootstrap {
  private Bootstrap() {}

  /**
   * Bootstrap estimate of f(⟨A_1⟩, …, ⟨A_k⟩): draw M bins with replacement {@code resamples}
   * times and evaluate f on each resample's means.
   *
   * <p>value = f(all bin means), not bias corrected (the bootstrap bias estimate carries its own
   * resampling noise; subtract {@code bias} yourself if you want it); error = standard deviation
   * of f over the resamples; bias = mean of f over the resamples − value. The same inputs and
   * seed give bit-identical results.
   *
   * @param series k × N: row α is primary observable α in Monte Carlo time order
   * @param binSize consecutive samples per bin; the incomplete last bin is dropped
   * @throws IllegalArgumentException for ragged input, fewer than 2 complete bins, fewer than 2
   *     resamples, or a non-finite f
   */
  public static Estimate derived(
      double[][] series,
      int binSize,
      ToDoubleFunction<double[]> f,
      int resamples,
      long seed) {
    Checks.requireRectangular(series, 1);
    if (resamples < 2) {
      throw new IllegalArgumentException("need at least 2 resamples, got " + resamples);
    }
    double[][] bins = Binning.binAll(series, binSize);
    int k = bins.length;
    int m = bins[0].length;
    if (m < 2) {
      throw new IllegalArgumentException(
          "bootstrap needs at least 2 complete bins, got " + m + " (bin size " + binSize + ")");
    }
    double[] fullMeans = new double[k];
    for (int alpha = 0; alpha < k; alpha++) {
      fullMeans[alpha] = Checks.mean(bins[alpha]);
    }
    double full = Checks.requireFiniteResult(f.applyAsDouble(fullMeans), "f at the means");

    SplittableRandom random = new SplittableRandom(seed);
    double[] replicas = new double[resamples];
    double[] means = new double[k];
    for (int r = 0; r < resamples; r++) {
      java.util.Arrays.fill(means, 0);
      for (int draw = 0; draw < m; draw++) {
        int bin = random.nextInt(m);
        for (int alpha = 0; alpha < k; alpha++) {
          means[alpha] += bins[alpha][bin];
        }
      }
      for (int alpha = 0; alpha < k; alpha++) {
        means[alpha] /= m;
      }
      replicas[r] =
          Checks.requireFiniteResult(f.applyAsDouble(means.clone()), "f at a bootstrap sample");
    }
    double average = Checks.mean(replicas);
    double squares = 0;
    for (double value : replicas) {
      squares += (value - average) * (value - average);
    }
    return new Estimate(full, Math.sqrt(squares / (resamples - 1)), average - full);
  }
}
