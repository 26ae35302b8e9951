package org.equiflow.compiler.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drops ops no output depends on. Inputs stay, so a function keeps its signature.
 * Postcondition: every op is an input or reaches an output.
 */
public final class DeadCode {
    private DeadCode() {}

    public static IrFunction run(IrFunction f) {
        boolean[] live = new boolean[f.ops().size()];
        f.outputs().values().forEach(id -> live[id] = true);
        for (int i = f.ops().size() - 1; i >= 0; i--) {
            Op op = f.ops().get(i);
            if (op instanceof Op.Input) live[i] = true;
            if (live[i]) for (int operand : op.operands()) live[operand] = true;
        }
        Map<Integer, Integer> map = new HashMap<>();
        List<Op> out = new ArrayList<>();
        for (Op op : f.ops()) {
            if (!live[op.id()]) continue;
            Op renamed = Renumber.op(op, out.size(), map::get);
            map.put(op.id(), renamed.id());
            out.add(renamed);
        }
        Map<String, Integer> outputs = new LinkedHashMap<>();
        f.outputs().forEach((k, v) -> outputs.put(k, map.get(v)));
        return new IrFunction(f.name(), out, outputs);
    }
}
