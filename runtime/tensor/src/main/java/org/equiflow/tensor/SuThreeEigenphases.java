package org.equiflow.tensor;

import java.util.List;

/**
 * The eigenphases of SU(3) matrices: [B, 18, L…] (packed complex 3×3, channel 2(3i + j) + part) →
 * [B, 3, L…] (θ₁, θ₂, θ₃), canonically on the Weyl alcove θ₁ ≥ θ₂ ≥ θ₃, θ₁ + θ₂ + θ₃ = 0,
 * θ₁ − θ₃ ≤ 2π, which holds exactly one point of every conjugacy class, so a flow on the alcove
 * is a flow on classes.
 *
 * <p>Why from the matrix and not from its trace alone (t fixes the class of an exact SU(3)
 * element): the roots of the characteristic polynomial λ³ − tλ² + t̄λ − 1 are ill-conditioned
 * where eigenvalues coincide — an error ε in t moves a double root by √ε and a triple one by ∛ε,
 * so in float32 a plaquette near the identity or another centre element gets phases wrong by
 * 10⁻³–10⁻², and the class map built on them (which divides by the gaps) turns that into
 * non-unitary links and NaN. The eigenvalues of a unitary (normal) matrix are perfectly
 * conditioned instead: they move by no more than the matrix does.
 *
 * <p>Forward, in double precision: the Hermitian matrix A = (e^{−iα}P + e^{iα}P†)/2 shares P's
 * eigenvectors and has the eigenvalues cos(θₖ − α); α is chosen from Cardano's phases of tr P
 * (good to ∛ε, enough for this) as far as possible from every (θⱼ + θₖ)/2 mod π, so that distinct
 * θ give distinct eigenvalues of A. Cyclic complex Jacobi rotations diagonalize A; each
 * eigenvector v gives λ = v†Pv, θ = arg λ; the three are sorted, shifted by 2π where they sum
 * to ±2π, and their mean (zero up to rounding) is removed.
 *
 * <p>VJP: for a normal matrix dλₖ = vₖ† dP vₖ whatever the eigenvectors do (they are normalised,
 * and vₖ†P = λₖvₖ†), so dθₖ = Im(λ̄ₖ vₖ† dP vₖ)/|λₖ|²: ∂θₖ/∂Re P_ij = Im(wᵢⱼₖ),
 * ∂θₖ/∂Im P_ij = Re(wᵢⱼₖ) with wᵢⱼₖ = conj(V_ik) V_jk λ̄ₖ/|λₖ|², then the mean removal
 * (gₖ − ḡ). Every factor is bounded, so the cotangent is finite even where eigenvalues coincide
 * (there the phases are continuous but not differentiable; the formula gives one of the
 * one-sided values). Exact for unitary inputs; for a non-normal matrix it is the derivative of
 * the Rayleigh quotients only to first order in the non-normality.
 */
public record SuThreeEigenphases() implements Primitive {

    private static final int N = 3, MATRIX = 2 * N * N;

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 1);
        Shape m = inputs.getFirst();
        if (m.channels() != MATRIX) {
            throw new IllegalArgumentException(m + " is not one complex 3×3 matrix per site (18 channels)");
        }
        return m.withChannels(3);
    }

    @Override
    public boolean overwritesOutput() { return true; }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        Tensor p = inputs.getFirst();
        int sites = p.shape().sites();
        Decomposition d = new Decomposition();
        for (int b = 0; b < p.shape().batch(); b++) {
            for (int x = 0; x < sites; x++) {
                d.of(p, b, x, sites);
                for (int k = 0; k < 3; k++) out.set((3 * b + k) * sites + x, d.phases[k]);
            }
        }
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        Tensor p = inputs.getFirst();
        int sites = p.shape().sites();
        Tensor grad = Tensor.zeros(p.shape(), outputGrad.dtype());
        Decomposition d = new Decomposition();
        double[] g = new double[3];
        for (int b = 0; b < p.shape().batch(); b++) {
            for (int x = 0; x < sites; x++) {
                d.of(p, b, x, sites);
                double mean = 0;
                for (int k = 0; k < 3; k++) mean += (g[k] = outputGrad.get((3 * b + k) * sites + x)) / 3;
                for (int i = 0; i < N; i++) {
                    for (int j = 0; j < N; j++) {
                        double re = 0, im = 0;
                        for (int m = 0; m < 3; m++) {
                            int k = d.order[m];
                            // w = conj(V_ik) V_jk conj(λ_k) / |λ_k|²
                            double ar = d.vr[i][k], ai = -d.vi[i][k], br = d.vr[j][k], bi = d.vi[j][k];
                            double cr = ar * br - ai * bi, ci = ar * bi + ai * br;
                            double lr = d.lambdaRe[k] / d.lambdaNorm[k], li = -d.lambdaIm[k] / d.lambdaNorm[k];
                            double wr = cr * lr - ci * li, wi = cr * li + ci * lr;
                            double gm = g[m] - mean;
                            re += gm * wi;
                            im += gm * wr;
                        }
                        grad.set((MATRIX * b + 2 * (N * i + j)) * sites + x, re);
                        grad.set((MATRIX * b + 2 * (N * i + j) + 1) * sites + x, im);
                    }
                }
            }
        }
        return grad;
    }

    /** The eigen-decomposition of one site's matrix: eigenvectors (columns of V), eigenvalues, and the alcove order. */
    static final class Decomposition {
        final double[][] pr = new double[N][N], pi = new double[N][N];
        final double[][] vr = new double[N][N], vi = new double[N][N];
        final double[] lambdaRe = new double[N], lambdaIm = new double[N], lambdaNorm = new double[N];
        /** phases[m] = the alcove phase that came from eigenvector order[m]. */
        final double[] phases = new double[N];
        final int[] order = new int[N];
        private final double[][] ar = new double[N][N], ai = new double[N][N];
        private final double[] cardano = new double[N], raw = new double[N], sorted = new double[N];
        // one rotation's columns of U and of A·U, rows of U†·(AU): reused, a decomposition runs per site
        private final double[] upR = new double[N], upI = new double[N], uqR = new double[N], uqI = new double[N];
        private final double[] apR = new double[N], apI = new double[N], aqR = new double[N], aqI = new double[N];

        void of(Tensor p, int b, int x, int sites) {
            for (int i = 0; i < N; i++) {
                for (int j = 0; j < N; j++) {
                    pr[i][j] = p.get((MATRIX * b + 2 * (N * i + j)) * sites + x);
                    pi[i][j] = p.get((MATRIX * b + 2 * (N * i + j) + 1) * sites + x);
                }
            }
            decompose();
        }

        /** Decomposes the matrix held in pr, pi. */
        void decompose() {
            double alpha = separatingAngle();
            double ca = Math.cos(alpha), sa = Math.sin(alpha);
            // A = (e^{−iα}P + e^{iα}P†)/2: A_ij = (e^{−iα}P_ij + e^{iα}conj(P_ji))/2
            for (int i = 0; i < N; i++) {
                for (int j = 0; j < N; j++) {
                    double er = ca * pr[i][j] + sa * pi[i][j], ei = ca * pi[i][j] - sa * pr[i][j];
                    double fr = ca * pr[j][i] + sa * pi[j][i], fi = -(ca * pi[j][i] - sa * pr[j][i]);
                    ar[i][j] = (er + fr) / 2;
                    ai[i][j] = (ei + fi) / 2;
                }
            }
            jacobi();
            for (int k = 0; k < N; k++) {
                // λ = v†Pv
                double sr = 0, si = 0;
                for (int i = 0; i < N; i++) {
                    double ur = 0, ui = 0;
                    for (int j = 0; j < N; j++) {
                        ur += pr[i][j] * vr[j][k] - pi[i][j] * vi[j][k];
                        ui += pr[i][j] * vi[j][k] + pi[i][j] * vr[j][k];
                    }
                    sr += vr[i][k] * ur + vi[i][k] * ui;
                    si += vr[i][k] * ui - vi[i][k] * ur;
                }
                lambdaRe[k] = sr;
                lambdaIm[k] = si;
                lambdaNorm[k] = sr * sr + si * si;
                raw[k] = Math.atan2(si, sr);
            }
            canonical(raw);
        }

        /**
         * The angle α for A: among twelve candidates, the one farthest (mod π) from every
         * (θⱼ + θₖ)/2 of Cardano's phases, where cos(θⱼ − α) = cos(θₖ − α) would merge two eigenvalues.
         */
        private double separatingAngle() {
            double re = pr[0][0] + pr[1][1] + pr[2][2], im = pi[0][0] + pi[1][1] + pi[2][2];
            cardanoPhases(re, im, cardano);
            double best = 0, bestDistance = -1;
            for (int c = 0; c < 12; c++) {
                double alpha = c * Math.PI / 12, distance = Double.MAX_VALUE;
                for (int j = 0; j < N; j++) {
                    for (int k = j + 1; k < N; k++) {
                        double off = Math.IEEEremainder(alpha - (cardano[j] + cardano[k]) / 2, Math.PI);
                        distance = Math.min(distance, Math.abs(off));
                    }
                }
                if (distance > bestDistance) {
                    bestDistance = distance;
                    best = alpha;
                }
            }
            return best;
        }

        /** Cyclic Jacobi on the Hermitian A (ar, ai), accumulating the eigenvectors into V. */
        private void jacobi() {
            for (int i = 0; i < N; i++) {
                for (int j = 0; j < N; j++) {
                    vr[i][j] = i == j ? 1 : 0;
                    vi[i][j] = 0;
                }
            }
            for (int sweep = 0; sweep < 20; sweep++) {
                double off = 0, diagonal = 0;
                for (int i = 0; i < N; i++) {
                    diagonal += ar[i][i] * ar[i][i];
                    for (int j = i + 1; j < N; j++) off += ar[i][j] * ar[i][j] + ai[i][j] * ai[i][j];
                }
                if (off <= 1e-30 * Math.max(diagonal, 1e-300)) return;
                for (int p = 0; p < N; p++) for (int q = p + 1; q < N; q++) rotate(p, q);
            }
        }

        /**
         * Zeroes A_pq: with A_pq = r·e^{iφ}, the unitary U = D·R (D = diag(1, e^{−iφ}) on p, q, R the
         * real rotation by θ = ½ atan2(2r, A_qq − A_pp)) gives (U†AU)_pq = 0; A ← U†AU, V ← VU.
         */
        private void rotate(int p, int q) {
            double r = Math.hypot(ar[p][q], ai[p][q]);
            if (r == 0) return;
            double er = ar[p][q] / r, ei = ai[p][q] / r;
            double theta = 0.5 * Math.atan2(2 * r, ar[q][q] - ar[p][p]);
            double c = Math.cos(theta), s = Math.sin(theta);
            // U's columns p and q: u_p = c·e_p − s·conj(e)·e_q, u_q = s·e_p + c·conj(e)·e_q
            java.util.Arrays.fill(upR, 0);
            java.util.Arrays.fill(upI, 0);
            java.util.Arrays.fill(uqR, 0);
            java.util.Arrays.fill(uqI, 0);
            upR[p] = c;
            upR[q] = -s * er;
            upI[q] = s * ei;
            uqR[p] = s;
            uqR[q] = c * er;
            uqI[q] = -c * ei;
            // columns of A·U for p and q
            for (int i = 0; i < N; i++) {
                apR[i] = apI[i] = aqR[i] = aqI[i] = 0;
                for (int k = p; k <= q; k += q - p) {
                    apR[i] += ar[i][k] * upR[k] - ai[i][k] * upI[k];
                    apI[i] += ar[i][k] * upI[k] + ai[i][k] * upR[k];
                    aqR[i] += ar[i][k] * uqR[k] - ai[i][k] * uqI[k];
                    aqI[i] += ar[i][k] * uqI[k] + ai[i][k] * uqR[k];
                }
            }
            for (int i = 0; i < N; i++) {
                ar[i][p] = apR[i];
                ai[i][p] = apI[i];
                ar[i][q] = aqR[i];
                ai[i][q] = aqI[i];
            }
            // rows p and q of U†·(AU) (the a·· scratch arrays are free again)
            for (int j = 0; j < N; j++) {
                apR[j] = apI[j] = aqR[j] = aqI[j] = 0;
                for (int k = p; k <= q; k += q - p) {
                    apR[j] += upR[k] * ar[k][j] + upI[k] * ai[k][j];
                    apI[j] += upR[k] * ai[k][j] - upI[k] * ar[k][j];
                    aqR[j] += uqR[k] * ar[k][j] + uqI[k] * ai[k][j];
                    aqI[j] += uqR[k] * ai[k][j] - uqI[k] * ar[k][j];
                }
            }
            for (int j = 0; j < N; j++) {
                ar[p][j] = apR[j];
                ai[p][j] = apI[j];
                ar[q][j] = aqR[j];
                ai[q][j] = aqI[j];
            }
            ar[p][q] = ai[p][q] = ar[q][p] = ai[q][p] = 0;
            ai[p][p] = ai[q][q] = 0;
            // V ← V·U
            for (int i = 0; i < N; i++) {
                double xr = vr[i][p], xi = vi[i][p], yr = vr[i][q], yi = vi[i][q];
                vr[i][p] = xr * upR[p] - xi * upI[p] + yr * upR[q] - yi * upI[q];
                vi[i][p] = xr * upI[p] + xi * upR[p] + yr * upI[q] + yi * upR[q];
                vr[i][q] = xr * uqR[p] - xi * uqI[p] + yr * uqR[q] - yi * uqI[q];
                vi[i][q] = xr * uqI[p] + xi * uqR[p] + yr * uqI[q] + yi * uqR[q];
            }
        }

        /** Arguments in (−π, π] → the alcove: sorted descending, shifted by ∓2π where they sum to ±2π, mean removed. */
        private void canonical(double[] raw) {
            // descending order of three by insertion
            for (int m = 0; m < N; m++) {
                int k = m;
                while (k > 0 && raw[order[k - 1]] < raw[m]) {
                    order[k] = order[k - 1];
                    k--;
                }
                order[k] = m;
            }
            for (int m = 0; m < N; m++) sorted[m] = raw[order[m]];
            long turns = Math.round((sorted[0] + sorted[1] + sorted[2]) / (2 * Math.PI));
            if (turns > 0) {
                // the largest moves down by 2π and becomes the smallest
                sorted[0] -= 2 * Math.PI * turns;
                cycle(true);
            } else if (turns < 0) {
                sorted[2] -= 2 * Math.PI * turns;
                cycle(false);
            }
            double mean = (sorted[0] + sorted[1] + sorted[2]) / 3;
            for (int m = 0; m < N; m++) phases[m] = sorted[m] - mean;
        }

        /** Cycles sorted phases and their eigenvector indices: by one place to the front (left) or to the back. */
        private void cycle(boolean left) {
            int from = left ? 0 : N - 1, to = left ? N - 1 : 0, step = left ? 1 : -1;
            double phase = sorted[from];
            int index = order[from];
            for (int m = from; m != to; m += step) {
                sorted[m] = sorted[m + step];
                order[m] = order[m + step];
            }
            sorted[to] = phase;
            order[to] = index;
        }
    }

    /** The phases of the SU(3) class with trace re + i·im by Cardano's formula, unsorted: the first guess that picks α. */
    static void cardanoPhases(double re, double im, double[] phases) {
        // depressed cubic μ³ + pμ + q = 0 for λ = μ + t/3: p = t̄ − t²/3, q = −2t³/27 + |t|²/3 − 1
        double t2r = re * re - im * im, t2i = 2 * re * im;
        double t3r = t2r * re - t2i * im, t3i = t2r * im + t2i * re;
        double pr = re - t2r / 3, pi = -im - t2i / 3;
        double qr = -2 * t3r / 27 + (re * re + im * im) / 3 - 1, qi = -2 * t3i / 27;
        // Δ = (q/2)² + (p/3)³; C³ = −q/2 ± √Δ, the sign giving the larger |C| (no cancellation)
        double hr = qr / 2, hi = qi / 2;
        double p3r = pr / 3, p3i = pi / 3;
        double p3sr = p3r * p3r - p3i * p3i, p3si = 2 * p3r * p3i;
        double dr = hr * hr - hi * hi + (p3sr * p3r - p3si * p3i), di = 2 * hr * hi + (p3sr * p3i + p3si * p3r);
        double dm = Math.hypot(dr, di), da = Math.atan2(di, dr);
        double sr = Math.sqrt(dm) * Math.cos(da / 2), si = Math.sqrt(dm) * Math.sin(da / 2);
        double c3r = -hr + sr, c3i = -hi + si;
        double otherR = -hr - sr, otherI = -hi - si;
        if (Math.hypot(otherR, otherI) > Math.hypot(c3r, c3i)) { c3r = otherR; c3i = otherI; }
        double cm = Math.cbrt(Math.hypot(c3r, c3i)), ca = Math.atan2(c3i, c3r) / 3;
        for (int k = 0; k < 3; k++) {
            double mr = 0, mi = 0;
            if (cm > 1e-300) {
                double angle = ca + 2 * Math.PI * k / 3;
                double cr = cm * Math.cos(angle), ci = cm * Math.sin(angle);
                // μ = C − p/(3C)
                double inv = 1 / (cr * cr + ci * ci);
                double fr = (p3r * cr + p3i * ci) * inv, fi = (p3i * cr - p3r * ci) * inv;
                mr = cr - fr;
                mi = ci - fi;
            }
            phases[k] = Math.atan2(mi + im / 3, mr + re / 3);
        }
    }
}
