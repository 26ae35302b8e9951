package org.equiflow.tensor;

import java.util.List;

/**
 * The affine coupling update in one pass: operands x, s, t [B, 1, L…] and the 0/1 mask of
 * updated sites [1, 1, L…]; result y = x on frozen sites and x·exp(s) + t on updated ones.
 * (The log-det, Σ over updated sites of s, is a masked sum the caller takes.)
 */
public record AffineCoupling() implements Primitive {

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 4);
        Shape x = inputs.get(0);
        if (!inputs.get(1).equals(x) || !inputs.get(2).equals(x)) {
            throw new IllegalArgumentException("AffineCoupling needs x, s, t of one shape, got " + inputs.subList(0, 3));
        }
        Shape active = inputs.get(3);
        if (active.batch() != 1 || active.channels() != 1 || !active.sameLattice(x)) {
            throw new IllegalArgumentException("the mask of updated sites must be [1, 1, L…] on the field's lattice, got " + active);
        }
        return x;
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        Tensor x = inputs.get(0), s = inputs.get(1), t = inputs.get(2), active = inputs.get(3);
        int sites = x.shape().sites(), rows = x.size() / sites;
        if (x.dtype() == DType.F32) {
            float[] xv = x.f32(), sv = s.f32(), tv = t.f32(), m = active.f32(), o = out.f32();
            if (org.equiflow.tensor.cpu.VectorMath.supported()) {
                org.equiflow.tensor.cpu.CouplingKernels.affine(xv, sv, tv, m, o, rows, sites);
                return;
            }
            for (int r = 0; r < rows; r++) {
                int base = r * sites;
                for (int i = 0; i < sites; i++) {
                    int k = base + i;
                    o[k] = m[i] != 0 ? xv[k] * (float) Math.exp(sv[k]) + tv[k] : xv[k];
                }
            }
        } else {
            double[] xv = x.f64(), sv = s.f64(), tv = t.f64(), m = active.f64(), o = out.f64();
            for (int r = 0; r < rows; r++) {
                int base = r * sites;
                for (int i = 0; i < sites; i++) {
                    int k = base + i;
                    o[k] = m[i] != 0 ? xv[k] * Math.exp(sv[k]) + tv[k] : xv[k];
                }
            }
        }
    }

    /** The mask is data. */
    @Override
    public boolean differentiable(int index) { return index < 3; }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        Tensor x = inputs.get(0), s = inputs.get(1), active = inputs.get(3);
        return switch (index) {
            // ∂y/∂x = exp(s) on updated sites, 1 on frozen ones
            case 0 -> Ops.where(active, Ops.mul(outputGrad, Ops.exp(s)), outputGrad);
            // ∂y/∂s = x·exp(s), ∂y/∂t = 1, both on updated sites only
            case 1 -> Ops.mul(active, Ops.mul(outputGrad, Ops.mul(x, Ops.exp(s))));
            case 2 -> Ops.mul(active, outputGrad);
            default -> throw new IndexOutOfBoundsException(index);
        };
    }
}
