package org.equiflow.api;

import org.equiflow.tensor.Backend;
import org.equiflow.tensor.Backends;
import org.equiflow.tensor.DType;

/**
 * The floating-point precision a flow is trained and sampled in: every tensor of the flow — its
 * parameters, the optimizer's step, the fields, log q and the action — is of this type. A run
 * keeps the precision it was trained in (the checkpoint's {@code dtype}); parameters are stored as
 * float64 either way, so restoring them is exact in both.
 */
public enum Precision {
    F32(DType.F32),
    F64(DType.F64);

    /** What a run uses when neither the options nor the script nor a trained run say otherwise. */
    public static final Precision DEFAULT = F32;

    private final DType dtype;

    Precision(DType dtype) { this.dtype = dtype; }

    DType dtype() { return dtype; }

    /** This precision's tensor type, after refusing float64 on a device that lacks it (OpenCL without cl_khr_fp64). */
    DType dtypeOnCurrentBackend() {
        Backend backend = Backends.current();
        if (this == F64 && !backend.supportsFloat64()) {
            throw new RunFailure("--precision f64 needs float64 kernels, and " + backend.description()
                    + " has none (no cl_khr_fp64)\n   help: run with --precision f32, or on the CPU with --device cpu");
        }
        return dtype;
    }

    /** The precision of a flow's tensors. */
    static Precision of(DType dtype) { return dtype == DType.F64 ? F64 : F32; }

    /** The name on the command line, in scripts and in checkpoints: {@code f32} or {@code f64}. */
    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }

    /** {@code f32} or {@code f64}; anything else is refused, naming both. */
    public static Precision named(String name) {
        for (Precision p : values()) if (p.label().equals(name)) return p;
        throw new InvalidSettingException("precision `" + name + "` is not one equiflow computes in: f32 or f64");
    }

    @Override
    public String toString() { return label(); }
}
