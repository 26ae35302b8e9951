package org.equiflow.tensor.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp and tanh of eight float32 values at once, evaluated in float64 and rounded once, so the
 * float32 result is the correctly rounded value except at rare ties (the Vector API's own
 * transcendental operations fall back to per-lane library calls on this JDK, slower than
 * {@code Math.exp}).
 *
 * <p>exp: x = k·ln 2 + r with k = round(x / ln 2) and |r| ≤ ln 2 / 2 (Cody–Waite, two-part
 * ln 2); exp(r) − 1 by its Taylor series to r¹¹ (relative error below 1e-14); 2^k assembled in
 * the exponent bits. The methods stay small and free of masks: the Vector API is only fast
 * where C2 inlines all of a computation, and it stopped doing so for a larger tanh. Arguments are clamped to [−104, 89] first, where float32 exp is already 0 or
 * infinite, so 2^k stays a normal double; NaN stays NaN.
 */
public final class VectorMath {

    /** Eight float32 lanes in, eight float64 lanes for the evaluation. */
    public static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_512;

    private static final double LOG2E = 1.4426950408889634;
    private static final double LN2_HI = 6.93145751953125E-1;
    private static final double LN2_LO = 1.42860682030941723212E-6;
    /** 1.5·2^52: adding it rounds to an integer held in the low mantissa bits. */
    private static final double ROUNDING = 6755399441055744.0;

    private VectorMath() {
    }

    /** Whether the 8-float / 8-double vectors exist on this machine (AVX-512). */
    public static boolean supported() {
        return DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
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

    /** exp of eight floats. */
    public static FloatVector exp(FloatVector x) {
        return narrow(expDouble(widen(x)));
    }

    /**
     * tanh of eight floats as e/(e + 2) with e = exp(2x) − 1, which does not cancel near zero
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
