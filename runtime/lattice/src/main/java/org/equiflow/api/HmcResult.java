package org.equiflow.api;

import java.nio.file.Path;
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
 * @param runDirectory       where the result was committed
 * @param ensemble           the committed ensemble array ({@code .npy}, with {@code .json} metadata beside)
 * @param reportDirectory    the committed report: tables, plots, profiles as CSV, trajectories.csv
 */
public record HmcResult(String theory, float[] configs, int samples, double acceptance, double largestEnergyChange,
                        Measurements.Report report, List<TrustChecks.Warning> warnings, Path runDirectory, Path ensemble,
                        Path reportDirectory) {
    /** The measured value of an observable ({@code susceptibility}), if it was measured. */
    public java.util.Optional<Measurements.Result> observable(String name) {
        return report.results().stream().filter(r -> r.name().equals(name)).findFirst();
    }
}
