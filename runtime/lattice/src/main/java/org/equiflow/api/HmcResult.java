package org.equiflow.api;

import java.util.List;
import org.equiflow.physics.Measurements;
import org.equiflow.physics.TrustChecks;

/**
 * What an HMC run measured.
 *
 * @param configs            the measured ensemble, chain-major: each chain's history is contiguous
 * @param samples            configurations measured, trajectories × chains
 * @param acceptance         accepted fraction of the measured trajectories
 * @param largestEnergyChange the largest |ΔH| of a measured trajectory (NaN when one blew up)
 * @param warnings           what to distrust in the estimates and why
 */
public record HmcResult(String theory, float[] configs, int samples, double acceptance, double largestEnergyChange,
                        Measurements.Report report, List<TrustChecks.Warning> warnings) {}
