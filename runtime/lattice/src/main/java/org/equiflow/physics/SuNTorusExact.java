package org.equiflow.physics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exact results of 2D SU(N) lattice gauge theory with the Wilson action S = −(β/N) Σₓ Re tr P(x) on a periodic
 * torus of V plaquettes, by the character expansion (Drouffe–Zuber; Migdal; as used by Boyda et al.,
 * arXiv:2008.05456, for their exact references). The plaquette weight expands in irreducible characters,
 *
 * <pre>
 *   e^{(β/N) Re tr U} = Σ_r f_r(β) χ_r(U),   f_λ(β) = Σ_{q∈ℤ} det_{1≤i,j≤N} [ I_{λ_j−j+i+q}(β/N) ],
 * </pre>
 *
 * with r labelled by a Young diagram λ₁ ≥ … ≥ λ_{N−1} ≥ λ_N = 0 (the sum over q folds the U(N) irreps λ + q(1,…,1)
 * into one SU(N) irrep), of dimension d_λ = ∏_{i<j} (λᵢ − λⱼ + j − i)/(j − i). Gluing plaquettes along shared links
 * with ∫dV χ_r(UV) χ_s(V†W) = δ_rs χ_r(UW)/d_r leaves, on a surface of genus g with boundary holonomies W_k,
 * Σ_r d_r^{2−2g−b} c_r^{area} ∏ χ_r(W_k) with c_r = f_r/d_r. On the torus (g = 1, no boundary), with Haar measure
 * of total mass one on every link,
 *
 * <pre>
 *   Z = Σ_r c_r^V,   ⟨(1/N) Re tr P⟩ = (1/V) ∂_β ln Z,
 *   ⟨(1/N) tr W⟩ = (1/NZ) Σ_{s, r ⊂ s⊗F} (d_s/d_r) c_s^A c_r^{V−A}   (a contractible loop around A plaquettes:
 *   a disc of area A glued to a torus with one hole),
 * </pre>
 *
 * where r ⊂ s⊗F adds one box to λ_s (Pieri's rule; a box in row N removes a full column). Sums run over all
 * diagrams with λ₁ ≤ {@value #MAX_ROW} — for β/N ≤ 10 the next ones weigh less than 1e-20 relative to the trivial
 * irrep even at V = 1 — and the modified Bessel functions come from their power series of positive terms, so every
 * entry has full relative precision.
 */
public final class SuNTorusExact {
    /** Longest first row of the Young diagrams summed over. */
    static final int MAX_ROW = 48;
    /** How far past the diagram's extent the sum over q ∈ ℤ runs. */
    private static final int QUOTIENT_MARGIN = 45;
    /** Largest β/N the truncation above is accurate for. */
    public static final double MAX_BETA_OVER_N = 10;

    private final int n;
    private final double beta;
    private final List<Irrep> irreps;
    private final Map<String, Irrep> irrepsByDiagram = new HashMap<>();
    private final double logScaleOfF;

    /** One irreducible representation: its diagram, dimension, c_r/c₀ and (∂_β c_r)/c₀. */
    record Irrep(int[] diagram, double dimension, double relativeWeight, double relativeWeightDerivative) {}

    /**
     * The character expansion of SU({@code n}) at coupling {@code beta}.
     *
     * @throws IllegalArgumentException for n outside 2…4 or β outside (0, N·{@value #MAX_BETA_OVER_N}]
     */
    public SuNTorusExact(int n, double beta) {
        if (n < 2 || n > 4) throw new IllegalArgumentException("SU(N) exact results are computed for N = 2, 3, 4, got N = " + n);
        if (!(beta > 0 && beta / n <= MAX_BETA_OVER_N)) {
            throw new IllegalArgumentException("exact SU(" + n + ") results need 0 < β ≤ " + (n * MAX_BETA_OVER_N) + ", got β = " + beta);
        }
        this.n = n;
        this.beta = beta;
        double x = beta / n;
        // e^{−x} Iₖ(x) for |k| up to the largest index a determinant touches.
        int maxIndex = MAX_ROW + 3 * n + QUOTIENT_MARGIN + 2;
        double[] bessel = new double[2 * maxIndex + 1];
        for (int k = -maxIndex; k <= maxIndex; k++) bessel[k + maxIndex] = scaledBesselI(Math.abs(k), x);
        List<int[]> diagrams = diagrams(n);
        double[] f = new double[diagrams.size()], fPrime = new double[diagrams.size()];
        for (int d = 0; d < diagrams.size(); d++) {
            double[] both = characterCoefficient(diagrams.get(d), bessel, maxIndex);
            f[d] = both[0];
            fPrime[d] = both[1] / n;
        }
        double d0 = f[0];
        List<Irrep> list = new ArrayList<>();
        for (int d = 0; d < diagrams.size(); d++) {
            double dim = dimension(diagrams.get(d));
            list.add(new Irrep(diagrams.get(d), dim, f[d] / dim / d0, fPrime[d] / dim / d0));
        }
        irreps = List.copyOf(list);
        for (Irrep r : irreps) irrepsByDiagram.put(Arrays.toString(r.diagram()), r);
        // Each determinant entry was scaled by e^{−x}: f_r = e^{N x} · (scaled f_r).
        logScaleOfF = n * x + Math.log(d0);
    }

    public int n() { return n; }

    public double beta() { return beta; }

    /** ⟨(1/N) Re tr P⟩ on a torus of {@code volume} plaquettes. */
    public double plaquette(int volume) {
        requireVolume(volume);
        double num = 0, den = 0;
        for (Irrep r : irreps) {
            double w = Math.pow(r.relativeWeight(), volume - 1);
            num += w * r.relativeWeightDerivative();
            den += w * r.relativeWeight();
        }
        return num / den;
    }

    /** The plaquette of the infinite lattice, c_F/c₀ with F the fundamental irrep: 2D plaquettes are independent. */
    public double plaquetteInfiniteVolume() {
        return irrep(fundamental()).relativeWeight();
    }

    /** ln Z on a torus of {@code volume} plaquettes, Haar measure normalised to one per link. */
    public double logPartitionFunction(int volume) {
        requireVolume(volume);
        double sum = 0;
        for (Irrep r : irreps) sum += Math.pow(r.relativeWeight(), volume);
        return volume * logScaleOfF + Math.log(sum);
    }

    /**
     * ⟨(1/N) Re tr W⟩ of a contractible Wilson loop enclosing {@code area} plaquettes (an R×T rectangle has area R·T)
     * on a torus of {@code volume} plaquettes.
     */
    public double wilsonLoop(int area, int volume) {
        requireVolume(volume);
        if (area < 1 || area >= volume) {
            throw new IllegalArgumentException("a contractible loop encloses 1 … V−1 plaquettes, got area " + area + " on V = " + volume);
        }
        double num = 0, den = 0;
        for (Irrep s : irreps) {
            double inside = s.dimension() * Math.pow(s.relativeWeight(), area);
            for (int[] diagram : addOneBox(s.diagram())) {
                Irrep r = irrep(diagram);
                if (r == null) continue; // beyond the truncation, where c_r^{V−A} is negligible
                num += inside / r.dimension() * Math.pow(r.relativeWeight(), volume - area);
            }
            den += Math.pow(s.relativeWeight(), volume);
        }
        return num / den / n;
    }

    private void requireVolume(int volume) {
        if (volume < 1) throw new IllegalArgumentException("a torus has at least one plaquette, got V = " + volume);
    }

    private int[] fundamental() {
        int[] f = new int[n];
        f[0] = 1;
        return f;
    }

    /** c_λ/c₀ for the diagram λ (λ_N = 0), NaN beyond the truncation. */
    double relativeWeight(int... diagram) {
        Irrep r = irrep(diagram);
        return r == null ? Double.NaN : r.relativeWeight();
    }

    private Irrep irrep(int[] diagram) {
        return irrepsByDiagram.get(Arrays.toString(diagram));
    }

    /** The diagrams of s ⊗ F by Pieri's rule, each normalised to λ_N = 0. */
    private List<int[]> addOneBox(int[] s) {
        List<int[]> out = new ArrayList<>();
        for (int row = 0; row < n; row++) {
            if (row > 0 && s[row] + 1 > s[row - 1]) continue;
            int[] r = s.clone();
            r[row]++;
            if (r[n - 1] > 0) for (int i = 0; i < n; i++) r[i]--;
            out.add(r);
        }
        return out;
    }

    /** Every diagram λ₁ ≥ … ≥ λ_{N−1} ≥ λ_N = 0 with λ₁ ≤ {@value #MAX_ROW}, the trivial one first. */
    static List<int[]> diagrams(int n) {
        List<int[]> out = new ArrayList<>();
        addRows(new int[n], 0, MAX_ROW, out);
        out.sort(Comparator.comparingInt(d -> Arrays.stream(d).sum()));
        return out;
    }

    /** Chooses rows {@code row} … N−2, each at most {@code max} (the row above); row N−1 stays 0. */
    private static void addRows(int[] diagram, int row, int max, List<int[]> out) {
        if (row == diagram.length - 1) {
            out.add(diagram.clone());
            return;
        }
        for (int v = 0; v <= max; v++) {
            diagram[row] = v;
            addRows(diagram, row + 1, v, out);
        }
    }

    /** d_λ = ∏_{i<j} (λᵢ − λⱼ + j − i)/(j − i), Weyl's dimension formula. */
    static double dimension(int[] lambda) {
        double d = 1;
        for (int i = 0; i < lambda.length; i++) {
            for (int j = i + 1; j < lambda.length; j++) d *= (double) (lambda[i] - lambda[j] + j - i) / (j - i);
        }
        return d;
    }

    /**
     * {e^{−Nx} f_λ, e^{−Nx} Σ_q ∂ₓ det}: the determinants of Bessel functions and their x-derivatives, the latter
     * by replacing one column at a time with Iₖ′ = (Iₖ₋₁ + Iₖ₊₁)/2.
     */
    private double[] characterCoefficient(int[] lambda, double[] bessel, int offset) {
        double f = 0, fPrime = 0;
        double[][] m = new double[n][n], work = new double[n][n];
        double[] derivativeColumn = new double[n];
        // Column j has an entry of index near 0 only for q near −λ_j; beyond |index| ≈ x + 40 Bessel functions are
        // below 1e-20 of I₀, so q outside [−λ₁ − N − 45, N + 45] adds nothing.
        for (int q = -lambda[0] - n - QUOTIENT_MARGIN; q <= n + QUOTIENT_MARGIN; q++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) m[i][j] = bessel[lambda[j] - (j + 1) + (i + 1) + q + offset];
            }
            f += determinant(m, work);
            for (int col = 0; col < n; col++) {
                for (int i = 0; i < n; i++) {
                    int k = lambda[col] - (col + 1) + (i + 1) + q;
                    derivativeColumn[i] = 0.5 * (bessel[k - 1 + offset] + bessel[k + 1 + offset]);
                }
                for (int i = 0; i < n; i++) {
                    System.arraycopy(m[i], 0, work[i], 0, n);
                    work[i][col] = derivativeColumn[i];
                }
                fPrime += determinantInPlace(work);
            }
        }
        return new double[] {f, fPrime};
    }

    static double determinant(double[][] a) {
        return determinant(a, new double[a.length][a.length]);
    }

    private static double determinant(double[][] a, double[][] work) {
        for (int i = 0; i < a.length; i++) System.arraycopy(a[i], 0, work[i], 0, a.length);
        return determinantInPlace(work);
    }

    /** Gaussian elimination with partial pivoting, overwriting {@code a}. */
    private static double determinantInPlace(double[][] a) {
        int size = a.length;
        double det = 1;
        for (int c = 0; c < size; c++) {
            int pivot = c;
            for (int r = c + 1; r < size; r++) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
            if (a[pivot][c] == 0) return 0;
            if (pivot != c) {
                double[] t = a[pivot];
                a[pivot] = a[c];
                a[c] = t;
                det = -det;
            }
            det *= a[c][c];
            for (int r = c + 1; r < size; r++) {
                double factor = a[r][c] / a[c][c];
                for (int k = c + 1; k < size; k++) a[r][k] -= factor * a[c][k];
            }
        }
        return det;
    }

    /** e^{−x} Iₖ(x) for k ≥ 0 from Σ_m (x/2)^{2m+k} / (m!(m+k)!), summed in logarithms (all terms positive). */
    static double scaledBesselI(int k, double x) {
        if (x == 0) return k == 0 ? 1 : 0;
        double logHalfX = Math.log(x / 2), sum = 0;
        double logFactM = 0, logFactMk = logFactorial(k);
        for (int m = 0; m < 10_000; m++) {
            if (m > 0) {
                logFactM += Math.log(m);
                logFactMk += Math.log(m + k);
            }
            double term = Math.exp(-x + (2 * m + k) * logHalfX - logFactM - logFactMk);
            sum += term;
            if (m > x && term < 1e-18 * sum) break;
        }
        return sum;
    }

    private static double logFactorial(int k) {
        double s = 0;
        for (int i = 2; i <= k; i++) s += Math.log(i);
        return s;
    }
}
