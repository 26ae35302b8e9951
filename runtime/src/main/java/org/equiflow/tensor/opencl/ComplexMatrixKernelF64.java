package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/**
 * {@link org.equiflow.tensor.ComplexMatMul} and {@link org.equiflow.tensor.ComplexTrace}: one
 * work item per output entry (matrix, row, column, site) for products, or per (matrix, site)
 * for traces. {@code mode} 0 is the product, 1 the trace; adjoint flags are 0/1 ints, since a
 * kernel reads no booleans or objects.
 */
final class ComplexMatrixKernelF64 extends Kernel {

    double[] a = new double[1];
    double[] b = new double[1];
    double[] out = new double[1];
    int n;
    int sites;
    int adjointLeft;
    int adjointRight;
    int mode;

    void bindProduct(double[] a, double[] b, double[] out, int n, int sites, boolean adjointLeft, boolean adjointRight) {
        this.a = a;
        this.b = b;
        this.out = out;
        this.n = n;
        this.sites = sites;
        this.adjointLeft = adjointLeft ? 1 : 0;
        this.adjointRight = adjointRight ? 1 : 0;
        this.mode = 0;
    }

    void bindTrace(double[] a, double[] out, int n, int sites) {
        this.a = a;
        this.b = a;
        this.out = out;
        this.n = n;
        this.sites = sites;
        this.adjointLeft = 0;
        this.adjointRight = 0;
        this.mode = 1;
    }

    @Override
    public void run() {
        int id = getGlobalId();
        int block = 2 * n * n;
        if (mode == 1) {
            int x = id % sites;
            int m = id / sites;
            double re = 0;
            double im = 0;
            for (int i = 0; i < n; i++) {
                re += a[(m * block + 2 * (i * n + i)) * sites + x];
                im += a[(m * block + 2 * (i * n + i) + 1) * sites + x];
            }
            out[(2 * m) * sites + x] = re;
            out[(2 * m + 1) * sites + x] = im;
        }
        if (mode == 0) {
            int x = id % sites;
            int entry = (id / sites) % (n * n);
            int m = id / (sites * n * n);
            int i = entry / n;
            int j = entry % n;
            double re = 0;
            double im = 0;
            for (int k = 0; k < n; k++) {
                int ai = 2 * (i * n + k) * (1 - adjointLeft) + 2 * (k * n + i) * adjointLeft;
                int bi = 2 * (k * n + j) * (1 - adjointRight) + 2 * (j * n + k) * adjointRight;
                double ar = a[(m * block + ai) * sites + x];
                double aim = a[(m * block + ai + 1) * sites + x] * (1 - 2 * adjointLeft);
                double br = b[(m * block + bi) * sites + x];
                double bim = b[(m * block + bi + 1) * sites + x] * (1 - 2 * adjointRight);
                re += ar * br - aim * bim;
                im += ar * bim + aim * br;
            }
            out[(m * block + 2 * entry) * sites + x] = re;
            out[(m * block + 2 * entry + 1) * sites + x] = im;
        }
    }
}
