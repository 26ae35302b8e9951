package org.equiflow.stats;

import java.util.SplittableRandom;

/** Seeded test series with exactly known statistics. */
final class Series {
  private Series() {}

  /**
   * Stationary AR(1): x_0 ~ N(0,1), x_t = ρ x_{t−1} + sqrt(1−ρ²) ε_t. Γ(0) = 1, ρ(t) = ρ^t,
   * τ_int = ½ (1+ρ)/(1−ρ), and N σ²(mean) → (1+ρ)/(1−ρ).
   */
  static double[] ar1(double rho, int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double innovation = Math.sqrt(1 - rho * rho);
    double[] x = new double[n];
    x[0] = random.nextGaussian();
    for (int t = 1; t < n; t++) {
      x[t] = rho * x[t - 1] + innovation * random.nextGaussian();
    }
    return x;
  }

  static double exactTauInt(double rho) {
    return 0.5 * (1 + rho) / (1 - rho);
  }

  static double[] normal(double mean, double sigma, int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = mean + sigma * random.nextGaussian();
    }
    return x;
  }

  static double[] squares(double[] x) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i] * x[i];
    }
    return y;
  }
}
