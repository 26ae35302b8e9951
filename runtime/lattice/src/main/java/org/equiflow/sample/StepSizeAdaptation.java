package org.equiflow.sample;

/**
 * Tunes an HMC step size ε to a target acceptance by dual averaging (Hoffman and Gelman, "The
 * No-U-Turn Sampler", JMLR 15 (2014), Algorithm 5): after trajectory t with acceptance
 * probability α_t = min(1, e^{−ΔH}),
 * <pre>
 *   H̄_t     = (1 − 1/(t + t₀)) H̄_{t−1} + (δ − α_t)/(t + t₀)
 *   log ε_t = μ − √t/γ · H̄_t
 *   log ε̄_t = t^{−κ} log ε_t + (1 − t^{−κ}) log ε̄_{t−1}
 * </pre>
 * with μ = log(10 ε₀) (the scheme favours steps larger than the start, which are cheaper), γ =
 * 0.05, t₀ = 10, κ = 0.75, the paper's constants. The next trajectory integrates with ε_t
 * ({@link #current}); ε̄_t ({@link #tuned}) is the step to freeze when tuning ends, since ε_t
 * itself keeps jumping with every trajectory while ε̄_t settles. Adapting the kernel as the chain
 * runs breaks detailed balance, so a sampler adapts during thermalization only and keeps a chain
 * made with ε̄ alone. Pure: no random numbers, no trajectories; any HMC can drive it.
 */
public final class StepSizeAdaptation {
    /** How hard log ε is pulled back towards μ. */
    static final double GAMMA = 0.05;
    /** Damps the first iterations, whose acceptances say little. */
    static final double T0 = 10;
    /** How fast the averaged step forgets early iterates: weight t^{−κ} on the newest. */
    static final double KAPPA = 0.75;

    private final double target;
    private final double initialStepSize;
    private final double mu;
    private double averagedError;      // H̄_t
    private double logStepSize;        // log ε_t
    private double logAveragedStepSize; // log ε̄_t
    private int iterations;

    /**
     * Starts at {@code initialStepSize} (> 0), aiming the mean acceptance probability at
     * {@code targetAcceptance}, in (0, 1).
     */
    public StepSizeAdaptation(double initialStepSize, double targetAcceptance) {
        if (!(initialStepSize > 0) || !Double.isFinite(initialStepSize)) {
            throw new IllegalArgumentException("the initial step size must be a finite number > 0, got " + initialStepSize);
        }
        if (!(targetAcceptance > 0 && targetAcceptance < 1)) {
            throw new IllegalArgumentException("the target acceptance must lie in (0, 1), got " + targetAcceptance);
        }
        this.target = targetAcceptance;
        this.initialStepSize = initialStepSize;
        this.mu = Math.log(10 * initialStepSize);
        this.logStepSize = Math.log(initialStepSize);
        this.logAveragedStepSize = 0; // ε̄₀ = 1, as in the paper; its weight is 1 − 1^{−κ} = 0 at the first update
    }

    /**
     * Takes the acceptance probability min(1, e^{−ΔH}) of the trajectory just integrated with
     * {@link #current}. A trajectory that blew up (ΔH NaN, so NaN here) counts as probability 0:
     * its step was too large.
     */
    public void update(double acceptanceProbability) {
        double alpha = Double.isNaN(acceptanceProbability) ? 0 : Math.clamp(acceptanceProbability, 0.0, 1.0);
        iterations++;
        double t = iterations;
        double weight = 1 / (t + T0);
        averagedError = (1 - weight) * averagedError + weight * (target - alpha);
        logStepSize = mu - Math.sqrt(t) / GAMMA * averagedError;
        double eta = Math.pow(t, -KAPPA);
        logAveragedStepSize = eta * logStepSize + (1 - eta) * logAveragedStepSize;
    }

    /** ε_t: the step size of the next trajectory while tuning. */
    public double current() { return Math.exp(logStepSize); }

    /** ε̄_t: the step size to keep once tuning ends; the initial one before any update. */
    public double tuned() { return iterations == 0 ? initialStepSize : Math.exp(logAveragedStepSize); }

    /** The acceptance probability it tunes to. */
    public double target() { return target; }

    /** Trajectories taken into account. */
    public int iterations() { return iterations; }

    /** min(1, e^{−ΔH}), with a NaN ΔH (a blown-up trajectory) as 0. */
    public static double acceptanceProbability(double energyChange) {
        if (Double.isNaN(energyChange)) return 0;
        return energyChange <= 0 ? 1 : Math.exp(-energyChange);
    }
}
