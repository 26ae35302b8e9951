package org.equiflow.stats;

/**
 * Importance reweighting of independent samples x_i drawn from a flow density q to the target
 * e^{−S}/Z, with log weights log w_i = −S(x_i) − log q(x_i). The unknown normalizations of both
 * densities cancel in every quantity here, so log weights may carry any additive constant.
 *
 * <p>All sums of weights are taken relative to the largest weight (log-sum-exp), so log weights
 * of ±1000 or more neither overflow nor underflow to a division by zero.
 */
public final class Reweighting {
  private Reweighting() {}

  /**
   * Effective sample size fraction (Σw)² / (N Σw²), in (0, 1]: 1 for equal weights, 1/N when one
   * weight dominates all others.
   *
   * @throws IllegalArgumentException for an empty or non-finite array
   */
  public static double ess(double[] logWeights) {
    Checks.requireSamples(logWeights, 1, "log weights");
    double largest = max(logWeights);
    double sum = 0;
    double sumOfSquares = 0;
    for (double logWeight : logWeights) {
      double scaled = Math.exp(logWeight - largest); // in (0, 1], the largest is exactly 1
      sum += scaled;
      sumOfSquares += scaled * scaled;
    }
    return sum * sum / (logWeights.length * sumOfSquares);
  }

  /**
   * The delete-one jackknife error of {@link #ess}: √((N−1)/N Σ (ESS₋ᵢ − ESS₋)²) over the N
   * estimates that leave one proposal out (independent proposals; leave-one-out sums from prefix
   * and suffix sums, so a dominating weight does not cancel catastrophically). Like every error of a
   * weighted quantity it is only as trustworthy as the ESS itself: with N·ESS of order 1 it is not.
   *
   * @throws IllegalArgumentException for fewer than 2 samples or non-finite values
   */
  public static double essError(double[] logWeights) {
    Checks.requireSamples(logWeights, 2, "log weights");
    int n = logWeights.length;
    double largest = max(logWeights);
    double[] w = new double[n];
    for (int i = 0; i < n; i++) w[i] = Math.exp(logWeights[i] - largest);
    double[] prefix = new double[n + 1], prefixSquares = new double[n + 1];
    double[] suffix = new double[n + 1], suffixSquares = new double[n + 1];
    for (int i = 0; i < n; i++) {
      prefix[i + 1] = prefix[i] + w[i];
      prefixSquares[i + 1] = prefixSquares[i] + w[i] * w[i];
    }
    for (int i = n - 1; i >= 0; i--) {
      suffix[i] = suffix[i + 1] + w[i];
      suffixSquares[i] = suffixSquares[i + 1] + w[i] * w[i];
    }
    double[] leftOut = new double[n];
    double mean = 0;
    for (int i = 0; i < n; i++) {
      double sum = prefix[i] + suffix[i + 1], squares = prefixSquares[i] + suffixSquares[i + 1];
      leftOut[i] = squares > 0 ? sum * sum / ((n - 1) * squares) : 1;
      mean += leftOut[i] / n;
    }
    double variance = 0;
    for (double e : leftOut) variance += (e - mean) * (e - mean);
    return Math.sqrt(variance * (n - 1) / n);
  }

  /**
   * Reweighted expectation ⟨O⟩ = Σ w_i O_i / Σ w_i with a delete-one jackknife error. The
   * samples must be independent (flow samples are); for a Markov chain use bins instead.
   *
   * <p>The ratio estimator has an O(1/N) bias; the returned value is the jackknife bias-corrected
   * value and {@code bias} the estimated bias. Leave-one-out sums are built from prefix and
   * suffix sums rather than by subtracting w_i from the total, so they stay accurate when one
   * weight dominates. The error is only as good as the ESS: with ESS·N of order 1 it is not a
   * trustworthy error bar, whatever its size.
   *
   * @throws IllegalArgumentException for fewer than 2 samples, mismatched lengths, or non-finite
   *     values
   */
  public static Estimate estimate(double[] logWeights, double[] observable) {
    Checks.requireSamples(logWeights, 2, "log weights");
    Checks.requireFinite(observable, "observable");
    if (observable.length != logWeights.length) {
      throw new IllegalArgumentException(
          "log weights and observable differ in length: "
              + logWeights.length
              + " vs "
              + observable.length);
    }
    int n = logWeights.length;
    int largestAt = argmax(logWeights);
    double largest = logWeights[largestAt];
    double[] weights = new double[n];
    for (int i = 0; i < n; i++) {
      weights[i] = Math.exp(logWeights[i] - largest);
    }

    // prefix[i] = Σ_{j<i}, suffix[i] = Σ_{j≥i}, for the weights and for weight × observable.
    double[] prefixWeight = new double[n + 1];
    double[] prefixWeighted = new double[n + 1];
    for (int i = 0; i < n; i++) {
      prefixWeight[i + 1] = prefixWeight[i] + weights[i];
      prefixWeighted[i + 1] = prefixWeighted[i] + weights[i] * observable[i];
    }
    double[] suffixWeight = new double[n + 1];
    double[] suffixWeighted = new double[n + 1];
    for (int i = n - 1; i >= 0; i--) {
      suffixWeight[i] = suffixWeight[i + 1] + weights[i];
      suffixWeighted[i] = suffixWeighted[i + 1] + weights[i] * observable[i];
    }
    double full = prefixWeighted[n] / prefixWeight[n];

    double[] leaveOneOut = new double[n];
    for (int i = 0; i < n; i++) {
      if (i == largestAt) {
        continue;
      }
      // The largest weight (scaled to 1) stays in, so the denominator is at least 1.
      leaveOneOut[i] =
          (prefixWeighted[i] + suffixWeighted[i + 1]) / (prefixWeight[i] + suffixWeight[i + 1]);
    }
    leaveOneOut[largestAt] = ratioWithout(logWeights, observable, largestAt);
    return Jackknife.fromLeaveOneOut(full, leaveOneOut);
  }

  /**
   * Σ_{j≠skip} w_j O_j / Σ_{j≠skip} w_j rescaled by the largest remaining weight: without the
   * dominant sample the others may all underflow relative to it (log weights 1000 apart).
   */
  private static double ratioWithout(double[] logWeights, double[] observable, int skip) {
    double largest = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < logWeights.length; j++) {
      if (j != skip) {
        largest = Math.max(largest, logWeights[j]);
      }
    }
    double weightSum = 0;
    double weightedSum = 0;
    for (int j = 0; j < logWeights.length; j++) {
      if (j != skip) {
        double w = Math.exp(logWeights[j] - largest);
        weightSum += w;
        weightedSum += w * observable[j];
      }
    }
    return weightedSum / weightSum;
  }

  private static int argmax(double[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  private static double max(double[] values) {
    return values[argmax(values)];
  }
}
