package org.equiflow.tensor.opencl;

/**
 * The scalar arguments of one launch of a resident kernel: its family, operation, operand and
 * result offsets in the heap and integer parameters, named per family by the kernel's methods.
 */
final class LaunchRegisters {
    int family;
    int operation;
    int at0;
    int at1;
    int at2;
    int atOut;
    int p0;
    int p1;
    int p2;
    int p3;
    int p4;
    int p5;
    int p6;
    int p7;
    double real;

    /** Clears every register and names the family. */
    LaunchRegisters reset(int family) {
        this.family = family;
        operation = at0 = at1 = at2 = atOut = 0;
        p0 = p1 = p2 = p3 = p4 = p5 = p6 = p7 = 0;
        real = 0;
        return this;
    }
}
