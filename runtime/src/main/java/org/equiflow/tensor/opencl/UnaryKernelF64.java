package org.equiflow.tensor.opencl;

import static org.equiflow.tensor.opencl.OperationCodes.*;

import com.aparapi.Kernel;

/**
 * {@code out[i] = f(in[i])} for every {@link org.equiflow.tensor.UnaryOp}, chosen by {@link #operation}.
 *
 * <p>Float64, with Aparapi's automatic transfers; float32 runs in
 * {@link ResidentKernelF32#unary} on the device-resident heap.
 */
final class UnaryKernelF64 extends Kernel {

    double[] in = new double[1];
    double[] out = new double[1];
    int operation;
    /** The slope, factor or term of the operations that have one. */
    double parameter;
    int exponent;

    void bind(double[] in, double[] out, int operation, double parameter, int exponent) {
        this.in = in;
        this.out = out;
        this.operation = operation;
        this.parameter = parameter;
        this.exponent = exponent;
    }

    // Aparapi's decompiler rejects long else-if chains around nested branches ("child list
    // broken"), so each operation is one flat if, and the branchy ones are helper methods.
    @Override
    public void run() {
        int i = getGlobalId();
        double x = in[i];
        double y = x;
        if (operation == NEG) y = -x;
        if (operation == EXP) y = exp(x);
        if (operation == LOG) y = log(x);
        if (operation == TANH) y = tanh(x);
        if (operation == SIGMOID) y = sigmoid(x);
        if (operation == ABS) y = abs(x);
        if (operation == SIGN) y = sign(x);
        if (operation == SIN) y = sin(x);
        if (operation == COS) y = cos(x);
        if (operation == SQUARE) y = x * x;
        if (operation == POW_INT) y = powInt(x);
        if (operation == LEAKY_RELU) y = leakyRelu(x);
        if (operation == MUL_SCALAR) y = parameter * x;
        if (operation == ADD_SCALAR) y = x + parameter;
        if (operation == TAN) y = tan(x);
        if (operation == ATAN) y = atan(x);
        if (operation == WRAP_ANGLE) y = wrapAngle(x);
        out[i] = y;
    }

    /** Two forms so that exp never overflows. */
    double sigmoid(double x) {
        double e = exp(-abs(x));
        double positive = 1.0 / (1.0 + e);
        return x >= 0.0 ? positive : e * positive;
    }

    /** Zero and NaN map to themselves, as Math.signum. */
    double sign(double x) {
        double y = x;
        if (x > 0.0) y = 1.0;
        if (x < 0.0) y = -1.0;
        return y;
    }

    double powInt(double x) {
        double power = 1.0;
        int count = abs(exponent);
        for (int k = 0; k < count; k++) {
            power = power * x;
        }
        double inverse = 1.0 / power;
        return exponent < 0 ? inverse : power;
    }

    double leakyRelu(double x) {
        return x > 0.0 ? x : parameter * x;
    }

    /** The principal value in [−π, π), as {@link org.equiflow.tensor.UnaryOp.WrapAngle}. */
    double wrapAngle(double x) {
        double twoPi = 6.283185307179586;
        return x - twoPi * floor((x + 3.141592653589793) / twoPi);
    }
}
