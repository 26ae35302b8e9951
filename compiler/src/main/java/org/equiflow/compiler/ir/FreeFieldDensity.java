package org.equiflow.compiler.ir;

import java.util.Map;
import org.equiflow.compiler.model.FieldSpec;
import org.equiflow.compiler.model.Lattice;

/** {@code free_field(m2)}: q ∝ exp(−S_free), the Gaussian of the free scalar action ({@link FreeField}). */
final class FreeFieldDensity implements PriorDensity {
    public String name() { return "free_field"; }

    public int lower(FunctionBuilder b, int z, Map<String, Object> arguments, FieldSpec field, Lattice lattice, long degrees) {
        double m2 = ((Number) arguments.get("m2")).doubleValue();
        // S_free = ½ Σx [Σμ (z(x+μ) − z(x))² + m2 z²]; log q = −S_free + ½ Σp log(λp / 2π)
        int sum = b.unary(Op.UnaryFn.MUL_SCALAR, m2, b.unary(Op.UnaryFn.SQUARE, z));
        for (int mu = 0; mu < lattice.dimensions(); mu++) {
            sum = b.add(sum, b.unary(Op.UnaryFn.SQUARE, b.sub(b.roll(z, mu, -1), z)));
        }
        int action = b.unary(Op.UnaryFn.MUL_SCALAR, -0.5, b.sumSites(sum));
        return b.unary(Op.UnaryFn.ADD_SCALAR, FreeField.logNormalization(lattice, m2), action);
    }
}
