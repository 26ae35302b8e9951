package org.equiflow.compiler.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.equiflow.compiler.ast.Arg;
import org.equiflow.compiler.ast.Expr;
import org.equiflow.compiler.ast.Ident;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.ast.Let;
import org.equiflow.compiler.ast.Param;
import org.equiflow.compiler.ast.Stmt;
import org.equiflow.compiler.ast.TheoryMember;
import org.equiflow.compiler.ast.TypeRef;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.Severity;
import org.equiflow.compiler.diag.Span;
import org.equiflow.compiler.diag.Words;
import org.equiflow.compiler.model.ElementwiseFunction;
import org.equiflow.compiler.model.FieldSpec;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.LayerSpec;
import org.equiflow.compiler.model.FlowTerm;
import org.equiflow.compiler.model.LoopShape;
import org.equiflow.compiler.model.TraceProduct;
import org.equiflow.compiler.model.MaskSpec;
import org.equiflow.compiler.model.NetSpec;
import org.equiflow.compiler.model.Parity;
import org.equiflow.compiler.model.PriorSpec;
import org.equiflow.compiler.model.RunSpec;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.compiler.modules.LoadedModule;
import org.equiflow.compiler.parse.Suggestions;

/**
 * Evaluates what a script builds: theory instances with their lattices, flows with loops
 * unrolled, masks checked against the lattice, nets with every channel count inferred from the
 * layer that uses them, and run blocks against their settings. Also checks the signatures of
 * every definition (parameter types, extern kinds).
 *
 * Postcondition: without errors, a {@link CheckedProgram} in which every flow whose parameters
 * all have defaults is fully shaped, and every run block names a flow (train, sample) or a
 * theory instance (hmc) and has valid settings.
 */
public final class Elaborator {
    /** Unrolled layers beyond this are a typo in a bound, not an architecture. */
    static final int MAX_LAYERS = 4096;
    static final int MAX_LATTICE_SIZE = 1024;

    static final Set<String> TYPE_NAMES = Set.of("int", "real", "bool", "shape", "net", "mask", "activation",
            "prior", "transform", "layer", "loop", "integrator", "theory", "list", "complex", "group", "links", "site", "dir");
    static final List<String> EXTERN_KINDS = List.of("activation", "function", "net", "mask", "prior", "layer", "transform", "loop", "integrator");

    private final Diagnostics diagnostics;
    private final Resolution resolution;
    private final Map<String, ModuleScope> scopes;
    private final Map<Item.TheoryInst, Value> theoryCache = new IdentityHashMap<>();
    private final Map<Let, Value> letCache = new IdentityHashMap<>();
    /** Command-line values for theory arguments: instance name → parameter → literal expression. */
    private Map<String, Map<String, Expr>> overrides = Map.of();

    /** Thrown to abandon evaluating one item after its error has been reported. */
    private static final class Reported extends RuntimeException {
        Reported() { super(null, null, false, false); }
    }

    /** What an expression is evaluated for: the flow's theory (for layers) and the user's call site. */
    private record Context(TheoryInstance theory, Span userSite) {
        Context at(Span span, boolean entersStandardLibrary) {
            return userSite == null && entersStandardLibrary ? new Context(theory, span) : this;
        }

        Span site(Span own) { return userSite != null ? userSite : own; }
    }

    /** Values of parameters and locals, by their declaring identifier. */
    private record Env(Map<Ident, Value> values, Env parent) {
        static Env empty() { return new Env(new IdentityHashMap<>(), null); }

        Env with(Ident id, Value v) {
            var map = new IdentityHashMap<Ident, Value>();
            map.put(id, v);
            return new Env(map, this);
        }

        Value find(Ident id) {
            for (Env e = this; e != null; e = e.parent) if (e.values.containsKey(id)) return e.values.get(id);
            return null;
        }
    }

    private Elaborator(Diagnostics diagnostics, Resolution resolution, Map<String, ModuleScope> scopes) {
        this.diagnostics = diagnostics;
        this.resolution = resolution;
        this.scopes = scopes;
    }

    public static CheckedProgram elaborate(LoadedModule root, Map<String, ModuleScope> scopes, Resolution resolution,
                                           Map<String, String> overrides, Diagnostics diagnostics) {
        var elaborator = new Elaborator(diagnostics, resolution, scopes);
        elaborator.overrides = Overrides.parse(overrides, root, diagnostics);
        if (diagnostics.hasErrors()) return new CheckedProgram(root.displayName(), List.of(), List.of(), List.of(), resolution);
        for (ModuleScope scope : scopes.values()) elaborator.checkSignatures(scope.module);
        return elaborator.program(root);
    }

    // ---- signatures -------------------------------------------------------------------------

    private void checkSignatures(LoadedModule module) {
        for (Item item : module.ast().items()) {
            List<Param> params = switch (item) {
                case Item.NetDef n -> n.params();
                case Item.MaskDef m -> m.params();
                case Item.FlowDef f -> f.params();
                case Item.ExternDef e -> e.params();
                default -> List.of();
            };
            for (Param p : params) checkType(p.type(), item instanceof Item.ExternDef);
            if (item instanceof Item.ExternDef ext) checkExtern(ext, module);
        }
    }

    private void checkType(TypeRef ref, boolean inExtern) {
        switch (ref) {
            case TypeRef.Optional o -> checkType(o.inner(), inExtern);
            case TypeRef.ListOf l -> checkType(l.element(), inExtern);
            case TypeRef.Named n -> {
                String name = n.name().name();
                boolean latticeOnly = Set.of("complex", "group", "links", "site", "dir").contains(name);
                if (!TYPE_NAMES.contains(name) || (latticeOnly && !inExtern)) {
                    List<String> help = new ArrayList<>();
                    var legal = List.of("int", "real", "bool", "shape", "net", "mask", "activation", "prior", "transform", "layer", "loop", "integrator");
                    Suggestions.closest(name, legal).ifPresent(g -> help.add("did you mean `" + g + "`?"));
                    help.add("types: " + String.join(", ", legal) + ", and lists `[int]`");
                    diagnostics.add(new Diagnostic(ErrorCode.E0501, Severity.ERROR, n.name().span(),
                            "unknown type `" + name + "`", List.of(), help));
                }
                if (n.argument() != null) checkType(n.argument(), inExtern);
            }
        }
    }

    private void checkExtern(Item.ExternDef ext, LoadedModule module) {
        String kind = ext.kind().name();
        if (!EXTERN_KINDS.contains(kind)) {
            List<String> help = new ArrayList<>();
            Suggestions.closest(kind, EXTERN_KINDS).ifPresent(g -> help.add("did you mean `" + g + "`?"));
            help.add("primitive kinds: " + String.join(", ", EXTERN_KINDS));
            diagnostics.add(new Diagnostic(ErrorCode.E0309, Severity.ERROR, ext.kind().span(),
                    "unknown kind of primitive `" + kind + "`", List.of(), help));
            return;
        }
        if (!module.isStandard() && Primitives.isImplemented(kind, ext.name().name())) {
            // The standard library's declaration states the primitive's true properties (its
            // parity, which the Z2 checker trusts); a second one could claim `relu() is odd`.
            List<Diagnostic.Note> notes = new ArrayList<>();
            standardDeclaration(ext.name().name()).ifPresent(std -> notes.add(new Diagnostic.Note("the standard library declares it here", std.span())));
            diagnostics.add(new Diagnostic(ErrorCode.E0310, Severity.ERROR, ext.span(),
                    "primitive `" + ext.name().name() + "` is already declared by the standard library", notes,
                    List.of("remove this declaration and use the standard one" + (notes.isEmpty() ? " (`use std.nets.*`, `use std.masks.*`, `use std.gauge.*`)" : ""),
                            "primitives are declared once, in the standard library, with the properties the runtime guarantees")));
            return;
        }
        if (!Primitives.isImplemented(kind, ext.name().name())) {
            diagnostics.add(new Diagnostic(ErrorCode.E0309, Severity.ERROR, ext.name().span(),
                    "there is no " + kind + " primitive named `" + ext.name().name() + "`", List.of(),
                    List.of(kind + " primitives: " + String.join(", ", Primitives.names(kind)),
                            "new primitives are added in Java, with their gradient, before they are declared")));
        }
    }

    /** The standard library's {@code extern} declaration of a primitive, among the loaded modules. */
    private Optional<Item.ExternDef> standardDeclaration(String name) {
        for (ModuleScope scope : scopes.values()) {
            if (!scope.module.isStandard()) continue;
            for (Item item : scope.module.ast().items()) {
                if (item instanceof Item.ExternDef e && e.name().name().equals(name)) return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    // ---- the program ------------------------------------------------------------------------

    private CheckedProgram program(LoadedModule root) {
        List<TheoryInstance> theories = new ArrayList<>();
        List<FlowModel> flows = new ArrayList<>();
        Map<String, FlowModel> flowsByName = new HashMap<>();
        Map<String, TheoryInstance> theoriesByName = new HashMap<>();
        for (Item item : root.ast().items()) {
            try {
                switch (item) {
                    case Item.TheoryInst inst -> {
                        if (theory(inst) instanceof Value.Theory t) {
                            theories.add(t.instance());
                            theoriesByName.put(t.instance().name(), t.instance());
                        }
                    }
                    case Let let -> letValue(let);
                    case Item.FlowDef flow -> {
                        // A flow is built once, when it is trained or sampled, so every parameter needs a value.
                        var required = flow.params().stream().filter(p -> p.defaultValue() == null).toList();
                        for (Param p : required) {
                            diagnostics.add(new Diagnostic(ErrorCode.E0507, Severity.ERROR, p.span(),
                                    "flow parameter `" + p.name().name() + "` has no default value", List.of(),
                                    List.of("flows are built once, with their defaults: write `" + p.name().name() + ": "
                                            + p.type().span().text() + " = …`")));
                        }
                        if (required.isEmpty()) {
                            FlowModel model = flow(flow);
                            if (model != null) {
                                flows.add(model);
                                flowsByName.put(model.name(), model);
                            }
                        }
                    }
                    default -> { }
                }
            } catch (Reported e) {
                // reported; go on with the next item so that all errors of the phase are found
            }
        }
        for (String instance : overrides.keySet()) {
            if (!theoriesByName.containsKey(instance) && root.ast().items().stream()
                    .noneMatch(i -> i instanceof Item.TheoryInst t && t.name().name().equals(instance))) {
                List<String> names = root.ast().items().stream().filter(i -> i instanceof Item.TheoryInst)
                        .map(i -> ((Item.TheoryInst) i).name().name()).toList();
                diagnostics.add(new Diagnostic(ErrorCode.E0300, Severity.ERROR, null,
                        "--set " + instance + ".…: no theory instance `" + instance + "` in " + root.displayName(), List.of(),
                        List.of(names.isEmpty() ? "the script instantiates no theory" : "theory instances: " + String.join(", ", names))));
            }
        }
        List<RunSpec> runs = new ArrayList<>();
        var runChecker = new RunChecker(diagnostics);
        for (Item item : root.ast().items()) {
            if (!(item instanceof Item.RunBlock run)) continue;
            var spec = runChecker.check(run, root, flowsByName, theoriesByName, scopes.get(root.key()));
            if (spec != null) runs.add(spec);
        }
        return new CheckedProgram(root.displayName(), theories, flows, runs, resolution);
    }

    private ModuleScope scopeOf(Item.Definition def) { return resolution.scopeOf.get(def); }

    private Value letValue(Let let) {
        if (letCache.containsKey(let)) return letCache.get(let);
        Value v = eval(let.value(), Env.empty(), new Context(null, null));
        letCache.put(let, v);
        return v;
    }

    // ---- theories ---------------------------------------------------------------------------

    private Value theory(Item.TheoryInst inst) {
        if (theoryCache.containsKey(inst)) return theoryCache.get(inst);
        theoryCache.put(inst, null);
        Value v;
        if (inst.value() instanceof Expr.Call call && call.callee() instanceof Expr.Name n
                && resolution.names.get(n) instanceof Symbol.Global g && g.definition() instanceof Item.TheoryDef def) {
            v = new Value.Theory(instantiate(inst.name().name(), def, withOverrides(inst, def, call), Env.empty(), new Context(null, null)));
        } else {
            Value value = eval(inst.value(), Env.empty(), new Context(null, null));
            if (!(value instanceof Value.Theory t)) {
                throw report(new Diagnostic(ErrorCode.E0500, Severity.ERROR, inst.value().span(),
                        "`theory " + inst.name().name() + " = …` needs a theory, but this is " + Words.article(Value.describe(value)), List.of(),
                        List.of("instantiate a theory definition, e.g. `phi4(lattice = [8, 8], m2 = -4.0, lambda = 8.0)`")));
            }
            v = t;
        }
        theoryCache.put(inst, v);
        return v;
    }

    /** The instance's call with command-line values in place of (or added to) its arguments. */
    private Expr.Call withOverrides(Item.TheoryInst inst, Item.TheoryDef def, Expr.Call call) {
        Map<String, Expr> given = overrides.get(inst.name().name());
        if (given == null) return call;
        for (String param : given.keySet()) {
            if (def.params().stream().noneMatch(p -> p.name().name().equals(param))) {
                List<String> help = new ArrayList<>();
                Suggestions.closest(param, def.params().stream().map(p -> p.name().name()).toList()).ifPresent(g -> help.add("did you mean `" + g + "`?"));
                help.add("theory `" + inst.name().name() + "` has parameters: "
                        + String.join(", ", def.params().stream().map(p -> p.name().name()).toList()));
                throw report(new Diagnostic(ErrorCode.E0302, Severity.ERROR, inst.name().span(),
                        "--set " + inst.name().name() + "." + param + ": theory `" + inst.name().name() + "` has no parameter `" + param + "`",
                        List.of(), help));
            }
        }
        // Named arguments are rewritten; positional ones are named first so an override can replace them.
        List<Arg> args = new ArrayList<>();
        int position = 0;
        java.util.Set<String> done = new java.util.HashSet<>();
        for (Arg a : call.args()) {
            String pname = a.name() != null ? a.name().name() : position < def.params().size() ? def.params().get(position).name().name() : null;
            if (a.name() == null) position++;
            if (pname != null && given.containsKey(pname)) {
                args.add(new Arg(new Ident(pname, a.span()), given.get(pname), a.span()));
                done.add(pname);
            } else {
                args.add(a);
            }
        }
        given.forEach((pname, value) -> {
            if (!done.contains(pname)) args.add(new Arg(new Ident(pname, call.span()), value, call.span()));
        });
        return new Expr.Call(call.callee(), args, call.span());
    }

    private TheoryInstance instantiate(String name, Item.TheoryDef def, Expr.Call call, Env env, Context ctx) {
        Map<String, Value> args = bind(def.name().name(), def.params(), call, env, ctx, def.name().span());
        Map<String, Object> parameters = new LinkedHashMap<>();
        Lattice lattice = null;
        for (Param p : def.params()) {
            Value v = args.get(p.name().name());
            if (v == null) continue;
            if (p.type() instanceof TypeRef.Named t && t.name().name().equals("shape")) {
                Expr at = argumentExpr(call, p.name().name(), def.params());
                lattice = lattice(v, at == null ? call.span() : at.span());
                parameters.put(p.name().name(), lattice.sizes());
            } else {
                Object plain = plain(v);
                if (plain instanceof Double d && !Double.isFinite(d)) {
                    throw report(ErrorCode.E0606, call.span(), "parameter `" + p.name().name() + "` is not finite", "couplings are finite numbers");
                }
                parameters.put(p.name().name(), plain);
            }
        }
        if (lattice == null) {
            throw report(ErrorCode.E0600, call.span(), "theory `" + def.name().name() + "` has no lattice",
                    "declare a parameter `lattice: shape` and pass e.g. `lattice = [8, 8]`");
        }
        List<FieldSpec> fields = new ArrayList<>();
        Expr action = null;
        List<TheoryInstance.Symmetry> symmetries = new ArrayList<>();
        List<TheoryInstance.Observable> observables = new ArrayList<>();
        for (var member : def.members()) {
            switch (member) {
                case TheoryMember.Field f -> {
                    var type = TheoryChecker.fieldType(f.type(), new Diagnostics());
                    if (type instanceof LatticeType.SiteField) fields.add(new FieldSpec(f.name().name(), FieldSpec.Kind.REAL, 1));
                    else if (type instanceof LatticeType.LinkField l) {
                        fields.add(new FieldSpec(f.name().name(), l.n() == 1 ? FieldSpec.Kind.U1 : FieldSpec.Kind.SUN, l.n()));
                    }
                }
                case TheoryMember.Action a -> { if (action == null) action = a.expr(); }
                case TheoryMember.Symmetry s -> symmetries.add(new TheoryInstance.Symmetry(s.name().name(),
                        s.field() == null ? null : s.field().name(), s.image()));
                case TheoryMember.Observable o -> observables.add(new TheoryInstance.Observable(o.name().name(), o.expr()));
                case Let l -> { }
            }
        }
        if (fields.size() > 1) {
            throw report(ErrorCode.E0605, call.span(), "theory `" + def.name().name() + "` has " + fields.size()
                    + " fields; flows over several fields are not supported yet", "declare one field per theory");
        }
        checkDirections(def, lattice, call.span());
        return new TheoryInstance(name, def, parameters, lattice, fields, action, symmetries, observables, call.span());
    }

    /** Literal directions in the action and observables, as in plaquette(U, x, 0, 1), must exist. */
    private void checkDirections(Item.TheoryDef def, Lattice lattice, Span at) {
        for (var member : def.members()) {
            Expr e = member instanceof TheoryMember.Action a ? a.expr() : member instanceof TheoryMember.Observable o ? o.expr() : null;
            if (e != null) checkDirections(e, lattice, at);
        }
    }

    private void checkDirections(Expr e, Lattice lattice, Span instanceSpan) {
        switch (e) {
            case Expr.Call c -> {
                if (c.callee() instanceof Expr.Name n && resolution.names.get(n) instanceof Symbol.Global g
                        && g.definition() instanceof Item.ExternDef ext) {
                    for (int k = 0; k < c.args().size() && k < ext.params().size(); k++) {
                        if (c.args().get(k).value() instanceof Expr.IntLit lit && ext.params().get(k).type() instanceof TypeRef.Named t
                                && t.name().name().equals("dir") && (lit.value() < 0 || lit.value() >= lattice.dimensions())) {
                            diagnostics.add(new Diagnostic(ErrorCode.E0606, Severity.ERROR, lit.span(),
                                    "direction " + lit.value() + " does not exist on a " + lattice.dimensions() + "-dimensional lattice",
                                    List.of(new Diagnostic.Note("the lattice is set here", instanceSpan)),
                                    List.of("directions are 0 … " + (lattice.dimensions() - 1))));
                        }
                    }
                }
                c.args().forEach(a -> checkDirections(a.value(), lattice, instanceSpan));
            }
            case Expr.Binary b -> {
                checkDirections(b.left(), lattice, instanceSpan);
                checkDirections(b.right(), lattice, instanceSpan);
            }
            case Expr.Unary u -> checkDirections(u.operand(), lattice, instanceSpan);
            case Expr.Reduce r -> checkDirections(r.body(), lattice, instanceSpan);
            default -> { }
        }
    }

    private static Expr argumentExpr(Expr.Call call, String name, List<Param> params) {
        int positional = 0;
        for (Arg a : call.args()) {
            if (a.name() != null && a.name().name().equals(name)) return a.value();
            if (a.name() == null) {
                if (positional < params.size() && params.get(positional).name().name().equals(name)) return a.value();
                positional++;
            }
        }
        return null;
    }

    private Lattice lattice(Value v, Span at) {
        if (!(v instanceof Value.ListOf list) || list.elements().stream().anyMatch(e -> !(e instanceof Value.Int))) {
            throw report(ErrorCode.E0600, at, "a lattice shape is a list of sizes, e.g. `[8, 8]`", "write the sizes in brackets");
        }
        List<Integer> sizes = new ArrayList<>();
        for (Value e : list.elements()) {
            long size = ((Value.Int) e).value();
            if (size < 2 || size > MAX_LATTICE_SIZE) {
                throw report(ErrorCode.E0600, at, "lattice size " + size + " is out of range",
                        "each lattice size is between 2 and " + MAX_LATTICE_SIZE);
            }
            sizes.add((int) size);
        }
        if (sizes.size() < 2 || sizes.size() > 4) {
            throw report(ErrorCode.E0600, at, "a " + sizes.size() + "-dimensional lattice is not supported",
                    "lattices have 2, 3 or 4 dimensions, e.g. `[8, 8]` or `[8, 8, 8]`");
        }
        return new Lattice(sizes);
    }

    // ---- flows ------------------------------------------------------------------------------

    private FlowModel flow(Item.FlowDef flow) {
        Symbol.Global theorySymbol = resolution.theoryOf(flow);
        if (theorySymbol == null) return null;
        if (!(theorySymbol.definition() instanceof Item.TheoryInst inst)) {
            throw report(new Diagnostic(ErrorCode.E0508, Severity.ERROR, flow.theory().span(),
                    "a flow is for a theory instance, but `" + flow.theory().name() + "` is "
                            + Words.article(TheoryChecker.kind(theorySymbol.definition())), List.of(new Diagnostic.Note("defined here", theorySymbol.declaredAt())),
                    List.of(theorySymbol.definition() instanceof Item.TheoryDef
                            ? "instantiate it first: `theory T = " + flow.theory().name() + "(lattice = [8, 8], …)`, then `flow … for T`"
                            : "name a theory instance: `theory T = phi4(…)`")));
        }
        if (!(theory(inst) instanceof Value.Theory t)) return null;
        TheoryInstance theory = t.instance();
        Env env = Env.empty();
        for (Param p : flow.params()) {
            if (p.defaultValue() != null) env = env.with(p.name(), coerce(eval(p.defaultValue(), Env.empty(), new Context(theory, null)), p.type(), p.defaultValue().span(), p.name().name(), flow.name().name()));
        }
        for (Ident claim : flow.claims()) {
            if (!theory.declares(claim.name())) {
                List<String> declared = theory.symmetries().stream().map(TheoryInstance.Symmetry::name).toList();
                diagnostics.add(new Diagnostic(ErrorCode.E0400, Severity.ERROR, claim.span(),
                        "flow `" + flow.name().name() + "` claims `equivariant " + claim.name() + "`, but theory `"
                                + theory.name() + "` does not declare that symmetry", List.of(),
                        List.of(declared.isEmpty() ? "the theory declares no symmetries" : "the theory declares: " + String.join(", ", declared))));
            }
        }
        var builder = new FlowBuilder(theory);
        if (!hasPrior(flow.body())) builder.missingPrior(flow);
        builder.body(flow.body(), env, new Context(theory, null));
        if (builder.prior == null) {
            throw report(new Diagnostic(ErrorCode.E0509, Severity.ERROR, flow.name().span(),
                    "flow `" + flow.name().name() + "` has no prior", List.of(),
                    List.of(theory.field().onLinks() ? "start the body with `prior haar`" : "start the body with `prior normal(sigma = 1.0)`")));
        }
        return new FlowModel(flow.name().name(), theory, builder.prior.spec(), builder.layers, builder.symmetrize,
                flow.claims().stream().map(Ident::name).toList(), flow.span());
    }

    private static boolean hasPrior(List<Stmt> body) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Prior) return true;
            if (s instanceof Stmt.Repeat r && hasPrior(r.body())) return true;
            if (s instanceof Stmt.For f && hasPrior(f.body())) return true;
        }
        return false;
    }

    private final class FlowBuilder {
        final TheoryInstance theory;
        Value.Prior prior;
        Span priorSpan;
        final List<LayerSpec> layers = new ArrayList<>();
        final List<String> symmetrize = new ArrayList<>();

        FlowBuilder(TheoryInstance theory) { this.theory = theory; }

        void missingPrior(Item.FlowDef flow) {
            throw report(new Diagnostic(ErrorCode.E0509, Severity.ERROR, flow.name().span(),
                    "flow `" + flow.name().name() + "` has no prior", List.of(),
                    List.of(theory.field().onLinks() ? "start the body with `prior haar`" : "start the body with `prior normal(sigma = 1.0)`")));
        }

        void body(List<Stmt> stmts, Env env, Context ctx) {
            for (Stmt stmt : stmts) {
                switch (stmt) {
                    case Stmt.Prior p -> prior(p, env, ctx);
                    case Stmt.Repeat r -> {
                        long from = integer(eval(r.from(), env, ctx), r.from().span(), "the start of a repeat range");
                        long to = integer(eval(r.to(), env, ctx), r.to().span(), "the end of a repeat range");
                        if (to < from) {
                            throw report(ErrorCode.E0604, r.from().span().to(r.to().span()),
                                    "the range " + from + ".." + to + " runs backwards", "ranges are `start..end` with start ≤ end (end excluded)");
                        }
                        if (to - from > MAX_LAYERS || layers.size() + (to - from) > MAX_LAYERS) {
                            throw report(ErrorCode.E0607, r.span(), "this repeat unrolls to " + (to - from) + " iterations",
                                    "a flow has at most " + MAX_LAYERS + " layers");
                        }
                        for (long i = from; i < to; i++) body(r.body(), env.with(r.var(), new Value.Int(i)), ctx);
                    }
                    case Stmt.For f -> {
                        Value list = eval(f.iterable(), env, ctx);
                        if (!(list instanceof Value.ListOf l)) {
                            throw report(ErrorCode.E0500, f.iterable().span(), "`for` iterates over a list, but this is " + Words.article(Value.describe(list)),
                                    "write a list, e.g. `for h in [8, 8] { … }`");
                        }
                        for (Value v : l.elements()) body(f.body(), env.with(f.var(), v), ctx);
                    }
                    case Stmt.Symmetrize s -> {
                        for (Ident sym : s.symmetries()) {
                            if (!sym.name().equals("z2")) {
                                throw report(ErrorCode.E0400, sym.span(), "`symmetrize " + sym.name() + "` is not supported",
                                        "`symmetrize z2` builds the self-mixture ½(q(φ) + q(−φ)); other symmetries are built into the layers");
                            }
                            if (!theory.declares("z2")) {
                                throw report(ErrorCode.E0400, sym.span(), "theory `" + theory.name() + "` does not declare `z2`",
                                        "declare `symmetry z2: phi -> -phi` in the theory, or drop `symmetrize z2`");
                            }
                            symmetrize.add(sym.name());
                        }
                    }
                    case Let l -> env = env.with(l.name(), eval(l.value(), env, ctx));
                    case Stmt.Eval e -> {
                        Value v = eval(e.expr(), env, ctx);
                        if (!(v instanceof Value.Layer layer)) {
                            throw report(ErrorCode.E0500, e.expr().span(),
                                    "a flow body lists coupling layers, but this is " + Words.article(Value.describe(v)),
                                    "coupling layers: affine, spline (real fields); plaquette_coupling (links, from std.gauge)");
                        }
                        if (prior == null) {
                            throw report(ErrorCode.E0509, e.span(), "the prior must come before the first layer",
                                    "move `prior …` to the top of the flow body");
                        }
                        layers.add(layer.spec());
                    }
                }
            }
        }

        void prior(Stmt.Prior p, Env env, Context ctx) {
            if (prior != null) {
                throw report(new Diagnostic(ErrorCode.E0307, Severity.ERROR, p.span(), "a flow has one prior; this is the second",
                        List.of(new Diagnostic.Note("first prior here", priorSpan)), List.of("remove one of them")));
            }
            Value v = instantiateDefaults(eval(p.prior(), env, ctx), p.prior().span());
            if (!(v instanceof Value.Prior pr)) {
                throw report(ErrorCode.E0500, p.prior().span(), "`prior` needs a prior distribution, but this is " + Words.article(Value.describe(v)),
                        "priors: normal(sigma = …), free_field(m2 = …) for real fields; haar for links");
            }
            if (pr.onLinks() != theory.field().onLinks()) {
                throw report(ErrorCode.E0605, p.prior().span(), "prior `" + pr.spec().name() + "` is for "
                                + (pr.onLinks() ? "link fields" : "real fields on sites") + ", but theory `" + theory.name() + "` has " + theory.field(),
                        theory.field().onLinks() ? "use `prior haar`" : "use `prior normal(sigma = 1.0)` or `prior free_field(m2 = …)`");
            }
            prior = pr;
            priorSpan = p.span();
        }
    }

    // ---- expressions ------------------------------------------------------------------------

    private Value eval(Expr expr, Env env, Context ctx) {
        return switch (expr) {
            case Expr.IntLit i -> new Value.Int(i.value());
            case Expr.RealLit r -> new Value.Real(r.value());
            case Expr.BoolLit b -> new Value.Bool(b.value());
            case Expr.Name n -> instantiateDefaults(name(n, env, ctx), n.span());
            case Expr.ListLit l -> new Value.ListOf(l.elements().stream().map(e -> eval(e, env, ctx)).toList());
            case Expr.Tuple t -> new Value.Tuple(t.elements().stream().map(e -> eval(e, env, ctx)).toList());
            case Expr.Unary u -> unary(u, eval(u.operand(), env, ctx));
            case Expr.Binary b -> binary(b, eval(b.left(), env, ctx), eval(b.right(), env, ctx));
            case Expr.Call c -> call(c, env, ctx);
            case Expr.Member m -> member(m, env, ctx);
            case Expr.Index i -> throw report(ErrorCode.E0504, i.span(), "indexing `[…]` picks field values and belongs in actions and observables",
                    "lists cannot be indexed; flows and nets are built from layers and nets, not from field values");
            case Expr.Reduce r -> throw report(ErrorCode.E0504, r.span(), "lattice sums belong in actions and observables",
                    "write them inside a theory: `action sum x { … }`");
        };
    }

    private Value name(Expr.Name n, Env env, Context ctx) {
        Symbol s = resolution.names.get(n);
        return switch (s) {
            case Symbol.Parameter p -> {
                Value v = env.find(p.param().name());
                if (v == null) {
                    throw report(ErrorCode.E0507, n.span(), "`" + n.name() + "` is not known at compile time here",
                            "give the parameter a default value or pass it explicitly");
                }
                yield v;
            }
            case Symbol.Local l -> {
                Value v = env.find(l.declaration());
                if (v == null) throw report(ErrorCode.E0507, n.span(), "`" + n.name() + "` is not known at compile time here", "define it before use");
                yield v;
            }
            case Symbol.Global g -> switch (g.definition()) {
                case Let let -> letValue(let);
                case Item.TheoryInst inst -> theory(inst);
                default -> new Value.Definition(g);
            };
            case Symbol.Field f -> throw report(ErrorCode.E0504, n.span(), "field `" + n.name() + "` can only be used in the theory's action and observables",
                    "layers update the field; they are not given it as an argument");
            case Symbol.LatticeVar v -> throw report(ErrorCode.E0504, n.span(), "lattice variable `" + n.name() + "` used outside its sum", "");
        };
    }

    private Value member(Expr.Member m, Env env, Context ctx) {
        Value target = eval(m.target(), env, ctx);
        if (target instanceof Value.Theory t) {
            String name = m.member().name();
            if (name.equals("lattice")) {
                return new Value.ListOf(t.instance().lattice().sizes().stream().map(s -> (Value) new Value.Int(s)).toList());
            }
            Object p = t.instance().parameters().get(name);
            if (p != null) return fromPlain(p);
            List<String> help = new ArrayList<>();
            Suggestions.closest(name, t.instance().parameters().keySet()).ifPresent(g -> help.add("did you mean `" + g + "`?"));
            help.add("theory `" + t.instance().name() + "` has parameters: " + String.join(", ", t.instance().parameters().keySet()));
            throw report(new Diagnostic(ErrorCode.E0302, Severity.ERROR, m.member().span(),
                    "theory `" + t.instance().name() + "` has no parameter `" + name + "`", List.of(), help));
        }
        throw report(ErrorCode.E0500, m.target().span(), "only theories have members (`T.m2`, `T.lattice`); this is " + Words.article(Value.describe(target)), "");
    }

    private static Value fromPlain(Object o) {
        return switch (o) {
            case Long l -> new Value.Int(l);
            case Double d -> new Value.Real(d);
            case Boolean b -> new Value.Bool(b);
            case List<?> l -> new Value.ListOf(l.stream().map(x -> fromPlain(x instanceof Integer i ? (long) i : x)).toList());
            case Integer i -> new Value.Int(i);
            default -> throw new IllegalStateException("not a plain value: " + o);
        };
    }

    private Value unary(Expr.Unary u, Value v) {
        return switch (u.op()) {
            case NEG -> switch (v) {
                case Value.Int i -> {
                    if (i.value() == Long.MIN_VALUE) {
                        throw report(ErrorCode.E0512, u.span(), "`" + u.span().text() + "` overflows a 64-bit integer",
                                "integers are exact 64-bit values between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE);
                    }
                    yield new Value.Int(-i.value());
                }
                case Value.Real r -> new Value.Real(-r.value());
                default -> throw badOperand(u.span(), "-", v);
            };
            case PLUS -> {
                if (v instanceof Value.Int || v instanceof Value.Real) yield v;
                throw badOperand(u.span(), "+", v);
            }
            case NOT -> {
                if (v instanceof Value.Bool b) yield new Value.Bool(!b.value());
                throw badOperand(u.span(), "not", v);
            }
        };
    }

    private Reported badOperand(Span at, String op, Value v) {
        return report(ErrorCode.E0506, at, "`" + op + "` cannot apply to " + Words.article(Value.describe(v)), "");
    }

    private Value binary(Expr.Binary b, Value l, Value r) {
        if (b.op() == Expr.BinaryOp.THEN) return new Value.Net(concat(stages(l, b.left().span()), stages(r, b.right().span())));
        if (b.op() == Expr.BinaryOp.AND || b.op() == Expr.BinaryOp.OR) {
            if (l instanceof Value.Bool x && r instanceof Value.Bool y) {
                return new Value.Bool(b.op() == Expr.BinaryOp.AND ? x.value() && y.value() : x.value() || y.value());
            }
            throw report(ErrorCode.E0506, b.span(), "`" + b.op().symbol + "` takes two bools, not " + Words.article(Value.describe(l)) + " and " + Words.article(Value.describe(r)), "");
        }
        if (!(isNumber(l) && isNumber(r))) {
            throw report(ErrorCode.E0506, b.span(), "`" + b.op().symbol + "` cannot combine " + Words.article(Value.describe(l)) + " and " + Words.article(Value.describe(r)),
                    b.op() == Expr.BinaryOp.ADD && (l instanceof Value.Net || l instanceof Value.Activation) ? "nets are composed with `>>`" : "");
        }
        if (l instanceof Value.Int x && r instanceof Value.Int y) {
            long a = x.value(), c = y.value();
            if ((b.op() == Expr.BinaryOp.DIV || b.op() == Expr.BinaryOp.MOD) && c == 0) {
                throw report(ErrorCode.E0511, b.right().span(), "division by zero", "");
            }
            // Exact arithmetic: a wrapped 64-bit result would silently become, say, a lattice size.
            try {
                return switch (b.op()) {
                    case ADD -> new Value.Int(Math.addExact(a, c));
                    case SUB -> new Value.Int(Math.subtractExact(a, c));
                    case MUL -> new Value.Int(Math.multiplyExact(a, c));
                    // Integer division floors, so that (i / 2) % 4 cycles through 0..3 as i grows.
                    case DIV -> {
                        // floorDiv(MIN_VALUE, -1) wraps to MIN_VALUE instead of throwing.
                        if (a == Long.MIN_VALUE && c == -1) throw new ArithmeticException("long overflow");
                        yield new Value.Int(Math.floorDiv(a, c));
                    }
                    case MOD -> new Value.Int(Math.floorMod(a, c));
                    case POW -> new Value.Int(power(a, c));
                    case LT, LE, GT, GE, EQ, NE -> compare(b.op(), Long.compare(a, c));
                    default -> throw new IllegalStateException(b.op().name());
                };
            } catch (ArithmeticException overflow) {
                throw report(ErrorCode.E0512, b.span(), "`" + b.span().text() + "` overflows a 64-bit integer",
                        "integers are exact 64-bit values between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE
                                + "; write a real (e.g. `2.0`) if you meant floating point");
            }
        }
        double a = real(l), c = real(r);
        if (b.op() == Expr.BinaryOp.DIV && c == 0) throw report(ErrorCode.E0511, b.right().span(), "division by zero", "");
        return switch (b.op()) {
            case ADD -> new Value.Real(a + c);
            case SUB -> new Value.Real(a - c);
            case MUL -> new Value.Real(a * c);
            case DIV -> new Value.Real(a / c);
            case MOD -> throw report(ErrorCode.E0506, b.span(), "`%` takes integers", "");
            case POW -> new Value.Real(Math.pow(a, c));
            // Not Double.compare: it orders −0.0 before 0.0, and the language treats them as equal.
            case LT, LE, GT, GE, EQ, NE -> compare(b.op(), a < c ? -1 : a > c ? 1 : 0);
            default -> throw new IllegalStateException(b.op().name());
        };
    }

    /** a^c by repeated squaring, throwing ArithmeticException on overflow; a negative exponent floors as before. */
    private static long power(long a, long c) {
        if (c < 0) return (long) Math.pow(a, c);
        long result = 1, base = a;
        while (c > 0) {
            if ((c & 1) == 1) result = Math.multiplyExact(result, base);
            c >>= 1;
            if (c > 0) base = Math.multiplyExact(base, base);
        }
        return result;
    }

    /** A comparison from the sign of (left − right). */
    private static Value.Bool compare(Expr.BinaryOp op, int sign) {
        return new Value.Bool(switch (op) {
            case LT -> sign < 0;
            case LE -> sign <= 0;
            case GT -> sign > 0;
            case GE -> sign >= 0;
            case EQ -> sign == 0;
            default -> sign != 0;
        });
    }

    private static boolean isNumber(Value v) { return v instanceof Value.Int || v instanceof Value.Real; }

    private static double real(Value v) { return v instanceof Value.Int i ? i.value() : ((Value.Real) v).value(); }

    private long integer(Value v, Span at, String what) {
        if (v instanceof Value.Int i) return i.value();
        throw report(ErrorCode.E0500, at, what + " must be an integer, but this is " + Words.article(Value.describe(v)), "");
    }

    // ---- calls ------------------------------------------------------------------------------

    private Value call(Expr.Call c, Env env, Context ctx) {
        Value callee = c.callee() instanceof Expr.Name n ? name(n, env, ctx) : eval(c.callee(), env, ctx);
        if (callee instanceof Value.Activation act) {
            return extern(act.definition(), c, env, ctx, resolution.scopeOf.get(act.definition()).module.isStandard());
        }
        if (!(callee instanceof Value.Definition d)) {
            throw report(ErrorCode.E0306, c.callee().span(), "" + Words.article(Value.describe(callee)) + " cannot be called", "");
        }
        Item.Definition def = d.symbol().definition();
        boolean standard = d.symbol().module().isStandard();
        return switch (def) {
            case Item.TheoryDef t -> new Value.Theory(instantiate(t.name().name(), t, c, env, ctx));
            case Item.NetDef net -> {
                Context inner = ctx.at(c.span(), standard);
                Map<String, Value> args = bind(net.name().name(), net.params(), c, env, ctx, net.name().span());
                Env body = Env.empty();
                for (Param p : net.params()) if (args.containsKey(p.name().name())) body = body.with(p.name(), args.get(p.name().name()));
                List<Value.Stage> stages = new ArrayList<>();
                netBody(net.body(), body, inner, stages);
                yield new Value.Net(stages);
            }
            case Item.MaskDef mask -> {
                Context inner = ctx.at(c.span(), standard);
                Map<String, Value> args = bind(mask.name().name(), mask.params(), c, env, ctx, mask.name().span());
                Env body = Env.empty();
                for (Param p : mask.params()) if (args.containsKey(p.name().name())) body = body.with(p.name(), args.get(p.name().name()));
                Value v = instantiateDefaults(eval(mask.body(), body, inner), mask.body().span());
                if (!(v instanceof Value.Mask)) {
                    throw report(ErrorCode.E0500, mask.body().span(), "mask `" + mask.name().name() + "` must build a mask, but builds " + Words.article(Value.describe(v)), "");
                }
                yield v;
            }
            case Item.ExternDef ext -> extern(ext, c, env, ctx, standard);
            case Item.FlowDef f -> throw report(ErrorCode.E0306, c.callee().span(), "flow `" + f.name().name() + "` cannot be called",
                    "flows are trained and sampled by name: `train " + f.name().name() + " { … }`");
            case Item.TheoryInst t -> throw report(ErrorCode.E0306, c.callee().span(), "theory `" + t.name().name() + "` is already instantiated",
                    "refer to it by name: `flow … for " + t.name().name() + "`");
            case Let l -> throw report(ErrorCode.E0306, c.callee().span(), "constant `" + l.name().name() + "` cannot be called", "");
        };
    }

    private void netBody(List<Stmt> stmts, Env env, Context ctx, List<Value.Stage> out) {
        for (Stmt stmt : stmts) {
            switch (stmt) {
                case Stmt.Eval e -> out.addAll(stages(eval(e.expr(), env, ctx), e.expr().span()));
                case Stmt.For f -> {
                    Value list = eval(f.iterable(), env, ctx);
                    if (!(list instanceof Value.ListOf l)) {
                        throw report(ErrorCode.E0500, ctx.site(f.iterable().span()), "`for` iterates over a list, but this is " + Words.article(Value.describe(list)), "");
                    }
                    for (Value v : l.elements()) netBody(f.body(), env.with(f.var(), v), ctx, out);
                }
                case Stmt.Repeat r -> {
                    long from = integer(eval(r.from(), env, ctx), r.from().span(), "the start of a repeat range");
                    long to = integer(eval(r.to(), env, ctx), r.to().span(), "the end of a repeat range");
                    if (to < from || to - from > MAX_LAYERS) {
                        throw report(ErrorCode.E0604, r.span(), "invalid range " + from + ".." + to, "ranges are `start..end` with start ≤ end");
                    }
                    for (long i = from; i < to; i++) netBody(r.body(), env.with(r.var(), new Value.Int(i)), ctx, out);
                }
                case Let l -> env = env.with(l.name(), eval(l.value(), env, ctx));
                case Stmt.Prior p -> throw report(ErrorCode.E0307, p.span(), "a net has no prior; priors belong to flows",
                        "move `prior …` into the flow that uses this net");
                case Stmt.Symmetrize s -> throw report(ErrorCode.E0307, s.span(), "`symmetrize` belongs to flows, not nets",
                        "write `symmetrize z2` in the flow body");
            }
        }
    }

    private List<Value.Stage> stages(Value v, Span at) {
        v = instantiateDefaults(v, at);
        return switch (v) {
            case Value.Net n -> n.stages();
            case Value.Activation a -> List.of(a);
            default -> throw report(ErrorCode.E0500, at, "a net is built from convolutions and activations, but this is " + Words.article(Value.describe(v)),
                    "net stages: conv(channels = …), dense(…), and activations such as tanh, leaky_relu");
        };
    }

    private static List<Value.Stage> concat(List<Value.Stage> a, List<Value.Stage> b) {
        var all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** A name of a primitive whose parameters all have defaults stands for its default instance: `prior haar`, `act = tanh`. */
    private Value instantiateDefaults(Value v, Span at) {
        if (v instanceof Value.Definition d && d.symbol().definition() instanceof Item.ExternDef ext
                && !ext.kind().name().equals("function") && !ext.kind().name().equals("layer")
                && ext.params().stream().allMatch(p -> p.defaultValue() != null || p.type() instanceof TypeRef.Optional)) {
            return extern(ext, new Expr.Call(new Expr.Name(ext.name(), at), List.of(), at), Env.empty(), new Context(null, null),
                    d.symbol().module().isStandard());
        }
        return v;
    }

    private Value extern(Item.ExternDef ext, Expr.Call c, Env env, Context ctx, boolean standard) {
        String kind = ext.kind().name();
        String name = ext.name().name();
        Span site = ctx.site(c.span());
        if (kind.equals("activation")) {
            List<Arg> operands = c.args().stream().filter(a -> a.name() == null).toList();
            if (operands.size() > 1) {
                throw report(ErrorCode.E0305, c.span(), "`" + name + "` applies to one net, given " + operands.size(), "");
            }
            List<Arg> named = c.args().stream().filter(a -> a.name() != null).toList();
            Map<String, Value> args = bind(name, ext.params(), new Expr.Call(c.callee(), named, c.span()), env, ctx, ext.name().span());
            var activation = new Value.Activation(ext, plainMap(args), parity(ext), site);
            if (operands.isEmpty()) return activation;
            Value operand = eval(operands.get(0).value(), env, ctx);
            if (isNumber(operand)) {
                throw report(ErrorCode.E0506, c.span(), "`" + name + "` of a number is not evaluated at compile time",
                        "write the number itself; elementwise functions apply to nets here, and to fields in actions");
            }
            return new Value.Net(concat(stages(operand, operands.get(0).value().span()), List.of(activation)));
        }
        Map<String, Value> args = bind(name, ext.params(), c, env, ctx, ext.name().span());
        return switch (kind) {
            case "net" -> {
                Integer channels = args.containsKey("channels") ? (int) positive(args.get("channels"), site, "channels") : null;
                boolean bias = !args.containsKey("bias") || ((Value.Bool) args.get("bias")).value();
                if (name.equals("dense")) yield new Value.Net(List.of(new Value.Dense(channels, bias, site)));
                long kernel = args.containsKey("kernel") ? ((Value.Int) args.get("kernel")).value() : 3;
                yield new Value.Net(List.of(new Value.Conv(channels, (int) Math.min(kernel, Integer.MAX_VALUE), bias, site)));
            }
            case "mask" -> new Value.Mask(new MaskSpec(name, plainMap(args), ext.has("links")), site);
            case "prior" -> {
                if (args.get("sigma") instanceof Value v && real(v) <= 0) {
                    throw report(ErrorCode.E0606, site, "the prior's sigma must be positive, got " + real(v), "");
                }
                if (name.equals("free_field") && args.get("m2") instanceof Value v && !(real(v) > 0)) {
                    throw report(ErrorCode.E0606, site, "free_field needs m2 > 0 to be normalisable, got " + real(v),
                            "the zero mode of the free action has weight exp(−½ m2 V φ̄²); use a positive m2, or `prior normal()`");
                }
                yield new Value.Prior(new PriorSpec(name, plainMap(args)), ext.has("links"), site);
            }
            case "transform" -> {
                int channels = switch (name) {
                    case "ncp_mixture" -> (int) positive(args.get("components"), site, "components") + 1;
                    case "circular_spline" -> {
                        long bins = positive(args.get("bins"), site, "bins");
                        if (bins < 2) throw report(ErrorCode.E0606, site, "a spline needs at least 2 bins", "");
                        // widths, heights, interior slopes and the rotation; one more for a learned end slope
                        yield (int) (3 * bins) + (learnsEndDerivative(args) ? 1 : 0);
                    }
                    default -> throw new IllegalStateException("transform " + name + " has no parameter count");
                };
                Map<String, Object> arguments = plainMap(args);
                // The pinned spline is the default and stays what it was before the option: same printed spec, same IR.
                if (name.equals("circular_spline") && !learnsEndDerivative(args)) arguments.remove("learn_end_derivative");
                yield new Value.Transform(new LayerSpec.Transform(name, arguments, channels), site);
            }
            case "layer" -> new Value.Layer(layer(ext, args, c, ctx));
            case "loop" -> new Value.Loop(flowTerm(name, args, site, ctx), site);
            case "integrator" -> new Value.Integrator(name, site);
            default -> throw report(ErrorCode.E0306, c.span(), "`" + name + "` is a lattice function; it is used in actions and observables",
                    "write it inside a theory: `action … " + name + "(…) …`");
        };
    }

    private static boolean learnsEndDerivative(Map<String, Value> args) {
        return args.get("learn_end_derivative") instanceof Value.Bool b && b.value();
    }

    private long positive(Value v, Span at, String what) {
        long n = integer(v, at, what);
        if (n < 1 || n > 1 << 16) throw report(ErrorCode.E0606, at, what + " must be between 1 and 65536, got " + n, "");
        return n;
    }

    /** An activation's parity is its row's in the table; a test holds the prelude's `is odd`/`is even` to it. */
    private static Parity parity(Item.ExternDef ext) {
        return ElementwiseFunction.named(ext.name().name()).map(ElementwiseFunction::parity).orElse(Parity.NONE);
    }

    // ---- layers -----------------------------------------------------------------------------

    private LayerSpec layer(Item.ExternDef ext, Map<String, Value> args, Expr.Call c, Context ctx) {
        String name = ext.name().name();
        Span site = ctx.site(c.span());
        TheoryInstance theory = ctx.theory();
        if (theory == null) {
            throw report(ErrorCode.E0307, site, "coupling layer `" + name + "` can only be built inside a flow", "");
        }
        FieldSpec field = theory.field();
        if (name.equals("gradient_flow")) return gradientFlow(args, c, ctx, ext.params(), site);
        boolean forLinks = ext.has("links");
        if (!forLinks && field.onLinks() && theory.declares("gauge")) {
            // The conditioner would read raw links: name the input that makes the layer non-covariant.
            String input = args.containsKey("net") ? "net" : args.containsKey("scale") ? "scale" : args.containsKey("shift") ? "shift" : null;
            Span at = input == null ? site : argumentSpan(c, input, ext.params(), site, ctx);
            throw report(new Diagnostic(ErrorCode.E0411, Severity.ERROR, at,
                    "`" + name + "` on the links `" + field.name() + "` of gauge theory `" + theory.name() + "` would feed raw links to "
                            + (input == null ? "its conditioner" : "its `" + input + "`"),
                    List.of(Diagnostic.Note.of("links are gauge covariant, U_mu(x) -> g(x) U_mu(x) g(x+mu)^-1: a net reading them is not "
                                    + "invariant, and a site update of them is not covariant"),
                            new Diagnostic.Note("theory `" + theory.name() + "` declares `gauge`", theory.span())),
                    List.of("update links with `plaquette_coupling(links = link_mask(…), transform = …, net = …)` (use std.gauge): "
                            + "its net reads cos/sin of frozen plaquettes, which are gauge invariant")));
        }
        if (forLinks != field.onLinks()) {
            throw report(new Diagnostic(ErrorCode.E0605, Severity.ERROR, site,
                    "`" + name + "` updates " + (forLinks ? "U(1) link fields" : "real fields on sites") + ", but theory `" + theory.name()
                            + "` has " + field, List.of(),
                    List.of(field.onLinks()
                            ? "link fields are updated gauge-covariantly by `plaquette_coupling` (U(1)) or `spectral_coupling` (SU(2), SU(3)) from std.gauge; a net must never read raw links"
                            : "real fields are updated by `affine` or `spline`")));
        }
        Lattice lattice = theory.lattice();
        Value.Mask mask = (Value.Mask) args.get(forLinks ? "links" : "mask");
        Span maskSite = argumentSpan(c, forLinks ? "links" : "mask", ext.params(), site, ctx);
        if (mask.spec().onLinks() != forLinks) {
            throw report(ErrorCode.E0605, maskSite, "`" + name + "` needs a " + (forLinks ? "link" : "site") + " mask, but `"
                    + mask.spec().name() + "` selects " + (mask.spec().onLinks() ? "links" : "sites"),
                    forLinks ? "use `link_mask(mu = …, offset = …)`" : "use `checkerboard(parity = …)` or `stripes(…)`");
        }
        checkMask(mask.spec(), lattice, maskSite);
        return switch (name) {
            case "affine" -> {
                Value net = args.get("net"), scale = args.get("scale"), shift = args.get("shift");
                if (net == null && scale == null && shift == null) {
                    throw report(ErrorCode.E0303, site, "`affine` needs a conditioner",
                            "pass `net = …` (two output channels: scale and shift), or `scale = …` and/or `shift = …`");
                }
                if (net != null && (scale != null || shift != null)) {
                    throw report(ErrorCode.E0304, argumentSpan(c, "net", ext.params(), site, ctx),
                            "`affine` takes either `net` or `scale`/`shift`, not both",
                            "`net` gives scale and shift as two channels; `scale` and `shift` are separate nets");
                }
                yield new LayerSpec.Affine(mask.spec(),
                        net == null ? null : shape(net, 1, 2, lattice, argumentSpan(c, "net", ext.params(), site, ctx), "affine (scale and shift)"),
                        scale == null ? null : shape(scale, 1, 1, lattice, argumentSpan(c, "scale", ext.params(), site, ctx), "affine scale"),
                        shift == null ? null : shape(shift, 1, 1, lattice, argumentSpan(c, "shift", ext.params(), site, ctx), "affine shift"),
                        site);
            }
            case "spline" -> {
                long bins = positive(args.get("bins"), site, "bins");
                if (bins < 2) throw report(ErrorCode.E0606, site, "a spline needs at least 2 bins", "");
                double bound = real(args.get("bound"));
                if (!(bound > 0) || !Double.isFinite(bound)) throw report(ErrorCode.E0606, site, "the spline bound must be positive, got " + bound, "");
                int channels = (int) (3 * bins - 1);
                yield new LayerSpec.Spline(mask.spec(), shape(args.get("net"), 1, channels, lattice,
                        argumentSpan(c, "net", ext.params(), site, ctx), "spline with " + bins + " bins"), (int) bins, bound, site);
            }
            case "plaquette_coupling" -> {
                if (field.kind() != FieldSpec.Kind.U1) {
                    throw report(ErrorCode.E0605, site, "`plaquette_coupling` supports U(1) links; theory `" + theory.name() + "` has " + field, "");
                }
                var transform = (Value.Transform) args.get("transform");
                yield new LayerSpec.PlaquetteCoupling(mask.spec(), transform.spec(),
                        shape(args.get("net"), 2, transform.spec().parameterChannels(), lattice,
                                argumentSpan(c, "net", ext.params(), site, ctx), transform.spec().name()), site);
            }
            case "spectral_coupling" -> {
                if (field.kind() != FieldSpec.Kind.SUN) {
                    throw report(ErrorCode.E0605, site, "`spectral_coupling` supports SU(N) links; theory `" + theory.name() + "` has " + field,
                            "U(1) links are updated by `plaquette_coupling`");
                }
                long bins = positive(args.get("bins"), site, "bins");
                if (bins < 2) throw report(ErrorCode.E0606, site, "a spline needs at least 2 bins", "");
                // SU(2) moves one eigen-angle; SU(3) two alcove coordinates, each through its own spline, the second
                // conditioned also on the first's new value (a second net of the same architecture, reading 2 more channels).
                int perSpline = (int) (3 * bins - 1);
                Span netSpan = argumentSpan(c, "net", ext.params(), site, ctx);
                String purpose = "spectral_coupling with " + bins + " bins";
                yield new LayerSpec.SpectralCoupling(mask.spec(), (int) bins, shape(args.get("net"), 2, perSpline, lattice, netSpan, purpose),
                        field.n() == 3 ? shape(args.get("net"), 4, perSpline, lattice, netSpan, purpose) : null, site);
            }
            default -> throw new IllegalStateException("layer " + name + " has no elaboration");
        };
    }

    /** rectangle(r, t), path(steps) or trace_product(first, second, conjugate): checked for the lattice where a gradient flow uses it. */
    private FlowTerm flowTerm(String name, Map<String, Value> args, Span site, Context ctx) {
        if (name.equals("trace_product")) {
            var factors = new ArrayList<LoopShape>();
            for (String which : List.of("first", "second")) {
                if (!(((Value.Loop) args.get(which)).shape() instanceof LoopShape loop)) {
                    throw report(ErrorCode.E0606, site, "a trace product multiplies the traces of two loops, and its `" + which + "` is itself a trace product",
                            "write each factor as `rectangle(…)` or `path(steps = […])`, e.g. `trace_product(first = rectangle(), second = rectangle())`");
                }
                factors.add(loop);
            }
            int dimensions = ctx.theory() != null ? ctx.theory().lattice().dimensions()
                    : Math.max(2, Math.max(factors.get(0).dimensionsNeeded(), factors.get(1).dimensionsNeeded()));
            return TraceProduct.of(factors.get(0), factors.get(1), args.get("conjugate") instanceof Value.Bool b && b.value(), dimensions);
        }
        if (name.equals("rectangle")) {
            long r = integer(args.get("r"), site, "r"), t = integer(args.get("t"), site, "t");
            if (r < 1 || t < 1 || r > 64 || t > 64) throw report(ErrorCode.E0606, site, "a rectangle needs sides between 1 and 64, got " + r + "×" + t, "");
            return LoopShape.rectangle((int) r, (int) t);
        }
        var steps = new ArrayList<Integer>();
        for (Value v : ((Value.ListOf) args.get("steps")).elements()) {
            long s = integer(v, site, "a step");
            if (s == 0 || Math.abs(s) > 4) {
                throw report(ErrorCode.E0606, site, "a step is ±1 … ±4 (+a along axis a − 1, −a against it), got " + s,
                        "the plaquette is `path(steps = [1, 2, -1, -2])`");
            }
            steps.add((int) s);
        }
        if (steps.size() > 256) throw report(ErrorCode.E0606, site, "a loop of " + steps.size() + " steps is longer than 256", "");
        return new LoopShape(steps);
    }

    /**
     * gradient_flow(loops = […], knots, steps, integrator, perturbative) on U(1) or SU(N) links:
     * every loop checked on the theory's lattice (closed, each link passed once), the ranges of the
     * integers, and Lüscher's leading order where asked for.
     */
    private LayerSpec gradientFlow(Map<String, Value> args, Expr.Call c, Context ctx, List<Param> params, Span site) {
        TheoryInstance theory = ctx.theory();
        FieldSpec field = theory.field();
        if (!field.onLinks()) {
            throw report(ErrorCode.E0605, site, "`gradient_flow` updates link fields, but theory `" + theory.name() + "` has " + field,
                    "real fields are updated by `affine` or `spline`");
        }
        Lattice lattice = theory.lattice();
        List<Value> loops = ((Value.ListOf) args.get("loops")).elements();
        Span loopsSpan = argumentSpan(c, "loops", params, site, ctx);
        if (loops.isEmpty()) throw report(ErrorCode.E0606, loopsSpan, "a gradient flow needs at least one loop shape", "write `loops = [rectangle()]` for the plaquette");
        var shapes = new ArrayList<FlowTerm>();
        for (Value v : loops) {
            var loop = (Value.Loop) v;
            String problem = loop.shape().problemOfAnyImage(lattice, field.kind() == FieldSpec.Kind.U1);
            if (problem != null) {
                throw report(ErrorCode.E0606, ctx.userSite() != null ? ctx.userSite() : loop.span(), "loop " + loop.shape() + " cannot be flowed: " + problem,
                        "loops are closed paths that never step straight back, e.g. `rectangle()`, `rectangle(r = 2, t = 1)`, `path(steps = [1, 2, -1, -2])` or `trace_product(first = rectangle(), second = rectangle())`");
            }
            shapes.add(loop.shape());
        }
        long knots = integer(args.get("knots"), site, "knots"), steps = integer(args.get("steps"), site, "steps");
        if (knots < 2 || knots > 64) {
            throw report(ErrorCode.E0606, argumentSpan(c, "knots", params, site, ctx), "knots must be between 2 and 64, got " + knots,
                    "`knots = 2`: each coefficient affine in t; `knots = 10`: a natural cubic spline in t through 10 values");
        }
        if (steps < 1 || steps > 1000) throw report(ErrorCode.E0606, argumentSpan(c, "steps", params, site, ctx), "steps must be between 1 and 1000, got " + steps, "");
        String integrator = ((Value.Integrator) args.get("integrator")).name();
        long order = integer(args.get("perturbative"), site, "perturbative");
        Span orderSpan = argumentSpan(c, "perturbative", params, site, ctx);
        List<double[]> perturbative = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) perturbative.add(new double[] {0});
        boolean abelian = field.kind() == FieldSpec.Kind.U1;
        if (order == 1) {
            double beta = wilsonBeta(theory, orderSpan);
            int plaquette = indexOfShape(shapes, LoopShape.rectangle(1, 1), lattice);
            if (plaquette < 0) {
                throw report(ErrorCode.E0606, orderSpan, "Lüscher's leading order is a plaquette term, and `loops` has no plaquette",
                        "add `rectangle()` to `loops`");
            }
            // S̃ = S_W/(4C_F) makes div Z = S_W at t = 0: with S_W = −(β/N)Σ Re tr P, c = −β/(4·N·C_F) (U(1): −β/4)
            int n = abelian ? 1 : field.n();
            perturbative.set(plaquette, new double[] {-beta / (4 * n * field.casimir())});
        } else if (order == 2) {
            double beta = wilsonBeta(theory, orderSpan);
            if (lattice.dimensions() != 2) {
                throw report(ErrorCode.E0606, orderSpan, "Lüscher's next-to-leading order is derived here for two dimensions, where each link has two plaquettes;"
                        + " this lattice has " + lattice.dimensions(), "use `perturbative = 1`");
            }
            List<PerturbativeTerm> terms = abelian ? uOneNextToLeadingOrder(beta)
                    : field.n() == 2 ? suTwoNextToLeadingOrder(beta, lattice.dimensions()) : suNNextToLeadingOrder(beta, field.n(), lattice.dimensions());
            perturbative = requireTerms(shapes, terms, lattice, orderSpan, (abelian ? "U(1)" : "SU(" + field.n() + ")"));
        } else if (order != 0) {
            throw report(ErrorCode.E0606, orderSpan, "`perturbative` is the order of Lüscher's expansion the flow starts from: 0 (none), 1 (leading order)"
                    + " or 2 (next-to-leading order); got " + order, "use `perturbative = 1`, or `perturbative = 2` with the next-to-leading order's terms in `loops` (check lists them)");
        }
        return new LayerSpec.GradientFlow(shapes, knots == 2 ? "affine" : "cubic_spline", (int) knots, (int) steps, integrator, perturbative, site);
    }

    /** The plaquettes on either side of the link from x along axis 0, both run through it forwards: P₁ and P₂ of the NLO's per-link terms. */
    private static final LoopShape ABOVE_THE_LINK = new LoopShape(List.of(1, 2, -1, -2)), BELOW_THE_LINK = new LoopShape(List.of(1, -2, -1, 2));

    /** One term of Lüscher's expansion: how to write it in the language, the term, cᵢ(t) lowest power of t first. */
    private record PerturbativeTerm(String source, FlowTerm term, double[] coefficients) {}

    /**
     * Lüscher's map to next-to-leading order for U(1), S̃_t = S̃₀ + t·S̃₁ with S̃₀ = −(β/4) Σ cos P
     * and S̃₁ = (β²/4)[Σ_p cos 2P/8 + Σ_l (cos(P₁ − P₂)/10 − cos(P₁ + P₂)/6)], P₁, P₂ the plaquettes
     * through link l (P₁ + P₂ their 2×1 loop, P₁ − P₂ the figure-eight through l): the solution of
     * ΔS̃_t − t ∂S·∂S̃_t = −S + ⟨S⟩_t to first order in t (GradientFlowLawTest checks it).
     */
    private static List<PerturbativeTerm> uOneNextToLeadingOrder(double beta) {
        return List.of(
                new PerturbativeTerm("rectangle()", LoopShape.rectangle(1, 1), new double[] {-beta / 4, 0}),
                new PerturbativeTerm("path(steps = [1, 2, -1, -2, 1, 2, -1, -2])", new LoopShape(List.of(1, 2, -1, -2, 1, 2, -1, -2)), new double[] {0, beta * beta / 32}),
                new PerturbativeTerm("path(steps = [1, 2, -1, -2, 1, -2, -1, 2])", new LoopShape(List.of(1, 2, -1, -2, 1, -2, -1, 2)), new double[] {0, beta * beta / 40}),
                new PerturbativeTerm("rectangle(r = 2, t = 1)", LoopShape.rectangle(2, 1), new double[] {0, -beta * beta / 24}));
    }

    /**
     * Lüscher's map to next-to-leading order for SU(N), N ≥ 3, in two dimensions (SU(2): {@link #suTwoNextToLeadingOrder}): S̃_t = S̃₀ + t·S̃₁,
     * S̃₀ = S_W/(4C_F) = −β/(4NC_F) Σ Re tr P, and S̃₁ the solution of ΔS̃₁ = ∂S_W·∂S̃₀ + const in the
     * span of Re tr P², Re(tr P)², |tr P|² (per plaquette) and, per link l with its plaquettes P₁, P₂
     * both run through l forwards, Re tr R (their 2×1 loop), Re tr E (the figure-eight through l),
     * Re(tr P₁ tr P₂) and Re(tr P₁ (tr P₂)*). With K = β²/(4N²C_F) and the Laplacians of these terms
     * (docs/physics-checks.md derives them), matching coefficients gives the closed forms below.
     * On SU(3) the plaquette wound twice is folded into Re(tr P)² and Re tr P by Cayley–Hamilton,
     * leaving seven independent terms (Bacchio et al.'s model A has seven shapes). GradientFlowLawTest
     * checks that the result solves the trivializing equation at order t.
     */
    private static List<PerturbativeTerm> suNNextToLeadingOrder(double beta, int n, int dimensions) {
        double casimir = FieldSpec.casimir(false, n), k = beta * beta / (4.0 * n * n * casimir);
        // Δ Re tr P² = −α Re tr P² − 4 Re(tr P)², Δ Re(tr P)² = −α Re(tr P)² − 4 Re tr P², α = 8C_F − 4/N
        double alpha = 8 * casimir - 4.0 / n, determinant = alpha * alpha - 16;
        double wound = k * (alpha + 4.0 / n) / determinant, squared = -k * (alpha / n + 4) / determinant;
        // Δ|tr P|² = −(8C_F + 4/N)|tr P|² + 4N
        double modulus = k / (8 * n * casimir + 4);
        // Δ Re(tr P₁ tr P₂*) = −(8C_F + 1/N) Re(tr P₁ tr P₂*) + Re tr R; Δ Re tr R = −6C_F Re tr R
        double conjugated = k / (2 * n * (8 * casimir + 1.0 / n));
        double rectangle = (conjugated - k / 2) / (6 * casimir);
        // Δ Re tr E = −γ Re tr E − Re(tr P₁ tr P₂), Δ Re(tr P₁ tr P₂) = −γ Re(tr P₁ tr P₂) − Re tr E, γ = 8C_F − 1/N
        double gamma = 8 * casimir - 1.0 / n;
        double eight = k * (gamma / 2 + 1.0 / (2 * n)) / (gamma * gamma - 1), product = -k * (gamma / (2 * n) + 0.5) / (gamma * gamma - 1);
        // SU(3): tr U² = (tr U)² − 2 (tr U)* (Cayley–Hamilton with det U = 1), so Re tr P² = Re(tr P)² − 2 Re tr P and the
        // seven remaining terms are independent; for N ≥ 4 the plaquette wound twice is a term of its own
        boolean cayleyHamilton = n == 3;
        var terms = new ArrayList<PerturbativeTerm>();
        terms.add(new PerturbativeTerm("rectangle()", LoopShape.rectangle(1, 1), new double[] {-beta / (4 * n * casimir), cayleyHamilton ? -2 * wound : 0}));
        if (!cayleyHamilton) {
            terms.add(new PerturbativeTerm("path(steps = [1, 2, -1, -2, 1, 2, -1, -2])", new LoopShape(List.of(1, 2, -1, -2, 1, 2, -1, -2)), new double[] {0, wound}));
        }
        terms.addAll(List.of(
                new PerturbativeTerm("trace_product(first = rectangle(), second = rectangle())",
                        TraceProduct.of(LoopShape.rectangle(1, 1), LoopShape.rectangle(1, 1), false, dimensions), new double[] {0, squared + (cayleyHamilton ? wound : 0)}),
                new PerturbativeTerm("trace_product(first = rectangle(), second = rectangle(), conjugate = true)",
                        TraceProduct.of(LoopShape.rectangle(1, 1), LoopShape.rectangle(1, 1), true, dimensions), new double[] {0, modulus}),
                new PerturbativeTerm("rectangle(r = 2, t = 1)", LoopShape.rectangle(2, 1), new double[] {0, rectangle}),
                new PerturbativeTerm("path(steps = [1, 2, -1, -2, 1, -2, -1, 2])", new LoopShape(List.of(1, 2, -1, -2, 1, -2, -1, 2)), new double[] {0, eight}),
                new PerturbativeTerm("trace_product(first = path(steps = [1, 2, -1, -2]), second = path(steps = [1, -2, -1, 2]))",
                        TraceProduct.of(ABOVE_THE_LINK, BELOW_THE_LINK, false, dimensions), new double[] {0, product}),
                new PerturbativeTerm("trace_product(first = path(steps = [1, 2, -1, -2]), second = path(steps = [1, -2, -1, 2]), conjugate = true)",
                        TraceProduct.of(ABOVE_THE_LINK, BELOW_THE_LINK, true, dimensions), new double[] {0, conjugated})));
        return terms;
    }

    /**
     * Lüscher's map to next-to-leading order for SU(2) in two dimensions. Traces are real there and
     * Cayley–Hamilton (U + U† = tr U·𝟙) ties the SU(N) terms together: tr P² = (tr P)² − 2,
     * |tr P|² = (tr P)², tr E = tr P₁ tr P₂ − tr R. In the remaining span, with K = β²/(4N²C_F) = β²/12,
     * ∂S·∂S̃₀ = K[−Σ(tr P)² + Σ_l (tr R − tr P₁ tr P₂/2)] + const, and Δ(tr P)² = −8(tr P)² + 8,
     * Δ tr R = −(9/2) tr R, Δ(tr P₁ tr P₂) = −(13/2) tr P₁ tr P₂ + tr R, so
     * S̃₁ = K[Σ(tr P)²/8 − (8/39) Σ_l tr R + Σ_l tr P₁ tr P₂/13] (GradientFlowLawTest checks it).
     */
    private static List<PerturbativeTerm> suTwoNextToLeadingOrder(double beta, int dimensions) {
        double k = beta * beta / 12;
        return List.of(
                new PerturbativeTerm("rectangle()", LoopShape.rectangle(1, 1), new double[] {-beta / 6, 0}),
                new PerturbativeTerm("trace_product(first = rectangle(), second = rectangle())",
                        TraceProduct.of(LoopShape.rectangle(1, 1), LoopShape.rectangle(1, 1), false, dimensions), new double[] {0, k / 8}),
                new PerturbativeTerm("rectangle(r = 2, t = 1)", LoopShape.rectangle(2, 1), new double[] {0, -8 * k / 39}),
                new PerturbativeTerm("trace_product(first = path(steps = [1, 2, -1, -2]), second = path(steps = [1, -2, -1, 2]))",
                        TraceProduct.of(ABOVE_THE_LINK, BELOW_THE_LINK, false, dimensions), new double[] {0, k / 13}));
    }

    /** Each term's polynomial on the shape of {@code shapes} it is, which must all be there; other shapes start at zero. */
    private List<double[]> requireTerms(List<FlowTerm> shapes, List<PerturbativeTerm> terms, Lattice lattice, Span at, String group) {
        var out = new ArrayList<double[]>();
        for (int i = 0; i < shapes.size(); i++) out.add(new double[] {0});
        List<String> missing = new ArrayList<>();
        for (PerturbativeTerm term : terms) {
            int found = indexOfShape(shapes, term.term(), lattice);
            if (found < 0) missing.add(term.source());
            else out.set(found, term.coefficients());
        }
        if (!missing.isEmpty()) {
            throw report(ErrorCode.E0606, at, "Lüscher's next-to-leading order for " + group + " has " + terms.size() + " terms, and `loops` lacks "
                    + String.join(", ", missing), "add them to `loops`: " + String.join(", ", terms.stream().map(PerturbativeTerm::source).toList()));
        }
        return out;
    }

    /** The first of {@code shapes} that is {@code loop} up to the lattice's rotations and reflections, or −1. */
    private static int indexOfShape(List<FlowTerm> shapes, FlowTerm loop, Lattice lattice) {
        for (int i = 0; i < shapes.size(); i++) if (shapes.get(i).sameShapeAs(loop, lattice.dimensions())) return i;
        return -1;
    }

    /** β of the standard Wilson theories (std.theories u1, su2, su3), whose action the perturbative map is expanded for. */
    private double wilsonBeta(TheoryInstance theory, Span at) {
        String definition = theory.definition().name().name();
        boolean standard = List.of("u1", "su2", "su3").contains(definition) && scopes.values().stream()
                .anyMatch(scope -> scope.module.isStandard() && scope.module.ast().items().stream().anyMatch(item -> item == theory.definition()));
        if (!standard || !(theory.parameters().get("beta") instanceof Number beta)) {
            throw report(ErrorCode.E0606, at, "Lüscher's perturbative map is expanded for the Wilson action; theory `" + theory.name()
                    + "` is not one of std.theories' u1, su2, su3", "use `perturbative = 0` and train from the identity");
        }
        return beta.doubleValue();
    }

    private static Span argumentSpan(Expr.Call c, String name, List<Param> params, Span fallback, Context ctx) {
        if (ctx.userSite() != null) return ctx.userSite();
        Expr e = argumentExpr(c, name, params);
        return e == null ? fallback : e.span();
    }

    private void checkMask(MaskSpec mask, Lattice lattice, Span at) {
        List<Integer> sizes = lattice.sizes();
        Map<String, Object> a = mask.arguments();
        switch (mask.name()) {
            case "checkerboard" -> {
                long parity = (Long) a.get("parity");
                if (parity != 0 && parity != 1) throw report(ErrorCode.E0606, at, "checkerboard parity must be 0 or 1, got " + parity, "use `parity = i % 2`");
                if (sizes.stream().anyMatch(s -> s % 2 != 0)) {
                    throw report(ErrorCode.E0601, at, "a checkerboard mask needs even lattice sizes, but the lattice is " + lattice,
                            "use even sizes, or `stripes(axis = …, period = …)` which only needs the size along its axis divisible by the period");
                }
            }
            case "stripes" -> {
                long axis = (Long) a.get("axis"), period = (Long) a.get("period"), offset = (Long) a.get("offset");
                if (axis < 0 || axis >= sizes.size()) throw report(ErrorCode.E0606, at, "axis " + axis + " does not exist on a " + sizes.size() + "-dimensional lattice", "axes are 0 … " + (sizes.size() - 1));
                if (period < 2) throw report(ErrorCode.E0606, at, "the stripe period must be at least 2, got " + period, "");
                if (offset < 0 || offset >= period) throw report(ErrorCode.E0606, at, "offset " + offset + " must lie in 0 … " + (period - 1), "use `offset = i % " + period + "`");
                if (sizes.get((int) axis) % period != 0) {
                    throw report(ErrorCode.E0601, at, "stripes of period " + period + " do not tile size " + sizes.get((int) axis) + " along axis " + axis,
                            "choose a period that divides " + sizes.get((int) axis));
                }
            }
            case "link_mask" -> {
                long mu = (Long) a.get("mu"), offset = (Long) a.get("offset");
                if (sizes.size() != 2) throw report(ErrorCode.E0601, at, "`link_mask` is defined for 2D lattices; this one is " + lattice, "");
                if (mu < 0 || mu > 1) throw report(ErrorCode.E0606, at, "direction mu = " + mu + " does not exist on a 2D lattice", "use `mu = i % 2`");
                if (offset < 0 || offset > 3) throw report(ErrorCode.E0606, at, "offset " + offset + " must lie in 0 … 3", "use `offset = (i / 2) % 4`");
                int across = sizes.get((int) (1 - mu));
                // PlaquetteMasks repairs the period-4 pattern at the wrap-around of even sizes; odd ones leave a row that no
                // offset can update without two neighbouring active rows.
                if (across % 2 != 0 || across < 4) {
                    throw report(ErrorCode.E0601, at, "the plaquette masks need an even size of at least 4 across the updated links, got "
                            + across + " (lattice " + lattice + ")", "use even lattice sizes ≥ 4, e.g. [6, 6] or [8, 8]");
                }
            }
            default -> { }
        }
    }

    /** Fixes every channel count of a net used with {@code in} input and {@code out} output channels. */
    private NetSpec shape(Value value, int in, int out, Lattice lattice, Span at, String purpose) {
        List<Value.Stage> stages = stages(value, at);
        int lastLinear = -1;
        for (int k = 0; k < stages.size(); k++) if (!(stages.get(k) instanceof Value.Activation)) lastLinear = k;
        List<NetSpec.Stage> shaped = new ArrayList<>();
        int channels = in;
        int minSize = lattice.sizes().stream().mapToInt(Integer::intValue).min().orElse(1);
        for (int k = 0; k < stages.size(); k++) {
            Value.Stage s = stages.get(k);
            switch (s) {
                case Value.Conv conv -> {
                    if (conv.kernel() < 1 || conv.kernel() % 2 == 0) {
                        throw report(ErrorCode.E0603, conv.span(), "kernel size " + conv.kernel() + " is not a positive odd number",
                                "periodic convolutions are centred, so kernels are odd: 1, 3, 5, …");
                    }
                    // Circular padding of k/2 sites wraps around the torus once at most, as in PyTorch.
                    if (conv.kernel() / 2 > minSize) {
                        throw report(ErrorCode.E0603, conv.span(), "kernel size " + conv.kernel() + " wraps around the lattice " + lattice
                                        + " more than once", "use a kernel of at most " + (2 * minSize + 1));
                    }
                    int next = outChannels(conv.channels(), k == lastLinear, out, conv.span(), purpose);
                    shaped.add(new NetSpec.Conv(channels, next, conv.kernel(), conv.bias(), conv.span()));
                    channels = next;
                }
                case Value.Dense dense -> {
                    int next = outChannels(dense.channels(), k == lastLinear, out, dense.span(), purpose);
                    shaped.add(new NetSpec.Dense(channels, next, dense.bias(), dense.span()));
                    channels = next;
                }
                case Value.Activation act -> shaped.add(new NetSpec.Activation(act.name(), act.arguments(), act.parity(), act.span(),
                        act.definition().span()));
            }
        }
        if (channels != out) {
            throw report(ErrorCode.E0602, at, "this net produces " + channels + " channel" + (channels == 1 ? "" : "s") + ", but "
                    + purpose + " needs " + out, lastLinear < 0 ? "add a convolution: `conv()` takes its channel count from the layer"
                    : "drop `channels` from the last convolution so it is inferred, or set it to " + out);
        }
        return new NetSpec(shaped, in, out, at);
    }

    private int outChannels(Integer declared, boolean last, int out, Span at, String purpose) {
        if (declared != null) {
            if (last && declared != out) {
                throw report(ErrorCode.E0602, at, "the last layer of this net produces " + declared + " channels, but " + purpose + " needs " + out,
                        "drop `channels` from the last convolution so it is inferred, or set it to " + out);
            }
            return declared;
        }
        if (!last) {
            throw report(ErrorCode.E0602, at, "only the last convolution of a net may leave `channels` open",
                    "give this convolution its channel count, e.g. `conv(channels = 8)`");
        }
        return out;
    }

    // ---- arguments --------------------------------------------------------------------------

    /** Binds call arguments to parameters: positional first, then by name; checks each against its type. */
    private Map<String, Value> bind(String callee, List<Param> params, Expr.Call c, Env env, Context ctx, Span declaredAt) {
        Map<String, Value> bound = new LinkedHashMap<>();
        Map<String, Span> where = new HashMap<>();
        int positional = 0;
        boolean sawNamed = false;
        for (Arg a : c.args()) {
            Param p;
            if (a.name() == null) {
                if (sawNamed) {
                    String next = params.stream().map(x -> x.name().name()).filter(x -> !bound.containsKey(x)).findFirst().orElse("…");
                    throw report(ErrorCode.E0305, a.span(), "a positional argument cannot follow named ones",
                            "name it, e.g. `" + next + " = …`");
                }
                if (positional >= params.size()) {
                    throw report(new Diagnostic(ErrorCode.E0305, Severity.ERROR, a.span(),
                            "`" + callee + "` takes " + params.size() + " argument" + (params.size() == 1 ? "" : "s") + ", but more are given",
                            List.of(new Diagnostic.Note("`" + callee + "` is declared here", declaredAt)),
                            List.of(signature(callee, params))));
                }
                p = params.get(positional++);
            } else {
                sawNamed = true;
                p = params.stream().filter(x -> x.name().name().equals(a.name().name())).findFirst().orElse(null);
                if (p == null) {
                    List<String> help = new ArrayList<>();
                    Suggestions.closest(a.name().name(), params.stream().map(x -> x.name().name()).toList())
                            .ifPresent(g -> help.add("did you mean `" + g + "`?"));
                    help.add(signature(callee, params));
                    throw report(new Diagnostic(ErrorCode.E0302, Severity.ERROR, a.name().span(),
                            "`" + callee + "` has no parameter `" + a.name().name() + "`",
                            List.of(new Diagnostic.Note("`" + callee + "` is declared here", declaredAt)), help));
                }
            }
            String pname = p.name().name();
            if (bound.containsKey(pname)) {
                throw report(new Diagnostic(ErrorCode.E0304, Severity.ERROR, a.span(), "argument `" + pname + "` is given twice",
                        List.of(new Diagnostic.Note("first given here", where.get(pname))), List.of("remove one of them")));
            }
            Value v = eval(a.value(), env, ctx);
            bound.put(pname, coerce(v, p.type(), a.value().span(), pname, callee));
            where.put(pname, a.span());
        }
        for (Param p : params) {
            String pname = p.name().name();
            if (bound.containsKey(pname)) continue;
            if (p.defaultValue() != null) {
                bound.put(pname, coerce(eval(p.defaultValue(), Env.empty(), new Context(ctx.theory(), null)), p.type(),
                        p.defaultValue().span(), pname, callee));
            } else if (!(p.type() instanceof TypeRef.Optional)) {
                throw report(new Diagnostic(ErrorCode.E0303, Severity.ERROR, ctx.site(c.span()),
                        "`" + callee + "` needs argument `" + pname + "`",
                        List.of(new Diagnostic.Note("`" + callee + "` is declared here", declaredAt)),
                        List.of(signature(callee, params))));
            }
        }
        return bound;
    }

    private static String signature(String callee, List<Param> params) {
        return "signature: " + callee + "(" + String.join(", ", params.stream().map(p -> p.span().text().replaceAll("\\s+", " ")).toList()) + ")";
    }

    /** Checks a value against a declared type, converting int to real and names of primitives to their default instances. */
    private Value coerce(Value v, TypeRef type, Span at, String param, String callee) {
        TypeRef t = type instanceof TypeRef.Optional o ? o.inner() : type;
        if (t instanceof TypeRef.ListOf l) return coerceList(v, l.element(), at, param, callee);
        var named = (TypeRef.Named) t;
        if (named.name().name().equals("list") && named.argument() != null) return coerceList(v, named.argument(), at, param, callee);
        String expected = named.name().name();
        Value w = expected.equals("theory") ? v : instantiateDefaults(v, at);
        boolean ok = switch (expected) {
            case "int" -> w instanceof Value.Int;
            case "real" -> w instanceof Value.Int || w instanceof Value.Real;
            case "bool" -> w instanceof Value.Bool;
            case "shape" -> w instanceof Value.ListOf;
            case "net" -> w instanceof Value.Net || w instanceof Value.Activation;
            case "activation" -> w instanceof Value.Activation;
            case "mask" -> w instanceof Value.Mask;
            case "prior" -> w instanceof Value.Prior;
            case "transform" -> w instanceof Value.Transform;
            case "layer" -> w instanceof Value.Layer;
            case "loop" -> w instanceof Value.Loop;
            case "integrator" -> w instanceof Value.Integrator;
            case "theory" -> w instanceof Value.Theory;
            default -> false;
        };
        if (!ok) {
            List<String> help = new ArrayList<>();
            if (expected.equals("int") && w instanceof Value.Real r) help.add("write an integer, e.g. `" + (long) r.value() + "`");
            if (expected.equals("net") && w instanceof Value.Layer) help.add("a layer cannot be a conditioner; pass a net such as `cnn(…)`");
            if (w instanceof Value.Definition d && d.symbol().definition() instanceof Item.ExternDef ext) {
                help.add("`" + ext.name().name() + "` needs arguments here: `" + ext.name().name() + "(…)`");
            }
            throw report(new Diagnostic(ErrorCode.E0500, Severity.ERROR, at,
                    "argument `" + param + "` of `" + callee + "` must be " + article(expected) + ", but this is " + article(Value.describe(w)),
                    List.of(), help));
        }
        return expected.equals("real") && w instanceof Value.Int i ? new Value.Real(i.value()) : w;
    }

    private Value coerceList(Value v, TypeRef element, Span at, String param, String callee) {
        if (!(v instanceof Value.ListOf list)) {
            throw report(ErrorCode.E0500, at, "argument `" + param + "` of `" + callee + "` must be a list, but this is "
                    + article(Value.describe(v)), "write a list in brackets, e.g. `[8, 8]`");
        }
        return new Value.ListOf(list.elements().stream().map(e -> coerce(e, element, at, param, callee)).toList());
    }

    private static String article(String noun) {
        return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

    private static Map<String, Object> plainMap(Map<String, Value> args) {
        Map<String, Object> out = new LinkedHashMap<>();
        args.forEach((k, v) -> out.put(k, plain(v)));
        return out;
    }

    static Object plain(Value v) {
        return switch (v) {
            case Value.Int i -> i.value();
            case Value.Real r -> r.value();
            case Value.Bool b -> b.value();
            case Value.ListOf l -> l.elements().stream().map(Elaborator::plain).toList();
            case Value.Activation a -> a.name();
            default -> Value.describe(v);
        };
    }

    // ---- errors -----------------------------------------------------------------------------

    private Reported report(Diagnostic d) {
        diagnostics.add(d);
        return new Reported();
    }

    private Reported report(ErrorCode code, Span at, String message, String help) {
        return report(new Diagnostic(code, Severity.ERROR, at, message, List.of(), help.isEmpty() ? List.of() : List.of(help)));
    }
}
