package org.equiflow.compiler.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.equiflow.compiler.ir.FunctionBuilder;
import org.equiflow.compiler.ir.Op;

/**
 * A conjugation-equivariant map of SU(3) matrices acting on their eigenvalues only (Boyda et al.,
 * arXiv:2008.05456), as IR: the heart of {@link SuThreeSpectralCoupling}, where it moves
 * plaquettes, and of the single-matrix density test, where it moves a matrix itself.
 *
 * <ol>
 *   <li>the class of W: the eigenphases on the Weyl alcove θ₁ ≥ θ₂ ≥ θ₃, Σθ = 0, θ₁ − θ₃ ≤ 2π
 *       (the {@code su3_eigenphases} op, from the matrix itself, where they are well conditioned
 *       even when eigenvalues nearly coincide), written as the gaps d₁ = θ₁ − θ₂,
 *       d₂ = θ₂ − θ₃, d₃ = 2π − d₁ − d₂ ≥ 0 — a triangle, made a square by stick-breaking:
 *       u = d₁/2π, v = d₂/(2π − d₁);</li>
 *   <li>u and v (as x = 2u − 1, y = 2v − 1 ∈ [−1, 1]) each go through a rational-quadratic spline
 *       (end derivatives 1, so the triangle's edges stay put), autoregressively: u's parameters
 *       come from outside the matrix, v's may also read the new u′ (the caller's choice), so the
 *       Jacobian in (u, v) is triangular and the two splines together can bend any density of
 *       the class, not only products of one in u and one in v;</li>
 *   <li>W′ = f(W) with the same eigenvectors and eigenvalues λᵢ′ = e^{iθᵢ′} is the Lagrange
 *       interpolant W′ = Σᵢ λᵢ′ ∏_{j≠i}(W − λⱼ)/(λᵢ − λⱼ) = c₀ + c₁W + c₂W²: matrix products and
 *       sums only, hence covariant under conjugation. With
 *       (λᵢ − λⱼ)(λᵢ − λₖ) = −4 sin((θᵢ−θⱼ)/2) sin((θᵢ−θₖ)/2) e^{iθᵢ} and
 *       rᵢ = 1/(−4 sin((θᵢ−θⱼ)/2) sin((θᵢ−θₖ)/2)): c₂ = Σ rᵢ e^{i(θᵢ′ − θᵢ/2)},
 *       c₀ = Σ rᵢ e^{i(θᵢ′ − 3θᵢ/2)}, c₁ = Σ rᵢ e^{i(θᵢ′ + θᵢ/2)} − t·c₂.</li>
 * </ol>
 *
 * Log-det with respect to Haar (flat in W → exp(Σ εₐTₐ)W): Haar restricted to classes is
 * ∝ ∏_{i<j} |e^{iθᵢ} − e^{iθⱼ}|² dθ₁dθ₂ = 64 ∏ₖ sin²(dₖ/2) dθ₁dθ₂, and the map keeps the
 * eigenvectors, so log|det| = log|∂(θ₁′,θ₂′)/∂(θ₁,θ₂)| + Σₖ log(sin²(dₖ′/2)/sin²(dₖ/2)); the
 * first term is triangular in (d₁, d₂): log s_u′ + log s_v′ + log((2π − d₁′)/(2π − d₁)).
 * The interpolation divides by the gaps: it loses digits where two eigenvalues nearly coincide,
 * a set Haar suppresses like the square of each gap.
 */
public final class SuThreeClassMap {
    private SuThreeClassMap() {}

    /** SU(3): 2N² = 18 real channels per matrix, channel 2(3i + j) + part. */
    public static final int MATRIX = 18;
    private static final int N = 3;
    private static final double TWO_PI = 2 * Math.PI;

    /** The class of a matrix: its trace (re, im), alcove phases and gaps d₁, d₂. */
    public record Eigenclass(int trace, int phases, int gapU, int gapV) {}

    /**
     * The move of one class to another: the Lagrange coefficients (re, im) with W′ = c₀ + c₁W + c₂W²,
     * and log|det| of the map per site with respect to Haar.
     */
    public record Moved(int[] c0, int[] c1, int[] c2, int logJacobian) {}

    public static Eigenclass of(FunctionBuilder b, int matrix) {
        int trace = b.complexTrace(N, matrix);
        int phases = b.suThreeEigenphases(matrix);
        int first = b.slice(phases, 0, 1), second = b.slice(phases, 1, 2), third = b.slice(phases, 2, 3);
        return new Eigenclass(trace, phases, b.sub(first, second), b.sub(second, third));
    }

    /**
     * Two channels describing the first spline coordinate x ∈ [−1, 1] for a conditioner: the point
     * (cos, sin) of the angle π(x + 1)/2 on the upper half circle, so that a masked-out site (0, 0)
     * differs from every x.
     */
    public static int firstCoordinateFeatures(FunctionBuilder b, int x) {
        int angle = b.unary(Op.UnaryFn.MUL_SCALAR, Math.PI / 2, b.unary(Op.UnaryFn.ADD_SCALAR, 1.0, x));
        return b.concat(List.of(b.unary(Op.UnaryFn.COS, angle), b.unary(Op.UnaryFn.SIN, angle)));
    }

    /**
     * The forward map of the class: x′ = spline(x; uParams), y′ = spline(y; vParamsOf(x′)), and the
     * coefficients moving θ to θ′.
     */
    public static Moved forward(FunctionBuilder b, Eigenclass w, int uParams, IntUnaryOperator vParamsOf, int bins) {
        int[] from = coordinates(b, w.gapU(), w.gapV());
        int x = b.splineTransform(from[0], uParams, bins, 1.0);
        int vParams = vParamsOf.applyAsInt(x);
        int y = b.splineTransform(from[1], vParams, bins, 1.0);
        int[] target = gapsAt(b, x, y);
        int splines = b.add(b.splineLogDerivative(from[0], uParams, bins, 1.0), b.splineLogDerivative(from[1], vParams, bins, 1.0));
        int logJacobian = b.add(splines, classLogJacobian(b, w.gapU(), w.gapV(), target[0], target[1]));
        return coefficients(b, w, phasesOf(b, target[0], target[1]), logJacobian);
    }

    /**
     * The exact inverse for a class w′ = f(w): the first coordinate of w′ gives v's parameters
     * directly, the spline inverses give the original gaps, and the coefficients move θ′ back to θ;
     * log|det| is minus the forward one at the original.
     */
    public static Moved inverse(FunctionBuilder b, Eigenclass w, int uParams, IntUnaryOperator vParamsOf, int bins) {
        int[] from = coordinates(b, w.gapU(), w.gapV());
        int vParams = vParamsOf.applyAsInt(from[0]);
        int x = b.splineInverse(from[0], uParams, bins, 1.0);
        int y = b.splineInverse(from[1], vParams, bins, 1.0);
        int[] original = gapsAt(b, x, y);
        int splines = b.add(b.splineLogDerivative(x, uParams, bins, 1.0), b.splineLogDerivative(y, vParams, bins, 1.0));
        int forwardLogJacobian = b.add(splines, classLogJacobian(b, original[0], original[1], w.gapU(), w.gapV()));
        return coefficients(b, w, phasesOf(b, original[0], original[1]), b.unary(Op.UnaryFn.MUL_SCALAR, -1.0, forwardLogJacobian));
    }

    /** c·M for a complex number c per site and complex 3×3 matrices M: the product with c·1. */
    public static int scaled(FunctionBuilder b, int[] c, int matrix) {
        return b.complexMatMul(N, times(b, c), matrix, false, false);
    }

    /** The matrix c·1 for a complex number c per site. */
    public static int times(FunctionBuilder b, int[] c) {
        int zero = b.unary(Op.UnaryFn.MUL_SCALAR, 0.0, c[0]);
        List<Integer> channels = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                channels.add(i == j ? c[0] : zero);
                channels.add(i == j ? c[1] : zero);
            }
        }
        return b.concat(channels);
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

    /** The Lagrange coefficients moving the class w (phases θ) to the phases θ′. */
    private static Moved coefficients(FunctionBuilder b, Eigenclass w, int targetPhases, int logJacobian) {
        int[] theta = new int[3], target = new int[3];
        for (int k = 0; k < 3; k++) {
            theta[k] = b.slice(w.phases(), k, k + 1);
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
        int traceRe = b.slice(w.trace(), 0, 1), traceIm = b.slice(w.trace(), 1, 2);
        // c₁ = S − t·c₂
        int[] c1 = {b.sub(s[0], b.sub(b.mul(traceRe, c2[0]), b.mul(traceIm, c2[1]))),
                b.sub(s[1], b.add(b.mul(traceRe, c2[1]), b.mul(traceIm, c2[0])))};
        return new Moved(c0, c1, c2, logJacobian);
    }

    /** r·e^{iα} as (re, im). */
    private static int[] polar(FunctionBuilder b, int r, int angle) {
        return new int[] {b.mul(r, b.unary(Op.UnaryFn.COS, angle)), b.mul(r, b.unary(Op.UnaryFn.SIN, angle))};
    }

    private static int[] addComplex(FunctionBuilder b, int[] sum, int[] term) {
        return sum == null ? term : new int[] {b.add(sum[0], term[0]), b.add(sum[1], term[1])};
    }
}
