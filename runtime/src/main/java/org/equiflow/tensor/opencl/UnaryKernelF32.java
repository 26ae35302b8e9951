package org.equiflow.tensor.opencl;

import static org.equiflow.tensor.opencl.OperationCodes.*;

import com.aparapi.Kernel;

/** {@code out[i] = f(in[i])} for every {@link org.equiflow.tensor.UnaryOp}, chosen by {@link #operation}. */
final class UnaryKernelF32 extends Kernel {

    float[] in = new float[1];
    float[] out = new float[1];
    int operation;
    /** The slope, factor or term of the operations that have one. */
    float parameter;
    int exponent;

    void bind(float[] in, float[] out, int operation, float parameter, int exponent) {
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
        float x = in[i];
        float y = x;
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
    float sigmoid(float x) {
        float e = exp(-abs(x));
        float positive = 1f / (1f + e);
        return x >= 0f ? positive : e * positive;
    }

    /** Zero and NaN map to themselves, as Math.signum. */
    float sign(float x) {
        float y = x;
        if (x > 0f) y = 1f;
        if (x < 0f) y = -1f;
        return y;
    }

    float powInt(float x) {
        float power = 1f;
        int count = abs(exponent);
        for (int k = 0; k < count; k++) {
            power = power * x;
        }
        float inverse = 1f / power;
        return exponent < 0 ? inverse : power;
    }

    float leakyRelu(float x) {
        return x > 0f ? x : parameter * x;
    }

    /** The principal value in [−π, π), as {@link org.equiflow.tensor.UnaryOp.WrapAngle}. */
    float wrapAngle(float x) {
        float twoPi = 6.283185307179586f;
        return x - twoPi * floor((x + 3.141592653589793f) / twoPi);
    }
}
