package org.equiflow.compiler.symmetry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.equiflow.compiler.check.ActionSymmetry;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.model.NetSpec;
import org.equiflow.compiler.model.Parity;

/**
 * Parity and translation behaviour of a conditioner net, inferred stage by stage from its input
 * (the frozen field, which is odd under φ → −φ): a bias-free linear stage keeps the parity, a
 * bias breaks oddness (and keeps evenness), an activation composes by
 * {@link ActionSymmetry#compose}; convolutions are translation equivariant, dense stages not.
 */
public final class NetSymmetry {
    private NetSymmetry() {}

    /** A net's parity, with the stages that decide it (notes for diagnostics and --explain). */
    public record NetParity(Parity parity, List<Diagnostic.Note> why) {
        public NetParity { why = List.copyOf(why); }
    }

    public static NetParity parity(NetSpec net) {
        Parity p = Parity.ODD;
        // Every stage that would spoil oddness on its own, and the first that makes the net even.
        Map<String, Diagnostic.Note> spoilers = new LinkedHashMap<>();
        Diagnostic.Note evenAt = null;
        for (NetSpec.Stage stage : net.stages()) {
            switch (stage) {
                case NetSpec.Conv c -> {
                    if (c.bias()) {
                        spoilers.putIfAbsent("bias", new Diagnostic.Note("a bias breaks oddness: this net's `conv` adds one (W·(−x) + b ≠ −(W·x + b))", c.span()));
                        if (p == Parity.ODD) p = Parity.NONE;
                    }
                }
                case NetSpec.Dense d -> {
                    if (d.bias()) {
                        spoilers.putIfAbsent("bias", new Diagnostic.Note("a bias breaks oddness: this net's `dense` adds one (W·(−x) + b ≠ −(W·x + b))", d.span()));
                        if (p == Parity.ODD) p = Parity.NONE;
                    }
                }
                case NetSpec.Activation a -> {
                    if (a.parity() == Parity.NONE) {
                        spoilers.putIfAbsent(a.name(), new Diagnostic.Note(a.name() + " is neither odd nor even", a.declaredAt()));
                    }
                    if (p == Parity.ODD && a.parity() == Parity.EVEN && evenAt == null) {
                        evenAt = new Diagnostic.Note(a.name() + " is even, so the net is even from there on", a.declaredAt());
                    }
                    p = ActionSymmetry.compose(a.parity(), p);
                }
            }
        }
        List<Diagnostic.Note> why = new ArrayList<>();
        if (p == Parity.EVEN) {
            if (evenAt != null) why.add(evenAt);
        } else if (p == Parity.ODD) {
            why.add(Diagnostic.Note.of("bias-free linear maps and odd activations compose to an odd net"));
        } else {
            why.addAll(spoilers.values());
        }
        return new NetParity(p, why);
    }

    /** Equivariant under every lattice shift unless a dense stage ties weights to sites. */
    public static Judgement translation(NetSpec net, String role) {
        for (NetSpec.Stage stage : net.stages()) {
            if (stage instanceof NetSpec.Dense d) {
                return new Judgement("translation", Status.BROKEN, List.of(Finding.breaks(
                        "the " + role + " of this coupling must commute with lattice shifts, but its `dense` stage does not",
                        d.span(), List.of(Diagnostic.Note.of("a dense layer gives every site its own weights")),
                        List.of("use periodic convolutions (`conv`, `cnn`): they commute with every lattice shift"))), List.of());
            }
        }
        return new Judgement("translation", Status.HOLDS,
                List.of(Finding.holds("the " + role + " is built from periodic convolutions and elementwise functions")), List.of());
    }
}
