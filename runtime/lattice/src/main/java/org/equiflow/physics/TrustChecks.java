package org.equiflow.physics;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.equiflow.compiler.check.ActionSymmetry;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.model.Parity;
import org.equiflow.compiler.model.TheoryInstance;

/**
 * Warnings for results whose statistics cannot be trusted although every number looks finite:
 * each says what happened and what to do. The thresholds are deliberately far from healthy
 * runs (docs/physics-checks.md, "When statistics cannot be trusted"), so a warning means
 * something is wrong, not that a run is merely short.
 */
public final class TrustChecks {
    private TrustChecks() {}

    /** One warning: what happened (and why that makes the numbers wrong), and what to do. */
    public record Warning(String what, String help) {}

    /** Which sampler produced the measurements: the advice differs. */
    public enum Sampler { FLOW_METROPOLIS, FLOW_REWEIGHTING, HMC, FLOW_HMC }

    /**
     * An observable odd under a declared symmetry whose estimate is further than this many
     * standard errors from its exact value 0. A correct Gaussian estimate lies beyond 5σ once
     * in 1.7 million; an estimate there means the sampler missed a mode.
     */
    public static final double SYMMETRY_PULL = 5;

    /**
     * The fewest samples per τ_int for an error bar to be believed: τ_int &gt; N/50 leaves fewer
     * than 25 independent samples, where the Γ-method's window and τ_int are themselves too
     * noisy (its relative error on τ_int grows like sqrt(W/N)) and errors are usually too small.
     */
    public static final double SAMPLES_PER_TAU = 50;

    /** Acceptance below which a chain (flow Metropolis or HMC) is essentially stuck. */
    public static final double ACCEPTANCE_FLOOR = 0.01;

    /** The fewest effective samples (ESS × N) of importance weights before estimates rest on a handful of configurations. */
    public static final double MIN_EFFECTIVE_SAMPLES = 10;

    /** |ΔH| below which no HMC trajectory moved the field (a zero, or vanishing, step size). */
    public static final double STILL_ENERGY_CHANGE = 1e-9;

    /**
     * Observables of the theory that are odd under a declared {@code z2} whose estimate is far
     * from zero. On a finite lattice the symmetry is exact, so their expectation value is 0; a
     * nonzero estimate means the samples cover one of the mirrored modes only.
     */
    public static List<Warning> oddObservables(TheoryInstance theory, Resolution names, List<Measurements.Result> results,
                                               Sampler sampler) {
        List<Warning> warnings = new ArrayList<>();
        for (TheoryInstance.Symmetry symmetry : theory.symmetries()) {
            if (!symmetry.name().equals("z2")) continue;
            for (TheoryInstance.Observable o : theory.observables()) {
                if (ActionSymmetry.parityOf(o.expr(), symmetry.field(), names) != Parity.ODD) continue;
                for (Measurements.Result r : results) {
                    if (!r.name().equals(o.name()) || !Double.isFinite(r.value())) continue;
                    boolean far = r.error() > 0 ? Math.abs(r.value()) > SYMMETRY_PULL * r.error() : r.value() != 0;
                    if (!far) continue;
                    String pull = r.error() > 0 ? String.format("%.0fσ", Math.abs(r.value()) / r.error()) : "with zero error";
                    warnings.add(new Warning(String.format(
                            "`%s` = %.4g ± %.2g is %s from 0, but it is odd under `z2: %s -> -%s`, which theory `%s` declares, so its exact "
                                    + "value on a finite lattice is 0: the samples cover only one of the mirrored modes",
                            r.name(), r.value(), r.error(), pull, symmetry.field(), symmetry.field(), theory.name()),
                            switch (sampler) {
                                case HMC -> "HMC has not tunnelled between the modes: run many more trajectories, or measure "
                                        + "|m| (`abs_magnetization`) and even observables, which do not need tunnelling";
                                case FLOW_HMC -> "flow-HMC has not tunnelled between the modes: run a longer chain (`count`), train the "
                                        + "flow further (a flow that covers both modes lets the chain cross through its latent space), or "
                                        + "measure |m| (`abs_magnetization`) and even observables";
                                case FLOW_METROPOLIS, FLOW_REWEIGHTING -> "the flow has collapsed onto one mode: add `symmetrize z2` "
                                        + "to the flow (or make it `equivariant z2`), train longer, and compare with `equiflow hmc`";
                            }));
                }
            }
        }
        return warnings;
    }

    /**
     * The result with the largest τ_int, when it exceeds N / {@link #SAMPLES_PER_TAU}: then the
     * error bars of every observable of the chain are unreliable. {@code samples} is the number of
     * measured configurations N the Γ-method saw.
     */
    public static List<Warning> autocorrelation(List<Measurements.Result> results, int samples, Sampler sampler) {
        Measurements.Result worst = null;
        for (Measurements.Result r : results) {
            if (Double.isFinite(r.tauInt()) && (worst == null || r.tauInt() > worst.tauInt())) worst = r;
        }
        if (worst == null || worst.tauInt() <= samples / SAMPLES_PER_TAU) return List.of();
        return List.of(new Warning(String.format(
                "τ_int of `%s` is %.3g for %d samples (N/τ_int = %.1f, fewer than %.0f): there are too few independent samples "
                        + "for the autocorrelation window to be found, and the error bars are unreliable, most likely too small",
                worst.name(), worst.tauInt(), samples, samples / worst.tauInt(), SAMPLES_PER_TAU),
                switch (sampler) {
                    case HMC -> String.format("run at least %.0f τ_int of trajectories (`trajectories`, --trajectories); a larger "
                            + "step_size × md_steps also lowers τ_int", SAMPLES_PER_TAU);
                    case FLOW_HMC -> String.format("sample a longer chain (`count`, --count), at least %.0f τ_int; a larger "
                            + "step_size × md_steps or a better-trained flow lowers τ_int", SAMPLES_PER_TAU);
                    case FLOW_METROPOLIS, FLOW_REWEIGHTING -> String.format("sample a longer chain (`count`, --count), at least %.0f "
                            + "τ_int; training the flow longer raises the acceptance and lowers τ_int", SAMPLES_PER_TAU);
                }));
    }

    /**
     * A flow sampler at its floors: a Metropolis acceptance below {@link #ACCEPTANCE_FLOOR}
     * ({@code acceptance} NaN for reweighting), or importance weights whose effective number of
     * samples ESS × N is below {@link #MIN_EFFECTIVE_SAMPLES}.
     */
    public static List<Warning> flowSampler(double acceptance, double essFraction, int proposals) {
        List<Warning> warnings = new ArrayList<>();
        String train = "train the flow longer (more `steps`, a larger `batch`) or make it more expressive; check the training "
                + "log's ESS before sampling";
        if (Double.isFinite(acceptance) && acceptance < ACCEPTANCE_FLOOR) {
            warnings.add(new Warning(String.format("independence Metropolis accepted %.1f%% of %d proposals: the chain sits on a "
                    + "handful of states, so its estimates and error bars mean little", 100 * acceptance, proposals), train));
        }
        double effective = essFraction * proposals;
        if (!(effective >= MIN_EFFECTIVE_SAMPLES)) {
            warnings.add(new Warning(String.format("the proposals' effective sample size is %.3g of %d (ESS %.2g): a few proposals "
                    + "carry almost all the weight, so the estimates rest on a handful of configurations", effective, proposals,
                    essFraction), train));
        }
        return warnings;
    }

    /**
     * HMC that never moves (every |ΔH| below {@link #STILL_ENERGY_CHANGE}: the chains stay where
     * they started) or never accepts (acceptance below {@link #ACCEPTANCE_FLOOR}).
     * {@code largestEnergyChange} is the largest |ΔH| over the measured trajectories (NaN or ∞
     * when some integration blew up).
     */
    public static List<Warning> hmc(double acceptance, double largestEnergyChange, double stepSize, int mdSteps) {
        List<Warning> warnings = new ArrayList<>();
        if (largestEnergyChange <= STILL_ENERGY_CHANGE && acceptance > 1 - ACCEPTANCE_FLOOR) {
            warnings.add(new Warning(String.format("HMC accepted every trajectory with |ΔH| at most %.2g (step %.3g × %d): the trajectories "
                    + "do not move the field, so every chain stays at its start and the results describe the start, not the theory",
                    largestEnergyChange, stepSize, mdSteps),
                    "give a step size that moves the field: `step_size` 0.1 with `md_steps` 10 is a usual start; tune for an "
                            + "acceptance of 60–90%"));
        }
        if (acceptance < ACCEPTANCE_FLOOR) {
            warnings.add(new Warning(String.format("HMC accepted %.1f%% of its trajectories (step %.3g × %d): ΔH is too large, so the "
                    + "chains hardly move and the results describe the start, not the theory", 100 * acceptance, stepSize, mdSteps),
                    "lower `step_size` (--step-size) and raise `md_steps` to keep the trajectory length, until the acceptance is "
                            + "60–90%; `integrator omelyan` allows larger steps"));
        }
        return warnings;
    }

    /**
     * The action falls without bound along the trained flow's samples ({@link ActionBounds#unboundedAlong}): the reverse-KL
     * loss has no minimum, and its falling values are the flow running away, not learning.
     */
    public static Warning unboundedAction(TheoryInstance theory, String why) {
        return new Warning("the action of `" + theory.name() + "` is unbounded below " + why + ": e^(-S) cannot be normalised, so "
                + "reverse-KL training has no minimum (its loss only falls as the flow runs off to ever larger fields) and there is "
                + "nothing to sample",
                UNBOUNDED_ACTION_HELP);
    }

    /** What to do about an action unbounded below, whether it is refused up front or found along a trained flow's samples. */
    public static final String UNBOUNDED_ACTION_HELP = "check the signs of the couplings: the highest power of the field needs a positive "
            + "coefficient (for phi4: lambda > 0, or lambda = 0 with m2 > 0)";

    /** Every check that applies to a flow's samples: odd observables, autocorrelation (chains only), acceptance and ESS. */
    public static List<Warning> forFlowSamples(TheoryInstance theory, Resolution names, Measurements.Report report, double acceptance,
                                               double essFraction, int count, boolean weighted) {
        Sampler sampler = weighted ? Sampler.FLOW_REWEIGHTING : Sampler.FLOW_METROPOLIS;
        List<Warning> warnings = new ArrayList<>(oddObservables(theory, names, report.results(), sampler));
        warnings.addAll(autocorrelation(report.results(), count, sampler));
        warnings.addAll(flowSampler(weighted ? Double.NaN : acceptance, essFraction, count));
        return warnings;
    }

    /** Every check that applies to an HMC run: odd observables, autocorrelation, and the trajectories themselves. */
    public static List<Warning> forHmc(TheoryInstance theory, Resolution names, Measurements.Report report, int samples,
                                       double acceptance, double largestEnergyChange, double stepSize, int mdSteps) {
        List<Warning> warnings = new ArrayList<>(oddObservables(theory, names, report.results(), Sampler.HMC));
        warnings.addAll(autocorrelation(report.results(), samples, Sampler.HMC));
        warnings.addAll(hmc(acceptance, largestEnergyChange, stepSize, mdSteps));
        return warnings;
    }

    /**
     * Every check that applies to flow-HMC ({@code method flow_hmc}): odd observables,
     * autocorrelation, and its trajectories as HMC's. The flow's ESS is no warning here: the
     * chain is exact through any bijective flow, and a poor flow only makes it slower.
     */
    public static List<Warning> forFlowHmc(TheoryInstance theory, Resolution names, Measurements.Report report, int samples,
                                           double acceptance, double largestEnergyChange, double stepSize, int mdSteps) {
        List<Warning> warnings = new ArrayList<>(oddObservables(theory, names, report.results(), Sampler.FLOW_HMC));
        warnings.addAll(autocorrelation(report.results(), samples, Sampler.FLOW_HMC));
        warnings.addAll(hmc(acceptance, largestEnergyChange, stepSize, mdSteps));
        return warnings;
    }

    /** Prints each warning as a `warning:` line and a `help:` line (on the error stream). */
    public static void print(List<Warning> warnings, PrintWriter err) {
        for (Warning w : warnings) {
            err.println("warning: " + w.what());
            err.println("   help: " + w.help());
        }
        err.flush();
    }
}
