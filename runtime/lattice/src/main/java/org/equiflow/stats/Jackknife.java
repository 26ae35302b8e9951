package org.equiflow.stats;

import java.util.function.ToDoubleFunction;

/**
 * Delete-one jackknife on bins. Bins must be much longer than τ_int for the error to be honest
 * (see {@link Binning#suggestedBinSize(double)}); with bin size 1 the data are treated as
 * independent.
 */
public final class Jackknife {
  private Jackknife() {}

  /**
   * Jackknife error of the mean of a series binned with {@code binSize}. For a mean the jackknife
   * reproduces the standard error of the bin means, sqrt(Σ(b_j − b̄)²/(M(M−1))), and the bias is
   * zero. The value is the mean of the binned samples (an incomplete last bin is dropped).
   *
   * @throws IllegalArgumentException if there are fewer than 2 complete bins
   */
  public static Estimate mean(double[] x, int binSize) {
    return derived(new double[][] {x}, binSize, means -> means[0]);
  }

  /**
   * Jackknife estimate of f(⟨A_1⟩, …, ⟨A_k⟩) from M bins.
   *
   * <p>With f_full = f(all bin means) and f_j = f(means without bin j), f̄ = mean of the f_j:
   * bias = (M − 1)(f̄ − f_full), which removes the O(1/M) bias of f_full exactly when the bias
   * is of that form (e.g. f = ⟨x²⟩ − ⟨x⟩² becomes the unbiased sample variance of the bin means'
   * population); error = sqrt((M − 1)/M · Σ_j (f_j − f̄)²).
   *
   * @param series k × N: row α is primary observable α in Monte Carlo time order
   * @param binSize consecutive samples per bin; the incomplete last bin is dropped
   * @param fOfMeans the derived quantity as a function of the k means
   * @return value = f_full − bias (bias corrected), error, bias
   * @throws IllegalArgumentException for ragged input, fewer than 2 complete bins, or a
   *     non-finite f
   */
  public static Estimate derived(
      double[][] series, int binSize, ToDoubleFunction<double[]> fOfMeans) {
    Checks.requireRectangular(series, 1);
    double[][] bins = Binning.binAll(series, binSize);
    int k = bins.length;
    int m = bins[0].length;
    if (m < 2) {
      throw new IllegalArgumentException(
          "jackknife needs at least 2 complete bins, got " + m + " (bin size " + binSize + ")");
    }
    double[] totals = new double[k];
    for (int alpha = 0; alpha < k; alpha++) {
      for (double b : bins[alpha]) {
        totals[alpha] += b;
      }
    }
    double[] fullMeans = new double[k];
    for (int alpha = 0; alpha < k; alpha++) {
      fullMeans[alpha] = totals[alpha] / m;
    }
    double full = Checks.requireFiniteResult(fOfMeans.applyAsDouble(fullMeans), "f at the means");

    double[] leaveOneOut = new double[m];
    double[] reducedMeans = new double[k];
    for (int j = 0; j < m; j++) {
      for (int alpha = 0; alpha < k; alpha++) {
        reducedMeans[alpha] = (totals[alpha] - bins[alpha][j]) / (m - 1);
      }
      leaveOneOut[j] =
          Checks.requireFiniteResult(
              fOfMeans.applyAsDouble(reducedMeans.clone()), "f at a jackknife sample");
    }
    return fromLeaveOneOut(full, leaveOneOut);
  }

  /** Combines f on the full sample and on each leave-one-out sample into an estimate. */
  static Estimate fromLeaveOneOut(double full, double[] leaveOneOut) {
    int m = leaveOneOut.length;
    double average = Checks.mean(leaveOneOut);
    double squares = 0;
    for (double f : leaveOneOut) {
      squares += (f - average) * (f - average);
    }
    double error = Math.sqrt((m - 1.0) / m * squares);
    double bias = (m - 1) * (average - full);
    return new Estimate(full - bias, error, bias);
  }
}
