package org.equiflow.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.equiflow.stats.Estimate;

/**
 * What a correlation of ensembles measured: per observable, ⟨O⟩₁ on the input ensemble, ⟨O⟩₂
 * reweighted through the trained map f and through the identity (plain reweighting between the
 * couplings), and the correlated differences ⟨O⟩₂ − ⟨O⟩₁, all jackknifed over the same bins.
 *
 * @param count        configurations of the input ensemble
 * @param binSize      configurations per jackknife bin
 * @param ess          the ESS fraction (Σw)²/(N Σw²) of the trained map's weights
 * @param identityEss  the ESS fraction of the identity's weights
 * @param losses       the training loss E[S₂(f(U)) − log|det J| − S₁(U)] per step (empty for 0 steps)
 * @param runDirectory where the result was committed
 * @param reportDirectory the committed report: summary.md, index.html, correlation.csv
 */
public record CorrelationResult(List<Observable> observables, int count, int binSize, double ess, double identityEss, List<Double> losses,
                                Path runDirectory, Path reportDirectory) {
    /** One observable's estimates; "map" is the trained f (equal to the identity's for 0 steps). */
    public record Observable(String name, Estimate first, Estimate second, Estimate difference, Estimate identitySecond,
                             Estimate identityDifference) {}

    public CorrelationResult {
        observables = List.copyOf(observables);
        losses = List.copyOf(losses);
    }

    public Optional<Observable> observable(String name) {
        return observables.stream().filter(o -> o.name().equals(name)).findFirst();
    }
}
