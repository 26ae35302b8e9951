package org.equiflow.physics;

import static org.equiflow.physics.Measurements.theoryObservables;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.physics.Measurements.ChainEstimator;
import org.equiflow.physics.Measurements.Estimator;
import org.equiflow.physics.Measurements.Report;
import org.equiflow.physics.Measurements.Result;
import org.equiflow.physics.Measurements.WeightedEstimator;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;

/**
 * SU(N) link fields ({@link org.equiflow.compiler.model.SuNLinkField}), stored as complex N×N
 * matrices per link in the packed layout [B, d·2N², L…]. HMC moves them on the group:
 *
 * <ul>
 *   <li>momenta π ∈ su(N) per link (traceless anti-Hermitian), stored in the same packed layout,
 *       Gaussian with density ∝ exp(−½‖π‖²), ‖π‖² = Re tr(π†π) = −tr π² — π = Σₐ ωₐ Xₐ with
 *       ωₐ ~ N(0, 1) over an orthonormal basis Xₐ of su(N) under ⟨A, B⟩ = Re tr(A†B), so that
 *       ⟨−tr π²⟩ = N² − 1 per link. The kinetic energy is Hmc's ½ Σ (packed components)² =
 *       −½ Σ_links tr π²;</li>
 *   <li>the drift U ← exp(ε π) U, with the exponential exact to float64 rounding
 *       ({@link SuNAlgebra#exp});</li>
 *   <li>the force from the compiler's gradient G = ∂S/∂Re U + i ∂S/∂Im U: along U̇ = πU,
 *       dS/dt = Re tr(G† π U) = ⟨G U†, π⟩, so energy conservation needs π̇ = −P(G U†), P the
 *       projection onto su(N).</li>
 * </ul>
 *
 * The built-in measurements, on 2D lattices, are those of U(1) links that have an SU(N) meaning,
 * under the same names: polyakov_loop (⟨|L|⟩ along axis 0, L = (1/L1) Σ_{x1} (1/N) tr of the
 * ordered product of U₀) and wilson_loops (⟨(1/N) Re tr W⟩ of the square loops up to half the
 * lattice), from {@link SuNGaugeObservables}. The theory's own observables (std.theories.su2 and
 * su3 declare plaquette_mean) are measured through the lowered IR, in any dimension.
 */
final class SuNLinkBehaviour implements FieldBehaviour {
    public String name() { return "sun_link"; }

    /** The identity on every link: the classical vacuum of the Wilson action. */
    @Override
    public Tensor coldStart(Shape shape) {
        Tensor u = Tensor.zeros(shape, DType.F64);
        Links links = new Links(shape);
        for (int link = 0; link < links.count(); link++) {
            for (int i = 0; i < links.n; i++) u.set(links.index(link, i * links.n + i, 0), 1);
        }
        return u;
    }

    @Override
    public Tensor momentum(Shape shape, SplittableRandom random) {
        Tensor p = Tensor.zeros(shape, DType.F64);
        Links links = new Links(shape);
        int n = links.n;
        double[] re = new double[n * n], im = new double[n * n];
        for (int link = 0; link < links.count(); link++) {
            for (int e = 0; e < n * n; e++) {
                re[e] = random.nextGaussian();
                im[e] = random.nextGaussian();
            }
            SuNAlgebra.projectToAlgebra(n, re, im);
            links.write(p, link, re, im);
        }
        return p;
    }

    /** N² − 1 algebra coordinates per link. */
    @Override
    public long momentumDegrees(Shape shape) {
        Links links = new Links(shape);
        return (long) links.count() / shape.batch() * (links.n * links.n - 1);
    }

    public void drift(Tensor x, Tensor p, double step) {
        Links links = new Links(x.shape());
        int n = links.n;
        double[] ar = new double[n * n], ai = new double[n * n], er = new double[n * n], ei = new double[n * n],
                ur = new double[n * n], ui = new double[n * n], vr = new double[n * n], vi = new double[n * n];
        for (int link = 0; link < links.count(); link++) {
            links.read(p, link, ar, ai);
            for (int e = 0; e < n * n; e++) {
                ar[e] *= step;
                ai[e] *= step;
            }
            SuNAlgebra.exp(n, ar, ai, er, ei);
            links.read(x, link, ur, ui);
            SuNAlgebra.multiply(n, er, ei, ur, ui, vr, vi);
            links.write(x, link, vr, vi);
        }
    }

    /** F = P(−G·U†) per link, with {@code negativeGradient} = −G in the packed layout. */
    @Override
    public Tensor force(Tensor field, Tensor negativeGradient) {
        Links links = new Links(field.shape());
        int n = links.n;
        double[] gr = new double[n * n], gi = new double[n * n], ur = new double[n * n], ui = new double[n * n],
                fr = new double[n * n], fi = new double[n * n];
        Tensor force = Tensor.zeros(field.shape(), DType.F64);
        for (int link = 0; link < links.count(); link++) {
            links.read(negativeGradient, link, gr, gi);
            links.read(field, link, ur, ui);
            SuNAlgebra.multiplyAdjoint(n, gr, gi, ur, ui, fr, fi);
            SuNAlgebra.projectToAlgebra(n, fr, fi);
            links.write(force, link, fr, fi);
        }
        return force;
    }

    public void accept(Tensor proposal, Tensor chain, int offset, int length) {
        for (int i = offset; i < offset + length; i++) chain.set(i, proposal.get(i));
    }

    public Report measure(TheoryInstance theory, Resolution names, float[] configs, int count, List<String> requested,
                          double[] logWeights) {
        int channels = (int) (theory.valuesPerConfiguration() / theory.lattice().volume());
        Estimator estimator = logWeights == null ? new ChainEstimator() : new WeightedEstimator(logWeights);
        List<Result> results = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        theoryObservables(theory, names, estimator, configs, count, channels, requested, results, notes);
        // The built-ins run on 2–4D lattices (Polyakov loop along axis 0, Wilson loops averaged over planes).
        boolean polyakov = requested.contains("polyakov_loop"), loops = requested.contains("wilson_loops");
        if (polyakov || loops) {
            var gauge = new SuNGaugeObservables(theory.lattice().sizes(), theory.field().n());
            int values = (int) theory.valuesPerConfiguration();
            // SuNGaugeObservables keeps no work arrays: one instance serves every thread
            if (polyakov) {
                double[] l = Measurements.eachConfiguration(configs, values, count, c -> gauge.polyakovLoopModulus(configs, c));
                results.add(estimator.primary("polyakov_loop", l));
            }
            if (loops) {
                results.addAll(Measurements.squareWilsonLoops(estimator, configs, values, count, gauge.largestLoop(),
                        (c, n) -> gauge.wilsonLoop(configs, c, n, n)));
            }
        }
        return new Report(results, null, List.of(), java.util.Map.of(), notes);
    }

    /**
     * The links of a batch of configurations [B, d·2N², L…]: link number (b·d + μ)·V + x, and
     * its entry e = iN + j's real or imaginary part in the packed channels.
     */
    private static final class Links {
        final int n, directions, sites, batch;

        Links(Shape shape) {
            this.directions = shape.lattice().length;
            int block = shape.channels() / directions;
            this.n = (int) Math.round(Math.sqrt(block / 2.0));
            if (2 * n * n * directions != shape.channels()) {
                throw new IllegalArgumentException(shape + " does not hold " + directions + " SU(N) links per site");
            }
            this.sites = shape.sites();
            this.batch = shape.batch();
        }

        int count() { return batch * directions * sites; }

        int index(int link, int entry, int part) {
            int x = link % sites, matrix = link / sites;  // matrix = b·d + μ
            int channel = matrix * 2 * n * n + 2 * entry + part;
            return channel * sites + x;
        }

        void read(Tensor t, int link, double[] re, double[] im) {
            for (int e = 0; e < n * n; e++) {
                re[e] = t.get(index(link, e, 0));
                im[e] = t.get(index(link, e, 1));
            }
        }

        void write(Tensor t, int link, double[] re, double[] im) {
            for (int e = 0; e < n * n; e++) {
                t.set(index(link, e, 0), re[e]);
                t.set(index(link, e, 1), im[e]);
            }
        }
    }
}
