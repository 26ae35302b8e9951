package org.equiflow.compiler.ir;

import java.util.Map;
import org.equiflow.compiler.model.Lattice;

/** {@code haar()}: the Haar measure of U(1) per link, uniform angles. */
final class HaarDensity implements PriorDensity {
    public String name() { return "haar"; }

    public int lower(FunctionBuilder b, int z, Map<String, Object> arguments, Lattice lattice, long degrees) {
        // Uniform angles on [0, 2π): the density does not depend on z.
        int zero = b.sumSites(b.unary(Op.UnaryFn.MUL_SCALAR, 0.0, z));
        return b.unary(Op.UnaryFn.ADD_SCALAR, -degrees * Math.log(2 * Math.PI), zero);
    }
}
