package org.equiflow.tensor;

/**
 * The activations a fused convolution applies in its own pass. Each derivative is read off the
 * output, so the backward pass needs no copy of the pre-activation: for LeakyReLU with a
 * positive slope the sign of y is the sign of x, and tanh' = 1 − y².
 */
public enum Activation {
    IDENTITY, LEAKY_RELU, TANH;

    public double apply(double x, double slope) {
        return switch (this) {
            case IDENTITY -> x;
            case LEAKY_RELU -> x > 0 ? x : slope * x;
            case TANH -> Math.tanh(x);
        };
    }

    public double derivativeFromOutput(double y, double slope) {
        return switch (this) {
            case IDENTITY -> 1;
            case LEAKY_RELU -> y > 0 ? 1 : slope;
            case TANH -> 1 - y * y;
        };
    }

    /** Applies the activation to a whole array in place (float32 path of the fused kernel). */
    void applyInPlace(float[] v, double slope) {
        switch (this) {
            case IDENTITY -> { }
            case LEAKY_RELU -> org.equiflow.tensor.UnaryKernels.leakyReluInPlace(v, (float) slope);
            case TANH -> org.equiflow.tensor.UnaryKernels.tanhInPlace(v);
        }
    }

    void applyInPlace(double[] v, double slope) {
        for (int i = 0; i < v.length; i++) v[i] = apply(v[i], slope);
    }
}
