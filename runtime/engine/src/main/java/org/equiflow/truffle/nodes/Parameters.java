package org.equiflow.truffle.nodes;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.equiflow.compiler.ir.IrType;
import org.equiflow.compiler.ir.Op;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;

/**
 * The trainable tensors of a program, by IR name, in declaration order. Nodes read them at
 * every execution; the optimizer and checkpoint loading update them in place.
 */
public final class Parameters {
    private final Map<String, Tensor> byName = new LinkedHashMap<>();

    /** An empty store, for functions without parameters (an action on its own). */
    public Parameters() {}

    /** Initialised as PyTorch initialises convolutions: uniform(±1/√fan_in), drawn in declaration order. */
    public static Parameters initialise(List<Op.Param> params, DType dtype, long seed) {
        var random = new SplittableRandom(seed);
        var p = new Parameters();
        for (Op.Param param : params) {
            if (p.byName.containsKey(param.name())) continue;
            Tensor t = Tensor.zeros(shapeOfParameter(param.type()), dtype);
            for (int i = 0; i < t.size(); i++) t.set(i, (2 * random.nextDouble() - 1) * param.initBound());
            p.byName.put(param.name(), t.requiresGrad(true));
        }
        return p;
    }

    /**
     * Copies of every parameter that the tape does not track: a flow evaluated with them gives no
     * gradient to the originals (the path-gradient estimator's frozen density). {@link #copyValuesFrom}
     * refreshes them in place, so functions translated with this store see the new values.
     */
    public Parameters frozenCopy() {
        var p = new Parameters();
        byName.forEach((name, t) -> p.byName.put(name, t.copy().requiresGrad(false)));
        return p;
    }

    /** Copies the values of the same-named parameters of {@code other} into this store's tensors. */
    public void copyValuesFrom(Parameters other) {
        byName.forEach((name, t) -> {
            Tensor source = other.get(name);
            for (int i = 0; i < t.size(); i++) t.set(i, source.get(i));
        });
    }

    public Tensor get(String name) {
        Tensor t = byName.get(name);
        if (t == null) throw new IllegalArgumentException("no parameter " + name);
        return t;
    }

    public Collection<Tensor> all() { return byName.values(); }

    public Map<String, Tensor> asMap() { return java.util.Collections.unmodifiableMap(byName); }

    /** Copies values into an existing parameter, checking the element count. */
    public void assign(String name, double[] values) {
        Tensor t = get(name);
        if (t.size() != values.length) {
            throw new IllegalArgumentException("parameter " + name + " has " + t.size() + " values, got " + values.length);
        }
        for (int i = 0; i < values.length; i++) t.set(i, values[i]);
    }

    public long count() { return byName.values().stream().mapToLong(Tensor::size).sum(); }

    /** A weight [out, in, k…] keeps its layout; a bias [out] becomes [1, out], as the Conv primitive takes it. */
    public static Shape shapeOfParameter(IrType type) {
        List<Integer> d = type.dims();
        // a gradient flow's coefficient knots: one number each
        if (d.isEmpty()) return Shape.scalar();
        if (d.size() == 1) return Shape.perConfiguration(1, d.get(0));
        if (d.size() < 3) throw new IllegalArgumentException("parameter of shape " + type + " is neither a weight, a bias nor a scalar");
        return new Shape(d.get(0), d.get(1), d.subList(2, d.size()).stream().mapToInt(Integer::intValue).toArray());
    }

    /** A field [C, L…] of a batch: [B, C, L…]; a per-configuration number: [B, 1]. */
    public static Shape shapeOfBatched(IrType type, int batch) {
        List<Integer> d = type.dims();
        if (d.isEmpty()) return Shape.perConfiguration(batch, 1);
        return new Shape(batch, d.get(0), d.subList(1, d.size()).stream().mapToInt(Integer::intValue).toArray());
    }
}
