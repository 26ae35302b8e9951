package org.equiflow.compiler.ir;

import java.util.List;
import java.util.Map;

/** A straight-line function: ops in definition order, named outputs referring to op ids. */
public record IrFunction(String name, List<Op> ops, Map<String, Integer> outputs) {
    public IrFunction {
        ops = List.copyOf(ops);
        outputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(outputs));
    }

    public Op op(int id) {
        // Ids are positions in a renumbered function (every pass's output): a direct look first,
        // since passes ask for operands of every op (a linear search made them quadratic).
        if (id >= 0 && id < ops.size() && ops.get(id).id() == id) return ops.get(id);
        for (Op op : ops) if (op.id() == id) return op;
        throw new IllegalArgumentException("no op %" + id + " in " + name);
    }

    public List<Op.Input> inputs() { return ops.stream().filter(o -> o instanceof Op.Input).map(o -> (Op.Input) o).toList(); }

    public List<Op.Param> params() { return ops.stream().filter(o -> o instanceof Op.Param).map(o -> (Op.Param) o).toList(); }
}
