package org.equiflow.compiler.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.equiflow.compiler.ast.Arg;
import org.equiflow.compiler.ast.Expr;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.ast.Setting;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.Severity;
import org.equiflow.compiler.diag.Span;
import org.equiflow.compiler.diag.Words;
import org.equiflow.compiler.model.BuiltinMeasurement;
import org.equiflow.compiler.model.FieldKind;
import org.equiflow.compiler.model.FieldKinds;
import org.equiflow.compiler.model.FieldSpec;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.compiler.model.RunSpec;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.compiler.modules.LoadedModule;
import org.equiflow.compiler.parse.Suggestions;

/**
 * Checks {@code train}, {@code sample} and {@code hmc} blocks against the settings each one
 * accepts. Setting values are literals, names from the setting's own vocabulary
 * ({@code reverse_kl}, {@code independence_metropolis}), or calls of such names with literal
 * arguments ({@code adam(lr = 1e-3)}); {@code measure} lists observables of the theory and
 * built-in measurements.
 */
public final class RunChecker {
    private final Diagnostics diagnostics;

    RunChecker(Diagnostics diagnostics) { this.diagnostics = diagnostics; }

    /** What one setting accepts. */
    private sealed interface Rule {}

    private record IntRule(long min) implements Rule {}

    private record RealRule(double min, boolean exclusive, double max, boolean maxExclusive) implements Rule {
        RealRule(double min, boolean exclusive) { this(min, exclusive, Double.POSITIVE_INFINITY, false); }

        RealRule(double min, boolean exclusive, double max) { this(min, exclusive, max, false); }

        /** Whether {@code v} lies above the range. */
        boolean above(double v) { return maxExclusive ? v >= max : v > max; }

        /** The legal values, e.g. {@code > 0} or {@code in (0, 1]}. */
        String describe() {
            if (max == Double.POSITIVE_INFINITY) return (exclusive ? "> " : "≥ ") + min;
            return "in " + (exclusive ? "(" : "[") + min + ", " + max + (maxExclusive ? ")" : "]");
        }
    }

    /**
     * Settings whose range errors name their legal values in a help line. (The older settings'
     * golden diagnostics have none; their messages already say the bound.)
     */
    private static final java.util.Set<String> NEW_SETTINGS = java.util.Set.of("warmup", "clip_grad_norm", "target_acceptance");

    /** Named choices, each with its parameters and their defaults. */
    private record ChoiceRule(Map<String, Map<String, Double>> choices) implements Rule {}

    private record MeasureRule() implements Rule {}

    private static final Map<String, Double> NONE = Map.of();

    /** The floating-point type of every tensor of a trained flow, `precision f64`; sampling uses the trained run's. */
    private static final ChoiceRule PRECISION = new ChoiceRule(Map.of("f32", NONE, "f64", NONE));

    private static Map<String, Rule> rules(Item.RunKind kind) {
        Map<String, Rule> r = new LinkedHashMap<>();
        switch (kind) {
            case TRAIN -> {
                r.put("loss", new ChoiceRule(Map.of("reverse_kl", NONE, "path_gradient", NONE, "reinforce", NONE)));
                r.put("optimizer", new ChoiceRule(Map.of(
                        "adam", ordered("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8),
                        // PyTorch's AdamW defaults: decoupled weight decay 0.01
                        "adamw", ordered("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", 0.01),
                        "sgd", ordered("lr", 1e-2, "momentum", 0.0))));
                r.put("batch", new IntRule(1));
                r.put("steps", new IntRule(1));
                r.put("seed", new IntRule(0));
                r.put("checkpoint_every", new IntRule(1));
                r.put("log_every", new IntRule(1));
                r.put("lr_decay", new RealRule(0, true, 1));   // lr · lr_decay^step: a decay factor per step
                // How the rate falls after the warm-up; `lr_decay r` is `lr_schedule exponential(decay = r)`.
                r.put("lr_schedule", new ChoiceRule(Map.of(
                        "constant", NONE,
                        "exponential", ordered("decay", 0.999),
                        "step", ordered("every", 100.0, "factor", 0.5),
                        "cosine", ordered("floor", 0.0))));
                r.put("warmup", new IntRule(0));                // steps of linear warm-up to lr
                r.put("clip_grad_norm", new RealRule(0, true)); // maximum global L2 norm of the gradient
                r.put("precision", PRECISION);
            }
            case SAMPLE -> {
                r.put("method", new ChoiceRule(Map.of("independence_metropolis", NONE, "reweighting", NONE, "flow_hmc", NONE)));
                r.put("count", new IntRule(1));
                r.put("batch", new IntRule(1));
                r.put("seed", new IntRule(0));
                r.put("thermalize", new IntRule(0));
                r.put("measure", new MeasureRule());
                // Flow-HMC's trajectory, with the `hmc` block's names and ranges; only `method flow_hmc` takes them.
                r.put("step_size", new RealRule(0, true));
                r.put("md_steps", new IntRule(1));
                r.put("integrator", new ChoiceRule(Map.of("leapfrog", NONE, "omelyan", NONE)));
                // The acceptance that dual averaging tunes flow-HMC's step size to, during `thermalize` (a probability).
                r.put("target_acceptance", new RealRule(0, true, 1, true));
            }
            case HMC -> {
                r.put("trajectories", new IntRule(1));
                r.put("thermalize", new IntRule(0));
                r.put("step_size", new RealRule(0, true));
                r.put("md_steps", new IntRule(1));
                r.put("integrator", new ChoiceRule(Map.of("leapfrog", NONE, "omelyan", NONE)));
                r.put("seed", new IntRule(0));
                r.put("measure", new MeasureRule());
            }
        }
        return r;
    }

    /** The settings a run block accepts, in order (for the docs and the check ⇔ run law test). */
    public static List<String> settingNames(Item.RunKind kind) { return List.copyOf(rules(kind).keySet()); }

    /** The choices the language accepts for a setting, sorted; empty when the setting is not a choice. */
    public static List<String> choiceNames(Item.RunKind kind, String setting) {
        return rules(kind).get(setting) instanceof ChoiceRule c ? List.copyOf(new TreeSet<>(c.choices().keySet())) : List.of();
    }

    /** The parameters of one choice ({@code adam}: lr, beta1, beta2, eps), in order; empty for none. */
    public static List<String> choiceParameters(Item.RunKind kind, String setting, String choice) {
        return rules(kind).get(setting) instanceof ChoiceRule c && c.choices().containsKey(choice)
                ? List.copyOf(c.choices().get(choice).keySet()) : List.of();
    }

    /**
     * Built-in measurements by name, with the field kinds that measure them (empty: any field, the
     * sampler's). A name may belong to several kinds (U(1) and SU(N) both have {@code polyakov_loop}),
     * each with its own meaning and dimensions; {@link FieldKinds} is the one list they come from.
     */
    public static Map<String, List<FieldSpec.Kind>> builtinMeasures() {
        Map<String, List<FieldSpec.Kind>> out = new LinkedHashMap<>();
        for (BuiltinMeasurement m : BuiltinMeasurement.SAMPLER) out.put(m.name(), List.of());
        for (FieldKind kind : FieldKinds.all()) {
            for (BuiltinMeasurement m : kind.measurements()) {
                out.merge(m.name(), List.of(kind.kind()), (a, b) -> java.util.stream.Stream.concat(a.stream(), b.stream()).toList());
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** What {@code measure} may name for a field besides the theory's observables: the sampler's, then its kind's. */
    private static Map<String, BuiltinMeasurement> builtinMeasurements(FieldSpec field) {
        Map<String, BuiltinMeasurement> out = new LinkedHashMap<>();
        for (BuiltinMeasurement m : BuiltinMeasurement.SAMPLER) out.put(m.name(), m);
        for (BuiltinMeasurement m : FieldKinds.of(field).measurements()) out.put(m.name(), m);
        return out;
    }

    private static Map<String, Double> ordered(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Double) kv[i + 1]);
        return m;
    }

    RunSpec check(Item.RunBlock run, LoadedModule root, Map<String, FlowModel> flows, Map<String, TheoryInstance> theories,
                  ModuleScope scope) {
        String target = run.target().name();
        TheoryInstance theory;
        if (run.kind() == Item.RunKind.HMC) {
            theory = theories.get(target);
            if (theory == null) {
                unknownTarget(run, scope, theories.keySet(), "`hmc` runs on a theory instance, e.g. `hmc T { … }`");
                return null;
            }
        } else {
            FlowModel flow = flows.get(target);
            if (flow == null) {
                var def = scope.lookup(target);
                if (def.isPresent() && def.get().definition() instanceof Item.FlowDef) return null; // its own errors were reported
                unknownTarget(run, scope, flows.keySet(), "`" + run.kind().keyword() + "` runs on a flow defined in this file");
                return null;
            }
            theory = flow.theory();
        }
        Map<String, Rule> rules = rules(run.kind());
        Map<String, RunSpec.Setting> settings = new LinkedHashMap<>();
        Map<String, Span> seen = new HashMap<>();
        for (Setting s : run.settings()) {
            String name = s.name().name();
            Rule rule = rules.get(name);
            if (rule == null) {
                List<String> help = new ArrayList<>();
                Suggestions.closest(name, rules.keySet()).ifPresent(g -> help.add("did you mean `" + g + "`?"));
                help.add("`" + run.kind().keyword() + "` settings: " + String.join(", ", rules.keySet()));
                diagnostics.add(new Diagnostic(ErrorCode.E0308, Severity.ERROR, s.name().span(),
                        "unknown setting `" + name + "` in a `" + run.kind().keyword() + "` block", List.of(), help));
                continue;
            }
            if (seen.containsKey(name)) {
                diagnostics.add(new Diagnostic(ErrorCode.E0702, Severity.ERROR, s.name().span(), "setting `" + name + "` is given twice",
                        List.of(new Diagnostic.Note("first given here", seen.get(name))), List.of("keep one of them")));
                continue;
            }
            seen.put(name, s.name().span());
            RunSpec.Setting value = value(s, rule, theory);
            if (value != null) settings.put(name, value);
        }
        if (seen.containsKey("thermalize") && settings.get("method") instanceof RunSpec.Choice m && m.name().equals("reweighting")) {
            invalid(seen.get("thermalize"), "`thermalize` discards the first states of a Markov chain, but `method reweighting` "
                    + "weighs independent proposals and has no chain", "drop `thermalize`, or use `method independence_metropolis`");
        }
        if (run.kind() == Item.RunKind.SAMPLE) flowHmcSettings(seen, settings, theory);
        if (seen.containsKey("lr_decay") && seen.containsKey("lr_schedule")) {
            diagnostics.add(new Diagnostic(ErrorCode.E0701, Severity.ERROR, seen.get("lr_decay"),
                    "`lr_decay` and `lr_schedule` both set how the learning rate decays", List.of(new Diagnostic.Note("`lr_schedule` is given here",
                    seen.get("lr_schedule"))), List.of("`lr_decay r` is `lr_schedule exponential(decay = r)`: keep one of them")));
        }
        if (settings.get("warmup") instanceof RunSpec.Number w && settings.get("steps") instanceof RunSpec.Number n && w.value() >= n.value()) {
            invalid(seen.get("warmup"), "`warmup` " + (long) w.value() + " is not shorter than the run's " + (long) n.value()
                    + " steps: the rate would never reach `lr`", "`warmup` is an integer from 0 to steps − 1 = " + ((long) n.value() - 1));
        }
        return new RunSpec(run.kind(), target, settings, run.span());
    }

    /** The `sample` settings that only `method flow_hmc` reads: they set its trajectories. */
    private static final List<String> FLOW_HMC_SETTINGS = List.of("step_size", "md_steps", "integrator", "target_acceptance");

    /**
     * Flow-HMC's settings without `method flow_hmc` would be silently ignored, so they are refused
     * (E0701); `method flow_hmc` on a field other than a real scalar one is refused (E0800): its
     * latent momenta, drift and forces are those of real fields only, so far.
     */
    private void flowHmcSettings(Map<String, Span> seen, Map<String, RunSpec.Setting> settings, TheoryInstance theory) {
        boolean flowHmc = settings.get("method") instanceof RunSpec.Choice m && m.name().equals("flow_hmc");
        if (!flowHmc) {
            for (String name : FLOW_HMC_SETTINGS) {
                if (!seen.containsKey(name)) continue;
                invalid(seen.get(name), "`" + name + "` " + (name.equals("target_acceptance") ? "tunes flow-HMC's step size"
                                : "sets flow-HMC's trajectories") + ", but this `sample` block does not use `method flow_hmc`",
                        "add `method flow_hmc`, or drop `" + name + "`");
            }
            return;
        }
        // The step size is tuned during the discarded trajectories only, so that the kept chain has one fixed kernel:
        // without any there is nothing to tune on, and the setting would be silently ignored.
        boolean thermalizeInvalid = seen.containsKey("thermalize") && !settings.containsKey("thermalize"); // already reported
        if (settings.containsKey("target_acceptance") && !thermalizeInvalid
                && !(settings.get("thermalize") instanceof RunSpec.Number t && t.value() > 0)) {
            invalid(seen.get("target_acceptance"), "`target_acceptance` tunes the step size during the `thermalize` trajectories, but this "
                            + "`sample` block " + (seen.containsKey("thermalize") ? "has `thermalize 0`" : "does not thermalize (`thermalize` is 0 by default)"),
                    "there is nothing to tune on: the step size is tuned on the discarded `thermalize` trajectories only, so that the kept "
                            + "chain keeps one step size; add e.g. `thermalize 200`, or drop `target_acceptance` and set `step_size`");
        }
        if (theory.field().kind() != FieldSpec.Kind.REAL) {
            diagnostics.add(new Diagnostic(ErrorCode.E0800, Severity.ERROR, seen.get("method"),
                    "`method flow_hmc` integrates real scalar fields only, and the field of `" + theory.name() + "` is `"
                            + theory.field() + "`", List.of(),
                    List.of("use `method independence_metropolis` or `method reweighting`, or `equiflow hmc` for HMC on the links")));
        }
    }

    private void unknownTarget(Item.RunBlock run, ModuleScope scope, java.util.Collection<String> candidates, String help) {
        List<String> lines = new ArrayList<>();
        Suggestions.closest(run.target().name(), candidates).ifPresent(g -> lines.add("did you mean `" + g + "`?"));
        lines.add(help);
        var def = scope.lookup(run.target().name());
        String what = def.isPresent() ? " is " + Words.article(TheoryChecker.kind(def.get().definition())) : " is not defined";
        diagnostics.add(new Diagnostic(ErrorCode.E0700, Severity.ERROR, run.target().span(),
                "`" + run.kind().keyword() + " " + run.target().name() + "`: `" + run.target().name() + "`" + what, List.of(), lines));
    }

    private RunSpec.Setting value(Setting s, Rule rule, TheoryInstance theory) {
        String name = s.name().name();
        if (!(rule instanceof MeasureRule) && s.values().size() != 1) {
            invalid(s.values().get(1).span(), "setting `" + name + "` takes one value", "");
            return null;
        }
        Expr e = s.values().get(0);
        switch (rule) {
            case IntRule r -> {
                Double v = number(e);
                if (v == null || v != Math.rint(v) || Math.abs(v) > 9e15) {
                    invalid(e.span(), "setting `" + name + "` must be an integer", "e.g. `" + name + " " + Math.max(r.min(), 1) + "`");
                    return null;
                }
                if (v < r.min()) {
                    invalid(e.span(), "setting `" + name + "` must be at least " + r.min() + ", got " + v.longValue(),
                            NEW_SETTINGS.contains(name) ? "`" + name + "` is an integer ≥ " + r.min() : "");
                    return null;
                }
                return new RunSpec.Number(v, true);
            }
            case RealRule r -> {
                Double v = number(e);
                if (v == null || !Double.isFinite(v)) {
                    invalid(e.span(), "setting `" + name + "` must be a number", "");
                    return null;
                }
                if (r.exclusive() ? v <= r.min() : v < r.min()) {
                    invalid(e.span(), "setting `" + name + "` must be greater than " + r.min() + ", got " + v,
                            NEW_SETTINGS.contains(name) ? "`" + name + "` is a number " + r.describe() : "");
                    return null;
                }
                if (r.above(v)) {
                    invalid(e.span(), "setting `" + name + "` must be " + (r.maxExclusive() ? "less than " : "at most ") + r.max() + ", got " + v,
                            NEW_SETTINGS.contains(name) ? "`" + name + "` is a number " + r.describe() : "");
                    return null;
                }
                return new RunSpec.Number(v, false);
            }
            case ChoiceRule r -> {
                return choice(name, e, r);
            }
            case MeasureRule r -> {
                List<String> names = new ArrayList<>();
                List<String> legal = new ArrayList<>(theory.observables().stream().map(TheoryInstance.Observable::name).toList());
                Map<String, BuiltinMeasurement> builtins = builtinMeasurements(theory.field());
                builtins.keySet().forEach(m -> { if (!legal.contains(m)) legal.add(m); });
                boolean ok = true;
                for (Expr v : s.values()) {
                    if (!(v instanceof Expr.Name n)) {
                        invalid(v.span(), "`measure` lists names of observables", "e.g. `measure magnetization, acceptance`");
                        ok = false;
                        continue;
                    }
                    if (!legal.contains(n.name())) {
                        List<String> help = new ArrayList<>();
                        Suggestions.closest(n.name(), legal).ifPresent(g -> help.add("did you mean `" + g + "`?"));
                        help.add("for theory `" + theory.name() + "`: " + String.join(", ", legal));
                        diagnostics.add(new Diagnostic(ErrorCode.E0701, Severity.ERROR, n.span(),
                                "unknown observable `" + n.name() + "`", List.of(), help));
                        ok = false;
                        continue;
                    }
                    BuiltinMeasurement builtin = builtins.get(n.name());
                    if (builtin != null && !builtin.runsIn(theory.lattice().dimensions())) {
                        diagnostics.add(new Diagnostic(ErrorCode.E0800, Severity.ERROR, n.span(),
                                "`" + n.name() + "` is implemented on " + dimensions(builtin) + " lattices only, and `" + theory.name() + "` is "
                                        + theory.lattice().dimensions() + "D", List.of(),
                                List.of("measure the theory's own observables (e.g. `observable plaquette_mean = mean x { mean mu < nu "
                                        + "{ re(plaquette(U, x, mu, nu)) } }`), which run in any dimension")));
                        ok = false;
                        continue;
                    }
                    names.add(n.name());
                }
                return ok ? new RunSpec.Names(names) : null;
            }
        }
    }

    /** {@code 2D}, or {@code 2D and 3D}. */
    private static String dimensions(BuiltinMeasurement m) {
        return String.join(" and ", m.dimensions().stream().map(d -> d + "D").toList());
    }

    private RunSpec.Setting choice(String setting, Expr e, ChoiceRule rule) {
        Expr.Name head = e instanceof Expr.Name n ? n : e instanceof Expr.Call c && c.callee() instanceof Expr.Name n ? n : null;
        var legal = new java.util.TreeSet<>(rule.choices().keySet());
        if (head == null || !rule.choices().containsKey(head.name())) {
            List<String> help = new ArrayList<>();
            if (head != null) Suggestions.closest(head.name(), legal).ifPresent(g -> help.add("did you mean `" + g + "`?"));
            help.add("`" + setting + "` is one of: " + String.join(", ", legal));
            diagnostics.add(new Diagnostic(ErrorCode.E0701, Severity.ERROR, head == null ? e.span() : head.span(),
                    head == null ? "invalid value for `" + setting + "`" : "unknown " + setting + " `" + head.name() + "`", List.of(), help));
            return null;
        }
        if (!RuntimeSupport.runsChoice(setting, head.name())) {
            diagnostics.add(new Diagnostic(ErrorCode.E0800, Severity.ERROR, head.span(),
                    "`" + setting + " " + head.name() + "` is not implemented in the runtime yet", List.of(),
                    List.of(RuntimeSupport.CHOICE_ALTERNATIVE.getOrDefault(setting,
                            "implemented: " + RuntimeSupport.list(RuntimeSupport.CHOICES.get(setting))))));
            return null;
        }
        Map<String, Double> params = rule.choices().get(head.name());
        Map<String, Object> args = new LinkedHashMap<>(params);
        if (e instanceof Expr.Call c) {
            List<String> order = new ArrayList<>(params.keySet());
            int positional = 0;
            for (Arg a : c.args()) {
                String pname = a.name() != null ? a.name().name() : positional < order.size() ? order.get(positional++) : null;
                if (pname == null || !params.containsKey(pname)) {
                    List<String> help = new ArrayList<>();
                    if (a.name() != null) Suggestions.closest(a.name().name(), params.keySet()).ifPresent(g -> help.add("did you mean `" + g + "`?"));
                    help.add(params.isEmpty() ? "`" + head.name() + "` takes no arguments" : "`" + head.name() + "` takes: " + String.join(", ", params.keySet()));
                    diagnostics.add(new Diagnostic(ErrorCode.E0302, Severity.ERROR, a.name() != null ? a.name().span() : a.span(),
                            a.name() != null ? "`" + head.name() + "` has no parameter `" + a.name().name() + "`" : "`" + head.name() + "` takes no more arguments",
                            List.of(), help));
                    return null;
                }
                Double v = number(a.value());
                ArgumentRange range = ARGUMENT_RANGES.getOrDefault(pname, ArgumentRange.NON_NEGATIVE);
                if (v == null || !Double.isFinite(v) || !range.contains(v)) {
                    invalid(a.value().span(), "`" + pname + "` of `" + head.name() + "` must be " + (range.integer() ? "an integer " : "a number ")
                            + range.description() + (v == null ? "" : ", got " + v), "`" + pname + "` takes " + (range.integer() ? "an integer " : "a number ")
                            + range.description() + ", e.g. `" + head.name() + "(" + pname + " = "
                            + (range.integer() ? Long.toString(params.get(pname).longValue()) : params.get(pname)) + ")`");
                    return null;
                }
                if (!RuntimeSupport.runsChoiceArgument(head.name(), pname)) {
                    List<String> honoured = RuntimeSupport.CHOICE_ARGUMENTS.getOrDefault(head.name(), List.of());
                    diagnostics.add(new Diagnostic(ErrorCode.E0800, Severity.ERROR, a.span(),
                            "`" + pname + "` of `" + head.name() + "` is not implemented in the runtime yet: it would run with "
                                    + pname + " = " + params.get(pname), List.of(),
                            List.of("leave it out: `" + setting + " " + head.name() + "(" + String.join(", ",
                                    honoured.stream().map(h -> h + " = " + args.get(h)).toList()) + ")`")));
                    return null;
                }
                args.put(pname, v);
            }
        }
        return new RunSpec.Choice(head.name(), args);
    }

    /**
     * The values an argument of a choice may take: Adam's rate and eps are positive, its betas lie
     * in [0, 1); a schedule's factors per step lie in (0, 1], the cosine's floor (a fraction of
     * lr) in [0, 1], step decay's interval is a whole number of steps.
     */
    private record ArgumentRange(double min, boolean minIncluded, double max, boolean maxIncluded, boolean integer, String description) {
        static final ArgumentRange NON_NEGATIVE = new ArgumentRange(0, true, Double.POSITIVE_INFINITY, false, false, "≥ 0");
        static final ArgumentRange POSITIVE = new ArgumentRange(0, false, Double.POSITIVE_INFINITY, false, false, "> 0");
        static final ArgumentRange DECAY_RATE = new ArgumentRange(0, true, 1, false, false, "in [0, 1)");
        static final ArgumentRange FACTOR = new ArgumentRange(0, false, 1, true, false, "in (0, 1]");
        static final ArgumentRange FRACTION = new ArgumentRange(0, true, 1, true, false, "in [0, 1]");
        static final ArgumentRange STEPS = new ArgumentRange(1, true, 9e15, true, true, "≥ 1");

        boolean contains(double v) {
            return (minIncluded ? v >= min : v > min) && (maxIncluded ? v <= max : v < max) && (!integer || v == Math.rint(v));
        }
    }

    private static final Map<String, ArgumentRange> ARGUMENT_RANGES = Map.of(
            "lr", ArgumentRange.POSITIVE, "eps", ArgumentRange.POSITIVE,
            "beta1", ArgumentRange.DECAY_RATE, "beta2", ArgumentRange.DECAY_RATE, "momentum", ArgumentRange.DECAY_RATE,
            "weight_decay", ArgumentRange.NON_NEGATIVE,
            "decay", ArgumentRange.FACTOR, "factor", ArgumentRange.FACTOR, "floor", ArgumentRange.FRACTION, "every", ArgumentRange.STEPS);

    /** Literal numbers, with signs and arithmetic, e.g. `-1e-3` or `2 * 1024`. */
    private static Double number(Expr e) {
        return switch (e) {
            case Expr.IntLit i -> (double) i.value();
            case Expr.RealLit r -> r.value();
            case Expr.Unary u when u.op() == Expr.UnaryOp.NEG -> {
                Double v = number(u.operand());
                yield v == null ? null : -v;
            }
            case Expr.Binary b -> {
                Double l = number(b.left()), r = number(b.right());
                if (l == null || r == null) yield null;
                yield switch (b.op()) {
                    case ADD -> l + r;
                    case SUB -> l - r;
                    case MUL -> l * r;
                    case DIV -> r == 0 ? null : l / r;
                    case POW -> Math.pow(l, r);
                    default -> null;
                };
            }
            default -> null;
        };
    }

    private void invalid(Span at, String message, String help) {
        diagnostics.add(new Diagnostic(ErrorCode.E0701, Severity.ERROR, at, message, List.of(), help.isEmpty() ? List.of() : List.of(help)));
    }
}
