package org.equiflow.compiler.ir;

import java.util.Map;
import org.equiflow.compiler.model.FieldSpec;
import org.equiflow.compiler.model.Lattice;

/** {@code normal(sigma)}: independent N(0, σ²) per value. */
final class NormalDensity implements PriorDensity {
    public String name() { return "normal"; }

    public int lower(FunctionBuilder b, int z, Map<String, Object> arguments, FieldSpec field, Lattice lattice, long degrees) {
        double sigma = ((Number) arguments.get("sigma")).doubleValue();
        // log N(z; 0, σ²) summed over sites: −Σ z²/(2σ²) − V·log(σ√(2π))
        int quadratic = b.unary(Op.UnaryFn.MUL_SCALAR, -0.5 / (sigma * sigma), b.sumSites(b.unary(Op.UnaryFn.SQUARE, z)));
        return b.unary(Op.UnaryFn.ADD_SCALAR, -degrees * Math.log(sigma * Math.sqrt(2 * Math.PI)), quadratic);
    }
}
