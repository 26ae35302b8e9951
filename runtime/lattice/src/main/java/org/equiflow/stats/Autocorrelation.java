package org.equiflow.stats;

import java.util.function.ToDoubleFunction;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * U. Wolff's Γ-method ("Monte Carlo errors with less errors", Comput. Phys. Commun. 156 (2004)
 * 143): errors of means and of derived quantities of a single Monte Carlo chain, by summing the
 * autocorrelation function up to an automatically chosen window W.
 *
 * <p>Convention: τ_int = ½ for independent samples; σ = sqrt(2 τ_int Γ(0) / N).
 *
 * <p>Cost: O(N · W) — Γ(t) is evaluated only up to the chosen window, at most N/2.
 */
public final class Autocorrelation {
  /** Wolff's default S_τ = τ/τ_int guess for the windowing procedure (§3.3). */
  public static final double DEFAULT_S_TAU = 1.5;

  private Autocorrelation() {}

  /**
   * Result of a Γ-method analysis.
   *
   * @param mean the mean (for derived quantities: f at the means, without bias correction)
   * @param error one standard deviation of {@code mean}, sqrt(C_F(W)/N) after the bias
   *     correction of eq. (49); when that sum is not positive (strong anticorrelation), the
   *     conservative independent-sample error sqrt(Γ(0)/N) instead
   * @param tauInt integrated autocorrelation time at the chosen window, bias corrected;
   *     ½ for independent samples, below ½ for anticorrelated ones
   * @param tauIntError Madras–Sokal error of tauInt, eq. (42)
   * @param window the summation window W (0 for a constant series)
   * @param n number of samples
   */
  public record Analysis(
      double mean, double error, double tauInt, double tauIntError, int window, int n) {}

  /** {@link #gamma(double[], double)} with S_τ = 1.5. */
  public static Analysis gamma(double[] series) {
    return gamma(series, DEFAULT_S_TAU);
  }

  /**
   * Γ-method analysis of the mean of one observable.
   *
   * @param series the observable in Monte Carlo time order, at least 2 samples
   * @param sTau Wolff's S_τ: the assumed ratio τ_exp/τ_int; larger means longer windows (less
   *     truncation bias, more noise). 1.5 is the paper's default; use 2–5 for slow modes.
   * @throws IllegalArgumentException for fewer than 2 samples, non-finite values, or sTau ≤ 0
   */
  public static Analysis gamma(double[] series, double sTau) {
    Checks.requireSamples(series, 2, "series");
    requirePositiveSTau(sTau);
    if (Checks.isConstant(series)) {
      // Tested explicitly: the rounded mean of equal values can differ from them in the last
      // bit, which would fake tiny, perfectly correlated fluctuations.
      return new Analysis(series[0], 0, 0.5, 0, 0, series.length);
    }
    double mean = Checks.mean(series);
    double[] fluctuations = new double[series.length];
    for (int i = 0; i < series.length; i++) {
      fluctuations[i] = series[i] - mean;
    }
    return analyseFluctuations(mean, fluctuations, sTau);
  }

  /** {@link #gammaDerived(double[][], ToDoubleFunction, double)} with S_τ = 1.5. */
  public static Analysis gammaDerived(double[][] series, ToDoubleFunction<double[]> f) {
    return gammaDerived(series, f, DEFAULT_S_TAU);
  }

  /**
   * Γ-method analysis of a derived quantity F = f(A_1, …, A_k) of k primary observables
   * measured on the same configurations (Wolff §3.1–3.2).
   *
   * <p>The error is propagated linearly: the fluctuations are projected on the gradient of f at
   * the means, δ_F^i = Σ_α f_α (a_α^i − ā_α), whose autocorrelation function is Γ_F(t) =
   * Σ f_α f_β Γ_αβ(t) (eq. 33). The gradient is taken by central differences with steps
   * h_α = sqrt(Γ_αα(0)/N)/2, i.e. half the naive error of each mean, as in Wolff's UWerr: small
   * enough to resolve the linear regime where the error is meaningful, large enough to avoid
   * rounding. The returned mean is f(ā) without bias correction (the bias is O(1/N), below
   * the error for any reasonable N; use {@link Jackknife#derived} for a bias estimate).
   *
   * @param series k × N: row α holds observable α, at least 2 samples each
   * @param f the derived quantity as a function of the k means
   * @throws IllegalArgumentException for ragged or short input, or when f is not finite at or
   *     near the means
   */
  public static Analysis gammaDerived(
      double[][] series, ToDoubleFunction<double[]> f, double sTau) {
    int n = Checks.requireRectangular(series, 2);
    requirePositiveSTau(sTau);
    int k = series.length;
    double[] means = new double[k];
    for (int alpha = 0; alpha < k; alpha++) {
      means[alpha] = Checks.mean(series[alpha]);
    }
    double value = Checks.requireFiniteResult(f.applyAsDouble(means.clone()), "f at the means");

    double[] gradient = new double[k];
    for (int alpha = 0; alpha < k; alpha++) {
      if (Checks.isConstant(series[alpha])) {
        continue; // a constant observable does not fluctuate, so its derivative never matters
      }
      double variance = 0;
      for (double a : series[alpha]) {
        variance += (a - means[alpha]) * (a - means[alpha]);
      }
      variance /= n;
      double step = Math.sqrt(variance / n) / 2;
      double[] shifted = means.clone();
      shifted[alpha] = means[alpha] + step;
      double up = Checks.requireFiniteResult(f.applyAsDouble(shifted.clone()), "f near the means");
      shifted[alpha] = means[alpha] - step;
      double down =
          Checks.requireFiniteResult(f.applyAsDouble(shifted.clone()), "f near the means");
      gradient[alpha] = (up - down) / (2 * step);
    }

    double[] projected = new double[n];
    for (int alpha = 0; alpha < k; alpha++) {
      if (gradient[alpha] == 0) {
        continue;
      }
      double[] row = series[alpha];
      for (int i = 0; i < n; i++) {
        projected[i] += gradient[alpha] * (row[i] - means[alpha]);
      }
    }
    return analyseFluctuations(value, projected, sTau);
  }

  /**
   * Normalized autocorrelation function ρ(t) = Γ(t)/Γ(0) for t = 0..maxLag, with Γ(t) from
   * eq. (31) (normalized by N − t, no bias correction), for plots and reports. A constant
   * series gives ρ(0) = 1 and ρ(t) = 0 otherwise.
   *
   * @throws IllegalArgumentException for fewer than 2 samples or maxLag outside [0, N − 1]
   */
  public static double[] normalizedFunction(double[] series, int maxLag) {
    Checks.requireSamples(series, 2, "series");
    if (maxLag < 0 || maxLag >= series.length) {
      throw new IllegalArgumentException(
          "maxLag must be in [0, " + (series.length - 1) + "], got " + maxLag);
    }
    double[] rho = new double[maxLag + 1];
    rho[0] = 1;
    if (Checks.isConstant(series)) {
      return rho;
    }
    double mean = Checks.mean(series);
    double[] fluctuations = new double[series.length];
    for (int i = 0; i < series.length; i++) {
      fluctuations[i] = series[i] - mean;
    }
    var gamma = new Autocovariances(fluctuations);
    double gamma0 = gamma.at(0);
    for (int t = 1; t <= maxLag; t++) {
      rho[t] = gamma.at(t) / gamma0;
    }
    return rho;
  }

  /**
   * The windowing and error formulas, applied to fluctuations δ^i around the mean (for derived
   * quantities: the projected fluctuations).
   */
  private static Analysis analyseFluctuations(double value, double[] delta, double sTau) {
    int n = delta.length;
    var gamma = new Autocovariances(delta);
    double gamma0 = gamma.at(0);
    if (gamma0 == 0) {
      // A constant series has no error; τ_int = ½ is the value that keeps σ² = 2 τ_int Γ(0)/N.
      return new Analysis(value, 0, 0.5, 0, 0, n);
    }

    // Automatic windowing (§3.3, eqs. 50–52): assume ρ(t) ≈ exp(−t/τ) with τ = S_τ/ln((2τ_int+1)/
    // (2τ_int−1)), and stop at the first W where the truncation bias exp(−W/τ) falls below the
    // statistical error ~ sqrt(W/N) of the sum, i.e. where g(W) = exp(−W/τ) − τ/sqrt(W N) < 0.
    int maxWindow = n / 2;
    int window = maxWindow;
    double sumUpToWindow = gamma0; // C_F(W) = Γ(0) + 2 Σ_{t=1}^{W} Γ(t), eq. (35)
    for (int w = 1; w <= maxWindow; w++) {
      sumUpToWindow += 2 * gamma.at(w);
      double tauIntAtW = sumUpToWindow / (2 * gamma0);
      // τ_int ≤ ½ (no positive correlation left): τ → 0 makes g(W) < 0, so the window stops here.
      double tauAtW =
          tauIntAtW <= 0.5
              ? Double.MIN_NORMAL
              : sTau / Math.log((2 * tauIntAtW + 1) / (2 * tauIntAtW - 1));
      double g = Math.exp(-w / tauAtW) - tauAtW / Math.sqrt((double) w * n);
      if (g < 0) {
        window = w;
        break;
      }
    }
    // When no W satisfies the criterion the sum runs to N/2 (as UWerr does); the chain is then
    // too short for its autocorrelation and the error should not be trusted.

    // Bias correction, eq. (49): subtracting the sample mean lowers every Γ(t) by ≈ C_F/N.
    // Adding C_F/N to each Γ(t) gives C_F(W)(1 + (2W+1)/N) and a consistent Γ(0).
    double shift = sumUpToWindow / n;
    double correctedGamma0 = gamma0 + shift;
    double correctedSum = sumUpToWindow + (2 * window + 1) * shift;
    double tauInt = Math.max(0, correctedSum / (2 * correctedGamma0));
    // For strongly anticorrelated series (ρ(1) ≈ −½) the sum truncated at W = 1 can come out ≤ 0,
    // which would claim a zero or imaginary error. Fall back to the independent-sample error
    // sqrt(Γ(0)/N): for anticorrelated data (true τ_int < ½) it overestimates, never hides, the
    // error. τ_int is still reported as measured (clamped at 0).
    double error =
        correctedSum > 0 ? Math.sqrt(correctedSum / n) : Math.sqrt(correctedGamma0 / n);
    // Madras–Sokal, eq. (42): σ²(τ_int) ≈ (4/N)(W + ½ − τ_int) τ_int².
    double tauIntError = tauInt * Math.sqrt(Math.max(0, 4.0 / n * (window + 0.5 - tauInt)));
    return new Analysis(value, error, tauInt, tauIntError, window, n);
  }

  /**
   * Γ(t) of one series of fluctuations, t = 0, 1, …: the first {@link #DIRECT_LAGS} lags summed
   * directly (eq. 31), sixteen lags at a time ({@link #autocovariancesBlock}), every later one from one
   * FFT of the series (Wiener–Khinchin), computed the first time a window reaches past them. A series of
   * at least 4 · {@link #BLOCKED_LAGS} samples sums only {@link #DIRECT_LAGS_BEFORE_BLOCKS} lags directly,
   * and the next ones block by block ({@link #lagSumsInBlocks}). A
   * slowly decorrelating chain — a Metropolis chain of a poor flow, whose τ_int runs into the
   * hundreds — needs windows of thousands of lags, and summing each lag over N samples made the
   * Γ-method cost O(N·W): 54 % of a 65 536-proposal φ⁴ `sample` run. With the FFT it costs
   * O(N log N) however long the window, and chains whose window stays within the direct lags keep
   * the direct sums' exact bits.
   */
  static final class Autocovariances {
    /**
     * Lags summed directly. Sixteen at a time a lag costs a small fraction of one summed alone (whose
     * every addition waits for the one before), so 256 lags of 262 144 samples cost less than the
     * two transforms of the FFT that the later lags come from.
     */
    static final int DIRECT_LAGS = 256;
    /**
     * Lags summed directly where the series is long enough for {@link #BLOCKED_LAGS} lags block by block. The blocked
     * sums cost about as much as 256 direct lags (18 against 20 ms at N = 2²⁰), and a window that passes 64 lags
     * (τ_int above about 10) usually passes 256 too, where the direct lags were paid for on top of the blocked ones.
     * Sixty-four keep the direct bits for the windows of nearly independent series, and cost a quarter of 256.
     */
    static final int DIRECT_LAGS_BEFORE_BLOCKS = 64;
    private final double[] delta;
    /** Γ(t) for t ≤ {@link #directUpTo}, filled a block of lags at a time as windows reach them. */
    private final double[] direct;
    private int directUpTo = -1;
    /**
     * Lags summed block by block ({@link #lagSumsInBlocks}) where the series holds at least four blocks: the window
     * of a chain with τ_int in the hundreds ends within them, and their transforms stay in cache.
     */
    static final int BLOCKED_LAGS = 8192;
    /** Σ_i δ^i δ^{i+t} for t &lt; {@link #BLOCKED_LAGS}, block by block; null until a lag past the direct ones is asked for. */
    private double[] blockedSums;
    /** Σ_i δ^i δ^{i+t} for every t, from the FFT; null until a lag past the others is asked for. */
    private double[] lagSums;

    Autocovariances(double[] delta) {
      this.delta = delta;
      int directLags = delta.length >= 4 * BLOCKED_LAGS ? DIRECT_LAGS_BEFORE_BLOCKS : DIRECT_LAGS;
      this.direct = new double[Math.min(directLags, delta.length - 1) + 1];
    }

    /** Γ(t) = (1/(N−t)) Σ_i δ^i δ^{i+t}, for 0 ≤ t &lt; N. */
    double at(int lag) {
      if (lag < direct.length) {
        while (directUpTo < lag) {
          int first = directUpTo + 1;
          if (first + LAG_BLOCK - 1 < direct.length) {
            autocovariancesBlock(delta, first, direct);
            directUpTo = first + LAG_BLOCK - 1;
          } else {
            direct[first] = autocovariance(delta, first);
            directUpTo = first;
          }
        }
        return direct[lag];
      }
      if (lag < BLOCKED_LAGS && delta.length >= 4 * BLOCKED_LAGS) {
        if (blockedSums == null) blockedSums = lagSumsInBlocks(delta, BLOCKED_LAGS);
        return blockedSums[lag] / (delta.length - lag);
      }
      if (lagSums == null) lagSums = lagSumsByFft(delta);
      return lagSums[lag] / (delta.length - lag);
    }
  }

  /** Lags summed side by side by {@link #autocovariancesBlock}: four vectors of four float64 lanes. */
  static final int LAG_BLOCK = 16;

  private static final VectorSpecies<Double> FOUR_DOUBLES = DoubleVector.SPECIES_256;

  /**
   * Γ(t) for the {@link #LAG_BLOCK} lags {@code first} … {@code first + 15} into {@code gamma}: each
   * the sum {@link #autocovariance} forms, in its order, so with its bits. Lane k of the running
   * sums holds lag first + k: it adds δ^i δ^{i+first+k} for i = 0, 1, … as the one-lag loop does
   * (a product then a sum, never fused), and sixteen sums side by side keep the adder busy where one
   * sum waits for its previous addition. Needs {@code first + 15 < N}.
   */
  static void autocovariancesBlock(double[] delta, int first, double[] gamma) {
    int n = delta.length;
    int shared = n - (first + LAG_BLOCK - 1); // the pairs every lag of the block has
    var s0 = DoubleVector.zero(FOUR_DOUBLES);
    var s1 = s0;
    var s2 = s0;
    var s3 = s0;
    for (int i = 0; i < shared; i++) {
      var d = DoubleVector.broadcast(FOUR_DOUBLES, delta[i]);
      int j = i + first;
      s0 = s0.add(DoubleVector.fromArray(FOUR_DOUBLES, delta, j).mul(d));
      s1 = s1.add(DoubleVector.fromArray(FOUR_DOUBLES, delta, j + 4).mul(d));
      s2 = s2.add(DoubleVector.fromArray(FOUR_DOUBLES, delta, j + 8).mul(d));
      s3 = s3.add(DoubleVector.fromArray(FOUR_DOUBLES, delta, j + 12).mul(d));
    }
    double[] sums = new double[LAG_BLOCK];
    s0.intoArray(sums, 0);
    s1.intoArray(sums, 4);
    s2.intoArray(sums, 8);
    s3.intoArray(sums, 12);
    for (int k = 0; k < LAG_BLOCK; k++) {
      int lag = first + k, pairs = n - lag;
      double sum = sums[k];
      for (int i = shared; i < pairs; i++) {
        sum += delta[i] * delta[i + lag];
      }
      gamma[lag] = sum / pairs;
    }
  }

  /**
   * Σ_i δ^i δ^{i+t} for t = 0 … N−1: the inverse transform of the power spectrum of δ, zero-padded
   * to a power of two of at least 2N so that the circular correlation the FFT computes is the
   * linear one.
   */
  static double[] lagSumsByFft(double[] delta) {
    int n = delta.length;
    int m = Integer.highestOneBit(Math.max(2, 2 * n - 1));
    if (m < 2 * n - 1) m <<= 1;
    double[] padded = new double[m];
    System.arraycopy(delta, 0, padded, 0, n);
    double[][] spectrum = Fft.realForward(padded);
    // The power spectrum is real and even (P_{M−k} = P_k), so its transform is real and even too:
    // the forward real transform gives the correlation, as the inverse would.
    double[] power = new double[m];
    for (int k = 0; k <= m / 2; k++) {
      double p = spectrum[0][k] * spectrum[0][k] + spectrum[1][k] * spectrum[1][k];
      power[k] = p;
      if (k > 0 && k < m / 2) power[m - k] = p;
    }
    double[] correlation = Fft.realForward(power)[0];
    double[] sums = new double[n];
    for (int t = 0; t < n; t++) sums[t] = correlation[t] / m;
    return sums;
  }

  /**
   * Σ_i δ^i δ^{i+t} for t = 0 … B−1 (B = {@code block}, a power of two), from transforms of length 2B only. With
   * x_b the b-th block of B values zero-padded to 2B and s_b the 2B values from the block's start,
   * Σ_i δ^i δ^{i+t} = Σ_b Σ_{j<B} x_b(j) s_b(j + t), and no j + t reaches past 2B, so each term is the circular
   * correlation of x_b and s_b: the inverse transform of conj(X_b)·S_b. The sum over blocks is taken on the spectra,
   * so one inverse transform serves all of them, and S_b = X_b + (−1)^k X_{b+1} (the next block moved by B), so each
   * block is transformed once. N/B transforms of 2B values that stay in cache, against two of 2N that do not: for
   * the windows of a slow chain (thousands of lags) this is several times cheaper than {@link #lagSumsByFft}.
   */
  static double[] lagSumsInBlocks(double[] delta, int block) {
    if (Integer.bitCount(block) != 1) throw new IllegalArgumentException("block " + block + " is not a power of two");
    int n = delta.length, m = 2 * block, blocks = (n + block - 1) / block;
    double[] sumRe = new double[block + 1], sumIm = new double[block + 1];
    double[][] current = blockSpectrum(delta, 0, block);
    for (int b = 0; b < blocks; b++) {
      double[][] next = b + 1 < blocks ? blockSpectrum(delta, (b + 1) * block, block) : null;
      double[] xr = current[0], xi = current[1];
      for (int k = 0; k <= block; k++) {
        double sr = xr[k], si = xi[k];
        if (next != null) {
          double sign = (k & 1) == 0 ? 1 : -1;
          sr += sign * next[0][k];
          si += sign * next[1][k];
        }
        sumRe[k] += xr[k] * sr + xi[k] * si;
        sumIm[k] += xr[k] * si - xi[k] * sr;
      }
      current = next;
    }
    // The summed spectrum is Hermitian (real series): its other half mirrors this one, conjugated.
    double[] re = new double[m], im = new double[m];
    for (int k = 0; k <= block; k++) {
      re[k] = sumRe[k];
      im[k] = sumIm[k];
      if (k > 0 && k < block) {
        re[m - k] = sumRe[k];
        im[m - k] = -sumIm[k];
      }
    }
    Fft.transform(re, im, true);
    double[] sums = new double[block];
    for (int t = 0; t < block; t++) sums[t] = re[t] / m;
    return sums;
  }

  /** The transform (k = 0 … B) of the B values of δ from {@code start} (fewer at the end), zero-padded to 2B. */
  private static double[][] blockSpectrum(double[] delta, int start, int block) {
    double[] padded = new double[2 * block];
    System.arraycopy(delta, start, padded, 0, Math.min(block, delta.length - start));
    return Fft.realForward(padded);
  }

  /** Γ(t) = (1/(N−t)) Σ_{i} δ^i δ^{i+t}, eq. (31), for fluctuations δ around the mean. */
  static double autocovariance(double[] delta, int lag) {
    double sum = 0;
    int pairs = delta.length - lag;
    for (int i = 0; i < pairs; i++) {
      sum += delta[i] * delta[i + lag];
    }
    return sum / pairs;
  }

  private static void requirePositiveSTau(double sTau) {
    if (!(sTau > 0) || !Double.isFinite(sTau)) {
      throw new IllegalArgumentException("sTau must be positive and finite, got " + sTau);
    }
  }
}
