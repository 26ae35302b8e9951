package org.equiflow.stats;

/** Input validation shared by the estimators, so every method fails with the same wording. */
final class Checks {
  private Checks() {}

  static void requireFinite(double[] series, String what) {
    if (series == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    for (int i = 0; i < series.length; i++) {
      if (!Double.isFinite(series[i])) {
        throw new IllegalArgumentException(
            what + " has a non-finite value " + series[i] + " at index " + i);
      }
    }
  }

  static void requireSamples(double[] series, int minimum, String what) {
    requireFinite(series, what);
    if (series.length < minimum) {
      throw new IllegalArgumentException(
          what + " needs at least " + minimum + " samples, got " + series.length);
    }
  }

  /** Checks a k × N table of primary observables and returns N. */
  static int requireRectangular(double[][] series, int minimumSamples) {
    if (series == null || series.length == 0) {
      throw new IllegalArgumentException("need at least one primary observable (series is empty)");
    }
    int n = -1;
    for (int alpha = 0; alpha < series.length; alpha++) {
      requireFinite(series[alpha], "observable " + alpha);
      if (n < 0) {
        n = series[alpha].length;
      } else if (series[alpha].length != n) {
        throw new IllegalArgumentException(
            "observables must have equal length: observable 0 has "
                + n
                + " samples, observable "
                + alpha
                + " has "
                + series[alpha].length);
      }
    }
    if (n < minimumSamples) {
      throw new IllegalArgumentException(
          "need at least " + minimumSamples + " samples per observable, got " + n);
    }
    return n;
  }

  static double mean(double[] x) {
    double sum = 0;
    for (double v : x) {
      sum += v;
    }
    return sum / x.length;
  }

  static boolean isConstant(double[] x) {
    for (double v : x) {
      if (v != x[0]) {
        return false;
      }
    }
    return true;
  }

  static double requireFiniteResult(double value, String what) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(what + " returned a non-finite value " + value);
    }
    return value;
  }
}
