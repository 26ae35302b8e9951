package org.equiflow.tensor.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, log, tanh, sin, cos, tan and atan of eight float32 values at once (AVX-512) or four (AVX2),
 * evaluated in float64 and rounded once, so the float32 result is the correctly rounded value except at rare ties (the Vector API's own
 * transcendental operations fall back to per-lane library calls on this JDK, slower than
 * {@code Math.exp}).
 *
 * <p>exp: x = k·ln 2 + r with k = round(x / ln 2) and |r| ≤ ln 2 / 2 (Cody–Waite, two-part
 * ln 2); exp(r) − 1 by its Taylor series to r¹¹ (relative error below 1e-14); 2^k assembled in
 * the exponent bits. The methods stay small and free of masks: the Vector API is only fast
 * where C2 inlines all of a computation, and it stopped doing so for a larger tanh. Arguments are clamped to [−104, 89] first, where float32 exp is already 0 or
 * infinite, so 2^k stays a normal double; NaN stays NaN.
 *
 * <p>sin, cos, tan: reduced by multiples of π (two-part π, each product exact in a fused
 * multiply-add) to |r| ≤ π/2, where one Taylor series of sin to r¹⁹ serves all three (relative
 * error below 1e-15); an array holding an |x| above {@link #ANGLE_LIMIT}, an infinity or a NaN
 * goes to {@code Math} instead, which reduces any double exactly. atan: see
 * {@link #atan(float[], float[], int, int)}.
 */
public final class VectorMath {

    /**
     * As many float32 lanes in as the machine has float64 lanes for the evaluation: eight with
     * AVX-512, four with AVX2. Every lane does the same float64 operations either way, so both
     * widths give the same bits.
     */
    private static final boolean WIDE = DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    public static final VectorSpecies<Float> FLOATS = WIDE ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;
    static final VectorSpecies<Double> DOUBLES = WIDE ? DoubleVector.SPECIES_512 : DoubleVector.SPECIES_256;

    private static final double LOG2E = 1.4426950408889634;
    private static final double LN2_HI = 6.93145751953125E-1;
    private static final double LN2_LO = 1.42860682030941723212E-6;
    /** 1.5·2^52: adding it rounds to an integer held in the low mantissa bits. */
    private static final double ROUNDING = 6755399441055744.0;

    private VectorMath() {
    }

    /**
     * Whether this machine has at least four float64 lanes (AVX2 or AVX-512). Below that the
     * callers use {@code Math} one value at a time.
     */
    public static boolean supported() {
        return DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    /** 2^k in the exponent bits, from t = x·log2(e) + 1.5·2^52 whose low mantissa bits hold k. */
    private static DoubleVector twoToThe(DoubleVector t) {
        LongVector bits = ((LongVector) t.reinterpretAsLongs()).add(1023L).lanewise(VectorOperators.LSHL, 52);
        return (DoubleVector) bits.reinterpretAsDoubles();
    }

    /** (exp(r) − 1)/r by its Taylor series to r^10 (so exp(r) − 1 to r^11), Horner form. */
    private static DoubleVector expm1OverR(DoubleVector r) {
        DoubleVector p = DoubleVector.broadcast(DOUBLES, 1.0 / 39916800.0);
        p = p.fma(r, DoubleVector.broadcast(DOUBLES, 1.0 / 3628800.0));
        p = p.fma(r, DoubleVector.broadcast(DOUBLES, 1.0 / 362880.0));
        p = p.fma(r, DoubleVector.broadcast(DOUBLES, 1.0 / 40320.0));
        p = p.fma(r, DoubleVector.broadcast(DOUBLES, 1.0 / 5040.0));
        p = p.fma(r, DoubleVector.broadcast(DOUBLES, 1.0 / 720.0));
        p = p.fma(r, DoubleVector.broadcast(DOUBLES, 1.0 / 120.0));
        p = p.fma(r, DoubleVector.broadcast(DOUBLES, 1.0 / 24.0));
        p = p.fma(r, DoubleVector.broadcast(DOUBLES, 1.0 / 6.0));
        p = p.fma(r, DoubleVector.broadcast(DOUBLES, 0.5));
        return p.fma(r, DoubleVector.broadcast(DOUBLES, 1.0));
    }

    /** exp(x) − 1 without cancellation near 0: 2^k·q + (2^k − 1) with q = exp(r) − 1. */
    static DoubleVector expm1Double(DoubleVector x) {
        x = x.max(-104.0).min(89.0);
        DoubleVector t = x.fma(LOG2E, ROUNDING);
        DoubleVector k = t.sub(ROUNDING);
        DoubleVector r = k.fma(DoubleVector.broadcast(DOUBLES, -LN2_HI), x);
        r = k.fma(DoubleVector.broadcast(DOUBLES, -LN2_LO), r);
        DoubleVector q = r.mul(expm1OverR(r));
        DoubleVector scale = twoToThe(t);
        return scale.fma(q, scale.sub(1.0));
    }

    /** exp(x) = 2^k·(1 + q). */
    static DoubleVector expDouble(DoubleVector x) {
        x = x.max(-104.0).min(89.0);
        DoubleVector t = x.fma(LOG2E, ROUNDING);
        DoubleVector k = t.sub(ROUNDING);
        DoubleVector r = k.fma(DoubleVector.broadcast(DOUBLES, -LN2_HI), x);
        r = k.fma(DoubleVector.broadcast(DOUBLES, -LN2_LO), r);
        DoubleVector scale = twoToThe(t);
        return scale.fma(r.mul(expm1OverR(r)), scale);
    }

    private static DoubleVector widen(FloatVector x) {
        return (DoubleVector) x.convertShape(VectorOperators.F2D, DOUBLES, 0);
    }

    private static FloatVector narrow(DoubleVector x) {
        return (FloatVector) x.convertShape(VectorOperators.D2F, FLOATS, 0);
    }

    private static final double ONE_OVER_PI = 0.3183098861837907;
    private static final double PI_HI = 3.141592653589793;
    private static final double PI_LO = 1.2246467991473532e-16;
    private static final double PIO2_HI = 1.5707963267948966;
    private static final double PIO2_LO = 6.123233995736766e-17;
    private static final double PI_OVER_4 = 0.7853981633974483;
    private static final double TAN_PI_OVER_8 = 0.41421356237309515;
    private static final double TAN_3PI_OVER_8 = 2.414213562373095;

    /**
     * Angles up to this size are reduced here; an array with a larger one, an infinity or a NaN
     * is left to {@code Math} (k·π needs k well inside the 2^51 of the rounding trick).
     */
    public static final double ANGLE_LIMIT = 1e6;

    /*
     * The angle kernels below write their polynomials out inside each loop instead of calling
     * a helper: C2 compiles a helper that C1 called often on its own first, then refuses to
     * inline the big compiled helper into the loop, and the vectors passed to it are boxed (the
     * kernel ran 3–4× slower, depending on the order of compilation). Only helpers of a few
     * bytecodes, which every tier inlines, are called, and each vector loop is a method of its
     * own (log ran 3× slower with its range check in the same method). Kernels with two
     * polynomials or several reductions (tan, atan) would exceed C2's node budget for one loop,
     * so they run in passes over blocks of BLOCK values through a float64 scratch, one loop per
     * pass. Selections use compare and blend: the Vector API's min and max (Java's NaN and
     * signed-zero rules) made a kernel 3× slower.
     */

    /** Values per pass of the two-pass kernels: their scratch stays in L1. */
    private static final int BLOCK = 512;

    private static final ThreadLocal<double[]> SCRATCH = ThreadLocal.withInitial(() -> new double[3 * BLOCK]);

    /** round(v), for |v| < 2^51. */
    private static DoubleVector rounded(DoubleVector v) {
        return v.add(ROUNDING).sub(ROUNDING);
    }

    /** (−1)^k for an integer k held in a double: 1 − 2·(k − 2·round(k/2 − 1/4)). */
    private static DoubleVector alternating(DoubleVector k) {
        return rounded(k.fma(0.5, -0.25)).mul(-2.0).add(k).fma(-2.0, 1.0);
    }

    /** Whether every x[from … to) is a finite angle of size at most {@link #ANGLE_LIMIT}. */
    private static boolean anglesInRange(float[] x, int from, int to) {
        int i = from;
        for (int end = from + FLOATS.loopBound(to - from); i < end; i += FLOATS.length()) {
            // false for NaN and ±∞
            if (!FloatVector.fromArray(FLOATS, x, i).abs().compare(VectorOperators.LE, (float) ANGLE_LIMIT).allTrue()) return false;
        }
        for (; i < to; i++) if (!(Math.abs(x[i]) <= ANGLE_LIMIT)) return false;
        return true;
    }

    /** Whether every x[from … to) is positive and finite (not NaN). */
    private static boolean positiveAndFinite(float[] x, int from, int to) {
        int i = from;
        for (int end = from + FLOATS.loopBound(to - from); i < end; i += FLOATS.length()) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, i);
            if (!v.compare(VectorOperators.GT, 0f).and(v.compare(VectorOperators.LT, Float.POSITIVE_INFINITY)).allTrue()) return false;
        }
        for (; i < to; i++) if (!(x[i] > 0f && x[i] < Float.POSITIVE_INFINITY)) return false;
        return true;
    }

    /**
     * {@code y[i] = sin(x[i])} for i in [from, to): x = kπ + r with k = round(x/π) (two-part π,
     * each product exact in the fused multiply-add), |r| ≤ π/2, sin x = (−1)^k sin r, sin r by
     * its Taylor series to r^19 (relative error below 1e-15).
     */
    public static void sin(float[] x, float[] y, int from, int to) {
        int i = from;
        if (anglesInRange(x, from, to)) {
            i = from + FLOATS.loopBound(to - from);
            sinVectors(x, y, from, i);
        }
        for (; i < to; i++) y[i] = (float) Math.sin(x[i]);
    }

    private static void sinVectors(float[] x, float[] y, int from, int end) {
        for (int i = from; i < end; i += FLOATS.length()) {
            DoubleVector v = widen(FloatVector.fromArray(FLOATS, x, i));
            DoubleVector k = rounded(v.mul(ONE_OVER_PI));
            DoubleVector r = k.fma(DoubleVector.broadcast(DOUBLES, -PI_LO), k.fma(DoubleVector.broadcast(DOUBLES, -PI_HI), v));
            DoubleVector p = sinOfReduced(r);
            narrow(p.mul(alternating(k))).intoArray(y, i);
        }
    }

    /**
     * {@code y[i] = cos(x[i])} for i in [from, to): x = (k + ½)π + r, cos x = −(−1)^k sin r, with
     * r from the odd multiple 2k + 1 of π/2, so that it stays accurate where cos x is small.
     */
    public static void cos(float[] x, float[] y, int from, int to) {
        int i = from;
        if (anglesInRange(x, from, to)) {
            i = from + FLOATS.loopBound(to - from);
            cosVectors(x, y, from, i);
        }
        for (; i < to; i++) y[i] = (float) Math.cos(x[i]);
    }

    private static void cosVectors(float[] x, float[] y, int from, int end) {
        for (int i = from; i < end; i += FLOATS.length()) {
            DoubleVector v = widen(FloatVector.fromArray(FLOATS, x, i));
            DoubleVector k = rounded(v.fma(ONE_OVER_PI, -0.5));
            DoubleVector odd = k.fma(2.0, 1.0);
            DoubleVector r = odd.fma(DoubleVector.broadcast(DOUBLES, -PIO2_LO), odd.fma(DoubleVector.broadcast(DOUBLES, -PIO2_HI), v));
            DoubleVector p = sinOfReduced(r);
            narrow(p.mul(alternating(k).neg())).intoArray(y, i);
        }
    }

    /**
     * {@code y[i] = tan(x[i])} for i in [from, to): x = kπ + r, |r| ≤ π/2, and
     * tan x = sin r / sin d with d = π/2 − |r| (two-part π/2): cos r computed where it is small
     * without cancellation.
     */
    public static void tan(float[] x, float[] y, int from, int to) {
        int i = from;
        if (anglesInRange(x, from, to)) {
            double[] scratch = SCRATCH.get();
            int end = from + FLOATS.loopBound(to - from);
            for (; i < end; i += BLOCK) {
                int n = Math.min(end - i, BLOCK);
                tanReduce(x, i, n, scratch);
                sinInPlace(scratch, 0, n);
                sinInPlace(scratch, BLOCK, n);
                quotient(scratch, y, i, n);
            }
            i = end;
        }
        for (; i < to; i++) y[i] = (float) Math.tan(x[i]);
    }

    /** scratch[0, n) = r, scratch[BLOCK, BLOCK + n) = π/2 − |r| for x[from, from + n). */
    private static void tanReduce(float[] x, int from, int n, double[] scratch) {
        for (int s = 0; s < n; s += FLOATS.length()) {
            DoubleVector v = widen(FloatVector.fromArray(FLOATS, x, from + s));
            DoubleVector k = rounded(v.mul(ONE_OVER_PI));
            DoubleVector r = k.fma(DoubleVector.broadcast(DOUBLES, -PI_LO), k.fma(DoubleVector.broadcast(DOUBLES, -PI_HI), v));
            r.intoArray(scratch, s);
            DoubleVector.broadcast(DOUBLES, PIO2_HI).sub(r.abs()).add(PIO2_LO).intoArray(scratch, BLOCK + s);
        }
    }

    /** scratch[s] = sin(scratch[s]) for |scratch[s]| ≤ π/2, s in [offset, offset + n). */
    /** sin r for |r| ≤ π/2: its Taylor series to r^19 (relative error below 1e-15). */
    private static DoubleVector sinOfReduced(DoubleVector r) {
        DoubleVector pz = r.mul(r);
        DoubleVector p = DoubleVector.broadcast(DOUBLES, -1.0 / 121645100408832000.0);
        p = p.fma(pz, DoubleVector.broadcast(DOUBLES, 1.0 / 355687428096000.0));
        p = p.fma(pz, DoubleVector.broadcast(DOUBLES, -1.0 / 1307674368000.0));
        p = p.fma(pz, DoubleVector.broadcast(DOUBLES, 1.0 / 6227020800.0));
        p = p.fma(pz, DoubleVector.broadcast(DOUBLES, -1.0 / 39916800.0));
        p = p.fma(pz, DoubleVector.broadcast(DOUBLES, 1.0 / 362880.0));
        p = p.fma(pz, DoubleVector.broadcast(DOUBLES, -1.0 / 5040.0));
        p = p.fma(pz, DoubleVector.broadcast(DOUBLES, 1.0 / 120.0));
        p = p.fma(pz, DoubleVector.broadcast(DOUBLES, -1.0 / 6.0));
        return r.mul(pz).fma(p, r);
    }

    private static void sinInPlace(double[] scratch, int offset, int n) {
        for (int s = offset; s < offset + n; s += FLOATS.length()) {
            DoubleVector r = DoubleVector.fromArray(DOUBLES, scratch, s);
            DoubleVector p = sinOfReduced(r);
            p.intoArray(scratch, s);
        }
    }

    /** y[from + s] = scratch[s] / scratch[BLOCK + s], rounded to float. */
    private static void quotient(double[] scratch, float[] y, int from, int n) {
        for (int s = 0; s < n; s += FLOATS.length()) {
            narrow(DoubleVector.fromArray(DOUBLES, scratch, s).div(DoubleVector.fromArray(DOUBLES, scratch, BLOCK + s))).intoArray(y, from + s);
        }
    }

    /**
     * {@code y[i] = atan(x[i])} for i in [from, to) (any value; NaN stays NaN, ±∞ gives ±π/2):
     * atan is odd, and atan a = c + atan u with u = (a − tan c)/(1 + a·tan c): c = 0 for
     * a ≤ tan(π/8), π/4 up to tan(3π/8) (u = (a − 1)/(a + 1)), π/2 beyond (u = −1/a), so that
     * |u| ≤ tan(π/8) with one division; atan u by its Taylor series to u^35 (relative error
     * below 1e-15). The first pass leaves u, c and the sign of x.
     */
    public static void atan(float[] x, float[] y, int from, int to) {
        double[] scratch = SCRATCH.get();
        int end = from + FLOATS.loopBound(to - from);
        for (int i = from; i < end; i += BLOCK) {
            int n = Math.min(end - i, BLOCK);
            atanReduce(x, i, n, scratch);
            atanCombine(scratch, y, i, n);
        }
        for (int i = end; i < to; i++) y[i] = (float) Math.atan(x[i]);
    }

    /**
     * scratch[0, n) = u, scratch[BLOCK, BLOCK + n) = c, scratch[2·BLOCK, 2·BLOCK + n) = ±1, the
     * sign of x, for x[from, from + n). (Selections by masks: the same written with min and
     * max of the Vector API ran 3× slower.)
     */
    private static void atanReduce(float[] x, int from, int n, double[] scratch) {
        DoubleVector one = DoubleVector.broadcast(DOUBLES, 1.0);
        for (int s = 0; s < n; s += FLOATS.length()) {
            DoubleVector v = widen(FloatVector.fromArray(FLOATS, x, from + s));
            DoubleVector a = v.abs();
            var shifted = a.compare(VectorOperators.GT, TAN_PI_OVER_8);
            var inverted = a.compare(VectorOperators.GT, TAN_3PI_OVER_8);
            // c = 0: a / 1;  c = π/4: (a − 1)/(a + 1);  c = π/2: −1 / a
            DoubleVector numerator = a.blend(a.sub(1.0), shifted).blend(-1.0, inverted);
            DoubleVector denominator = one.blend(a.add(1.0), shifted).blend(a, inverted);
            numerator.div(denominator).intoArray(scratch, s);
            DoubleVector.zero(DOUBLES).blend(PI_OVER_4, shifted).blend(PIO2_HI, inverted).intoArray(scratch, BLOCK + s);
            one.blend(-1.0, v.compare(VectorOperators.LT, 0.0)).intoArray(scratch, 2 * BLOCK + s);
        }
    }

    /** y[from + s] = sign·(c + atan u), rounded to float. */
    private static void atanCombine(double[] scratch, float[] y, int from, int n) {
        for (int s = 0; s < n; s += FLOATS.length()) {
            DoubleVector u = DoubleVector.fromArray(DOUBLES, scratch, s);
            DoubleVector pz = u.mul(u);
            DoubleVector p = DoubleVector.broadcast(DOUBLES, -1.0 / 35.0);
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, 1.0 / 33.0));
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, -1.0 / 31.0));
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, 1.0 / 29.0));
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, -1.0 / 27.0));
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, 1.0 / 25.0));
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, -1.0 / 23.0));
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, 1.0 / 21.0));
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, -1.0 / 19.0));
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, 1.0 / 17.0));
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, -1.0 / 15.0));
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, 1.0 / 13.0));
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, -1.0 / 11.0));
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, 1.0 / 9.0));
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, -1.0 / 7.0));
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, 1.0 / 5.0));
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, -1.0 / 3.0));
            p = p.fma(pz, DoubleVector.broadcast(DOUBLES, 1.0 / 1.0));
            p = u.mul(p);
            DoubleVector c = DoubleVector.fromArray(DOUBLES, scratch, BLOCK + s);
            narrow(p.add(c).mul(DoubleVector.fromArray(DOUBLES, scratch, 2 * BLOCK + s))).intoArray(y, from + s);
        }
    }

    private static final long MANTISSA_BITS = (1L << 52) - 1;
    private static final long EXPONENT_OF_ONE = 1023L << 52;
    /** The bits of 2^52: or-ing an exponent field into its mantissa gives 2^52 + field. */
    private static final long TWO_TO_52_BITS = 0x4330000000000000L;
    private static final double SQRT2 = 1.4142135623730951;

    /**
     * {@code y[i] = log(x[i])} for i in [from, to): x = 2^e·m with m in [√½, √2) read from the
     * bits of x as a double (float32 subnormals are normal there), log m = 2·atanh t with
     * t = (m − 1)/(m + 1), |t| ≤ 0.172, by its Taylor series to t^21 (relative error below
     * 1e-15), plus e·ln 2 in two parts. An array holding a value that is not positive and
     * finite goes to {@code Math}.
     */
    public static void log(float[] x, float[] y, int from, int to) {
        int i = from;
        if (positiveAndFinite(x, from, to)) {
            i = from + FLOATS.loopBound(to - from);
            logVectors(x, y, from, i);
        }
        for (; i < to; i++) y[i] = (float) Math.log(x[i]);
    }

    /** The vector loop of {@link #log(float[], float[], int, int)}, in a method of its own like every kernel loop here. */
    private static void logVectors(float[] x, float[] y, int from, int end) {
        for (int i = from; i < end; i += FLOATS.length()) {
            narrow(logDouble(widen(FloatVector.fromArray(FLOATS, x, i)))).intoArray(y, i);
        }
    }

    /**
     * log v for positive, finite, normal doubles (every widened float is one): v = 2^e·m with m in [√½, √2) read from
     * v's bits, log m = 2·atanh t with t = (m − 1)/(m + 1), |t| ≤ 0.172, by its Taylor series to t^21 (relative error
     * below 1e-15), plus e·ln 2 in two parts.
     */
    static DoubleVector logDouble(DoubleVector v) {
        LongVector bits = (LongVector) v.reinterpretAsLongs();
        DoubleVector m = (DoubleVector) bits.and(MANTISSA_BITS).or(EXPONENT_OF_ONE).reinterpretAsDoubles();
        DoubleVector e = ((DoubleVector) bits.lanewise(VectorOperators.LSHR, 52).or(TWO_TO_52_BITS).reinterpretAsDoubles())
                .sub(4503599627370496.0 + 1023.0);
        // m in [1, 2); halve it (exactly) where it is at least √2.
        var halve = m.compare(VectorOperators.GE, SQRT2);
        m = m.blend(m.mul(0.5), halve);
        e = e.blend(e.add(1.0), halve);
        DoubleVector logM = twiceAtanh(m.sub(1.0).div(m.add(1.0)));
        return e.fma(DoubleVector.broadcast(DOUBLES, LN2_HI), e.fma(DoubleVector.broadcast(DOUBLES, LN2_LO), logM));
    }

    /**
     * 2·atanh t = 2t·(1 + t²/3 + t⁴/5 + … + t²⁰/21) for |t| ≤ 0.172, in a method of its own: with it
     * written out, {@link #logDouble} was too long for C2 to inline, and a caller's vectors went through the heap.
     */
    private static DoubleVector twiceAtanh(DoubleVector t) {
        DoubleVector z = t.mul(t);
        DoubleVector p = DoubleVector.broadcast(DOUBLES, 1.0 / 21.0);
        p = p.fma(z, DoubleVector.broadcast(DOUBLES, 1.0 / 19.0));
        p = p.fma(z, DoubleVector.broadcast(DOUBLES, 1.0 / 17.0));
        p = p.fma(z, DoubleVector.broadcast(DOUBLES, 1.0 / 15.0));
        p = p.fma(z, DoubleVector.broadcast(DOUBLES, 1.0 / 13.0));
        p = p.fma(z, DoubleVector.broadcast(DOUBLES, 1.0 / 11.0));
        p = p.fma(z, DoubleVector.broadcast(DOUBLES, 1.0 / 9.0));
        p = p.fma(z, DoubleVector.broadcast(DOUBLES, 1.0 / 7.0));
        p = p.fma(z, DoubleVector.broadcast(DOUBLES, 1.0 / 5.0));
        p = p.fma(z, DoubleVector.broadcast(DOUBLES, 1.0 / 3.0));
        p = p.fma(z, DoubleVector.broadcast(DOUBLES, 1.0));
        return t.add(t).mul(p);
    }

    /** exp of a vector of {@link #FLOATS}. */
    public static FloatVector exp(FloatVector x) {
        return narrow(expDouble(widen(x)));
    }

    /**
     * tanh of a vector of {@link #FLOATS} as e/(e + 2) with e = exp(2x) − 1, which does not cancel near zero
     * (no branch between formulas); |2x| is clamped to 80, where tanh is ±1 in float64 already.
     */
    public static FloatVector tanh(FloatVector x) {
        DoubleVector v = widen(x);
        DoubleVector e = expm1Double(v.add(v).max(-80.0).min(80.0));
        return narrow(e.div(e.add(2.0)));
    }

    /**
     * The sum of a vector's lanes in float64, left to right. {@code reduceLanes(ADD)} adds in a
     * tree once C2 has compiled the caller and lane by lane before, so its float32 result
     * depends on the JIT's progress, and a resumed training run would not repeat the
     * uninterrupted one bit for bit.
     */
    public static double laneSum(FloatVector v) {
        double sum = 0.0;
        for (int i = 0; i < v.length(); i++) sum += v.lane(i);
        return sum;
    }

    /**
     * The sum of {@code lanes[from .. from + count)}, a vector's lanes stored by a kernel, in
     * float64 left to right: the order {@link #laneSum(FloatVector)} adds in.
     */
    public static double laneSum(float[] lanes, int from, int count) {
        double sum = 0.0;
        for (int i = from; i < from + count; i++) sum += lanes[i];
        return sum;
    }

    /** {@code y[i] = exp(x[i])} for i in [from, to). */
    public static void exp(float[] x, float[] y, int from, int to) {
        int i = from;
        for (int end = from + FLOATS.loopBound(to - from); i < end; i += FLOATS.length()) {
            exp(FloatVector.fromArray(FLOATS, x, i)).intoArray(y, i);
        }
        for (; i < to; i++) y[i] = (float) Math.exp(x[i]);
    }

    /** {@code y[i] = tanh(x[i])} for i in [from, to). */
    public static void tanh(float[] x, float[] y, int from, int to) {
        int i = from;
        for (int end = from + FLOATS.loopBound(to - from); i < end; i += FLOATS.length()) {
            tanh(FloatVector.fromArray(FLOATS, x, i)).intoArray(y, i);
        }
        for (; i < to; i++) y[i] = scalarTanh(x[i]);
    }

    /** The same formula, one value (array tails). */
    static float scalarTanh(double v) {
        double e = Math.expm1(2.0 * Math.max(-40.0, Math.min(40.0, v)));
        return (float) (e / (e + 2.0));
    }
}
