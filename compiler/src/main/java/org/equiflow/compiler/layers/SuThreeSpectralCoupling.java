package org.equiflow.compiler.layers;

import java.util.List;
import org.equiflow.compiler.ir.FunctionBuilder;
import org.equiflow.compiler.ir.LayerLowering;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.LayerSpec;

/**
 * The spectral plaquette coupling of {@link SpectralCouplingLayer} on a 2D SU(3) link field,
 * packed as [B, 2·18, L0, L1] (channel μ·18 + 2(3i + j) + part), after Boyda et al.
 * (arXiv:2008.05456): P = P_μν(x) = U_μ(x)U_ν(x+μ̂)U_μ(x+ν̂)†U_ν(x)†, the plaquette starting
 * with the updated link, goes through the class map of {@link SuThreeClassMap} to
 * P′ = c₀ + c₁P + c₂P², and the link becomes U′ = P′P†U = c₂·PU + c₁·U + c₀·P†U.
 *
 * <p>Two conditioners: {@code net} reads (Re tr, Im tr) of the frozen plaquettes and gives the
 * first alcove spline's parameters; {@code secondNet} reads the same plus the active plaquettes'
 * new first coordinate (as a point on the half circle, zero off the active sites) and gives the
 * second spline's. Both read class functions only, so the layer stays gauge covariant; no frozen
 * plaquette contains an updated link and the active plaquettes' new first coordinate is read off
 * the output, so the inverse's conditioners see what the forward pass's did.
 */
final class SuThreeSpectralCoupling {
    private SuThreeSpectralCoupling() {}

    static final int MATRIX = SuThreeClassMap.MATRIX;
    private static final int N = 3;

    /** What forward and inverse share: the updated link U, the other direction, PU and P†U, the plaquette's class and the conditioners. */
    private record SetUp(int mu, int active, int link, int other, int plaquetteTimesLink, int adjointPlaquetteTimesLink,
                         SuThreeClassMap.Eigenclass plaquette, int uParams, java.util.function.IntUnaryOperator vParamsOf) {}

    private static SetUp setUp(FunctionBuilder b, int links, LayerSpec.SpectralCoupling p, Lattice lattice, int index) {
        String prefix = SiteCoupling.prefix(index);
        PlaquetteRows masks = PlaquetteRows.lower(b, p.mask(), lattice, prefix);
        int mu = masks.mu(), active = masks.active(), frozen = masks.frozen();

        int u0 = b.slice(links, 0, MATRIX), u1 = b.slice(links, MATRIX, 2 * MATRIX);
        int link = mu == 0 ? u0 : u1, other = mu == 0 ? u1 : u0;
        // roll by −1 along an axis reads the neighbour in the + direction: out[x] = in[x + ê]
        int plaquette = b.complexMatMul(N, b.complexMatMul(N, b.complexMatMul(N, link, b.roll(other, mu, -1), false, false),
                b.roll(link, 1 - mu, -1), false, true), other, false, true);
        SuThreeClassMap.Eigenclass eigenclass = SuThreeClassMap.of(b, plaquette);

        int frozenTrace = b.mul(eigenclass.trace(), frozen);
        int uParams = Lowering.net(b, frozenTrace, p.net(), lattice, prefix + ".net", p.span());
        java.util.function.IntUnaryOperator vParamsOf = firstCoordinate -> Lowering.net(b,
                b.concat(List.of(frozenTrace, b.mul(SuThreeClassMap.firstCoordinateFeatures(b, firstCoordinate), active))),
                p.secondNet(), lattice, prefix + ".second_net", p.span());
        return new SetUp(mu, active, link, other, b.complexMatMul(N, plaquette, link, false, false),
                b.complexMatMul(N, plaquette, link, true, false), eigenclass, uParams, vParamsOf);
    }

    /** U′ = c₂·PU + c₁·U + c₀·P†U on the active sites; the other direction and the inactive sites unchanged. */
    private static LayerLowering.Lowered moved(FunctionBuilder b, SetUp u, SuThreeClassMap.Moved m) {
        int updated = b.add(b.add(SuThreeClassMap.scaled(b, m.c2(), u.plaquetteTimesLink()), SuThreeClassMap.scaled(b, m.c1(), u.link())),
                SuThreeClassMap.scaled(b, m.c0(), u.adjointPlaquetteTimesLink()));
        int link = b.add(u.link(), b.mul(u.active(), b.sub(updated, u.link())));
        int out = b.concat(u.mu() == 0 ? List.of(link, u.other()) : List.of(u.other(), link));
        return new LayerLowering.Lowered(out, b.sumSites(b.mul(u.active(), m.logJacobian())));
    }

    static LayerLowering.Lowered forward(FunctionBuilder b, int links, LayerSpec.SpectralCoupling p, Lattice lattice, int index) {
        SetUp u = setUp(b, links, p, lattice, index);
        return moved(b, u, SuThreeClassMap.forward(b, u.plaquette(), u.uParams(), u.vParamsOf(), p.bins()));
    }

    /**
     * The exact inverse: the active plaquettes of the output links are P′ (the frozen ones
     * unchanged), so the class map's inverse gives the original phases and the same
     * interpolation with θ′ → θ restores U.
     */
    static LayerLowering.Lowered inverse(FunctionBuilder b, int links, LayerSpec.SpectralCoupling p, Lattice lattice, int index) {
        SetUp u = setUp(b, links, p, lattice, index);
        return moved(b, u, SuThreeClassMap.inverse(b, u.plaquette(), u.uParams(), u.vParamsOf(), p.bins()));
    }
}
