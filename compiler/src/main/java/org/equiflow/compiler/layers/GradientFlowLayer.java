package org.equiflow.compiler.layers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.equiflow.compiler.ir.FunctionBuilder;
import org.equiflow.compiler.ir.IrType;
import org.equiflow.compiler.ir.LoweringException;
import org.equiflow.compiler.ir.Op;
import org.equiflow.compiler.model.FlowTerm;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.LayerSpec;
import org.equiflow.compiler.model.LoopShape;
import org.equiflow.compiler.model.NetSpec;
import org.equiflow.compiler.symmetry.Finding;
import org.equiflow.compiler.symmetry.FlowSymmetry;
import org.equiflow.compiler.symmetry.Judgement;
import org.equiflow.compiler.symmetry.Status;

/**
 * The learned gradient flow of Bacchio, Kessel, Schaefer and Vaitl (arXiv:2212.08469) on U(1) and
 * SU(N) links: dU/dt = Z_t(U)·U for t ∈ [0, 1], Z_t = −∂S̃_t with the left Lie derivative
 * (generators Tᵃ, tr TᵃTᵇ = −½δᵃᵇ), and the flow action S̃_t = Σᵢ cᵢ(t) Σ_W Re tr W over every
 * position and lattice rotation/reflection of term i ({@link FlowTerm#orbit}): a loop, or a
 * product of the traces of two loops.
 *
 * <p><b>Force.</b> Each loop W is run in both orientations; at every link U it passes forwards,
 * Re tr W = Re tr(U·S) with S the staple (the rest of the loop). With M_μ(x) = U_μ(x)·Σᵢ cᵢ Σ S
 * (the weighted staple sum), ∂ᵃ S̃ = Re tr(Tᵃ M) and so Z_μ = −Σₐ Tᵃ Re tr(Tᵃ M_μ) = ½·TA(M_μ),
 * TA the traceless anti-Hermitian part. For U(1), links are angles θ and M = e^{iθ}·Σ c·(staple),
 * so dθ/dt = Im M; this is computed from each loop's angle φ as Σ c·σ·sin φ, σ = ±1 the
 * direction the loop runs along the link.
 *
 * <p><b>Log-det.</b> d/dt log|det ∂U_t/∂U_0| = div Z = −ΔS̃ (the generators are divergence-free for
 * the Haar measure). A loop that passes each of its links once has Δ Re tr W = −C_F·|W|·Re tr W
 * (C_F = (N²−1)/2N; for U(1), with ∂ = ∂/∂θ, C = 1), and since each link of W is passed forwards
 * in exactly one orientation, Σ_μ Σ_x Re tr M_μ(x) = Σᵢ cᵢ |Wᵢ| Σ_W Re tr W: div Z = C_F·Σ Re tr M,
 * read off the matrices the force needs anyway. Other terms — loops that pass a link twice, and
 * products of traces ({@link org.equiflow.compiler.model.TraceProduct}), whose force weighs each
 * factor's staples by the other factor's trace — get the general Laplacian of {@link Links#laplacian}:
 * by the completeness relation each pair of passes of one link becomes the traces of the loop cut
 * in two there, or of two loops merged there, which the layer evaluates as well.
 * The log-det is integrated by the same Runge–Kutta weights as the flow, so it is the discrete
 * map's exactly only up to the integrator's error (O(ε³) per unit time for cg3); the numerical
 * Jacobian test holds it to that.
 *
 * <p><b>Integrators.</b> Crouch–Grossmann methods: stage j at Y_j = exp(εa_{j,j−1}Z_{j−1})⋯exp(εa_{j,1}Z_1)U,
 * the step U′ = exp(εb_s Z_s)⋯exp(εb_1 Z_1)U, products of exponentials so U stays on the group to
 * rounding. For U(1) the exponentials commute and the step is the Runge–Kutta step on the angles.
 *
 * <p><b>Gradients.</b> Unrolled reverse mode with a checkpoint per step: the integration is
 * lowered step by step into IR, so the tape differentiates it like any layer, and each step is a
 * checkpointed segment ({@link Op.Checkpoint}): the tape keeps the links between steps, and the
 * backward pass recomputes one step's intermediates at a time. Memory is then the checkpoints
 * plus one step (not steps × stages force evaluations), for one more forward evaluation per step.
 * Reverse mode gives the exact gradient of the discrete map that is actually sampled, which is
 * what the loss needs; an adjoint integration would give that of the continuous flow only to the
 * integrator's accuracy, and needs the second derivatives of the loops along the backward path.
 *
 * <p><b>Inverse.</b> Integrating backwards undoes the map only to the integrator's accuracy, so
 * the runtime does not use it as the layer's inverse ({@link #noInverse}); {@link #backward} lowers
 * it for the law test.
 */
public final class GradientFlowLayer implements CouplingLayer<LayerSpec.GradientFlow> {

    /** A Crouch–Grossmann tableau: stage coefficients a (strictly lower triangular), weights b, stage times c. */
    record Tableau(double[][] a, double[] b) {
        double c(int stage) {
            double sum = 0;
            for (double v : a[stage]) sum += v;
            return sum;
        }

        static Tableau of(String integrator) {
            return switch (integrator) {
                case "euler" -> new Tableau(new double[][] {{}}, new double[] {1});
                // the midpoint method: second order as a Crouch–Grossmann method too
                case "cg2" -> new Tableau(new double[][] {{}, {0.5}}, new double[] {0, 1});
                // Crouch and Grossmann's third-order method (issue 20's tableau)
                case "cg3" -> new Tableau(new double[][] {{}, {3.0 / 4}, {119.0 / 216, 17.0 / 108}},
                        new double[] {13.0 / 51, -2.0 / 3, 24.0 / 17});
                default -> throw new IllegalArgumentException("no integrator " + integrator);
            };
        }
    }

    /** The integrators of the language, for check's help. */
    public static final List<String> INTEGRATORS = List.of("euler", "cg2", "cg3");

    @Override
    public String name() { return "gradient_flow"; }

    @Override
    public Class<LayerSpec.GradientFlow> spec() { return LayerSpec.GradientFlow.class; }

    @Override
    public String describe(LayerSpec.GradientFlow p) { return org.equiflow.compiler.model.Printer.gradientFlow(p); }

    @Override
    public List<NetSpec> nets(LayerSpec.GradientFlow p) { return List.of(); }

    // ---- lowering -------------------------------------------------------------------------------

    @Override
    public Lowered forward(FunctionBuilder b, int links, LayerSpec.GradientFlow p, Lattice lattice, int index) {
        return integrate(b, links, p, lattice, index, false);
    }

    @Override
    public String noInverse(LayerSpec.GradientFlow layer) {
        return "`gradient_flow` is inverted by integrating backwards, which undoes it only to the integrator's accuracy, not exactly";
    }

    @Override
    public Lowered inverse(FunctionBuilder b, int field, LayerSpec.GradientFlow layer, Lattice lattice, int index) {
        throw new IllegalStateException(noInverse(layer));
    }

    /**
     * What reverse mode holds at once, per site: the checkpoints between the steps, what each step
     * passes on, and the batched intermediates of the widest step while its backward pass
     * recomputes it.
     */
    @Override
    public long tapedValuesPerSite(LayerSpec.GradientFlow layer, Lattice lattice, int fieldChannels) {
        var b = new FunctionBuilder("estimate");
        int links = b.input("links", IrType.field(fieldChannels, lattice.sizes()));
        forward(b, links, layer, lattice, 0);
        long kept = 0, segment = 0, widest = 0;
        for (Op op : b.build().ops()) {
            if (!op.type().batched() || op.type().rank() <= 1) continue;
            if (op instanceof Op.Checkpoint) {
                kept += op.type().channels();
                widest = Math.max(widest, segment);
                segment = 0;
            } else {
                segment += op.type().channels();
            }
        }
        return kept + Math.max(widest, segment);
    }

    /** The flow integrated from t = 1 back to t = 0 with the same steps and integrator, and its log-det. */
    public static Lowered backward(FunctionBuilder b, int links, LayerSpec.GradientFlow p, Lattice lattice, int index) {
        return integrate(b, links, p, lattice, index, true);
    }

    /** The link field's group: U(1) angles (n = 1, one channel per direction) or packed SU(N) matrices. */
    private record Group(boolean abelian, int n, int dimensions) {
        int block() { return abelian ? 1 : 2 * n * n; }

        /** The Casimir of the Laplacian identity: C_F = (N²−1)/2N, and 1 for U(1) with ∂ = ∂/∂θ. */
        double casimir() { return org.equiflow.compiler.model.FieldSpec.casimir(abelian, n); }

        static Group of(FunctionBuilder b, int links, Lattice lattice, LayerSpec.GradientFlow p) {
            int d = lattice.dimensions(), channels = b.type(links).channels();
            if (channels == d) return new Group(true, 1, d);
            int n = (int) Math.round(Math.sqrt(channels / (2.0 * d)));
            if (n >= 2 && channels == 2 * n * n * d) return new Group(false, n, d);
            throw new LoweringException("`gradient_flow` updates U(1) or SU(N) link fields, and this field has " + channels + " channels",
                    p.span(), "use it in a flow for a `U(1) on links` or `SU(N) on links` theory");
        }
    }

    private static Lowered integrate(FunctionBuilder b, int links, LayerSpec.GradientFlow p, Lattice lattice, int index, boolean backward) {
        Group group = Group.of(b, links, lattice, p);
        Tableau tableau = Tableau.of(p.integrator());
        List<List<FlowTerm>> orbits = p.loops().stream().map(l -> List.<FlowTerm>copyOf(l.orbit(lattice.dimensions()))).toList();
        int[][] knots = knotParameters(b, p, index);
        double epsilon = (backward ? -1.0 : 1.0) / p.steps();
        // every step is a checkpointed segment: reverse mode keeps the links between steps and recomputes a step's intermediates
        int state = b.checkpoint(links, true);
        int[] u = directions(b, state, group);
        int logdet = -1;
        for (int step = 0; step < p.steps(); step++) {
            double t = backward ? 1.0 - step / (double) p.steps() : step / (double) p.steps();
            int stages = tableau.b().length;
            List<int[]> forces = new ArrayList<>();
            int divergence = -1;
            for (int j = 0; j < stages; j++) {
                int[] y = u;
                for (int k = 0; k < j; k++) if (tableau.a()[j][k] != 0) y = moved(b, group, y, forces.get(k), epsilon * tableau.a()[j][k]);
                int[] coefficients = coefficients(b, p, knots, t + epsilon * tableau.c(j));
                Velocity v = velocity(b, group, y, orbits, coefficients, lattice);
                forces.add(v.force());
                if (tableau.b()[j] != 0) {
                    divergence = plus(b, divergence, b.unary(Op.UnaryFn.MUL_SCALAR, epsilon * tableau.b()[j], v.divergence()));
                }
            }
            for (int j = 0; j < stages; j++) if (tableau.b()[j] != 0) u = moved(b, group, u, forces.get(j), epsilon * tableau.b()[j]);
            logdet = plus(b, logdet, divergence);
            state = b.checkpoint(b.concat(java.util.Arrays.stream(u).boxed().toList()), step < p.steps() - 1);
            u = directions(b, state, group);
        }
        return new Lowered(state, logdet);
    }

    /** sum + term, where sum < 0 means nothing summed yet: the running sums of IR values below. */
    private static int plus(FunctionBuilder b, int sum, int term) { return sum < 0 ? term : b.add(sum, term); }

    /** The field split into its directions: angles θ_μ (U(1)) or matrices U_μ (SU(N)). */
    private static int[] directions(FunctionBuilder b, int links, Group g) {
        int[] out = new int[g.dimensions()];
        for (int mu = 0; mu < out.length; mu++) out[mu] = b.slice(links, mu * g.block(), (mu + 1) * g.block());
        return out;
    }

    /** exp(h·Z_μ)·U_μ for every direction; for U(1), θ_μ + h·z_μ. */
    private static int[] moved(FunctionBuilder b, Group g, int[] u, int[] force, double h) {
        int[] out = new int[u.length];
        for (int mu = 0; mu < u.length; mu++) {
            int step = b.unary(Op.UnaryFn.MUL_SCALAR, h, force[mu]);
            out[mu] = g.abelian() ? b.add(u[mu], step) : b.complexMatMul(g.n(), b.matrixExponential(g.n(), step), u[mu], false, false);
        }
        return out;
    }

    // ---- the coefficients cᵢ(t) ------------------------------------------------------------------

    /** One scalar parameter per loop shape and knot, zero at the start: the flow starts as its perturbative part (the identity without one). */
    private static int[][] knotParameters(FunctionBuilder b, LayerSpec.GradientFlow p, int index) {
        int[][] out = new int[p.loops().size()][p.knots()];
        for (int i = 0; i < out.length; i++) {
            for (int k = 0; k < p.knots(); k++) out[i][k] = b.param(SiteCoupling.prefix(index) + ".loop" + i + ".knot" + k, IrType.SCALAR, 0.0);
        }
        return out;
    }

    /** cᵢ(t) as scalar IR values: the perturbative polynomial plus the knots' interpolation, whose weights at t are known at compile time. */
    private static int[] coefficients(FunctionBuilder b, LayerSpec.GradientFlow p, int[][] knots, double t) {
        double[] weights = interpolationWeights(p.time(), p.knots(), t);
        int[] out = new int[knots.length];
        for (int i = 0; i < knots.length; i++) {
            int c = -1;
            for (int k = 0; k < weights.length; k++) {
                if (weights[k] == 0) continue;
                c = plus(b, c, b.unary(Op.UnaryFn.MUL_SCALAR, weights[k], knots[i][k]));
            }
            double constant = 0, power = 1;
            for (double a : p.perturbative().get(i)) {
                constant += a * power;
                power *= t;
            }
            out[i] = c < 0 ? b.constant(constant) : constant == 0 ? c : b.unary(Op.UnaryFn.ADD_SCALAR, constant, c);
        }
        return out;
    }

    /**
     * The weights w_k(t) with c(t) = Σ_k w_k c_k: linear between t = 0 and 1 for "affine", the
     * natural cubic spline through equally spaced knots for "cubic_spline" (c'' = 0 at both ends).
     */
    static double[] interpolationWeights(String time, int knots, double t) {
        double[] w = new double[knots];
        for (int k = 0; k < knots; k++) {
            double[] unit = new double[knots];
            unit[k] = 1;
            w[k] = time.equals("affine") ? (k == 0 ? 1 - t : t) : naturalCubicSpline(unit, t);
        }
        return w;
    }

    /** The natural cubic spline through (k/(K−1), y_k), at t ∈ [0, 1]. */
    static double naturalCubicSpline(double[] y, double t) {
        int n = y.length;
        double h = 1.0 / (n - 1);
        double[] m = new double[n];
        if (n > 2) {
            // h/6·(m_{i−1} + 4m_i + m_{i+1}) = (y_{i+1} − 2y_i + y_{i−1})/h, m_0 = m_{n−1} = 0: the Thomas algorithm
            int inner = n - 2;
            double[] diag = new double[inner], rhs = new double[inner];
            for (int i = 0; i < inner; i++) {
                diag[i] = 4 * h / 6;
                rhs[i] = (y[i + 2] - 2 * y[i + 1] + y[i]) / h;
            }
            double off = h / 6;
            for (int i = 1; i < inner; i++) {
                double f = off / diag[i - 1];
                diag[i] -= f * off;
                rhs[i] -= f * rhs[i - 1];
            }
            for (int i = inner - 1; i >= 0; i--) m[i + 1] = (rhs[i] - (i + 1 < inner ? off * m[i + 2] : 0)) / diag[i];
        }
        int i = Math.min((int) Math.floor(t / h), n - 2);
        double left = i * h, right = left + h;
        return m[i] * Math.pow(right - t, 3) / (6 * h) + m[i + 1] * Math.pow(t - left, 3) / (6 * h)
                + (y[i] - m[i] * h * h / 6) * (right - t) / h + (y[i + 1] - m[i + 1] * h * h / 6) * (t - left) / h;
    }

    // ---- the velocity Z and its divergence ---------------------------------------------------------

    /** Z_μ per direction (U(1): the angle velocity; SU(N): the algebra element), and div Z per configuration. */
    private record Velocity(int[] force, int divergence) {}

    private static Velocity velocity(FunctionBuilder b, Group g, int[] u, List<List<FlowTerm>> orbits, int[] coefficients, Lattice lattice) {
        var links = new Links(b, u, g, lattice);
        int d = g.dimensions();
        int[] weighted = new int[d], weightedGeneral = new int[d];
        java.util.Arrays.fill(weighted, -1);
        java.util.Arrays.fill(weightedGeneral, -1);
        int divergence = -1, generalDivergence = -1;
        for (int i = 0; i < orbits.size(); i++) {
            int[] raw = new int[d], rawGeneral = new int[d];
            java.util.Arrays.fill(raw, -1);
            java.util.Arrays.fill(rawGeneral, -1);
            int cosines = -1, laplacian = -1;
            for (FlowTerm term : orbits.get(i)) {
                if (g.abelian()) {
                    // φ(x) = Σ σ θ over the term's loops from x; each link gets σ·sin φ at its own site
                    List<LoopShape.Link> path = term.links(d);
                    int phi = -1;
                    for (LoopShape.Link l : path) {
                        int theta = links.at(l.axis(), l.site());
                        phi = phi < 0 ? (l.sign() > 0 ? theta : b.unary(Op.UnaryFn.NEG, theta)) : l.sign() > 0 ? b.add(phi, theta) : b.sub(phi, theta);
                    }
                    int sin = b.unary(Op.UnaryFn.SIN, phi);
                    // Δ cos(Σ n_l θ_l) = −(Σ n_l²) cos(…): |W| for single-pass loops, more for loops that wind a link twice
                    int cos = b.unary(Op.UnaryFn.MUL_SCALAR, term.laplacianWeight(lattice), b.sumSites(b.unary(Op.UnaryFn.COS, phi)));
                    cosines = plus(b, cosines, cos);
                    for (LoopShape.Link l : path) {
                        int force = b.shifted(sin, negated(l.site()));
                        raw[l.axis()] = plus(b, raw[l.axis()], l.sign() > 0 ? force : b.unary(Op.UnaryFn.NEG, force));
                    }
                } else if (term.passesEachLinkOnce(lattice)) {
                    links.addStaples(term, raw);
                } else {
                    links.addStaples(term, rawGeneral);
                    laplacian = plus(b, laplacian, links.laplacian(term));
                }
            }
            for (int mu = 0; mu < d; mu++) {
                if (raw[mu] >= 0) weighted[mu] = plus(b, weighted[mu], b.mul(coefficients[i], raw[mu]));
                if (rawGeneral[mu] >= 0) weightedGeneral[mu] = plus(b, weightedGeneral[mu], b.mul(coefficients[i], rawGeneral[mu]));
            }
            if (g.abelian()) divergence = plus(b, divergence, b.mul(coefficients[i], cosines));
            // div Z = −ΔS̃
            if (laplacian >= 0) generalDivergence = plus(b, generalDivergence, b.mul(coefficients[i], b.unary(Op.UnaryFn.NEG, laplacian)));
        }
        int[] force = new int[d];
        for (int mu = 0; mu < d; mu++) {
            if (weighted[mu] < 0 && weightedGeneral[mu] < 0) weighted[mu] = b.unary(Op.UnaryFn.MUL_SCALAR, 0.0, u[mu]);
            if (g.abelian()) {
                force[mu] = weighted[mu];
            } else {
                int m = -1;
                if (weighted[mu] >= 0) {
                    m = b.complexMatMul(g.n(), u[mu], weighted[mu], false, false);
                    divergence = plus(b, divergence, b.sumSites(b.slice(b.complexTrace(g.n(), m), 0, 1)));
                }
                if (weightedGeneral[mu] >= 0) m = plus(b, m, b.complexMatMul(g.n(), u[mu], weightedGeneral[mu], false, false));
                force[mu] = b.unary(Op.UnaryFn.MUL_SCALAR, 0.5, b.algebraProjection(g.n(), m));
            }
        }
        if (!g.abelian() && divergence >= 0) divergence = b.unary(Op.UnaryFn.MUL_SCALAR, g.casimir(), divergence);
        if (generalDivergence >= 0) divergence = plus(b, divergence, generalDivergence);
        if (divergence < 0) divergence = b.sumSites(b.unary(Op.UnaryFn.MUL_SCALAR, 0.0, u[0]));
        return new Velocity(force, divergence);
    }

    private static int[] negated(int[] site) {
        int[] out = site.clone();
        for (int a = 0; a < out.length; a++) out[a] = -out[a];
        return out;
    }

    /**
     * The links of one stage's configuration at shifted sites, each shift lowered once, and what
     * the terms of the flow action need of them: staples, traces of closed paths (each lowered
     * once per stage up to position, start and direction) and the group Laplacian.
     */
    private static final class Links {
        private final FunctionBuilder b;
        private final int[] u;
        private final Group g;
        private final Lattice lattice;
        private final Map<List<Integer>, Integer> cache = new HashMap<>();
        private final Map<List<Integer>, Integer> traces = new HashMap<>();
        private int identity = -1;

        Links(FunctionBuilder b, int[] u, Group g, Lattice lattice) {
            this.b = b;
            this.u = u;
            this.g = g;
            this.lattice = lattice;
        }

        /** The link in direction {@code axis} based at x + site, as a field over x. */
        int at(int axis, int[] site) {
            var key = new ArrayList<Integer>();
            key.add(axis);
            for (int s : site) key.add(s);
            return cache.computeIfAbsent(key, k -> b.shifted(u[axis], site));
        }

        /**
         * The staple of a loop that starts with a forward link U_μ(x): the product of its other links
         * in path order, as a field over x (a backward step contributes the adjoint of the link it runs against).
         */
        int staple(LoopShape loop) {
            List<LoopShape.Link> path = loop.links(new int[g.dimensions()]);
            int product = product(path.subList(1, path.size()));
            // a staple of one link (never: closed non-backtracking loops have at least 4) would keep its adjoint flag
            if (product < 0) throw new IllegalStateException("a loop of " + path.size() + " links has no staple product");
            return product;
        }

        /** The ordered product of the links of {@code path}, or −1 where it would end on an unapplied adjoint (a single backward link). */
        private int product(List<LoopShape.Link> path) {
            int product = -1;
            boolean productAdjoint = false;
            for (LoopShape.Link l : path) {
                int link = at(l.axis(), l.site());
                boolean adjoint = l.sign() < 0;
                if (product < 0) {
                    product = link;
                    productAdjoint = adjoint;
                } else {
                    product = b.complexMatMul(g.n(), product, link, productAdjoint, adjoint);
                    productAdjoint = false;
                }
            }
            return productAdjoint ? -1 : product;
        }

        /**
         * The force of a term, M = U·(this), added per direction: at every link a factor passes
         * forwards (in the term or in its reversal, Re tr W† = Re tr W), the factor's staple from
         * there, weighted by the product of the other factors' traces where there are others,
         * since ∂ᵃ Re(tr W₁ tr W₂) = Re tr(Tᵃ·(tr W₂)·U·S₁) + (1 ↔ 2).
         */
        void addStaples(FlowTerm term, int[] raw) {
            for (FlowTerm oriented : List.of(term, term.reversed())) {
                List<FlowTerm.Factor> factors = oriented.factors(g.dimensions());
                for (int f = 0; f < factors.size(); f++) {
                    int weight = -1;
                    for (int o = 0; o < factors.size(); o++) {
                        if (o == f) continue;
                        int other = trace(factors.get(o).links());
                        weight = weight < 0 ? other : times(weight, other);
                    }
                    List<LoopShape.Link> path = factors.get(f).links();
                    for (int k = 0; k < path.size(); k++) {
                        LoopShape.Link l = path.get(k);
                        if (l.sign() < 0) continue;
                        int staple = staple(factors.get(f).loop().rotated(k));
                        if (weight >= 0) staple = b.complexMatMul(g.n(), scalarMatrix(b.shifted(weight, negated(l.site()))), staple, false, false);
                        raw[l.axis()] = plus(b, raw[l.axis()], staple);
                    }
                }
            }
        }

        /**
         * Re Σ_x ΔT(x) of a product of traces T = Π tr Wᵢ, the left-invariant Laplacian
         * Σ_links Σₐ ∂ᵃ∂ᵃ of SU(N) with tr TᵃTᵇ = −½δᵃᵇ. With the completeness relation
         * Σₐ Tᵃ_ij Tᵃ_kl = −½(δ_il δ_jk − δ_ij δ_kl/N):
         * <ul>
         * <li>every pass of a link gives −C_F·tr W (Σₐ TᵃTᵃ = −C_F);</li>
         * <li>two passes p, q of one link in one loop give s·(tr X·tr Y − tr W/N), X and Y the loop cut in
         *     two where it stands at the link's base site next to each pass (before a forward pass,
         *     after a backward one), s = −1 when both run the same way and +1 when they run opposite ways;</li>
         * <li>a link that passes p of W₁ and q of W₂ share gives s·(tr(W₁W₂) − tr W₁·tr W₂/N), the two loops
         *     merged at those cut points, times the other traces.</li>
         * </ul>
         * For a loop that passes each link once only the first remains: Δ Re tr W = −C_F|W| Re tr W.
         */
        int laplacian(FlowTerm term) {
            List<FlowTerm.Factor> factors = term.factors(g.dimensions());
            int m = factors.size();
            List<List<LoopShape.Link>> paths = factors.stream().map(FlowTerm.Factor::links).toList();
            int[] traceOf = new int[m];
            for (int i = 0; i < m; i++) traceOf[i] = trace(paths.get(i));
            double inverseN = 1.0 / g.n();
            int total = -1;
            for (int i = 0; i < m; i++) {
                List<LoopShape.Link> path = paths.get(i);
                int own = b.unary(Op.UnaryFn.MUL_SCALAR, -g.casimir() * path.size(), traceOf[i]);
                for (int p = 0; p < path.size(); p++) {
                    for (int q = p + 1; q < path.size(); q++) {
                        if (!sameLink(path.get(p), path.get(q))) continue;
                        int cutP = cut(path, p), cutQ = cut(path, q);
                        int split = times(trace(cyclic(path, cutP, cutQ)), trace(cyclic(path, cutQ, cutP)));
                        own = plus(b, own, crossTerm(path.get(p), path.get(q), split, traceOf[i], inverseN));
                    }
                }
                for (int o = 0; o < m; o++) if (o != i) own = times(own, traceOf[o]);
                total = plus(b, total, own);
            }
            for (int i = 0; i < m; i++) {
                for (int j = i + 1; j < m; j++) {
                    List<LoopShape.Link> first = paths.get(i), second = paths.get(j);
                    int both = -1;
                    for (int p = 0; p < first.size(); p++) {
                        for (int q = 0; q < second.size(); q++) {
                            if (!sameLink(first.get(p), second.get(q))) continue;
                            var merged = new ArrayList<>(cyclic(first, cut(first, p), cut(first, p) + first.size()));
                            merged.addAll(cyclic(second, cut(second, q), cut(second, q) + second.size()));
                            if (both < 0) both = times(traceOf[i], traceOf[j]);
                            int cross = crossTerm(first.get(p), second.get(q), trace(merged), both, inverseN);
                            for (int o = 0; o < m; o++) if (o != i && o != j) cross = times(cross, traceOf[o]);
                            total = plus(b, total, cross);
                        }
                    }
                }
            }
            return b.sumSites(b.slice(total, 0, 1));
        }

        /** s·(joined − whole/N): s = −1 when the two passes run the same way along the link, +1 when opposite. */
        private int crossTerm(LoopShape.Link p, LoopShape.Link q, int joined, int whole, double inverseN) {
            int term = b.sub(joined, b.unary(Op.UnaryFn.MUL_SCALAR, inverseN, whole));
            return p.sign() == q.sign() ? b.unary(Op.UnaryFn.NEG, term) : term;
        }

        private boolean sameLink(LoopShape.Link p, LoopShape.Link q) {
            return LoopShape.periodicKey(p, lattice).equals(LoopShape.periodicKey(q, lattice));
        }

        /** Where the path stands at the link's base site next to pass k: before it when forward, after it when backward. */
        private static int cut(List<LoopShape.Link> path, int k) { return path.get(k).sign() > 0 ? k : k + 1; }

        /** The links from index {@code from} up to (not including) {@code to}, cyclically. */
        private static List<LoopShape.Link> cyclic(List<LoopShape.Link> path, int from, int to) {
            int n = path.size();
            int end = to;
            while (end < from) end += n;
            var out = new ArrayList<LoopShape.Link>();
            for (int k = from; k < end; k++) out.add(path.get(k % n));
            return out;
        }

        /**
         * (Re tr, Im tr) of the closed path's matrix product, as a field over the term's origin. The
         * path is reduced first (U U† = 1 on the periodic lattice, cyclically), then lowered once per
         * stage up to position, starting link and direction: a path run backwards has the conjugate
         * trace, one moved by s the field shifted by s. The empty path is the identity, trace N.
         */
        int trace(List<LoopShape.Link> path) {
            List<int[]> reduced = reduce(path);
            if (reduced.isEmpty()) return identity();
            int d = g.dimensions();
            List<Integer> best = null;
            int[] bestStart = null;
            boolean bestReversed = false;
            for (boolean reversed : new boolean[] {false, true}) {
                List<int[]> oriented = reduced;
                if (reversed) {
                    oriented = new ArrayList<>();
                    for (int k = reduced.size() - 1; k >= 0; k--) {
                        int[] l = reduced.get(k).clone();
                        l[d + 1] = -l[d + 1];
                        oriented.add(l);
                    }
                }
                for (int r = 0; r < oriented.size(); r++) {
                    int[] start = java.util.Arrays.copyOf(oriented.get(r), d);
                    var key = new ArrayList<Integer>();
                    for (int k = 0; k < oriented.size(); k++) {
                        int[] l = oriented.get((r + k) % oriented.size());
                        for (int a = 0; a < d; a++) key.add(Math.floorMod(l[a] - start[a], lattice.sizes().get(a)));
                        key.add(l[d]);
                        key.add(l[d + 1]);
                    }
                    if (best == null || compareKeys(key, best) < 0) {
                        best = key;
                        bestStart = start;
                        bestReversed = reversed;
                    }
                }
            }
            final List<Integer> canonical = best;
            int field = traces.computeIfAbsent(canonical, key -> {
                var links = new ArrayList<LoopShape.Link>();
                for (int k = 0; k < key.size(); k += d + 2) {
                    links.add(new LoopShape.Link(key.subList(k, k + d).stream().mapToInt(Integer::intValue).toArray(), key.get(k + d), key.get(k + d + 1)));
                }
                int product = product(links);
                if (product < 0) throw new IllegalStateException("the closed path " + key + " has no product");
                return b.complexTrace(g.n(), product);
            });
            int moved = b.shifted(field, bestStart);
            return bestReversed ? conjugate(moved) : moved;
        }

        /** The path as (site mod L…, axis, sign) with adjacent U U† pairs cancelled, cyclically. */
        private List<int[]> reduce(List<LoopShape.Link> path) {
            int d = g.dimensions();
            var stack = new ArrayList<int[]>();
            for (LoopShape.Link l : path) {
                int[] entry = new int[d + 2];
                for (int a = 0; a < d; a++) entry[a] = Math.floorMod(l.site()[a], lattice.sizes().get(a));
                entry[d] = l.axis();
                entry[d + 1] = l.sign();
                if (!stack.isEmpty() && cancels(stack.getLast(), entry)) stack.removeLast();
                else stack.add(entry);
            }
            while (stack.size() >= 2 && cancels(stack.getLast(), stack.getFirst())) {
                stack.removeLast();
                stack.removeFirst();
            }
            return stack;
        }

        private boolean cancels(int[] x, int[] y) {
            int d = g.dimensions();
            return java.util.Arrays.equals(x, 0, d + 1, y, 0, d + 1) && x[d + 1] == -y[d + 1];
        }

        private static int compareKeys(List<Integer> x, List<Integer> y) {
            for (int i = 0; i < x.size(); i++) {
                int c = Integer.compare(x.get(i), y.get(i));
                if (c != 0) return c;
            }
            return 0;
        }

        /** The constant trace N of the identity, as a (re, im) field. */
        private int identity() {
            if (identity < 0) {
                int zero = b.unary(Op.UnaryFn.MUL_SCALAR, 0.0, b.slice(b.complexTrace(g.n(), u[0]), 0, 1));
                identity = b.concat(List.of(b.unary(Op.UnaryFn.ADD_SCALAR, g.n(), zero), zero));
            }
            return identity;
        }

        /** The product of two complex (re, im) fields. */
        private int times(int x, int y) {
            int xr = b.slice(x, 0, 1), xi = b.slice(x, 1, 2), yr = b.slice(y, 0, 1), yi = b.slice(y, 1, 2);
            return b.concat(List.of(b.sub(b.mul(xr, yr), b.mul(xi, yi)), b.add(b.mul(xr, yi), b.mul(xi, yr))));
        }

        private int conjugate(int x) { return b.concat(List.of(b.slice(x, 0, 1), b.unary(Op.UnaryFn.NEG, b.slice(x, 1, 2)))); }

        /** ω·𝟙 at every site, packed as an N×N complex matrix, from a (re, im) field ω. */
        private int scalarMatrix(int omega) {
            int re = b.slice(omega, 0, 1), im = b.slice(omega, 1, 2), zero = b.unary(Op.UnaryFn.MUL_SCALAR, 0.0, re);
            var parts = new ArrayList<Integer>();
            for (int i = 0; i < g.n(); i++) {
                for (int j = 0; j < g.n(); j++) {
                    parts.add(i == j ? re : zero);
                    parts.add(i == j ? im : zero);
                }
            }
            return b.concat(parts);
        }
    }

    // ---- symmetry -------------------------------------------------------------------------------

    @Override
    public Judgement z2(LayerSpec.GradientFlow p) {
        return FlowSymmetry.z2(List.of(Finding.breaks("a gradient flow updates links, on which z2 does not act", p.span(), List.of(), List.of())));
    }

    /** The flow action sums every loop over all positions, with coefficients that depend on t only: every shift commutes with it. */
    @Override
    public Judgement translation(LayerSpec.GradientFlow p, Lattice lattice) {
        return new Judgement("translation", Status.HOLDS, List.of(
                Finding.holds("the flow action sums each loop over every position with a coefficient that depends on t alone, so it is "
                        + "invariant under every lattice shift, and so are its gradient flow and the log-det")), List.of());
    }

    /** Gauge covariance holds because the flow action is built of traced closed loops only. */
    @Override
    public Judgement gauge(LayerSpec.GradientFlow p) {
        return new Judgement("gauge", Status.HOLDS, List.of(
                Finding.holds("the flow action is a sum of Re tr W over closed loops, hence gauge invariant; its Lie derivative transforms as "
                        + "Z_μ(x) → Ω(x)Z_μ(x)Ω(x)†, so dU/dt = Z·U is gauge covariant and every step exp(εZ)U commutes with gauge transformations"),
                Finding.holds("the log-det integrates C_F·Σ Re tr M, traces of closed loops: gauge invariant")), List.of());
    }
}
