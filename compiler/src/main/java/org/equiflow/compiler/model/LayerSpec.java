package org.equiflow.compiler.model;

import java.util.List;
import java.util.Map;
import org.equiflow.compiler.diag.Span;

/** One layer of a flow: a coupling layer with its mask and fully shaped conditioner(s), or a gradient flow. */
public sealed interface LayerSpec {
    Span span();

    /**
     * y = m·x + (1−m)·(x·exp(s) + t). Either {@code net} gives (s, t) as two channels, or
     * {@code scale} and/or {@code shift} give one each (a missing one is s = 0 or t = 0).
     */
    record Affine(MaskSpec mask, NetSpec net, NetSpec scale, NetSpec shift, Span span) implements LayerSpec {}

    /** Rational-quadratic spline on [−bound, bound] with {@code bins} bins (3·bins − 1 parameters per site). */
    record Spline(MaskSpec mask, NetSpec net, int bins, double bound, Span span) implements LayerSpec {}

    /** Gauge-equivariant plaquette coupling: links U′ = P′P⁻¹U on the masked links. */
    record PlaquetteCoupling(MaskSpec mask, Transform transform, NetSpec net, Span span) implements LayerSpec {}

    /**
     * Conjugation-equivariant (spectral) coupling of SU(N) links (Boyda et al., arXiv:2008.05456):
     * the eigen-angles of the active plaquettes through a rational-quadratic spline with
     * {@code bins} bins (3·bins − 1 parameters per plaquette), links U′ = P′P†U.
     */
    /**
     * {@code secondNet}: SU(3) only (null for SU(2)), the conditioner of the second alcove spline,
     * which also reads the active plaquettes' new first coordinate.
     */
    record SpectralCoupling(MaskSpec mask, int bins, NetSpec net, NetSpec secondNet, Span span) implements LayerSpec {
        /** The conditioners in lowering order. */
        public java.util.List<NetSpec> nets() { return secondNet == null ? java.util.List.of(net) : java.util.List.of(net, secondNet); }
    }

    /** An invertible map of the circle with the number of parameters it reads per plaquette. */
    record Transform(String name, Map<String, Object> arguments, int parameterChannels) {
        @Override
        public String toString() { return Printer.call(name, arguments); }
    }

    /**
     * A learned gradient flow of links (Bacchio et al., arXiv:2212.08469): dU/dt = Z_t(U)·U on
     * t ∈ [0, 1] with Z_t = −∂S̃_t, S̃_t = Σᵢ cᵢ(t) Σ_{x, images} Re tr Wᵢ(x), integrated in
     * {@code steps} steps of {@code integrator} ("euler", "cg2", "cg3": Crouch–Grossmann). Each
     * cᵢ(t) is {@code perturbative}ᵢ(t) (a polynomial in t, coefficients lowest first; all zero
     * unless initialised from Lüscher's expansion) plus a learned function: linear between its
     * values at t = 0 and 1 ({@code time} "affine", 2 parameters) or the natural cubic spline
     * through {@code knots} equally spaced values ("cubic_spline").
     */
    record GradientFlow(List<FlowTerm> loops, String time, int knots, int steps, String integrator,
                        List<double[]> perturbative, Span span) implements LayerSpec {
        public GradientFlow {
            loops = List.copyOf(loops);
            perturbative = List.copyOf(perturbative);
        }

        /** The same flow integrated in {@code more} steps. */
        public GradientFlow withSteps(int more) { return new GradientFlow(loops, time, knots, more, integrator, perturbative, span); }

        /** Learned parameters: one per loop shape and knot. */
        public int parameterCount() { return loops.size() * knots; }
    }
}
