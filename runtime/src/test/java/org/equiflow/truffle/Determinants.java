package org.equiflow.truffle;

/** Linear algebra the flow-law tests check log-dets against. */
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
}
