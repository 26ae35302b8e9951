package org.equiflow.stats;

/**
 * A central value with its one-standard-deviation error and the estimated bias of the naive
 * estimator f(means).
 *
 * @param value the estimate; each producing method documents whether {@code bias} has already
 *     been subtracted from it
 * @param error one standard deviation of {@code value}
 * @param bias estimated bias of f(means) (zero for linear quantities such as a plain mean)
 */
public record Estimate(double value, double error, double bias) {}
