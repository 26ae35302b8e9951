package org.equiflow.compiler.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.equiflow.compiler.ast.Arg;
import org.equiflow.compiler.ast.Expr;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.ast.TheoryMember;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.Severity;
import org.equiflow.compiler.model.ElementwiseFunction;
import org.equiflow.compiler.model.Parity;

/**
 * Checks every declared symmetry of every theory against its action: under {@code z2: phi -> -phi}
 * every term of the action must be even in phi; under {@code gauge} the action must be built from
 * closed loops (plain for U(1), traced for SU(N)) and never read a raw link. Translation needs no
 * check: lattice expressions only name sites relative to a summed site, so every action is
 * invariant under lattice shifts by construction.
 *
 * Postcondition: without errors, every theory's action is invariant under each symmetry it declares.
 */
public final class ActionSymmetry {
    private final Resolution resolution;

    private ActionSymmetry(Resolution resolution) { this.resolution = resolution; }

    public static void check(Map<String, ModuleScope> scopes, Resolution resolution, Diagnostics diagnostics) {
        var checker = new ActionSymmetry(resolution);
        for (ModuleScope scope : scopes.values()) {
            for (Item item : scope.module.ast().items()) {
                if (item instanceof Item.TheoryDef theory) checker.theory(theory, diagnostics);
            }
        }
    }

    private void theory(Item.TheoryDef theory, Diagnostics diagnostics) {
        Expr action = null;
        for (var m : theory.members()) if (m instanceof TheoryMember.Action a && action == null) action = a.expr();
        if (action == null) return;
        for (var m : theory.members()) {
            if (!(m instanceof TheoryMember.Symmetry s)) continue;
            switch (s.name().name()) {
                case "z2" -> z2(theory, s, action, diagnostics);
                case "gauge" -> gauge(theory, s, action, diagnostics);
                default -> { }
            }
        }
    }

    // ---- z2 -------------------------------------------------------------------------------------

    private void z2(Item.TheoryDef theory, TheoryMember.Symmetry s, Expr action, Diagnostics diagnostics) {
        String field = s.field().name();
        if (!(s.image() instanceof Expr.Unary u && u.op() == Expr.UnaryOp.NEG && u.operand() instanceof Expr.Name n
                && n.name().equals(field))) {
            diagnostics.add(new Diagnostic(ErrorCode.E0402, Severity.ERROR, s.image().span(),
                    "`z2` is the sign flip of a field, but this transformation is `" + field + " -> " + s.image().span().text() + "`",
                    List.of(), List.of("write `symmetry z2: " + field + " -> -" + field + "`")));
            return;
        }
        Expr bad = oddPart(action, field);
        if (bad == null) return;
        Parity p = parity(bad, field);
        diagnostics.add(new Diagnostic(ErrorCode.E0402, Severity.ERROR, bad.span(),
                "theory `" + theory.name().name() + "` declares `z2: " + field + " -> -" + field + "`, but this term of its action is "
                        + (p == Parity.ODD ? "odd" : "neither even nor odd") + " in `" + field + "`",
                List.of(new Diagnostic.Note("the symmetry is declared here", s.span())),
                List.of("every term of a Z2-invariant action is even in " + field + ": " + field + "[x]^2, " + field + "[x]^4, "
                                + field + "[x] * " + field + "[x + mu], …",
                        "or drop `symmetry z2` if the theory is not symmetric")));
    }

    /** The smallest additive term of {@code e} that is not even in the field, or null when e is even. */
    private Expr oddPart(Expr e, String field) {
        if (parity(e, field) == Parity.EVEN) return null;
        Expr inner = switch (e) {
            case Expr.Binary b when b.op() == Expr.BinaryOp.ADD || b.op() == Expr.BinaryOp.SUB -> {
                Expr l = oddPart(b.left(), field);
                yield l != null ? l : oddPart(b.right(), field);
            }
            case Expr.Reduce r -> oddPart(r.body(), field);
            case Expr.Unary u -> oddPart(u.operand(), field);
            default -> null;
        };
        return inner != null ? inner : e;
    }

    /**
     * Parity under {@code field} → −{@code field} of a checked expression of a theory, e.g. one of
     * its observables: an odd observable of a Z2-symmetric theory has expectation value zero.
     */
    public static Parity parityOf(Expr e, String field, Resolution resolution) {
        return new ActionSymmetry(resolution).parity(e, field);
    }

    /**
     * Parity of a lattice expression under field → −field: the field's values are odd, everything
     * else (couplings, other fields, indices) even; products multiply parities, sums keep a common one.
     */
    Parity parity(Expr e, String field) {
        return switch (e) {
            case Expr.IntLit i -> Parity.EVEN;
            case Expr.RealLit r -> Parity.EVEN;
            case Expr.BoolLit b -> Parity.EVEN;
            case Expr.Name n -> resolution.names.get(n) instanceof Symbol.Field f && f.name().equals(field) ? Parity.ODD : Parity.EVEN;
            case Expr.Index i -> i.target() instanceof Expr.Name n && resolution.names.get(n) instanceof Symbol.Field f
                    && f.name().equals(field) ? Parity.ODD : Parity.EVEN;
            case Expr.Unary u -> parity(u.operand(), field);
            case Expr.Binary b -> switch (b.op()) {
                case ADD, SUB -> {
                    Parity l = parity(b.left(), field), r = parity(b.right(), field);
                    yield l == r ? l : Parity.NONE;
                }
                case MUL, DIV -> product(parity(b.left(), field), parity(b.right(), field));
                case POW -> {
                    Parity base = parity(b.left(), field);
                    if (base == Parity.EVEN) yield parity(b.right(), field) == Parity.EVEN ? Parity.EVEN : Parity.NONE;
                    // An odd base to a literal integer power (2 or 2.0) has the parity of the exponent.
                    double exponent = literal(b.right());
                    if (base == Parity.ODD && exponent == Math.rint(exponent)) yield Math.abs(exponent) % 2 == 0 ? Parity.EVEN : Parity.ODD;
                    yield Parity.NONE;
                }
                default -> Parity.NONE;
            };
            case Expr.Call c -> {
                Parity arguments = Parity.EVEN;
                Parity operand = Parity.EVEN;
                for (Arg a : c.args()) {
                    Parity p = parity(a.value(), field);
                    if (a.name() == null) operand = p;
                    if (p != Parity.EVEN) arguments = Parity.NONE;
                }
                if (c.callee() instanceof Expr.Name n && resolution.names.get(n) instanceof Symbol.Global g
                        && g.definition() instanceof Item.ExternDef ext && ext.kind().name().equals("activation")) {
                    yield compose(ElementwiseFunction.named(ext.name().name()).map(ElementwiseFunction::parity).orElse(Parity.NONE), operand);
                }
                yield arguments;
            }
            case Expr.Reduce r -> parity(r.body(), field);
            default -> Parity.EVEN;
        };
    }

    /** The value of a numeric literal, possibly signed (`2`, `2.0`, `-2`); NaN for anything else. */
    private static double literal(Expr e) {
        return switch (e) {
            case Expr.IntLit n -> n.value();
            case Expr.RealLit r -> r.value();
            case Expr.Unary u when u.op() == Expr.UnaryOp.NEG -> -literal(u.operand());
            case Expr.Unary u when u.op() == Expr.UnaryOp.PLUS -> literal(u.operand());
            default -> Double.NaN;
        };
    }

    static Parity product(Parity a, Parity b) {
        if (a == Parity.NONE || b == Parity.NONE) return Parity.NONE;
        return a == b ? Parity.EVEN : Parity.ODD;
    }

    /** Parity of f∘g from the parities of f and g: anything of an even g is even; odd∘odd is odd, even∘odd even. */
    public static Parity compose(Parity outer, Parity inner) {
        if (inner == Parity.EVEN) return Parity.EVEN;
        if (inner == Parity.NONE) return Parity.NONE;
        return outer;
    }

    // ---- gauge ----------------------------------------------------------------------------------

    /** How a lattice expression transforms under a gauge transformation of the links. */
    enum Gauge {
        /** unchanged: constants, other fields, U(1) loops, traces of loops */
        INVARIANT,
        /** conjugated at one site: an SU(N) closed loop before its trace */
        COVARIANT,
        /** neither: a raw link, or loops combined at different sites */
        NONE
    }

    private void gauge(Item.TheoryDef theory, TheoryMember.Symmetry s, Expr action, Diagnostics diagnostics) {
        Expr bad = gaugeBreaking(action);
        if (bad == null && gauge(action) == Gauge.INVARIANT) return;
        if (bad == null) bad = action;
        boolean rawLink = bad instanceof Expr.Index || bad instanceof Expr.Name;
        diagnostics.add(new Diagnostic(ErrorCode.E0402, Severity.ERROR, bad.span(),
                "theory `" + theory.name().name() + "` declares `gauge`, but this part of its action is not gauge invariant",
                List.of(rawLink
                                ? new Diagnostic.Note("a raw link transforms at both ends, U_mu(x) -> g(x) U_mu(x) g(x+mu)^-1, so no function of it alone is invariant", null)
                                : new Diagnostic.Note("only closed loops are invariant: plain ones for U(1), traced ones for SU(N)", null),
                        new Diagnostic.Note("the symmetry is declared here", s.span())),
                List.of("build the action from closed loops: re(plaquette(U, x, mu, nu)), re(tr(plaquette(U, x, mu, nu))), wilson_loop(…)",
                        "or drop `symmetry gauge`")));
    }

    /** The first sub-expression, depth first, that is neither invariant nor covariant; null if none. */
    private Expr gaugeBreaking(Expr e) {
        if (isLoop(e)) return null;
        for (Expr child : children(e)) {
            Expr bad = gaugeBreaking(child);
            if (bad != null) return bad;
        }
        return gauge(e) == Gauge.NONE ? e : null;
    }

    private boolean isLoop(Expr e) {
        return e instanceof Expr.Call c && c.callee() instanceof Expr.Name n && resolution.names.get(n) instanceof Symbol.Global g
                && g.definition() instanceof Item.ExternDef ext && ext.kind().name().equals("function")
                && (n.name().equals("plaquette") || n.name().equals("wilson_loop"));
    }

    private boolean isLinkField(Expr e) {
        return e instanceof Expr.Name n && resolution.names.get(n) instanceof Symbol.Field f
                && f.field().type().place().name().equals("links");
    }

    private static List<Expr> children(Expr e) {
        return switch (e) {
            case Expr.Index i -> { var l = new ArrayList<Expr>(); l.add(i.target()); l.addAll(i.indices()); yield l; }
            case Expr.Call c -> c.args().stream().map(Arg::value).toList();
            case Expr.Unary u -> List.of(u.operand());
            case Expr.Binary b -> List.of(b.left(), b.right());
            case Expr.Reduce r -> List.of(r.body());
            case Expr.Tuple t -> t.elements();
            case Expr.ListLit l -> l.elements();
            default -> List.of();
        };
    }

    Gauge gauge(Expr e) {
        if (isLoop(e)) {
            Expr links = ((Expr.Call) e).args().get(0).value();
            boolean abelian = links instanceof Expr.Name n && resolution.names.get(n) instanceof Symbol.Field f
                    && f.field().type().n() != null && f.field().type().n() == 1 && f.field().type().kind().name().equals("U");
            return abelian ? Gauge.INVARIANT : Gauge.COVARIANT;
        }
        return switch (e) {
            case Expr.Name n -> isLinkField(n) ? Gauge.NONE : Gauge.INVARIANT;
            case Expr.Index i -> isLinkField(i.target()) ? Gauge.NONE : Gauge.INVARIANT;
            case Expr.Unary u -> gauge(u.operand());
            case Expr.Binary b -> {
                Gauge l = gauge(b.left()), r = gauge(b.right());
                if (l == Gauge.NONE || r == Gauge.NONE) yield Gauge.NONE;
                if (l == Gauge.COVARIANT && r == Gauge.COVARIANT) yield Gauge.NONE;  // loops at different corners
                yield l == Gauge.COVARIANT || r == Gauge.COVARIANT ? Gauge.COVARIANT : Gauge.INVARIANT;
            }
            case Expr.Call c -> {
                List<Gauge> args = c.args().stream().map(a -> gauge(a.value())).toList();
                if (args.contains(Gauge.NONE)) yield Gauge.NONE;
                String name = c.callee() instanceof Expr.Name n ? n.name() : "";
                if (name.equals("tr")) yield Gauge.INVARIANT;
                if (name.equals("conj") || name.equals("adj")) yield args.isEmpty() ? Gauge.INVARIANT : args.get(0);
                yield args.contains(Gauge.COVARIANT) ? Gauge.NONE : Gauge.INVARIANT;
            }
            case Expr.Reduce r -> gauge(r.body());
            default -> Gauge.INVARIANT;
        };
    }
}
