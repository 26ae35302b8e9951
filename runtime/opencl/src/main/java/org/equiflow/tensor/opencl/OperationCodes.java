package org.equiflow.tensor.opencl;

/**
 * The operation selectors of the elementwise kernels. Compile-time constants, so javac copies
 * them into the kernels' bytecode and Aparapi sees plain integer literals.
 */
final class OperationCodes {

    static final int NEG = 0;
    static final int EXP = 1;
    static final int LOG = 2;
    static final int TANH = 3;
    static final int SIGMOID = 4;
    static final int ABS = 5;
    static final int SIGN = 6;
    static final int SIN = 7;
    static final int COS = 8;
    static final int SQUARE = 9;
    static final int POW_INT = 10;
    static final int LEAKY_RELU = 11;
    static final int MUL_SCALAR = 12;
    static final int ADD_SCALAR = 13;
    static final int TAN = 14;
    static final int ATAN = 15;
    static final int WRAP_ANGLE = 16;

    static final int ADD = 0;
    static final int SUB = 1;
    static final int MUL = 2;
    static final int DIV = 3;

    private OperationCodes() {
    }
}
