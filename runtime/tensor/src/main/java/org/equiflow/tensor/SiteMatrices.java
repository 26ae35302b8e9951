package org.equiflow.tensor;

import java.util.List;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.equiflow.tensor.cpu.CpuParallel;

/**
 * What the site-wise primitives of small complex matrices ({@link ComplexMatMul},
 * {@link MatrixExponential}, {@link AlgebraProjection}, {@link ComplexTrace}) share on the CPU:
 * the layout [B, M·2N², L…] puts one matrix entry of all sites in a contiguous row, so the
 * kernels loop over sites innermost on the backing arrays, and independent matrices
 * (configuration × link) are split over {@link CpuParallel}'s threads. Every matrix is computed
 * by the same code whichever thread runs it, so the split does not change any result.
 */
final class SiteMatrices {

    /**
     * Below this many values in the field a second thread costs more than it saves (the kernels
     * are a few passes over memory; the same threshold as {@link CpuKernels}' elementwise ops).
     */
    private static final int PARALLEL_THRESHOLD = 1 << 16;

    private SiteMatrices() {
    }

    /**
     * The lanes the kernels compute in: double, whatever the tensors hold, as wide as the machine
     * has (a vector of sites per step). Lanes are IEEE operations one by one, and the kernels use
     * no fused multiply-add, so a lane computes bit for bit what scalar Java would.
     */
    static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    /** As many float32 lanes as {@link #DOUBLES} has, widened to it. */
    static final VectorSpecies<Float> FLOATS = VectorSpecies.of(float.class, VectorShape.forBitSize(DOUBLES.vectorBitSize() / 2));

    /** The matrix sizes the site-wise primitives take. */
    static void requireSize(int n) {
        if (n < 1 || n > 8) throw new IllegalArgumentException("matrix size must be 1 … 8, got " + n);
    }

    /** The one operand of a site-wise primitive {@code p} on n×n matrices, checked: one field of whole matrices. */
    static Shape oneFieldOfMatrices(Primitive p, List<Shape> inputs, int n) {
        Primitive.expectArity(p, inputs, 1);
        return wholeMatrices(inputs.getFirst(), n);
    }

    /** {@code field} itself, once it is checked to hold whole complex n×n matrices (2n² channels each) per site. */
    static Shape wholeMatrices(Shape field, int n) {
        if (field.channels() % (2 * n * n) != 0) {
            throw new IllegalArgumentException(field + " does not hold whole " + n + "×" + n + " complex matrices (" + 2 * n * n + " channels each)");
        }
        return field;
    }

    /** DOUBLES.length() float32 values from {@code at}, widened exactly. */
    static DoubleVector widen(float[] values, int at) {
        return (DoubleVector) FloatVector.fromArray(FLOATS, values, at).convertShape(VectorOperators.F2D, DOUBLES, 0);
    }

    /** Rounded to float32 once, as a {@code (float)} cast rounds. */
    static FloatVector narrow(DoubleVector values) {
        return (FloatVector) values.convertShape(VectorOperators.D2F, FLOATS, 0);
    }

    /** Runs {@code body} over matrices {@code [0, matrices)}, split over threads when the field is large. */
    static void forEachMatrix(int matrices, long values, CpuParallel.RangeBody body) {
        if (values < PARALLEL_THRESHOLD || matrices < 2) body.run(0, 0, matrices);
        else CpuParallel.forChunks(matrices, body);
    }
}
