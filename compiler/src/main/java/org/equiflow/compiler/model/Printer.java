package org.equiflow.compiler.model;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.equiflow.compiler.ast.Arg;
import org.equiflow.compiler.ast.Expr;

/** Prints a checked program as readable text: what `equiflow ir` shows after the checker. */
public final class Printer {
    private Printer() {}

    public static String print(Program program) {
        var out = new StringBuilder();
        out.append("// checked program: ").append(program.file()).append('\n');
        for (TheoryInstance t : program.theories()) theory(out, t);
        for (FlowModel f : program.flows()) flow(out, f);
        for (RunSpec r : program.runs()) {
            out.append('\n').append(r.kind().keyword()).append(' ').append(r.target()).append(" {\n");
            r.settings().forEach((k, v) -> out.append("    ").append(k).append(' ').append(v).append('\n'));
            out.append("}\n");
        }
        return out.toString();
    }

    /**
     * What a trained flow's parameters mean: its theory instance (every parameter, `--set` values applied) and the
     * flow with its nets, printed canonically. Comments, formatting and run blocks do not appear, so a hash of this
     * text identifies what a checkpoint was trained for without tying it to the script's bytes.
     */
    public static String identity(FlowModel flow) {
        var out = new StringBuilder();
        theory(out, flow.theory());
        flow(out, flow);
        return out.toString();
    }

    /**
     * A theory instance's definition printed canonically without its instance name: the theory, every
     * parameter (`--set` values applied), field, action, symmetries and observables. Two runs whose
     * definitions print alike sample the same distribution, whatever their scripts call the instance.
     */
    public static String theoryDefinition(TheoryInstance t) {
        var out = new StringBuilder();
        theory(out, t, false);
        return out.toString().strip() + "\n";
    }

    private static void theory(StringBuilder out, TheoryInstance t) {
        theory(out, t, true);
    }

    private static void theory(StringBuilder out, TheoryInstance t, boolean named) {
        out.append("\ntheory ");
        if (named) out.append(t.name()).append(" = ");
        out.append(t.definition().name().name()).append(" on lattice ").append(t.lattice()).append(" (volume ").append(t.lattice().volume()).append(") {\n");
        t.parameters().forEach((k, v) -> { if (!(v instanceof List)) out.append("    param ").append(k).append(" = ").append(value(v)).append('\n'); });
        for (FieldSpec f : t.fields()) out.append("    field ").append(f).append('\n');
        out.append("    action ").append(expr(t.action())).append('\n');
        for (var s : t.symmetries()) {
            out.append("    symmetry ").append(s.name());
            if (s.field() != null) out.append(": ").append(s.field()).append(" -> ").append(expr(s.image()));
            out.append('\n');
        }
        for (var o : t.observables()) out.append("    observable ").append(o.name()).append(" = ").append(expr(o.expr())).append('\n');
        out.append("}\n");
    }

    private static void flow(StringBuilder out, FlowModel f) {
        long params = 0;
        for (LayerSpec l : f.layers()) params += parameters(l, f.theory().lattice());
        out.append("\nflow ").append(f.name()).append(" for ").append(f.theory().name());
        if (!f.claims().isEmpty()) out.append(" equivariant ").append(String.join(", ", f.claims()));
        out.append(" {  // ").append(f.layers().size()).append(" layers, ").append(params).append(" parameters\n");
        out.append("    prior ").append(f.prior()).append('\n');
        int i = 0;
        for (LayerSpec l : f.layers()) {
            out.append(String.format("    %3d ", i++));
            switch (l) {
                case LayerSpec.Affine a -> {
                    out.append("affine mask=").append(a.mask());
                    if (a.net() != null) out.append(" net=").append(net(a.net()));
                    if (a.scale() != null) out.append(" scale=").append(net(a.scale()));
                    if (a.shift() != null) out.append(" shift=").append(net(a.shift()));
                }
                case LayerSpec.Spline s -> out.append("spline mask=").append(s.mask()).append(" bins=").append(s.bins())
                        .append(" bound=").append(s.bound()).append(" net=").append(net(s.net()));
                case LayerSpec.PlaquetteCoupling p -> out.append("plaquette_coupling links=").append(p.mask())
                        .append(" transform=").append(p.transform()).append(" net=").append(net(p.net()));
                case LayerSpec.SpectralCoupling s -> out.append("spectral_coupling links=").append(s.mask())
                        .append(" bins=").append(s.bins()).append(" net=").append(net(s.net()))
                        .append(s.secondNet() == null ? "" : " second_net=" + net(s.secondNet()));
                case LayerSpec.GradientFlow g -> out.append(gradientFlow(g));
            }
            out.append('\n');
        }
        if (!f.symmetrize().isEmpty()) out.append("    symmetrize ").append(String.join(", ", f.symmetrize())).append('\n');
        out.append("}\n");
    }

    public static long parameters(LayerSpec l, Lattice lattice) {
        return switch (l) {
            case LayerSpec.Affine a -> count(a.net(), lattice) + count(a.scale(), lattice) + count(a.shift(), lattice);
            case LayerSpec.Spline s -> count(s.net(), lattice);
            case LayerSpec.PlaquetteCoupling p -> count(p.net(), lattice);
            case LayerSpec.SpectralCoupling s -> count(s.net(), lattice) + count(s.secondNet(), lattice);
            case LayerSpec.GradientFlow g -> g.parameterCount();
        };
    }

    /** gradient_flow loops=[path([1, 2, -1, -2])] time=affine steps=20 integrator=cg3 (perturbative: the initial cᵢ(t), lowest power first) */
    public static String gradientFlow(LayerSpec.GradientFlow g) {
        var out = new StringBuilder("gradient_flow loops=").append(g.loops()).append(" time=").append(g.time());
        if (g.time().equals("cubic_spline")) out.append('(').append(g.knots()).append(')');
        out.append(" steps=").append(g.steps()).append(" integrator=").append(g.integrator());
        if (g.perturbative().stream().anyMatch(c -> java.util.Arrays.stream(c).anyMatch(v -> v != 0))) {
            out.append(" perturbative=").append(g.perturbative().stream().map(java.util.Arrays::toString).toList());
        }
        return out.toString();
    }

    private static long count(NetSpec net, Lattice lattice) { return net == null ? 0 : net.parameterCount(lattice); }

    /** conv(1→8, k3) leaky_relu conv(8→8, k3) … */
    public static String net(NetSpec net) {
        return "[" + net.stages().stream().map(s -> switch (s) {
            case NetSpec.Conv c -> "conv(" + c.inChannels() + "→" + c.outChannels() + ", k" + c.kernel() + (c.bias() ? "" : ", no bias") + ")";
            case NetSpec.Dense d -> "dense(" + d.inChannels() + "→" + d.outChannels() + (d.bias() ? "" : ", no bias") + ")";
            case NetSpec.Activation a -> call(a.name(), a.arguments());
        }).collect(Collectors.joining(" ")) + "]";
    }

    public static String call(String name, Map<String, Object> args) {
        if (args.isEmpty()) return name;
        return name + "(" + args.entrySet().stream().map(e -> e.getKey() + " = " + value(e.getValue()))
                .collect(Collectors.joining(", ")) + ")";
    }

    static String value(Object v) {
        if (v instanceof List<?> l) return "[" + l.stream().map(Printer::value).collect(Collectors.joining(", ")) + "]";
        return String.valueOf(v);
    }

    /** An expression in source syntax, fully parenthesised only where precedence needs it. */
    public static String expr(Expr e) {
        return expr(e, 0);
    }

    private static String expr(Expr e, int outer) {
        return switch (e) {
            case Expr.IntLit i -> String.valueOf(i.value());
            case Expr.RealLit r -> String.valueOf(r.value());
            case Expr.BoolLit b -> String.valueOf(b.value());
            case Expr.Name n -> n.name();
            case Expr.Index i -> expr(i.target(), 9) + "[" + i.indices().stream().map(Printer::expr).collect(Collectors.joining(", ")) + "]";
            case Expr.Call c -> expr(c.callee(), 9) + "(" + c.args().stream().map(Printer::arg).collect(Collectors.joining(", ")) + ")";
            case Expr.Member m -> expr(m.target(), 9) + "." + m.member().name();
            case Expr.Unary u -> paren((u.op() == Expr.UnaryOp.NOT ? "not " : u.op().symbol) + expr(u.operand(), 8), 8, outer);
            case Expr.Binary b -> {
                int p = b.op().precedence;
                boolean rightAssoc = b.op() == Expr.BinaryOp.POW;
                String s = expr(b.left(), rightAssoc ? p + 1 : p) + " " + b.op().symbol + " " + expr(b.right(), rightAssoc ? p : p + 1);
                yield paren(s, p, outer);
            }
            case Expr.Reduce r -> {
                String binder = r.binder().first().name() + (r.binder().second() == null ? "" : " < " + r.binder().second().name())
                        + (r.binder().place() == null ? "" : " in " + r.binder().place().name());
                yield r.reducer().name() + " " + binder + " { " + expr(r.body()) + " }";
            }
            case Expr.Tuple t -> "(" + t.elements().stream().map(Printer::expr).collect(Collectors.joining(", ")) + ")";
            case Expr.ListLit l -> "[" + l.elements().stream().map(Printer::expr).collect(Collectors.joining(", ")) + "]";
        };
    }

    private static String arg(Arg a) { return (a.name() == null ? "" : a.name().name() + " = ") + expr(a.value()); }

    private static String paren(String s, int own, int outer) { return own < outer ? "(" + s + ")" : s; }
}
