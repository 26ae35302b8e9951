package org.equiflow.compiler.ir;

import java.util.List;

/**
 * The shape of an IR value. {@code batched} values carry a leading batch axis of any size
 * (one entry per configuration); {@code dims} are the remaining axes, fixed at compile time:
 * a field is {@code [C, L0, L1, …]}, a per-configuration number {@code []}, a mask
 * {@code [1, L0, L1, …]} unbatched, a scalar constant {@code []} unbatched, a convolution
 * weight {@code [out, in, k, k, …]} unbatched.
 */
public record IrType(boolean batched, List<Integer> dims) {
    public IrType { dims = List.copyOf(dims); }

    public static IrType field(int channels, List<Integer> lattice) {
        var d = new java.util.ArrayList<Integer>();
        d.add(channels);
        d.addAll(lattice);
        return new IrType(true, d);
    }

    public static final IrType PER_CONFIG = new IrType(true, List.of());
    public static final IrType SCALAR = new IrType(false, List.of());

    public int rank() { return dims.size(); }

    public IrType withBatched(boolean b) { return new IrType(b, dims); }

    public int channels() { return dims.isEmpty() ? 1 : dims.get(0); }

    public List<Integer> lattice() { return dims.size() <= 1 ? List.of() : dims.subList(1, dims.size()); }

    public boolean isScalar() { return !batched && dims.isEmpty(); }

    /** NumPy-style broadcasting over the trailing axes, plus the batch axis. Null when incompatible. */
    public static IrType broadcast(IrType a, IrType b) {
        if (a.isScalar()) return b;
        if (b.isScalar()) return a;
        if (a.rank() != b.rank()) return null;
        var d = new java.util.ArrayList<Integer>();
        for (int i = 0; i < a.rank(); i++) {
            int x = a.dims.get(i), y = b.dims.get(i);
            if (x != y && x != 1 && y != 1) return null;
            d.add(Math.max(x, y));
        }
        return new IrType(a.batched || b.batched, d);
    }

    @Override
    public String toString() {
        return (batched ? "[B" + (dims.isEmpty() ? "" : ", ") : "[")
                + String.join(", ", dims.stream().map(String::valueOf).toList()) + "]";
    }
}
