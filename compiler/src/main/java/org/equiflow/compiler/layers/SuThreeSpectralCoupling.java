package org.equiflow.compiler.layers;

import java.util.ArrayList;
import java.util.List;
import org.equiflow.compiler.ir.FunctionBuilder;
import org.equiflow.compiler.ir.LayerLowering;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.ir.Op;
import org.equiflow.compiler.ir.PlaquetteMasks;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.LayerSpec;

/**
 * The spectral plaquette coupling of {@link SpectralCouplingLayer} on a 2D SU(3) link field,
 * packed as [B, 2·18, L0, L1] (channel μ·18 + 2(3i + j) + part), after Boyda et al.
 * (arXiv:2008.05456):
 *
 * <ol>
 *   <li>P = P_μν(x) = U_μ(x)U_ν(x+μ̂)U_μ(x+ν̂)†U_ν(x)†, the plaquette starting with the updated link;</li>
 *   <li>its class: the eigenphases on the Weyl alcove θ₁ ≥ θ₂ ≥ θ₃, Σθ = 0, θ₁ − θ₃ ≤ 2π, from
 *       t = tr P alone (the {@code su3_eigenphases} op), written as the gaps d₁ = θ₁ − θ₂,
 *       d₂ = θ₂ − θ₃, d₃ = 2π − d₁ − d₂ ≥ 0 — a triangle, made a square by stick-breaking:
 *       u = d₁/2π, v = d₂/(2π − d₁);</li>
 *   <li>u and v (as 2u − 1, 2v − 1 ∈ [−1, 1]) each go through a rational-quadratic spline
 *       (end derivatives 1, so the triangle's edges stay put), both conditioned by one net on
 *       (Re tr, Im tr) of the frozen plaquettes;</li>
 *   <li>P′ = f(P) with the same eigenvectors and eigenvalues λᵢ′ = e^{iθᵢ′} is the Lagrange
 *       interpolant P′ = Σᵢ λᵢ′ ∏_{j≠i}(P − λⱼ)/(λᵢ − λⱼ) = c₀ + c₁P + c₂P², so
 *       U′ = P′P†U = c₂·PU + c₁·U + c₀·P†U: matrix products and sums only, hence gauge
 *       covariant. With (λᵢ − λⱼ)(λᵢ − λₖ) = −4 sin((θᵢ−θⱼ)/2) sin((θᵢ−θₖ)/2) e^{iθᵢ/2} and
 *       rᵢ = 1/(−4 sin((θᵢ−θⱼ)/2) sin((θᵢ−θₖ)/2)): c₂ = Σ rᵢ e^{i(θᵢ′ − θᵢ/2)},
 *       c₀ = Σ rᵢ e^{i(θᵢ′ − 3θᵢ/2)}, c₁ = Σ rᵢ e^{i(θᵢ′ + θᵢ/2)} − t·c₂.</li>
 * </ol>
 *
 * Log-det with respect to Haar (flat in U → exp(Σ εₐTₐ)U): Haar restricted to classes is
 * ∝ ∏_{i<j} |e^{iθᵢ} − e^{iθⱼ}|² dθ₁dθ₂ = 64 ∏ₖ sin²(dₖ/2) dθ₁dθ₂, and the map keeps the
 * eigenvectors, so log|det| = log|∂(θ₁′,θ₂′)/∂(θ₁,θ₂)| + Σₖ log(sin²(dₖ′/2)/sin²(dₖ/2)); the
 * first term is triangular in (d₁, d₂): log s_u′ + log s_v′ + log((2π − d₁′)/(2π − d₁)).
 * The interpolation divides by the gaps: it loses digits where two eigenvalues nearly coincide,
 * a set Haar suppresses like the cube of the gap.
 */
final class SuThreeSpectralCoupling {
    private SuThreeSpectralCoupling() {}

    /** SU(3): 2N² = 18 real channels per link. */
    static final int MATRIX = 18;
    private static final int N = 3;
    private static final double TWO_PI = 2 * Math.PI;

    /**
     * What forward and inverse share: the updated link U, the other direction, PU and P†U, the
     * trace t, the alcove phases, the spline coordinates and the two parameter sets.
     */
    private record SetUp(int mu, int active, int link, int other, int plaquetteTimesLink, int adjointPlaquetteTimesLink,
                         int trace, int phases, int gapU, int gapV, int uParams, int vParams) {}

    private static SetUp setUp(FunctionBuilder b, int links, LayerSpec.SpectralCoupling p, Lattice lattice, int index) {
        int mu = ((Number) p.mask().arguments().get("mu")).intValue();
        int offset = ((Number) p.mask().arguments().get("offset")).intValue();
        String prefix = SiteCoupling.prefix(index);
        int across = lattice.sizes().get(1 - mu);
        int active = b.mask(prefix + ".active", lattice.sizes(), PlaquetteCouplingLayer.rows(lattice, 1 - mu, PlaquetteMasks.activeRows(across, offset)));
        int frozen = b.mask(prefix + ".frozen", lattice.sizes(), PlaquetteCouplingLayer.rows(lattice, 1 - mu, PlaquetteMasks.frozenRows(across, offset)));

        int u0 = b.slice(links, 0, MATRIX), u1 = b.slice(links, MATRIX, 2 * MATRIX);
        int link = mu == 0 ? u0 : u1, other = mu == 0 ? u1 : u0;
        // roll by −1 along an axis reads the neighbour in the + direction: out[x] = in[x + ê]
        int plaquette = b.complexMatMul(N, b.complexMatMul(N, b.complexMatMul(N, link, b.roll(other, mu, -1), false, false),
                b.roll(link, 1 - mu, -1), false, true), other, false, true);
        int plaquetteTimesLink = b.complexMatMul(N, plaquette, link, false, false);
        int adjointPlaquetteTimesLink = b.complexMatMul(N, plaquette, link, true, false);
        int trace = b.complexTrace(N, plaquette);
        int phases = b.suThreeEigenphases(trace);
        int[] gaps = gaps(b, phases);

        // No frozen plaquette contains an updated link, so the inverse's conditioner reads what the forward pass's did.
        int params = Lowering.net(b, b.mul(trace, frozen), p.net(), lattice, prefix + ".net", p.span());
        int perSpline = 3 * p.bins() - 1;
        return new SetUp(mu, active, link, other, plaquetteTimesLink, adjointPlaquetteTimesLink, trace, phases,
                gaps[0], gaps[1], b.slice(params, 0, perSpline), b.slice(params, perSpline, 2 * perSpline));
    }

    /** d₁ = θ₁ − θ₂ and d₂ = θ₂ − θ₃ of alcove phases. */
    private static int[] gaps(FunctionBuilder b, int phases) {
        int first = b.slice(phases, 0, 1), second = b.slice(phases, 1, 2), third = b.slice(phases, 2, 3);
        return new int[] {b.sub(first, second), b.sub(second, third)};
    }

    /** The stick-breaking spline coordinates 2u − 1 = d₁/π − 1 and 2v − 1 = 2d₂/(2π − d₁) − 1, in [−1, 1]. */
    private static int[] coordinates(FunctionBuilder b, int gapU, int gapV) {
        int x = b.unary(Op.UnaryFn.ADD_SCALAR, -1.0, b.unary(Op.UnaryFn.MUL_SCALAR, 1 / Math.PI, gapU));
        int rest = b.unary(Op.UnaryFn.ADD_SCALAR, TWO_PI, b.unary(Op.UnaryFn.NEG, gapU));
        int y = b.unary(Op.UnaryFn.ADD_SCALAR, -1.0, b.div(b.unary(Op.UnaryFn.MUL_SCALAR, 2.0, gapV), rest));
        return new int[] {x, y};
    }

    /** Back from spline coordinates to gaps: d₁ = π(x + 1), d₂ = (2π − d₁)(y + 1)/2. */
    private static int[] gapsAt(FunctionBuilder b, int x, int y) {
        int gapU = b.unary(Op.UnaryFn.MUL_SCALAR, Math.PI, b.unary(Op.UnaryFn.ADD_SCALAR, 1.0, x));
        int rest = b.unary(Op.UnaryFn.ADD_SCALAR, TWO_PI, b.unary(Op.UnaryFn.NEG, gapU));
        int gapV = b.mul(rest, b.unary(Op.UnaryFn.MUL_SCALAR, 0.5, b.unary(Op.UnaryFn.ADD_SCALAR, 1.0, y)));
        return new int[] {gapU, gapV};
    }

    /** Alcove phases with gaps d₁, d₂ and sum 0: θ₂ = (d₂ − d₁)/3, θ₁ = θ₂ + d₁, θ₃ = θ₂ − d₂. */
    private static int phasesOf(FunctionBuilder b, int gapU, int gapV) {
        int second = b.unary(Op.UnaryFn.MUL_SCALAR, 1.0 / 3, b.sub(gapV, gapU));
        return b.concat(List.of(b.add(second, gapU), second, b.sub(second, gapV)));
    }

    /**
     * log|det| of the class map from gaps (d₁, d₂) to (d₁′, d₂′) without the splines' own
     * derivatives: the stick-breaking factor log((2π − d₁′)/(2π − d₁)) and the Weyl factor
     * Σₖ log(sin²(dₖ′/2)/sin²(dₖ/2)).
     */
    private static int classLogJacobian(FunctionBuilder b, int gapU, int gapV, int targetU, int targetV) {
        int restFrom = b.unary(Op.UnaryFn.ADD_SCALAR, TWO_PI, b.unary(Op.UnaryFn.NEG, gapU));
        int restTo = b.unary(Op.UnaryFn.ADD_SCALAR, TWO_PI, b.unary(Op.UnaryFn.NEG, targetU));
        int stick = b.sub(b.unary(Op.UnaryFn.LOG, restTo), b.unary(Op.UnaryFn.LOG, restFrom));
        return b.add(stick, b.sub(weyl(b, targetU, targetV), weyl(b, gapU, gapV)));
    }

    /** Σₖ log sin²(dₖ/2) over the three gaps, d₃ = 2π − d₁ − d₂ (sin² stays ≥ 0 under rounding). */
    private static int weyl(FunctionBuilder b, int gapU, int gapV) {
        int third = b.unary(Op.UnaryFn.ADD_SCALAR, TWO_PI, b.unary(Op.UnaryFn.NEG, b.add(gapU, gapV)));
        int sum = -1;
        for (int gap : new int[] {gapU, gapV, third}) {
            int term = b.unary(Op.UnaryFn.LOG, b.unary(Op.UnaryFn.SQUARE, b.unary(Op.UnaryFn.SIN, b.unary(Op.UnaryFn.MUL_SCALAR, 0.5, gap))));
            sum = sum < 0 ? term : b.add(sum, term);
        }
        return sum;
    }

    /**
     * The link moved so that its plaquette's phases go from θ (the set-up's) to θ′:
     * U′ = c₂·PU + c₁·U + c₀·P†U, the Lagrange coefficients of the class description above;
     * the other direction and the inactive sites unchanged.
     */
    private static int moved(FunctionBuilder b, SetUp u, int targetPhases) {
        int[] theta = new int[3], target = new int[3];
        for (int k = 0; k < 3; k++) {
            theta[k] = b.slice(u.phases(), k, k + 1);
            target[k] = b.slice(targetPhases, k, k + 1);
        }
        int[] c2 = null, c0 = null, s = null;
        for (int i = 0; i < 3; i++) {
            int j = (i + 1) % 3, k = (i + 2) % 3;
            int sij = b.unary(Op.UnaryFn.SIN, b.unary(Op.UnaryFn.MUL_SCALAR, 0.5, b.sub(theta[i], theta[j])));
            int sik = b.unary(Op.UnaryFn.SIN, b.unary(Op.UnaryFn.MUL_SCALAR, 0.5, b.sub(theta[i], theta[k])));
            int weight = b.div(b.constant(-0.25), b.mul(sij, sik));
            c2 = addComplex(b, c2, polar(b, weight, b.sub(target[i], b.unary(Op.UnaryFn.MUL_SCALAR, 0.5, theta[i]))));
            s = addComplex(b, s, polar(b, weight, b.add(target[i], b.unary(Op.UnaryFn.MUL_SCALAR, 0.5, theta[i]))));
            c0 = addComplex(b, c0, polar(b, weight, b.sub(target[i], b.unary(Op.UnaryFn.MUL_SCALAR, 1.5, theta[i]))));
        }
        int traceRe = b.slice(u.trace(), 0, 1), traceIm = b.slice(u.trace(), 1, 2);
        // c₁ = S − t·c₂
        int[] c1 = {b.sub(s[0], b.sub(b.mul(traceRe, c2[0]), b.mul(traceIm, c2[1]))),
                b.sub(s[1], b.add(b.mul(traceRe, c2[1]), b.mul(traceIm, c2[0])))};
        int updated = b.add(b.add(scaled(b, c2, u.plaquetteTimesLink()), scaled(b, c1, u.link())), scaled(b, c0, u.adjointPlaquetteTimesLink()));
        int link = b.add(u.link(), b.mul(u.active(), b.sub(updated, u.link())));
        return b.concat(u.mu() == 0 ? List.of(link, u.other()) : List.of(u.other(), link));
    }

    /** r·e^{iα} as (re, im). */
    private static int[] polar(FunctionBuilder b, int r, int angle) {
        return new int[] {b.mul(r, b.unary(Op.UnaryFn.COS, angle)), b.mul(r, b.unary(Op.UnaryFn.SIN, angle))};
    }

    private static int[] addComplex(FunctionBuilder b, int[] sum, int[] term) {
        return sum == null ? term : new int[] {b.add(sum[0], term[0]), b.add(sum[1], term[1])};
    }

    /** c·M for a complex number c per site and complex 3×3 matrices M: the product with c·1. */
    private static int scaled(FunctionBuilder b, int[] c, int matrix) {
        int zero = b.unary(Op.UnaryFn.MUL_SCALAR, 0.0, c[0]);
        List<Integer> channels = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                channels.add(i == j ? c[0] : zero);
                channels.add(i == j ? c[1] : zero);
            }
        }
        return b.complexMatMul(N, b.concat(channels), matrix, false, false);
    }

    static LayerLowering.Lowered forward(FunctionBuilder b, int links, LayerSpec.SpectralCoupling p, Lattice lattice, int index) {
        SetUp u = setUp(b, links, p, lattice, index);
        int[] x = coordinates(b, u.gapU(), u.gapV());
        int xTarget = b.splineTransform(x[0], u.uParams(), p.bins(), 1.0);
        int yTarget = b.splineTransform(x[1], u.vParams(), p.bins(), 1.0);
        int[] target = gapsAt(b, xTarget, yTarget);
        int out = moved(b, u, phasesOf(b, target[0], target[1]));
        int splines = b.add(b.splineLogDerivative(x[0], u.uParams(), p.bins(), 1.0), b.splineLogDerivative(x[1], u.vParams(), p.bins(), 1.0));
        int perSite = b.add(splines, classLogJacobian(b, u.gapU(), u.gapV(), target[0], target[1]));
        return new LayerLowering.Lowered(out, b.sumSites(b.mul(u.active(), perSite)));
    }

    /**
     * The exact inverse: the active plaquettes of the output links are P′ (the frozen ones and the
     * conditioner's input unchanged), so the spline inverses give the original gaps and the same
     * interpolation with θ′ → θ restores U; log|det| is minus the forward one at the original.
     */
    static LayerLowering.Lowered inverse(FunctionBuilder b, int links, LayerSpec.SpectralCoupling p, Lattice lattice, int index) {
        SetUp u = setUp(b, links, p, lattice, index);
        int[] xTarget = coordinates(b, u.gapU(), u.gapV());
        int x = b.splineInverse(xTarget[0], u.uParams(), p.bins(), 1.0);
        int y = b.splineInverse(xTarget[1], u.vParams(), p.bins(), 1.0);
        int[] original = gapsAt(b, x, y);
        int out = moved(b, u, phasesOf(b, original[0], original[1]));
        int splines = b.add(b.splineLogDerivative(x, u.uParams(), p.bins(), 1.0), b.splineLogDerivative(y, u.vParams(), p.bins(), 1.0));
        int perSite = b.add(splines, classLogJacobian(b, original[0], original[1], u.gapU(), u.gapV()));
        return new LayerLowering.Lowered(out, b.unary(Op.UnaryFn.MUL_SCALAR, -1.0, b.sumSites(b.mul(u.active(), perSite))));
    }
}
