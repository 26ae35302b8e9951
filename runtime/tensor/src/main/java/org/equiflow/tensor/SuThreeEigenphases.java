package org.equiflow.tensor;

import java.util.List;

/**
 * The eigenphases of an SU(3) matrix from its trace alone: [B, 2, L…] (Re tr P, Im tr P) →
 * [B, 3, L…] (θ₁, θ₂, θ₃). For P ∈ SU(3) the characteristic polynomial is
 * λ³ − tλ² + t̄λ − 1 (t = tr P, det P = 1), so t fixes the conjugacy class and with it the
 * eigenvalues e^{iθₖ}. They are returned canonically, on the Weyl alcove
 * θ₁ ≥ θ₂ ≥ θ₃, θ₁ + θ₂ + θ₃ = 0, θ₁ − θ₃ ≤ 2π, which holds exactly one point of every class, so a
 * flow on the alcove is a flow on classes.
 *
 * <p>Forward: Cardano's formula in complex double arithmetic, arguments in (−π, π], shifted by 2π
 * where they sum to ±2π, sorted, then Newton steps on Σ e^{iθₖ} = t to the last bit (Cardano loses
 * digits where two roots nearly coincide). VJP: with θ₃ = −θ₁ − θ₂ the map (θ₁, θ₂) → (Re t, Im t)
 * has the Jacobian J = [[sin θ₃ − sin θ₁, sin θ₃ − sin θ₂], [cos θ₁ − cos θ₃, cos θ₂ − cos θ₃]],
 * so the cotangent of t is (g₁ − g₃, g₂ − g₃)·J⁻¹. J is singular where two eigenvalues coincide
 * (the alcove's walls, where the phases are not differentiable functions of t); it is finite
 * everywhere else.
 */
public record SuThreeEigenphases() implements Primitive {

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 1);
        Shape t = inputs.getFirst();
        if (t.channels() != 2) {
            throw new IllegalArgumentException(t + " is not one complex trace per site (Re, Im: 2 channels)");
        }
        return t.withChannels(3);
    }

    @Override
    public boolean overwritesOutput() { return true; }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        Tensor t = inputs.getFirst();
        Shape s = t.shape();
        int sites = s.sites();
        double[] phases = new double[3];
        for (int b = 0; b < s.batch(); b++) {
            for (int x = 0; x < sites; x++) {
                phases(t.get((2 * b) * sites + x), t.get((2 * b + 1) * sites + x), phases);
                for (int k = 0; k < 3; k++) out.set((3 * b + k) * sites + x, phases[k]);
            }
        }
    }

    /** The canonical eigenphases of the SU(3) class with trace re + i·im, written into {@code phases}. */
    static void phases(double re, double im, double[] phases) {
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
        canonical(phases);
        polish(re, im, phases);
    }

    /** Arguments in (−π, π] summing to 0 or ±2π → the alcove point: shift one by ∓2π, sort descending. */
    private static void canonical(double[] phases) {
        long turns = Math.round((phases[0] + phases[1] + phases[2]) / (2 * Math.PI));
        java.util.Arrays.sort(phases);
        if (turns > 0) phases[2] -= 2 * Math.PI * turns;
        else if (turns < 0) phases[0] -= 2 * Math.PI * turns;
        java.util.Arrays.sort(phases);
        double largest = phases[2], smallest = phases[0];
        phases[0] = largest;
        phases[2] = smallest;
        phases[2] = -phases[0] - phases[1];
    }

    /** Newton steps on (Σ cos θₖ, Σ sin θₖ) = (re, im), kept only while they shrink the residual. */
    private static void polish(double re, double im, double[] phases) {
        double residual = residual(re, im, phases);
        for (int step = 0; step < 4 && residual > 0; step++) {
            double s1 = Math.sin(phases[0]), s2 = Math.sin(phases[1]), s3 = Math.sin(phases[2]);
            double c1 = Math.cos(phases[0]), c2 = Math.cos(phases[1]), c3 = Math.cos(phases[2]);
            double a1 = s3 - s1, a2 = s3 - s2, b1 = c1 - c3, b2 = c2 - c3;
            double det = a1 * b2 - a2 * b1;
            if (Math.abs(det) < 1e-12) return;
            double ea = re - (c1 + c2 + c3), eb = im - (s1 + s2 + s3);
            double d1 = (b2 * ea - a2 * eb) / det, d2 = (-b1 * ea + a1 * eb) / det;
            double[] next = {phases[0] + d1, phases[1] + d2, -phases[0] - d1 - phases[1] - d2};
            double r = residual(re, im, next);
            if (!(r < residual) || !(next[0] >= next[1] && next[1] >= next[2])) return;
            System.arraycopy(next, 0, phases, 0, 3);
            residual = r;
        }
    }

    private static double residual(double re, double im, double[] phases) {
        double cos = 0, sin = 0;
        for (double phase : phases) {
            cos += Math.cos(phase);
            sin += Math.sin(phase);
        }
        return Math.hypot(cos - re, sin - im);
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        Tensor t1 = Ops.sliceChannels(output, 0, 1), t2 = Ops.sliceChannels(output, 1, 2), t3 = Ops.sliceChannels(output, 2, 3);
        Tensor g3 = Ops.sliceChannels(outputGrad, 2, 3);
        Tensor g1 = Ops.sub(Ops.sliceChannels(outputGrad, 0, 1), g3), g2 = Ops.sub(Ops.sliceChannels(outputGrad, 1, 2), g3);
        Tensor a1 = Ops.sub(Ops.sin(t3), Ops.sin(t1)), a2 = Ops.sub(Ops.sin(t3), Ops.sin(t2));
        Tensor b1 = Ops.sub(Ops.cos(t1), Ops.cos(t3)), b2 = Ops.sub(Ops.cos(t2), Ops.cos(t3));
        Tensor det = Ops.sub(Ops.mul(a1, b2), Ops.mul(a2, b1));
        // (g₁, g₂)·J⁻¹ with J⁻¹ = [[b₂, −a₂], [−b₁, a₁]] / det
        Tensor gradRe = Ops.div(Ops.sub(Ops.mul(g1, b2), Ops.mul(g2, b1)), det);
        Tensor gradIm = Ops.div(Ops.sub(Ops.mul(g2, a1), Ops.mul(g1, a2)), det);
        return Ops.concatChannels(List.of(gradRe, gradIm));
    }
}
