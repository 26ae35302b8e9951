package org.equiflow.truffle;

/** What the flow-law tests check log-dets against: numerical Jacobians and their log|det|. */
final class Determinants {
    private Determinants() {}

    /** log|det A| by Gaussian elimination with partial pivoting. */
    static double logAbsDeterminant(double[][] matrix) {
        int n = matrix.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) a[i] = matrix[i].clone();
        double sum = 0;
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int row = col + 1; row < n; row++) if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) pivot = row;
            double[] swap = a[col];
            a[col] = a[pivot];
            a[pivot] = swap;
            sum += Math.log(Math.abs(a[col][col]));
            for (int row = col + 1; row < n; row++) {
                double factor = a[row][col] / a[col][col];
                for (int k = col; k < n; k++) a[row][k] -= factor * a[col][k];
            }
        }
        return sum;
    }

    /** log|det ∂x/∂z| of the flow's forward map at z (one configuration), by central differences of step 1e-6. */
    static double numericalLogDet(CompiledFlow flow, org.equiflow.tensor.Tensor z) {
        int sites = z.size();
        double[][] jacobian = new double[sites][sites];
        double step = 1e-6;
        for (int b = 0; b < sites; b++) {
            double original = z.get(b);
            z.set(b, original + step);
            var plus = flow.forward(z).x();
            z.set(b, original - step);
            var minus = flow.forward(z).x();
            z.set(b, original);
            for (int a = 0; a < sites; a++) jacobian[a][b] = (plus.get(a) - minus.get(a)) / (2 * step);
        }
        return logAbsDeterminant(jacobian);
    }
}
