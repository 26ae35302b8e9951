package org.equiflow.compiler.ir;

import java.util.Map;
import org.equiflow.compiler.model.FieldSpec;
import org.equiflow.compiler.model.Lattice;

/**
 * {@code haar()}: the Haar measure per link. For U(1) the density of uniform angles with respect
 * to dθ, 1/(2π) per link, so exact answers are normalised with ∫dθ (Z of the U(1) torus). For
 * SU(N) the density with respect to the Haar measure of mass one, which is 1 per link: log q = 0,
 * the normalisation of {@code SuNTorusExact}'s Z (Z → 1 as β → 0), so KL = E_q[log q + S] + ln Z
 * holds with the same ln Z.
 */
final class HaarDensity implements PriorDensity {
    public String name() { return "haar"; }

    public int lower(FunctionBuilder b, int z, Map<String, Object> arguments, FieldSpec field, Lattice lattice, long degrees) {
        // The density does not depend on z; the zero keeps the output one number per configuration.
        int zero = b.sumSites(b.unary(Op.UnaryFn.MUL_SCALAR, 0.0, z));
        if (field.kind() == FieldSpec.Kind.SUN) return zero;
        return b.unary(Op.UnaryFn.ADD_SCALAR, -degrees * Math.log(2 * Math.PI), zero);
    }
}
