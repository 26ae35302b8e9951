package org.equiflow.stats;

/**
 * Block averages of a Monte Carlo series, and the rule for choosing the block length.
 *
 * <p>Binning turns a correlated series into (nearly) independent bin means only when bins are
 * much longer than the autocorrelation time. For flow Metropolis–Hastings chains this matters
 * more than usual: a run of k rejections repeats one configuration k times, so a bin that is
 * not much longer than the typical rejection run contains few distinct configurations and
 * resampling errors come out too small. Bins must therefore be sized from the measured τ_int,
 * not fixed in advance.
 */
public final class Binning {
  /** Bins are this many times τ_int long (see {@link #suggestedBinSize(double)}). */
  public static final double BIN_LENGTH_IN_TAU_INT = 5.0;

  private Binning() {}

  /**
   * Means of consecutive blocks of {@code binSize} samples. When N is not a multiple of
   * {@code binSize} the last N mod binSize samples are dropped, so every bin has equal weight
   * and the same variance (resampling methods assume both).
   *
   * @throws IllegalArgumentException if binSize &lt; 1, the series has a non-finite value, or
   *     there is not one complete bin
   */
  public static double[] bin(double[] x, int binSize) {
    Checks.requireFinite(x, "series");
    if (binSize < 1) {
      throw new IllegalArgumentException("bin size must be at least 1, got " + binSize);
    }
    int bins = x.length / binSize;
    if (bins < 1) {
      throw new IllegalArgumentException(
          "bin size " + binSize + " is longer than the series (" + x.length + " samples)");
    }
    double[] means = new double[bins];
    for (int b = 0; b < bins; b++) {
      double sum = 0;
      for (int i = b * binSize; i < (b + 1) * binSize; i++) {
        sum += x[i];
      }
      means[b] = sum / binSize;
    }
    return means;
  }

  /**
   * Bin length for resampling a series with integrated autocorrelation time {@code tauInt}
   * (convention τ_int = ½ for independent samples): ⌈5 τ_int⌉, and 1 when τ_int ≤ ½.
   *
   * <p>Why 5: for an exponentially decaying autocorrelation with τ_int ≫ 1, the variance of a bin
   * mean of length b is too small by a fraction ≈ τ_int / b (the neglected Σ t ρ(t) / b), so
   * b = 5 τ_int underestimates the error by about 10% and b = 10 τ_int by 5%. Series with
   * τ_int ≤ ½ (independent or anticorrelated) need no binning. Pass a τ_int measured on the same
   * chain (for example {@link Autocorrelation#gamma(double[])}), ideally its upper error bar.
   *
   * @throws IllegalArgumentException if tauInt is not finite or negative
   */
  public static int suggestedBinSize(double tauInt) {
    if (!Double.isFinite(tauInt) || tauInt < 0) {
      throw new IllegalArgumentException("tauInt must be finite and non-negative, got " + tauInt);
    }
    if (tauInt <= 0.5) {
      return 1;
    }
    double length = Math.ceil(BIN_LENGTH_IN_TAU_INT * tauInt);
    return length >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) length;
  }

  /** Bins each of k observables with the same block length. */
  static double[][] binAll(double[][] series, int binSize) {
    double[][] binned = new double[series.length][];
    for (int alpha = 0; alpha < series.length; alpha++) {
      binned[alpha] = bin(series[alpha], binSize);
    }
    return binned;
  }
}
