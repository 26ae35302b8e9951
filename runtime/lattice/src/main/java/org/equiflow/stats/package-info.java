/**
 * Statistical analysis of Monte Carlo output: autocorrelation-aware error bars (Wolff's
 * Γ-method), binning, jackknife and bootstrap for derived quantities, and importance
 * reweighting of flow samples with an effective sample size.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li><b>Integrated autocorrelation time.</b> τ<sub>int</sub> = ½ + Σ<sub>t≥1</sub> ρ(t), so
 *       independent samples have τ<sub>int</sub> = ½ and the error of a mean of N correlated
 *       samples is σ = sqrt(2 τ<sub>int</sub> Γ(0) / N); 2τ<sub>int</sub> is the number of
 *       steps that count as one independent sample. (Some statistics texts use 2τ<sub>int</sub>
 *       under the same name; multiply by 2 to compare with them.)</li>
 *   <li><b>Errors</b> are one standard deviation of the estimator (not of the data), estimated
 *       from the same data. Every {@code error} field means that.</li>
 *   <li><b>Series layout.</b> A single observable is a {@code double[]} in Monte Carlo time order.
 *       Several primary observables measured on the same configurations are
 *       {@code double[k][N]}: row α is observable α, column i is configuration i. Derived
 *       quantities are functions of the k means, given as
 *       {@code ToDoubleFunction<double[]>} receiving an array of length k.</li>
 *   <li><b>Bins</b> are consecutive blocks in Monte Carlo time; an incomplete last block is
 *       dropped (see {@link org.equiflow.stats.Binning}). Resampling methods (jackknife,
 *       bootstrap) are only honest when bins are much longer than τ<sub>int</sub>; size them
 *       with {@link org.equiflow.stats.Binning#suggestedBinSize(double)} from a measured
 *       τ<sub>int</sub>.</li>
 *   <li><b>Bias.</b> {@link org.equiflow.stats.Estimate#bias()} is the estimated bias of the
 *       naive estimator f(means); whether {@code value} already has it removed is stated per
 *       method (jackknife: removed; bootstrap: reported only).</li>
 *   <li><b>Reweighting</b> works with log weights log w = −S(x) − log q(x); every sum of weights
 *       is taken relative to the largest weight, so log weights of any magnitude are safe.</li>
 *   <li>Invalid input (too few samples, NaN or infinite values, ragged arrays) raises
 *       {@link java.lang.IllegalArgumentException} with a message naming the problem.</li>
 * </ul>
 *
 * <p>Reference for the Γ-method: U. Wolff, "Monte Carlo errors with less errors",
 * Comput. Phys. Commun. 156 (2004) 143, hep-lat/0306017. Equation numbers in comments refer to
 * that paper.
 */
package org.equiflow.stats;
