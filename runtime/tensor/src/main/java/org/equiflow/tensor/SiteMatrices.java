package org.equiflow.tensor;

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

    /** Runs {@code body} over matrices {@code [0, matrices)}, split over threads when the field is large. */
    static void forEachMatrix(int matrices, long values, CpuParallel.RangeBody body) {
        if (values < PARALLEL_THRESHOLD || matrices < 2) body.run(0, 0, matrices);
        else CpuParallel.forChunks(matrices, body);
    }

    /** The channel of the real part of entry (row, column) of an n×n matrix; the imaginary part follows it. */
    static int entry(int n, int row, int column) {
        return 2 * (row * n + column);
    }
}
