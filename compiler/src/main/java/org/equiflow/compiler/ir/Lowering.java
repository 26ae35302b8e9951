package org.equiflow.compiler.ir;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.equiflow.compiler.ast.Arg;
import org.equiflow.compiler.ast.Expr;
import org.equiflow.compiler.ast.Ident;
import org.equiflow.compiler.ast.Let;
import org.equiflow.compiler.ast.TheoryMember;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.check.RuntimeSupport;
import org.equiflow.compiler.check.Symbol;
import org.equiflow.compiler.diag.Span;
import org.equiflow.compiler.model.ElementwiseFunction;
import org.equiflow.compiler.model.FieldKinds;
import org.equiflow.compiler.model.FieldSpec;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.LayerSpec;
import org.equiflow.compiler.model.NetSpec;
import org.equiflow.compiler.model.TheoryInstance;

/**
 * Lowers a checked flow to straight-line IR: the flow's forward map z → (x, log|det J|), the
 * prior's log-density, and the theory's action. Lattice sums over directions unroll; shifted
 * fields {@code phi[x + mu]} become periodic rolls; lattice sums over sites become
 * {@link Op.SumSites}.
 *
 * Postcondition: every function passes {@link Verifier}; parameters are named
 * {@code layer<i>.<net|scale|shift>.conv<j>.<weight|bias>} in layer order.
 */
public final class Lowering {
    private Lowering() {}

    public static IrProgram lower(FlowModel model, Resolution names) {
        TheoryInstance theory = model.theory();
        requireImplementedField(theory);
        requireFlowsOnField(model);
        List<IrFunction> functions = new ArrayList<>();
        functions.add(flow(model));
        // `symmetrize z2` needs q_f(−x), i.e. the inverse flow: log q_f(y) = log r(f⁻¹(y)) + log|det ∂f⁻¹/∂y|;
        // so do the losses that evaluate log q of configurations they did not draw (path gradients, REINFORCE).
        // A flow whose every layer inverts gets it; `symmetrize z2` refuses one that does not.
        if (model.symmetrize().contains("z2") || invertible(model)) functions.add(inverse(model));
        functions.add(logPrior(model));
        functions.add(lowerAction(theory, names));
        return new IrProgram(model, functions);
    }

    /** The action of a theory instance alone, for HMC without a flow and for tests. */
    public static IrFunction lowerAction(TheoryInstance theory, Resolution names) {
        requireImplementedField(theory);
        return new ActionLowering(theory, names, IrProgram.ACTION).lower(theory.action());
    }

    /** A named observable of a theory as a function field ↦ one number per configuration. */
    public static IrFunction lowerObservable(TheoryInstance theory, Resolution names, TheoryInstance.Observable observable) {
        requireImplementedField(theory);
        return new ActionLowering(theory, names, observable.name()).lower(observable.expr());
    }

    /**
     * Every field kind of the language has a lowering today (U(1) links as angles, SU(N) links as
     * packed complex matrices); a kind without a runtime descriptor in {@link FieldKinds} would be
     * refused here, at the field's declaration.
     */
    static void requireImplementedField(TheoryInstance theory) {
        FieldSpec field = theory.field();
        if (RuntimeSupport.FIELD_KINDS.contains(field.kind())) return;
        Span declaration = theory.definition().members().stream()
                .filter(m -> m instanceof TheoryMember.Field f && f.name().name().equals(field.name()))
                .map(TheoryMember::span).findFirst().orElse(theory.span());
        throw new LoweringException("`" + field + "` fields are not implemented in the runtime yet", declaration,
                "the runtime implements `real on sites`, `U(1) on links` and `SU(N) on links`");
    }

    /**
     * A flow on SU(N) links runs the Haar prior, spectral couplings (issue 16) and gradient flows (issue 20); the elaborator
     * refuses the other layers on links of that kind (E0605), and this guard keeps any that slip
     * through from being lowered as if the links were U(1) angles.
     */
    static void requireFlowsOnField(FlowModel model) {
        FieldSpec field = model.theory().field();
        if (field.kind() != FieldSpec.Kind.SUN) return;
        for (LayerSpec layer : model.layers()) {
            if (layer instanceof LayerSpec.SpectralCoupling || layer instanceof LayerSpec.GradientFlow) continue;
            throw new LoweringException("this layer on SU(" + field.n() + ") link fields is not implemented in the runtime yet", layer.span(),
                    "update SU(N) links with `spectral_coupling` or `gradient_flow` (std.gauge), or run `prior haar` alone");
        }
    }

    /** The flow's field as IR: [B, channels, L…] with the field kind's channels per site. */
    public static IrType fieldType(TheoryInstance theory) {
        int channels = FieldKinds.of(theory.field()).components(theory.field(), theory.lattice().dimensions());
        return IrType.field(channels, theory.lattice().sizes());
    }

    // ---- the flow ---------------------------------------------------------------------------

    private static IrFunction flow(FlowModel model) {
        TheoryInstance theory = model.theory();
        Lattice lattice = theory.lattice();
        var b = new FunctionBuilder(IrProgram.FLOW);
        int x = b.input("z", fieldType(theory));
        int logdet = -1;
        for (int i = 0; i < model.layers().size(); i++) {
            LayerSpec layer = model.layers().get(i);
            LayerLowering.Lowered lowered = LayerLowering.of(layer).forward(b, x, layer, lattice, i);
            x = lowered.field();
            logdet = accumulate(b, logdet, lowered.logdet());
        }
        if (logdet < 0) logdet = b.sumSites(b.unary(Op.UnaryFn.MUL_SCALAR, 0.0, x));
        b.output("x", x);
        b.output("logdet", logdet);
        return b.build();
    }

    /**
     * The inverse of the flow, layer by layer from the last, each by its {@link LayerLowering#inverse}:
     * log q_f(y) = log r(f⁻¹(y)) + log|det ∂f⁻¹/∂y|. The nets read the forward pass's parameters
     * by name. A layer without an inverse is refused at its position. Lowered for `symmetrize z2`,
     * and on its own by the runtime's law test of every invertible layer.
     */
    public static IrFunction inverse(FlowModel model) {
        TheoryInstance theory = model.theory();
        Lattice lattice = theory.lattice();
        for (LayerSpec layer : model.layers().reversed()) {
            String why = LayerLowering.of(layer).noInverse(layer);
            if (why != null) {
                throw new LoweringException("`symmetrize z2` needs the inverse of every layer, and " + why, layer.span(),
                        "use layers the runtime inverts (" + RuntimeSupport.list(RuntimeSupport.INVERTIBLE_LAYERS)
                                + ") in a symmetrized flow, or drop `symmetrize z2`");
            }
        }
        var b = new FunctionBuilder(IrProgram.INVERSE);
        int y = b.input("x", fieldType(theory));
        int logdet = -1;
        for (int i = model.layers().size() - 1; i >= 0; i--) {
            LayerSpec layer = model.layers().get(i);
            LayerLowering.Lowered lowered = LayerLowering.of(layer).inverse(b, y, layer, lattice, i);
            y = lowered.field();
            logdet = accumulate(b, logdet, lowered.logdet());
        }
        if (logdet < 0) logdet = b.sumSites(b.unary(Op.UnaryFn.MUL_SCALAR, 0.0, y));
        b.output("z", y);
        b.output("logdet", logdet);
        return b.build();
    }

    /** Whether every layer of the flow has an inverse the runtime lowers. */
    public static boolean invertible(FlowModel model) {
        return model.layers().stream().allMatch(layer -> LayerLowering.of(layer).noInverse(layer) == null);
    }

    /** The running log-det plus one layer's ({@code < 0}: none yet, or none from the layer). */
    private static int accumulate(FunctionBuilder b, int logdet, int layerLogdet) {
        if (layerLogdet < 0) return logdet;
        return logdet < 0 ? layerLogdet : b.add(logdet, layerLogdet);
    }

    /**
     * A conditioner network applied to {@code input}: its convolutions' parameters are named
     * {@code <prefix>.conv<j>.<weight|bias>}, initialised uniform(±1/√fan_in).
     */
    public static int net(FunctionBuilder b, int input, NetSpec net, Lattice lattice, String prefix, Span span) {
        int h = input;
        int conv = 0;
        for (NetSpec.Stage stage : net.stages()) {
            switch (stage) {
                case NetSpec.Conv c -> {
                    var weightShape = new ArrayList<Integer>(List.of(c.outChannels(), c.inChannels()));
                    for (int d = 0; d < lattice.dimensions(); d++) weightShape.add(c.kernel());
                    double fanIn = c.inChannels() * Math.pow(c.kernel(), lattice.dimensions());
                    double bound = 1 / Math.sqrt(fanIn);
                    String name = prefix + ".conv" + conv++;
                    int w = b.param(name + ".weight", new IrType(false, weightShape), bound);
                    int bias = c.bias() ? b.param(name + ".bias", new IrType(false, List.of(c.outChannels())), bound) : -1;
                    h = b.conv(h, w, bias);
                }
                case NetSpec.Dense d -> throw new LoweringException("dense layers are not implemented in the runtime yet", d.span(),
                        "use convolutions (`conv`, `cnn`), which compile");
                case NetSpec.Activation a -> h = activation(b, a.name(), a.arguments(), h, a.span() != null ? a.span() : span);
            }
        }
        return h;
    }

    static int activation(FunctionBuilder b, String name, Map<String, Object> args, int h, Span span) {
        ElementwiseFunction function = ElementwiseFunction.named(name).filter(ElementwiseFunction::runs).orElseThrow(() ->
                new LoweringException("activation `" + name + "` is not implemented in the runtime yet", span,
                        "implemented: " + RuntimeSupport.list(RuntimeSupport.ACTIVATIONS)));
        return switch (function) {
            case IDENTITY -> h;
            case RELU -> b.unary(Op.UnaryFn.LEAKY_RELU, 0.0, h);
            case LEAKY_RELU -> b.unary(Op.UnaryFn.LEAKY_RELU, function.parameterValue(args), h);
            default -> b.unary(Op.UnaryFn.computing(function).orElseThrow(() -> new IllegalStateException(
                    "internal error, please report: " + name + " runs, but no IR op computes it")), h);
        };
    }

    // ---- the prior --------------------------------------------------------------------------

    private static IrFunction logPrior(FlowModel model) {
        TheoryInstance theory = model.theory();
        Lattice lattice = theory.lattice();
        var b = new FunctionBuilder(IrProgram.LOG_PRIOR);
        int z = b.input("z", fieldType(theory));
        long degrees = lattice.volume() * fieldType(theory).channels();
        PriorDensity density = PriorDensities.named(model.prior().name()).orElseThrow(() -> new LoweringException(
                "prior `" + model.prior().name() + "` is not implemented in the runtime yet", model.span(), "use `prior normal(sigma = 1.0)`"));
        int logq = density.lower(b, z, model.prior().arguments(), theory.field(), lattice, degrees);
        b.output("log_prior", logq);
        return b.build();
    }

    // ---- the action -------------------------------------------------------------------------

    /**
     * A lowered lattice expression: a number known now, a field over sites, one number per
     * configuration, a U(1) phase, or for SU(N) a matrix field or a complex field (a trace).
     */
    private sealed interface LValue {
        record Number(double value) implements LValue {}

        record Field(int id) implements LValue {}

        record PerConfig(int id) implements LValue {}

        /** exp(i·angle) with the angle field; products of phases add angles. */
        record Phase(int angle) implements LValue {}

        /** A site x + Σ shift_d ê_d relative to the summation site. */
        record Site(int[] shift) implements LValue {}

        record Dir(int d) implements LValue {}

        /**
         * The complex N×N matrix at every site, [B, 2N², L…] packed as {@link Op.ComplexMatMul}
         * reads it; its conjugate transpose where {@code adjoint}, which products take for free.
         */
        record Matrix(int id, boolean adjoint) implements LValue {}

        /** A complex number at every site, [B, 2, L…] (real, imaginary); its conjugate where {@code conjugate}. */
        record Complex(int id, boolean conjugate) implements LValue {}
    }

    private static final class ActionLowering {
        final TheoryInstance theory;
        final Resolution names;
        final FunctionBuilder b;
        final String output;
        final Map<Ident, LValue> vars = new IdentityHashMap<>();
        final int dims;
        int field;

        ActionLowering(TheoryInstance theory, Resolution names, String output) {
            this.theory = theory;
            this.names = names;
            this.output = output;
            this.b = new FunctionBuilder(output);
            this.dims = theory.lattice().dimensions();
        }

        /** A real expression summed over the lattice, as one number per configuration. */
        IrFunction lower(Expr expression) {
            field = b.input(theory.field().name(), fieldType(theory));
            LValue s = eval(expression);
            int out = switch (s) {
                case LValue.PerConfig p -> p.id();
                case LValue.Number n -> b.unary(Op.UnaryFn.ADD_SCALAR, n.value(), b.sumSites(b.unary(Op.UnaryFn.MUL_SCALAR, 0.0, field)));
                default -> throw unsupported(expression.span(), "`" + output + "` must be a lattice sum or mean");
            };
            b.output(output, out);
            return b.build();
        }

        LoweringException unsupported(Span span, String what) {
            return new LoweringException(what + " cannot be lowered to the runtime yet", span,
                    "actions are lowered from sums of products of fields, their shifts, couplings and elementwise functions");
        }

        LValue eval(Expr e) {
            return switch (e) {
                case Expr.IntLit i -> new LValue.Number(i.value());
                case Expr.RealLit r -> new LValue.Number(r.value());
                case Expr.Name n -> name(n);
                case Expr.Index i -> index(i);
                case Expr.Unary u -> switch (u.op()) {
                    case NEG -> scale(eval(u.operand()), -1, u.span());
                    case PLUS -> eval(u.operand());
                    case NOT -> throw unsupported(u.span(), "`not`");
                };
                case Expr.Binary bin -> binary(bin);
                case Expr.Reduce r -> reduce(r);
                case Expr.Call c -> call(c);
                default -> throw unsupported(e.span(), "this expression");
            };
        }

        LValue name(Expr.Name n) {
            Symbol s = names.lookup(n).orElseThrow(() -> unsupported(n.span(), "`" + n.name() + "`"));
            return switch (s) {
                case Symbol.Parameter p -> {
                    Object v = theory.parameters().get(p.name());
                    if (v instanceof Number num) yield new LValue.Number(num.doubleValue());
                    throw unsupported(n.span(), "parameter `" + p.name() + "`");
                }
                case Symbol.LatticeVar v -> vars.get(v.declaration());
                case Symbol.Local l -> {
                    Expr value = letValue(l.declaration());
                    yield eval(value);
                }
                case Symbol.Global g when g.definition() instanceof Let let -> eval(let.value());
                default -> throw unsupported(n.span(), "`" + n.name() + "`");
            };
        }

        Expr letValue(Ident declaration) {
            for (var m : theory.definition().members()) {
                if (m instanceof Let l && l.name() == declaration) return l.value();
            }
            throw new IllegalStateException("let " + declaration.name() + " not found in " + theory.definition().name().name());
        }

        int[] siteOf(Expr e) {
            LValue v = eval(e);
            if (v instanceof LValue.Site s) return s.shift();
            throw unsupported(e.span(), "this site");
        }

        int dirOf(Expr e) {
            LValue v = eval(e);
            if (v instanceof LValue.Dir d) return d.d();
            if (v instanceof LValue.Number n) return (int) n.value();
            throw unsupported(e.span(), "this direction");
        }

        LValue index(Expr.Index i) {
            int[] site = siteOf(i.indices().get(0));
            if (theory.field().onLinks()) {
                int mu = dirOf(i.indices().get(1));
                if (nonAbelian()) return new LValue.Matrix(matrixLink(mu, site), false);
                return new LValue.Phase(b.shifted(b.slice(field, mu, mu + 1), site));
            }
            return new LValue.Field(b.shifted(field, site));
        }

        LValue call(Expr.Call c) {
            String fn = ((Expr.Name) c.callee()).name();
            List<Expr> args = c.args().stream().map(Arg::value).toList();
            return switch (fn) {
                case "plaquette" -> {
                    if (nonAbelian()) yield matrixLoop(siteOf(args.get(1)), dirOf(args.get(2)), dirOf(args.get(3)), 1, 1);
                    int[] x = siteOf(args.get(1));
                    int mu = dirOf(args.get(2)), nu = dirOf(args.get(3));
                    int[] xMu = x.clone(), xNu = x.clone();
                    xMu[mu]++;
                    xNu[nu]++;
                    // θ_μ(x) + θ_ν(x+μ) − θ_μ(x+ν) − θ_ν(x)
                    int angle = b.sub(b.add(link(mu, x), link(nu, xMu)), b.add(link(mu, xNu), link(nu, x)));
                    yield new LValue.Phase(angle);
                }
                case "wilson_loop" -> {
                    int[] x = siteOf(args.get(1));
                    int mu = dirOf(args.get(2)), nu = dirOf(args.get(3));
                    int r = extent(args.get(4)), t = extent(args.get(5));
                    if (nonAbelian()) yield matrixLoop(x, mu, nu, r, t);
                    // The r×t rectangle from x: r links along μ, t along ν, then back along μ† and ν†.
                    int angle = -1;
                    for (int a = 0; a < r; a++) {
                        int[] bottom = x.clone(), top = x.clone();
                        bottom[mu] += a;
                        top[mu] += a;
                        top[nu] += t;
                        int term = b.sub(link(mu, bottom), link(mu, top));
                        angle = angle < 0 ? term : b.add(angle, term);
                    }
                    for (int k = 0; k < t; k++) {
                        int[] right = x.clone(), left = x.clone();
                        right[mu] += r;
                        right[nu] += k;
                        left[nu] += k;
                        angle = b.add(angle, b.sub(link(nu, right), link(nu, left)));
                    }
                    yield new LValue.Phase(angle);
                }
                case "re", "im" -> {
                    LValue z = eval(args.get(0));
                    if (z instanceof LValue.Complex tr) {
                        int part = fn.equals("re") ? b.slice(tr.id(), 0, 1) : b.slice(tr.id(), 1, 2);
                        yield new LValue.Field(fn.equals("im") && tr.conjugate() ? b.unary(Op.UnaryFn.NEG, part) : part);
                    }
                    if (z instanceof LValue.Matrix) throw matrixWhereComplex(args.get(0), fn);
                    yield new LValue.Field(b.unary(fn.equals("re") ? Op.UnaryFn.COS : Op.UnaryFn.SIN, phase(args.get(0))));
                }
                case "arg" -> new LValue.Field(b.unary(Op.UnaryFn.WRAP_ANGLE, phase(args.get(0))));
                case "conj", "adj" -> switch (eval(args.get(0))) {
                    // The group inverse: −θ for U(1), U† for SU(N); the conjugate of a trace.
                    case LValue.Matrix m -> new LValue.Matrix(m.id(), !m.adjoint());
                    case LValue.Complex z -> new LValue.Complex(z.id(), !z.conjugate());
                    default -> new LValue.Phase(b.unary(Op.UnaryFn.NEG, phase(args.get(0))));
                };
                case "tr" -> {
                    // tr(A†) = conj(tr A): the trace of a stored matrix, conjugated.
                    if (eval(args.get(0)) instanceof LValue.Matrix m) yield new LValue.Complex(b.complexTrace(n(), m.id()), m.adjoint());
                    yield new LValue.Phase(phase(args.get(0)));
                }
                default -> {
                    LValue v = eval(args.get(0));
                    if (v instanceof LValue.Number n) yield new LValue.Number(apply(fn, n.value(), c.span()));
                    Map<String, Object> named = new java.util.HashMap<>();
                    for (Arg a : c.args()) if (a.name() != null && eval(a.value()) instanceof LValue.Number n) named.put(a.name().name(), n.value());
                    if (v instanceof LValue.Field f) yield new LValue.Field(activation(b, fn, named, f.id(), c.span()));
                    throw unsupported(c.span(), "`" + fn + "` of this value");
                }
            };
        }

        /** A loop's side length: a positive integer known at compile time. */
        int extent(Expr e) {
            if (eval(e) instanceof LValue.Number n && n.value() == Math.rint(n.value()) && n.value() >= 1) return (int) n.value();
            throw unsupported(e.span(), "a Wilson loop side that is not a positive integer");
        }

        int link(int mu, int[] site) { return b.shifted(b.slice(field, mu, mu + 1), site); }

        boolean nonAbelian() { return theory.field().kind() == org.equiflow.compiler.model.FieldSpec.Kind.SUN; }

        int n() { return theory.field().n(); }

        /** The SU(N) link U_μ(site): its 2N² channels of the field, shifted to the summation site. */
        int matrixLink(int mu, int[] site) {
            int block = 2 * n() * n();
            return b.shifted(b.slice(field, mu * block, (mu + 1) * block), site);
        }

        /** The ordered product of {@code length} links from {@code start} along μ: U_μ(s) U_μ(s+μ) ⋯. */
        int matrixLine(int[] start, int mu, int length) {
            int[] at = start.clone();
            int product = matrixLink(mu, at);
            for (int k = 1; k < length; k++) {
                at[mu]++;
                product = b.complexMatMul(n(), product, matrixLink(mu, at), false, false);
            }
            return product;
        }

        /**
         * The untraced r×t loop from x in the (μ, ν) plane, path ordered:
         * W = [U_μ-line(x, r) U_ν-line(x + rμ, t)] · [U_ν-line(x, t) U_μ-line(x + tν, r)]†,
         * which for r = t = 1 is the plaquette U_μ(x) U_ν(x+μ) U_μ(x+ν)† U_ν(x)†.
         */
        LValue matrixLoop(int[] x, int mu, int nu, int r, int t) {
            int[] right = x.clone(), top = x.clone();
            right[mu] += r;
            top[nu] += t;
            int lower = b.complexMatMul(n(), matrixLine(x, mu, r), matrixLine(right, nu, t), false, false);
            int upper = b.complexMatMul(n(), matrixLine(x, nu, t), matrixLine(top, mu, r), false, false);
            return new LValue.Matrix(b.complexMatMul(n(), lower, upper, false, true), false);
        }

        LoweringException matrixWhereComplex(Expr e, String fn) {
            return new LoweringException("`" + fn + "` of an SU(" + n() + ") matrix is not defined", e.span(),
                    "take the trace first: `" + fn + "(tr(…))`");
        }

        int phase(Expr e) {
            if (eval(e) instanceof LValue.Phase p) return p.angle();
            throw unsupported(e.span(), "this complex value");
        }

        double apply(String fn, double v, Span span) {
            return ElementwiseFunction.named(fn).flatMap(ElementwiseFunction::atCompileTime)
                    .orElseThrow(() -> unsupported(span, "`" + fn + "` of a number")).applyAsDouble(v);
        }

        LValue scale(LValue v, double factor, Span span) {
            return switch (v) {
                case LValue.Number n -> new LValue.Number(n.value() * factor);
                case LValue.Field f -> new LValue.Field(b.unary(Op.UnaryFn.MUL_SCALAR, factor, f.id()));
                case LValue.PerConfig p -> new LValue.PerConfig(b.unary(Op.UnaryFn.MUL_SCALAR, factor, p.id()));
                default -> throw unsupported(span, "scaling this value");
            };
        }

        LValue shift(LValue v, double term, Span span) {
            return switch (v) {
                case LValue.Number n -> new LValue.Number(n.value() + term);
                case LValue.Field f -> new LValue.Field(b.unary(Op.UnaryFn.ADD_SCALAR, term, f.id()));
                case LValue.PerConfig p -> new LValue.PerConfig(b.unary(Op.UnaryFn.ADD_SCALAR, term, p.id()));
                default -> throw unsupported(span, "adding to this value");
            };
        }

        LValue binary(Expr.Binary e) {
            LValue l = eval(e.left());
            if (e.op() == Expr.BinaryOp.POW) {
                if (!(eval(e.right()) instanceof LValue.Number n) || n.value() != Math.rint(n.value()) || n.value() < 0) {
                    throw new LoweringException("`" + e.span().text() + "`: powers other than non-negative integers are not implemented in the runtime yet",
                            e.span(), "use a non-negative integer power (`phi[x]^2`, `phi[x]^4`), or `exp(y * log(x))` for x > 0");
                }
                int k = (int) n.value();
                return switch (l) {
                    case LValue.Number x -> new LValue.Number(Math.pow(x.value(), k));
                    case LValue.Field f -> new LValue.Field(k == 2 ? b.unary(Op.UnaryFn.SQUARE, f.id()) : b.unary(Op.UnaryFn.POW_INT, k, f.id()));
                    case LValue.PerConfig p -> new LValue.PerConfig(b.unary(Op.UnaryFn.POW_INT, k, p.id()));
                    default -> throw unsupported(e.span(), "this power");
                };
            }
            LValue r = eval(e.right());
            if ((e.op() == Expr.BinaryOp.ADD || e.op() == Expr.BinaryOp.SUB) && l instanceof LValue.Site s && r instanceof LValue.Dir d) {
                int[] shift = s.shift().clone();
                shift[d.d()] += e.op() == Expr.BinaryOp.ADD ? 1 : -1;
                return new LValue.Site(shift);
            }
            if (l instanceof LValue.Matrix p && r instanceof LValue.Matrix q) {
                if (e.op() == Expr.BinaryOp.MUL) return new LValue.Matrix(b.complexMatMul(n(), p.id(), q.id(), p.adjoint(), q.adjoint()), false);
                throw new LoweringException("`" + e.op().symbol + "` of SU(" + n() + ") matrices is not implemented in the runtime yet", e.span(),
                        "multiply matrices (`U[x, mu] * U[x + mu, nu]`) and take `re(tr(…))` of closed loops");
            }
            if (l instanceof LValue.Matrix || r instanceof LValue.Matrix || l instanceof LValue.Complex || r instanceof LValue.Complex) {
                throw new LoweringException("this arithmetic on SU(" + n() + ") matrices or traces is not implemented in the runtime yet", e.span(),
                        "take real numbers first: `re(tr(…))`, `im(tr(…))`, then combine them");
            }
            if (l instanceof LValue.Phase p && r instanceof LValue.Phase q) {
                return switch (e.op()) {
                    case MUL -> new LValue.Phase(b.add(p.angle(), q.angle()));
                    case DIV -> new LValue.Phase(b.sub(p.angle(), q.angle()));
                    default -> throw unsupported(e.span(), "this operation on U(1) values");
                };
            }
            if (l instanceof LValue.Number x && r instanceof LValue.Number y) {
                return new LValue.Number(switch (e.op()) {
                    case ADD -> x.value() + y.value();
                    case SUB -> x.value() - y.value();
                    case MUL -> x.value() * y.value();
                    case DIV -> x.value() / y.value();
                    default -> throw unsupported(e.span(), "`" + e.op().symbol + "`");
                });
            }
            switch (e.op()) {
                case ADD -> {
                    if (r instanceof LValue.Number n) return shift(l, n.value(), e.span());
                    if (l instanceof LValue.Number n) return shift(r, n.value(), e.span());
                    return combine(Op.BinaryFn.ADD, l, r, e.span());
                }
                case SUB -> {
                    if (r instanceof LValue.Number n) return shift(l, -n.value(), e.span());
                    if (l instanceof LValue.Number n) return shift(scale(r, -1, e.span()), n.value(), e.span());
                    return combine(Op.BinaryFn.SUB, l, r, e.span());
                }
                case MUL -> {
                    if (r instanceof LValue.Number n) return scale(l, n.value(), e.span());
                    if (l instanceof LValue.Number n) return scale(r, n.value(), e.span());
                    return combine(Op.BinaryFn.MUL, l, r, e.span());
                }
                case DIV -> {
                    if (r instanceof LValue.Number n) return scale(l, 1 / n.value(), e.span());
                    return combine(Op.BinaryFn.DIV, l, r, e.span());
                }
                default -> throw unsupported(e.span(), "`" + e.op().symbol + "`");
            }
        }

        LValue combine(Op.BinaryFn fn, LValue l, LValue r, Span span) {
            if (l instanceof LValue.Field a && r instanceof LValue.Field c) return new LValue.Field(b.binary(fn, a.id(), c.id()));
            if (l instanceof LValue.PerConfig a && r instanceof LValue.PerConfig c) return new LValue.PerConfig(b.binary(fn, a.id(), c.id()));
            throw unsupported(span, "combining a lattice field with a lattice sum");
        }

        LValue reduce(Expr.Reduce r) {
            boolean mean = r.reducer().name().equals("mean");
            var binder = r.binder();
            boolean overSites = names.rangesOverSites(binder.first());
            if (overSites) {
                vars.put(binder.first(), new LValue.Site(new int[dims]));
                LValue body = eval(r.body());
                long volume = theory.lattice().volume();
                LValue sum = switch (body) {
                    case LValue.Field f -> new LValue.PerConfig(b.sumSites(f.id()));
                    case LValue.Number n -> new LValue.Number(n.value() * volume);
                    case LValue.PerConfig p -> scale(p, volume, r.span());
                    case LValue.Phase p -> throw complexSum(r);
                    case LValue.Matrix m -> throw complexSum(r);
                    case LValue.Complex z -> throw complexSum(r);
                    default -> throw unsupported(r.span(), "this lattice sum");
                };
                return mean ? scale(sum, 1.0 / volume, r.span()) : sum;
            }
            return overDirections(r, mean, binder);
        }

        LoweringException complexSum(Expr.Reduce r) {
            return new LoweringException("a lattice sum of complex values is not implemented in the runtime yet",
                    r.span(), "sum real numbers: `re(…)`, `im(…)` or `arg(…)` of the loop, e.g. `mean x { re(plaquette(U, x, 0, 1)) }`"
                            + (nonAbelian() ? "; for SU(N), `re(tr(plaquette(U, x, 0, 1)))`" : ""));
        }

        LValue overDirections(Expr.Reduce r, boolean mean, org.equiflow.compiler.ast.Binder binder) {
            List<int[]> tuples = new ArrayList<>();
            if (binder.second() == null) {
                for (int d = 0; d < dims; d++) tuples.add(new int[] {d});
            } else {
                for (int d = 0; d < dims; d++) for (int e = d + 1; e < dims; e++) tuples.add(new int[] {d, e});
            }
            LValue total = null;
            for (int[] t : tuples) {
                vars.put(binder.first(), new LValue.Dir(t[0]));
                if (binder.second() != null) vars.put(binder.second(), new LValue.Dir(t[1]));
                LValue term = eval(r.body());
                total = total == null ? term : addValues(total, term, r.span());
            }
            if (total == null) total = new LValue.Number(0);
            return mean && !tuples.isEmpty() ? scale(total, 1.0 / tuples.size(), r.span()) : total;
        }

        LValue addValues(LValue a, LValue c, Span span) {
            if (a instanceof LValue.Number x && c instanceof LValue.Number y) return new LValue.Number(x.value() + y.value());
            if (c instanceof LValue.Number y) return shift(a, y.value(), span);
            if (a instanceof LValue.Number x) return shift(c, x.value(), span);
            return combine(Op.BinaryFn.ADD, a, c, span);
        }
    }
}
