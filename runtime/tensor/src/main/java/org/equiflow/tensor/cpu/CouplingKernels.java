package org.equiflow.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The float32 affine coupling update, {@link VectorMath#FLOATS} sites at a time. */
public final class CouplingKernels {

    private static final VectorSpecies<Float> S = VectorMath.FLOATS;

    private CouplingKernels() {
    }

    /**
     * {@code o = x·exp(s) + t} where the mask of updated sites is set, {@code o = x} elsewhere,
     * for {@code rows} configurations of {@code sites} values; rounded as the scalar loop rounds
     * (a product, then a sum).
     */
    public static void affine(float[] x, float[] s, float[] t, float[] mask, float[] o, int rows, int sites) {
        int vectorEnd = S.loopBound(sites);
        for (int r = 0; r < rows; r++) {
            int base = r * sites, i = 0;
            for (; i < vectorEnd; i += S.length()) {
                int k = base + i;
                FloatVector xv = FloatVector.fromArray(S, x, k);
                FloatVector updated = xv.mul(VectorMath.exp(FloatVector.fromArray(S, s, k))).add(FloatVector.fromArray(S, t, k));
                VectorMask<Float> active = FloatVector.fromArray(S, mask, i).compare(VectorOperators.NE, 0f);
                xv.blend(updated, active).intoArray(o, k);
            }
            for (; i < sites; i++) {
                int k = base + i;
                o[k] = mask[i] != 0 ? x[k] * (float) Math.exp(s[k]) + t[k] : x[k];
            }
        }
    }
}
