package org.equiflow.compiler.check;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.equiflow.compiler.ast.Arg;
import org.equiflow.compiler.ast.Binder;
import org.equiflow.compiler.ast.Expr;
import org.equiflow.compiler.ast.FieldTypeRef;
import org.equiflow.compiler.ast.Ident;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.ast.Let;
import org.equiflow.compiler.ast.Param;
import org.equiflow.compiler.ast.TheoryMember;
import org.equiflow.compiler.ast.TypeRef;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.Severity;
import org.equiflow.compiler.diag.Span;
import org.equiflow.compiler.diag.Words;
import org.equiflow.compiler.parse.Suggestions;

/**
 * Type-checks every theory definition: field types, the action (a real number summed over the
 * lattice), observables, symmetry declarations and their images. Lattice variables get their
 * kind (site or direction) from how the body uses them, or from {@code in sites|directions}.
 * Postcondition: without errors, every theory has valid fields, exactly one real action with no
 * free lattice variable, real or complex observables, and known symmetry names.
 */
public final class TheoryChecker {
    /** The symmetries the checker knows how to reason about. */
    public static final List<String> SYMMETRIES = List.of("z2", "translation", "gauge");

    private final Diagnostics diagnostics;
    private final Resolution resolution;
    private final Map<Ident, LatticeType> letTypes = new IdentityHashMap<>();
    private final Map<Item.TheoryDef, Map<String, LatticeType>> fieldTypes = new IdentityHashMap<>();

    private TheoryChecker(Diagnostics diagnostics, Resolution resolution) {
        this.diagnostics = diagnostics;
        this.resolution = resolution;
    }

    public static void check(Map<String, ModuleScope> scopes, Resolution resolution, Diagnostics diagnostics) {
        var checker = new TheoryChecker(diagnostics, resolution);
        for (ModuleScope scope : scopes.values()) {
            for (Item item : scope.module.ast().items()) {
                if (item instanceof Item.TheoryDef theory) checker.theory(theory);
            }
        }
    }

    /** The kind of field a field declaration denotes, or null after reporting E0502. */
    static LatticeType fieldType(FieldTypeRef ref, Diagnostics diagnostics) {
        String kind = ref.kind().name();
        String place = ref.place().name();
        LatticeType type = null;
        String expectedPlace = null;
        if (kind.equals("real") && ref.n() == null) {
            type = new LatticeType.SiteField("");
            expectedPlace = "sites";
        } else if (kind.equals("U") && ref.n() != null && ref.n() == 1) {
            type = new LatticeType.LinkField("", 1);
            expectedPlace = "links";
        } else if (kind.equals("SU") && ref.n() != null && ref.n() >= 2 && ref.n() <= 8) {
            type = new LatticeType.LinkField("", ref.n());
            expectedPlace = "links";
        }
        if (type == null) {
            diagnostics.add(new Diagnostic(ErrorCode.E0502, Severity.ERROR, ref.span(),
                    "unknown field type `" + ref.span().text() + "`", List.of(),
                    List.of("field types: `real on sites`, `U(1) on links`, `SU(N) on links` with 2 ≤ N ≤ 8")));
            return null;
        }
        if (!place.equals(expectedPlace)) {
            diagnostics.add(new Diagnostic(ErrorCode.E0502, Severity.ERROR, ref.place().span(),
                    "a `" + ref.span().text().replaceAll("\\s+on\\s+.*", "") + "` field lives on " + expectedPlace + ", not on `" + place + "`",
                    List.of(), List.of("write `on " + expectedPlace + "`")));
            return null;
        }
        return type;
    }

    private void theory(Item.TheoryDef theory) {
        Map<String, LatticeType> fields = new java.util.LinkedHashMap<>();
        fieldTypes.put(theory, fields);
        List<TheoryMember.Action> actions = new ArrayList<>();
        for (var member : theory.members()) {
            if (member instanceof TheoryMember.Field f) {
                LatticeType t = fieldType(f.type(), diagnostics);
                if (t instanceof LatticeType.SiteField) t = new LatticeType.SiteField(f.name().name());
                if (t instanceof LatticeType.LinkField l) t = new LatticeType.LinkField(f.name().name(), l.n());
                fields.put(f.name().name(), t == null ? LatticeType.ERROR : t);
            }
            if (member instanceof TheoryMember.Action a) actions.add(a);
        }
        for (Param p : theory.params()) checkParamType(p);
        if (fields.isEmpty()) {
            diagnostics.add(new Diagnostic(ErrorCode.E0510, Severity.ERROR, theory.name().span(),
                    "theory `" + theory.name().name() + "` declares no field", List.of(),
                    List.of("declare the degrees of freedom, e.g. `field phi: real on sites` or `field U: U(1) on links`")));
        }
        if (actions.isEmpty()) {
            diagnostics.add(new Diagnostic(ErrorCode.E0510, Severity.ERROR, theory.name().span(),
                    "theory `" + theory.name().name() + "` has no action", List.of(),
                    List.of("add `action <expression>`, e.g. `action sum x { phi[x]^2 }`")));
        }
        for (int i = 1; i < actions.size(); i++) {
            diagnostics.add(new Diagnostic(ErrorCode.E0301, Severity.ERROR, actions.get(i).span(),
                    "theory `" + theory.name().name() + "` has more than one action",
                    List.of(new Diagnostic.Note("first action here", actions.get(0).span())),
                    List.of("write the action as one expression; terms are added with `+`")));
        }
        java.util.Set<String> seenSymmetries = new java.util.HashSet<>();
        java.util.Set<String> seenObservables = new java.util.HashSet<>();
        for (var member : theory.members()) {
            switch (member) {
                case TheoryMember.Field f -> { }
                case TheoryMember.Action a -> {
                    LatticeType t = type(a.expr());
                    if (!(t instanceof LatticeType.Error) && !(t instanceof LatticeType.Real || t instanceof LatticeType.Int)) {
                        List<String> help = new ArrayList<>();
                        if (t instanceof LatticeType.Complex) help.add("take the real part: `re(…)`");
                        else if (t instanceof LatticeType.Matrix) help.add("take the real part of the trace: `re(tr(…))`");
                        else help.add("the action is a real number, e.g. `sum x { phi[x]^2 }`");
                        diagnostics.add(new Diagnostic(ErrorCode.E0500, Severity.ERROR, a.expr().span(),
                                "the action must be a real number, but this is " + Words.article(t), List.of(), help));
                    }
                }
                case TheoryMember.Symmetry s -> symmetry(theory, s, fields, seenSymmetries);
                case TheoryMember.Observable o -> {
                    if (!seenObservables.add(o.name().name())) {
                        diagnostics.error(ErrorCode.E0301, o.name().span(), "observable `" + o.name().name() + "` is declared twice");
                    }
                    LatticeType t = type(o.expr());
                    if (!(t instanceof LatticeType.Error || t instanceof LatticeType.Real || t instanceof LatticeType.Int
                            || t instanceof LatticeType.Complex)) {
                        diagnostics.add(new Diagnostic(ErrorCode.E0500, Severity.ERROR, o.expr().span(),
                                "observable `" + o.name().name() + "` must be a real or complex number, but this is " + Words.article(t),
                                List.of(), List.of("reduce over the lattice, e.g. `mean x { phi[x] }`")));
                    }
                }
                case Let l -> letTypes.put(l.name(), type(l.value()));
            }
        }
    }

    private void checkParamType(Param p) {
        if (!(p.type() instanceof TypeRef.Named named) || !Set.of("shape", "real", "int", "bool").contains(named.name().name())) {
            diagnostics.add(new Diagnostic(ErrorCode.E0501, Severity.ERROR, p.type().span(),
                    "theory parameters are `shape`, `real`, `int` or `bool`, not `" + p.type().span().text() + "`",
                    List.of(), List.of("a theory is parameterised by its lattice and couplings, e.g. `(lattice: shape, m2: real)`")));
        }
    }

    private void symmetry(Item.TheoryDef theory, TheoryMember.Symmetry s, Map<String, LatticeType> fields, Set<String> seen) {
        String name = s.name().name();
        if (!SYMMETRIES.contains(name)) {
            List<String> help = new ArrayList<>();
            Suggestions.closest(name, SYMMETRIES).ifPresent(g -> help.add("did you mean `" + g + "`?"));
            help.add("known symmetries: " + String.join(", ", SYMMETRIES));
            diagnostics.add(new Diagnostic(ErrorCode.E0400, Severity.ERROR, s.name().span(), "unknown symmetry `" + name + "`", List.of(), help));
            return;
        }
        if (!seen.add(name)) {
            diagnostics.error(ErrorCode.E0301, s.name().span(), "symmetry `" + name + "` is declared twice");
            return;
        }
        boolean hasLinks = fields.values().stream().anyMatch(t -> t instanceof LatticeType.LinkField);
        boolean hasSites = fields.values().stream().anyMatch(t -> t instanceof LatticeType.SiteField);
        switch (name) {
            case "z2" -> {
                if (s.field() == null) {
                    diagnostics.add(new Diagnostic(ErrorCode.E0400, Severity.ERROR, s.span(),
                            "symmetry `z2` needs its transformation", List.of(), List.of("write it as `symmetry z2: phi -> -phi`")));
                    return;
                }
                LatticeType field = fields.get(s.field().name());
                if (field != null && !(field instanceof LatticeType.SiteField) && !(field instanceof LatticeType.Error)) {
                    diagnostics.add(new Diagnostic(ErrorCode.E0400, Severity.ERROR, s.field().span(),
                            "symmetry `z2` acts on real fields on sites; `" + s.field().name() + "` is a " + field, List.of(),
                            List.of("for link fields declare `symmetry gauge`")));
                    return;
                }
                LatticeType image = type(s.image());
                if (!(image instanceof LatticeType.SiteField || image instanceof LatticeType.Error)) {
                    diagnostics.add(new Diagnostic(ErrorCode.E0500, Severity.ERROR, s.image().span(),
                            "the image of a field transformation must be a field, e.g. `-phi`; this is " + Words.article(image), List.of(),
                            List.of("write `symmetry z2: phi -> -phi`")));
                }
            }
            case "gauge" -> {
                if (!hasLinks) {
                    diagnostics.add(new Diagnostic(ErrorCode.E0400, Severity.ERROR, s.name().span(),
                            "symmetry `gauge` needs a link field, and theory `" + theory.name().name() + "` has none", List.of(),
                            List.of("declare `field U: U(1) on links`, or drop the declaration")));
                }
                if (s.field() != null) {
                    diagnostics.add(new Diagnostic(ErrorCode.E0400, Severity.ERROR, s.field().span(),
                            "symmetry `gauge` takes no transformation: gauge transformations act on every link field",
                            List.of(), List.of("write `symmetry gauge`")));
                }
            }
            default -> {
                if (s.field() != null) {
                    diagnostics.add(new Diagnostic(ErrorCode.E0400, Severity.ERROR, s.field().span(),
                            "symmetry `translation` takes no transformation: it shifts every field", List.of(),
                            List.of("write `symmetry translation`")));
                }
            }
        }
        if (!hasSites && !hasLinks) return;
    }

    // ---- lattice expressions ---------------------------------------------------------------

    private LatticeType type(Expr expr) {
        return switch (expr) {
            case Expr.IntLit i -> LatticeType.INT;
            case Expr.RealLit r -> LatticeType.REAL;
            case Expr.BoolLit b -> LatticeType.BOOL;
            case Expr.Name n -> nameType(n);
            case Expr.Index i -> index(i);
            case Expr.Call c -> call(c);
            case Expr.Member m -> {
                diagnostics.add(new Diagnostic(ErrorCode.E0506, Severity.ERROR, m.span(),
                        "member access is not allowed in a lattice expression", List.of(),
                        List.of("use the theory's own parameters and fields by name")));
                yield LatticeType.ERROR;
            }
            case Expr.Unary u -> unary(u);
            case Expr.Binary b -> binary(b);
            case Expr.Reduce r -> reduce(r);
            case Expr.Tuple t -> wrongOperand(t, "a tuple");
            case Expr.ListLit l -> {
                for (Expr e : l.elements()) type(e);
                yield new LatticeType.Other("list");
            }
        };
    }

    private LatticeType wrongOperand(Expr e, String what) {
        diagnostics.add(new Diagnostic(ErrorCode.E0506, Severity.ERROR, e.span(),
                what + " cannot appear in a lattice expression", List.of(), List.of()));
        return LatticeType.ERROR;
    }

    private LatticeType nameType(Expr.Name n) {
        Symbol s = resolution.names.get(n);
        if (s == null) return LatticeType.ERROR;
        return switch (s) {
            case Symbol.Field f -> {
                LatticeType t = fieldType(f.field().type(), new Diagnostics());
                if (t instanceof LatticeType.SiteField) yield new LatticeType.SiteField(f.name());
                if (t instanceof LatticeType.LinkField l) yield new LatticeType.LinkField(f.name(), l.n());
                yield LatticeType.ERROR;
            }
            case Symbol.Parameter p -> paramType(p.param().type());
            case Symbol.LatticeVar v -> resolution.latticeVariableKinds.getOrDefault(v.declaration(), LatticeType.ERROR);
            case Symbol.Local l -> letTypes.getOrDefault(l.declaration(), LatticeType.ERROR);
            case Symbol.Global g -> switch (g.definition()) {
                case Let let -> let.value() instanceof Expr.IntLit ? LatticeType.INT
                        : let.value() instanceof Expr.RealLit ? LatticeType.REAL : type(let.value());
                case Item.ExternDef e -> new LatticeType.Other(e.kind().name() + " `" + e.name().name() + "`");
                default -> new LatticeType.Other(describe(g.definition()));
            };
        };
    }

    /** What kind of thing a definition is, without its name: "net definition", "theory instance". */
    static String kind(Item.Definition def) {
        return switch (def) {
            case Item.TheoryDef t -> "theory definition";
            case Item.TheoryInst t -> "theory instance";
            case Item.FlowDef f -> "flow";
            case Item.NetDef n -> "net definition";
            case Item.MaskDef m -> "mask definition";
            case Item.ExternDef e -> "primitive " + e.kind().name();
            case Let l -> "constant";
        };
    }

    static String describe(Item.Definition def) {
        return switch (def) {
            case Item.TheoryDef t -> "theory definition `" + t.name().name() + "`";
            case Item.TheoryInst t -> "theory `" + t.name().name() + "`";
            case Item.FlowDef f -> "flow `" + f.name().name() + "`";
            case Item.NetDef n -> "net `" + n.name().name() + "`";
            case Item.MaskDef m -> "mask `" + m.name().name() + "`";
            case Item.ExternDef e -> e.kind().name() + " `" + e.name().name() + "`";
            case Let l -> "constant `" + l.name().name() + "`";
        };
    }

    private static LatticeType paramType(TypeRef ref) {
        if (ref instanceof TypeRef.Named n) {
            return switch (n.name().name()) {
                case "real" -> LatticeType.REAL;
                case "int" -> LatticeType.INT;
                case "bool" -> LatticeType.BOOL;
                case "shape" -> LatticeType.SHAPE;
                default -> LatticeType.ERROR;
            };
        }
        return LatticeType.ERROR;
    }

    private LatticeType index(Expr.Index i) {
        LatticeType target = type(i.target());
        List<LatticeType> idx = i.indices().stream().map(this::type).toList();
        if (target instanceof LatticeType.Error || idx.stream().anyMatch(t -> t instanceof LatticeType.Error)) return LatticeType.ERROR;
        if (target instanceof LatticeType.SiteField f) {
            if (idx.size() != 1 || !(idx.get(0) instanceof LatticeType.Site)) {
                diagnostics.add(new Diagnostic(ErrorCode.E0503, Severity.ERROR, i.span(),
                        "field `" + f.name() + "` lives on sites and is indexed by one site, e.g. `" + f.name() + "[x]` or `"
                                + f.name() + "[x + mu]`; here it gets " + describeIndices(idx),
                        List.of(), List.of("a site is a lattice variable of `sum x { … }` shifted by directions")));
                return LatticeType.ERROR;
            }
            return LatticeType.REAL;
        }
        if (target instanceof LatticeType.LinkField f) {
            if (idx.size() != 2 || !(idx.get(0) instanceof LatticeType.Site) || !(idx.get(1) instanceof LatticeType.Dir || idx.get(1) instanceof LatticeType.Int)) {
                diagnostics.add(new Diagnostic(ErrorCode.E0503, Severity.ERROR, i.span(),
                        "field `" + f.name() + "` lives on links and is indexed by a site and a direction, e.g. `" + f.name()
                                + "[x, mu]`; here it gets " + describeIndices(idx),
                        List.of(), List.of("closed loops are built with `plaquette(" + f.name() + ", x, mu, nu)`")));
                return LatticeType.ERROR;
            }
            return f.element();
        }
        diagnostics.add(new Diagnostic(ErrorCode.E0503, Severity.ERROR, i.target().span(),
                "only fields can be indexed; this is " + Words.article(target), List.of(), List.of()));
        return LatticeType.ERROR;
    }

    private static String describeIndices(List<LatticeType> idx) {
        if (idx.isEmpty()) return "no index";
        return "(" + String.join(", ", idx.stream().map(Object::toString).toList()) + ")";
    }

    private LatticeType call(Expr.Call c) {
        if (!(c.callee() instanceof Expr.Name callee) || !(resolution.names.get(callee) instanceof Symbol.Global g)
                || !(g.definition() instanceof Item.ExternDef ext)
                || !(ext.kind().name().equals("function") || ext.kind().name().equals("activation"))) {
            LatticeType t = type(c.callee());
            if (t instanceof LatticeType.Error) return t;
            diagnostics.add(new Diagnostic(ErrorCode.E0306, Severity.ERROR, c.callee().span(),
                    "`" + c.callee().span().text() + "` cannot be called in a lattice expression; it is " + Words.article(t), List.of(),
                    List.of("lattice expressions call elementwise functions (exp, cos, tanh, …) and lattice functions (plaquette, wilson_loop, re, arg, tr)")));
            return LatticeType.ERROR;
        }
        List<LatticeType> argTypes = new ArrayList<>();
        for (Arg a : c.args()) argTypes.add(type(a.value()));
        if (ext.kind().name().equals("activation")) {
            long positional = c.args().stream().filter(a -> a.name() == null).count();
            if (positional != 1) {
                diagnostics.add(new Diagnostic(ErrorCode.E0305, Severity.ERROR, c.span(),
                        "`" + ext.name().name() + "` applies to one value, given " + positional, List.of(),
                        List.of("write `" + ext.name().name() + "(phi[x])`")));
                return LatticeType.ERROR;
            }
            for (int k = 0; k < c.args().size(); k++) {
                Arg a = c.args().get(k);
                if (a.name() != null && ext.params().stream().noneMatch(p -> p.name().name().equals(a.name().name()))) {
                    unknownArgument(a.name(), ext);
                    return LatticeType.ERROR;
                }
                if (a.name() == null) {
                    LatticeType t = argTypes.get(k);
                    if (t instanceof LatticeType.Error) return t;
                    if (!(t instanceof LatticeType.Real || t instanceof LatticeType.Int)) {
                        diagnostics.add(new Diagnostic(ErrorCode.E0500, Severity.ERROR, a.value().span(),
                                "`" + ext.name().name() + "` applies to real numbers, not to a " + t, List.of(),
                                t instanceof LatticeType.Complex ? List.of("take `re(…)`, `im(…)` or `arg(…)` first") : List.of()));
                        return LatticeType.ERROR;
                    }
                }
            }
            return LatticeType.REAL;
        }
        // extern function: positional arguments in declaration order, or by name.
        List<Param> params = ext.params();
        LatticeType[] bound = new LatticeType[params.size()];
        Expr[] boundExpr = new Expr[params.size()];
        int next = 0;
        for (int k = 0; k < c.args().size(); k++) {
            Arg a = c.args().get(k);
            int slot;
            if (a.name() == null) {
                slot = next++;
                if (slot >= params.size()) {
                    diagnostics.add(new Diagnostic(ErrorCode.E0305, Severity.ERROR, a.span(),
                            "`" + ext.name().name() + "` takes " + params.size() + " arguments", List.of(),
                            List.of("signature: " + ext.span().text().replaceFirst("^extern\\s+\\w+\\s+", ""))));
                    return LatticeType.ERROR;
                }
            } else {
                slot = indexOfParam(params, a.name().name());
                if (slot < 0) {
                    unknownArgument(a.name(), ext);
                    return LatticeType.ERROR;
                }
            }
            bound[slot] = argTypes.get(k);
            boundExpr[slot] = a.value();
        }
        LatticeType group = null;
        for (int k = 0; k < params.size(); k++) {
            Param p = params.get(k);
            if (bound[k] == null) {
                if (p.defaultValue() != null) continue;
                diagnostics.add(new Diagnostic(ErrorCode.E0303, Severity.ERROR, c.span(),
                        "missing argument `" + p.name().name() + "` of `" + ext.name().name() + "`", List.of(),
                        List.of("signature: " + ext.span().text().replaceFirst("^extern\\s+\\w+\\s+", ""))));
                return LatticeType.ERROR;
            }
            if (bound[k] instanceof LatticeType.Error) return LatticeType.ERROR;
            String expected = ((TypeRef.Named) p.type()).name().name();
            LatticeType actual = bound[k];
            boolean ok = switch (expected) {
                case "links" -> actual instanceof LatticeType.LinkField;
                case "site" -> actual instanceof LatticeType.Site;
                case "dir" -> actual instanceof LatticeType.Dir || actual instanceof LatticeType.Int;
                case "int" -> actual instanceof LatticeType.Int;
                case "real" -> actual instanceof LatticeType.Real || actual instanceof LatticeType.Int;
                case "complex" -> actual instanceof LatticeType.Complex;
                case "group" -> actual instanceof LatticeType.Complex || actual instanceof LatticeType.Matrix;
                default -> false;
            };
            if (!ok) {
                diagnostics.add(new Diagnostic(ErrorCode.E0500, Severity.ERROR, boundExpr[k].span(),
                        "argument `" + p.name().name() + "` of `" + ext.name().name() + "` must be " + Words.article(describeExpected(expected))
                                + ", but this is " + Words.article(actual), List.of(),
                        actual instanceof LatticeType.Matrix && expected.equals("complex")
                                ? List.of("take the trace first: `tr(…)`") : List.of()));
                return LatticeType.ERROR;
            }
            if (actual instanceof LatticeType.LinkField l) group = l.element();
            if (expected.equals("group")) group = actual;
        }
        String result = ext.result() instanceof TypeRef.Named n ? n.name().name() : "real";
        return switch (result) {
            case "group" -> group == null ? LatticeType.COMPLEX : group;
            case "complex" -> LatticeType.COMPLEX;
            case "int" -> LatticeType.INT;
            default -> LatticeType.REAL;
        };
    }

    private static String describeExpected(String t) {
        return switch (t) {
            case "links" -> "link field";
            case "dir" -> "direction";
            case "group" -> "group element (a link value or loop)";
            default -> t;
        };
    }

    private static int indexOfParam(List<Param> params, String name) {
        for (int k = 0; k < params.size(); k++) if (params.get(k).name().name().equals(name)) return k;
        return -1;
    }

    private void unknownArgument(Ident name, Item.ExternDef ext) {
        var names = ext.params().stream().map(p -> p.name().name()).toList();
        List<String> help = new ArrayList<>();
        Suggestions.closest(name.name(), names).ifPresent(g -> help.add("did you mean `" + g + "`?"));
        help.add(names.isEmpty() ? "`" + ext.name().name() + "` takes no named arguments"
                : "`" + ext.name().name() + "` takes: " + String.join(", ", names));
        diagnostics.add(new Diagnostic(ErrorCode.E0302, Severity.ERROR, name.span(),
                "`" + ext.name().name() + "` has no parameter `" + name.name() + "`", List.of(), help));
    }

    private LatticeType unary(Expr.Unary u) {
        LatticeType t = type(u.operand());
        if (t instanceof LatticeType.Error) return t;
        if (u.op() == Expr.UnaryOp.NOT) return wrongOperand(u, "logical `not`");
        if (t.isNumber() || t instanceof LatticeType.SiteField) return t;
        diagnostics.add(new Diagnostic(ErrorCode.E0506, Severity.ERROR, u.span(),
                "cannot negate " + Words.article(t), List.of(), List.of()));
        return LatticeType.ERROR;
    }

    private LatticeType binary(Expr.Binary b) {
        LatticeType l = type(b.left());
        LatticeType r = type(b.right());
        if (l instanceof LatticeType.Error || r instanceof LatticeType.Error) return LatticeType.ERROR;
        switch (b.op()) {
            case ADD, SUB -> {
                // Shifted sites: x + mu, x - mu + nu.
                if (l instanceof LatticeType.Site && (r instanceof LatticeType.Dir)) return LatticeType.SITE;
                if (l instanceof LatticeType.Site || r instanceof LatticeType.Site || l instanceof LatticeType.Dir || r instanceof LatticeType.Dir) {
                    return badOperands(b, l, r, "a site is shifted by a direction: `x + mu`, `x - mu`");
                }
                return arithmetic(b, l, r);
            }
            case MUL, DIV -> {
                return arithmetic(b, l, r);
            }
            case MOD -> {
                if (l instanceof LatticeType.Int && r instanceof LatticeType.Int) return LatticeType.INT;
                return badOperands(b, l, r, "`%` takes integers");
            }
            case POW -> {
                if (!l.isNumber() || l instanceof LatticeType.Matrix) return badOperands(b, l, r, "powers take a real base");
                if (!(b.right() instanceof Expr.IntLit lit) || lit.value() < 0 || lit.value() > 64) {
                    if (r instanceof LatticeType.Real || r instanceof LatticeType.Int) return LatticeType.REAL;
                    return badOperands(b, l, r, "the exponent is a number");
                }
                return l instanceof LatticeType.Int ? LatticeType.INT : l;
            }
            default -> {
                return badOperands(b, l, r, "actions and observables use arithmetic only");
            }
        }
    }

    private LatticeType arithmetic(Expr.Binary b, LatticeType l, LatticeType r) {
        if (!l.isNumber() || !r.isNumber()) {
            String help = (l instanceof LatticeType.SiteField || r instanceof LatticeType.SiteField)
                    ? "index the field at a site: `phi[x]`" : "arithmetic takes numbers";
            return badOperands(b, l, r, help);
        }
        if (l instanceof LatticeType.Matrix || r instanceof LatticeType.Matrix) {
            if (l instanceof LatticeType.Matrix ml && r instanceof LatticeType.Matrix mr && ml.n() != mr.n()) {
                return badOperands(b, l, r, "matrices of different sizes");
            }
            return l instanceof LatticeType.Matrix ? l : r;
        }
        if (l instanceof LatticeType.Complex || r instanceof LatticeType.Complex) return LatticeType.COMPLEX;
        if (l instanceof LatticeType.Int && r instanceof LatticeType.Int && b.op() != Expr.BinaryOp.DIV) return LatticeType.INT;
        return LatticeType.REAL;
    }

    private LatticeType badOperands(Expr.Binary b, LatticeType l, LatticeType r, String help) {
        diagnostics.add(new Diagnostic(ErrorCode.E0506, Severity.ERROR, b.span(),
                "`" + b.op().symbol + "` cannot combine " + Words.article(l) + " and " + Words.article(r), List.of(), List.of(help)));
        return LatticeType.ERROR;
    }

    private static final List<String> REDUCERS = List.of("sum", "mean");

    private LatticeType reduce(Expr.Reduce r) {
        if (!REDUCERS.contains(r.reducer().name())) {
            List<String> help = new ArrayList<>();
            Suggestions.closest(r.reducer().name(), REDUCERS).ifPresent(g -> help.add("did you mean `" + g + "`?"));
            help.add("lattice reductions: sum, mean");
            diagnostics.add(new Diagnostic(ErrorCode.E0300, Severity.ERROR, r.reducer().span(),
                    "unknown reduction `" + r.reducer().name() + "`", List.of(), help));
            return LatticeType.ERROR;
        }
        Binder binder = r.binder();
        LatticeType kind = binderKind(binder, r.body());
        if (kind == null) return LatticeType.ERROR;
        resolution.latticeVariableKinds.put(binder.first(), kind);
        if (binder.second() != null) resolution.latticeVariableKinds.put(binder.second(), kind);
        LatticeType body = type(r.body());
        if (body instanceof LatticeType.Error) return body;
        if (!body.isNumber()) {
            diagnostics.add(new Diagnostic(ErrorCode.E0500, Severity.ERROR, r.body().span(),
                    "a lattice " + r.reducer().name() + " adds numbers, but this is " + Words.article(body), List.of(),
                    body instanceof LatticeType.SiteField ? List.of("index the field: `phi[x]`") : List.of()));
            return LatticeType.ERROR;
        }
        return body instanceof LatticeType.Int && r.reducer().name().equals("mean") ? LatticeType.REAL : body;
    }

    /** Site or direction: explicit, or read off the first telling use in the body. */
    private LatticeType binderKind(Binder binder, Expr body) {
        if (binder.place() != null) {
            return switch (binder.place().name()) {
                case "sites" -> {
                    if (binder.second() != null) {
                        diagnostics.error(ErrorCode.E0505, binder.span(), "an ordered pair `a < b` ranges over directions, not sites");
                        yield null;
                    }
                    yield LatticeType.SITE;
                }
                case "directions" -> LatticeType.DIR;
                default -> {
                    diagnostics.add(new Diagnostic(ErrorCode.E0505, Severity.ERROR, binder.place().span(),
                            "a lattice variable ranges over `sites` or `directions`, not `" + binder.place().name() + "`",
                            List.of(), List.of("write `sum x in sites { … }` or `sum mu in directions { … }`")));
                    yield null;
                }
            };
        }
        if (binder.second() != null) {
            for (Ident var : List.of(binder.first(), binder.second())) {
                if (usage(var.name(), body, null) == LatticeType.SITE) {
                    diagnostics.add(new Diagnostic(ErrorCode.E0505, Severity.ERROR, binder.span(),
                            "an ordered pair `" + binder.first().name() + " < " + binder.second().name()
                                    + "` ranges over directions, but `" + var.name() + "` is used as a site", List.of(),
                            List.of("sum over sites with `sum x { … }`; pairs of directions with `sum mu < nu { … }`")));
                    return null;
                }
            }
            return LatticeType.DIR;
        }
        String name = binder.first().name();
        LatticeType found = usage(name, body, null);
        if (found == null) {
            diagnostics.add(new Diagnostic(ErrorCode.E0505, Severity.ERROR, binder.first().span(),
                    "cannot tell whether `" + name + "` ranges over sites or directions: the body never uses it as either",
                    List.of(), List.of("say it: `" + "sum " + name + " in sites { … }` or `sum " + name + " in directions { … }`")));
        }
        return found;
    }

    /**
     * How the body uses a variable: as a site (the base of an index, a {@code site} argument)
     * or as a direction (a shift {@code x + mu}, the link direction {@code U[x, mu]}, a
     * {@code dir} argument). Null when no use tells.
     */
    private LatticeType usage(String name, Expr e, LatticeType role) {
        if (e instanceof Expr.Name n && n.name().equals(name)) return role;
        return switch (e) {
            case Expr.Index i -> {
                LatticeType t = null;
                for (int k = 0; k < i.indices().size() && t == null; k++) {
                    t = usage(name, i.indices().get(k), k == 0 ? LatticeType.SITE : LatticeType.DIR);
                }
                yield t;
            }
            case Expr.Binary b when role == LatticeType.SITE && (b.op() == Expr.BinaryOp.ADD || b.op() == Expr.BinaryOp.SUB) -> {
                LatticeType t = usage(name, b.left(), LatticeType.SITE);
                yield t != null ? t : usage(name, b.right(), LatticeType.DIR);
            }
            case Expr.Binary b -> {
                LatticeType t = usage(name, b.left(), null);
                yield t != null ? t : usage(name, b.right(), null);
            }
            case Expr.Call c -> {
                List<Param> params = List.of();
                if (c.callee() instanceof Expr.Name callee && resolution.names.get(callee) instanceof Symbol.Global g
                        && g.definition() instanceof Item.ExternDef ext) params = ext.params();
                LatticeType t = null;
                for (int k = 0; k < c.args().size() && t == null; k++) {
                    LatticeType argRole = null;
                    if (k < params.size() && c.args().get(k).name() == null && params.get(k).type() instanceof TypeRef.Named tn) {
                        argRole = tn.name().name().equals("site") ? LatticeType.SITE : tn.name().name().equals("dir") ? LatticeType.DIR : null;
                    }
                    t = usage(name, c.args().get(k).value(), argRole);
                }
                yield t;
            }
            case Expr.Unary u -> usage(name, u.operand(), role);
            case Expr.Reduce r -> usage(name, r.body(), null);
            default -> null;
        };
    }
}
