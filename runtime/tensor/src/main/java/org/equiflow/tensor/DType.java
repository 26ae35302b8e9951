package org.equiflow.tensor;

/**
 * Element type of a tensor. Production runs are {@link #F32}; {@link #F64} exists so that
 * finite-difference gradient checks are accurate enough to catch a wrong vector–Jacobian
 * product.
 */
public enum DType {
    F32, F64
}
