package org.equiflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.check.Primitives;
import org.equiflow.compiler.check.RunChecker;
import org.equiflow.compiler.check.RuntimeSupport;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.model.FieldSpec;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, "check ⇔ run": for every construct and setting of the language — every primitive
 * that {@link Primitives} defines, every field kind, every run-block setting and choice, every
 * built-in measurement — a small script is either refused by {@code equiflow check} with the
 * expected code (and then by the command that would run it, with the same code), or accepted
 * by {@code check} and executed by {@code run} (2 training steps, 16 samples) or {@code hmc}
 * (2 trajectories of 2 chains) at L = 4 with exit 0. Where the expectation follows from
 * {@link RuntimeSupport}, the case reads it from there, so the table cannot claim what the
 * runtime does not do, nor hide what it does.
 */
class CheckRunLawTest {
    @TempDir
    Path dir;

    /** What a script must do: be refused by check with a code, or check and run with a command. */
    sealed interface Expect permits Refused, Runs {}

    record Refused(ErrorCode code) implements Expect {}

    record Runs(String command) implements Expect {}

    record Case(String construct, String script, Expect expect) {}

    private static final Runs RUN = new Runs("run");
    private static final Runs HMC = new Runs("hmc");
    private static final Refused UNSUPPORTED = new Refused(ErrorCode.E0800);

    private static final String PHI4 = """
            use std.theories.phi4
            use std.nets.*
            use std.masks.*
            theory T = phi4(lattice = [4, 4], m2 = -4.0, lambda = 8.0)
            """;

    private static String phiFlow(String prior, String layers, String blocks) {
        return PHI4 + "flow f for T {\n    prior " + prior + "\n    " + layers + "\n}\n" + blocks;
    }

    private static final String AFFINE = "affine(mask = checkerboard(parity = 0), net = cnn(hidden = [2]))";

    /** A flow of one SU(N) spectral coupling on `std.theories.<theory>` at 4×4. */
    private static String spectralFlow(String theory) {
        return """
                use std.theories.%s
                use std.nets.cnn
                use std.gauge.{spectral_coupling, link_mask}
                theory G = %s(lattice = [4, 4], beta = 2.0)
                flow g for G {
                    prior haar
                    spectral_coupling(links = link_mask(mu = 0, offset = 0), bins = 4, net = cnn(hidden = [2]))
                }
                """.formatted(theory, theory);
    }

    /** A gradient flow on `std.theories.<theory>` at 4×4, one layer with the given loops and integrator. */
    private static String gradientFlow(String theory, String loops, String integrator) {
        return """
                use std.theories.%s
                use std.gauge.*
                theory G = %s(lattice = [4, 4], beta = 1.0)
                flow g for G {
                    prior haar
                    gradient_flow(loops = [%s], knots = 3, steps = 2, integrator = %s, perturbative = 1)
                }
                """.formatted(theory, theory, loops, integrator);
    }

    private static String gaugeFlow(String transform, String blocks) {
        return """
                use std.theories.u1
                use std.nets.cnn
                use std.gauge.*
                theory G = u1(lattice = [4, 4], beta = 1.0)
                flow g for G {
                    prior haar
                    plaquette_coupling(links = link_mask(mu = 0, offset = 0), transform = %s, net = cnn(hidden = [2]))
                }
                """.formatted(transform) + blocks;
    }

    /** A real theory whose action applies {@code f} to a positive field expression. */
    private static String actionWith(String f) {
        return """
                theory A(lattice: shape) {
                    field phi: real on sites
                    action sum x { phi[x] * sum mu { phi[x] - phi[x + mu] } + phi[x]^2 + 0.1 * %s }
                }
                theory T = A(lattice = [4, 4])
                """.formatted(f);
    }

    /** A U(1) theory with the Wilson action and one observable, measured by HMC. */
    private static String gaugeObservable(String expr) {
        return """
                theory W(lattice: shape, beta: real) {
                    field U: U(1) on links
                    action -beta * sum x { sum mu < nu { re(plaquette(U, x, mu, nu)) } }
                    symmetry gauge
                    observable o = mean x { %s }
                }
                theory G = W(lattice = [4, 4], beta = 1.0)
                hmc G { measure o }
                """.formatted(expr);
    }

    /** An SU(2) theory with the Wilson action and one observable, measured by HMC. */
    private static String sunObservable(String expr) {
        return """
                theory W(lattice: shape, beta: real) {
                    field U: SU(2) on links
                    action -(beta / 2) * sum x { sum mu < nu { re(tr(plaquette(U, x, mu, nu))) } }
                    symmetry gauge
                    observable o = mean x { %s }
                }
                theory G = W(lattice = [4, 4], beta = 1.0)
                hmc G { measure o }
                """.formatted(expr);
    }

    private static String u1Hmc(String lattice, String measure) {
        return "use std.theories.u1\ntheory G = u1(lattice = " + lattice + ", beta = 1.0)\nhmc G { measure " + measure + " }\n";
    }

    /** A standard SU(N) theory ({@code su2}, {@code su3}) measured by HMC. */
    private static String sunHmc(String theory, String lattice, String measure) {
        return "use std.theories." + theory + "\ntheory G = " + theory + "(lattice = " + lattice + ", beta = 2.0)\nhmc G { measure " + measure + " }\n";
    }

    /** Every case, keyed by the construct it exercises ("activation:tanh", "train.loss=reverse_kl", …). */
    static Map<String, Case> cases() {
        Map<String, Case> c = new LinkedHashMap<>();
        // activations: as a conditioner stage (after exp, so that log and sqrt see positive inputs) and in an action
        for (String a : Primitives.names("activation")) {
            Expect expect = RuntimeSupport.runs("activation", a) ? RUN : UNSUPPORTED;
            add(c, "activation:" + a, phiFlow("normal()", "affine(mask = checkerboard(parity = 0), net = conv(channels = 2) >> exp >> " + a + " >> conv())", ""), expect);
            String call = a.equals("leaky_relu") ? "leaky_relu(phi[x]^2 + 1.0, slope = 0.1)" : a + "(phi[x]^2 + 1.0)";
            add(c, "action-activation:" + a, actionWith(call), RuntimeSupport.runs("activation", a) ? HMC : UNSUPPORTED);
        }
        // nets
        add(c, "net:conv", phiFlow("normal()", AFFINE, ""), RuntimeSupport.runs("net", "conv") ? RUN : UNSUPPORTED);
        add(c, "net:dense", phiFlow("normal()", "affine(mask = checkerboard(parity = 0), net = dense())", ""),
                RuntimeSupport.runs("net", "dense") ? RUN : UNSUPPORTED);
        // A kernel wider than the lattice wraps around the torus; once is a periodic convolution the runtime computes, twice is refused.
        add(c, "net:conv kernel wrapping once", phiFlow("normal()", "affine(mask = checkerboard(), net = cnn(kernel = 5))", ""), RUN);
        add(c, "net:conv kernel wrapping twice", phiFlow("normal()", "affine(mask = checkerboard(), net = cnn(kernel = 11))", ""),
                new Refused(ErrorCode.E0603));
        // priors
        add(c, "prior:normal", phiFlow("normal(sigma = 0.5)", AFFINE, ""), RUN);
        add(c, "prior:free_field", phiFlow("free_field(m2 = 1.0)", AFFINE, ""), RUN);
        add(c, "prior:haar", gaugeFlow("ncp_mixture(components = 2)", ""), RUN);
        // layers
        add(c, "layer:affine", phiFlow("normal()", AFFINE, ""), RUN);
        add(c, "layer:affine scale and shift", phiFlow("normal()",
                "affine(mask = checkerboard(parity = 1), scale = cnn(hidden = [2]) >> tanh, shift = cnn(hidden = [2]))", ""), RUN);
        add(c, "layer:spline", phiFlow("normal()", "spline(mask = checkerboard(parity = 0), net = cnn(hidden = [2]), bins = 4)", ""), RUN);
        add(c, "layer:plaquette_coupling", gaugeFlow("ncp_mixture(components = 2)", ""), RUN);
        add(c, "layer:spectral_coupling", spectralFlow("su2"), RUN);
        add(c, "spectral_coupling on SU(3)", spectralFlow("su3"), RUN);
        add(c, "spectral_coupling on SU(4)", """
                use std.nets.cnn
                use std.gauge.{spectral_coupling, link_mask}
                theory su4(lattice: shape, beta: real) {
                    field U: SU(4) on links
                    action -(beta / 4) * sum x { sum mu < nu { re(tr(plaquette(U, x, mu, nu))) } }
                    symmetry gauge
                }
                theory G = su4(lattice = [4, 4], beta = 2.0)
                flow g for G {
                    prior haar
                    spectral_coupling(links = link_mask(mu = 0, offset = 0), bins = 4, net = cnn(hidden = [2]))
                }
                """, UNSUPPORTED);
        add(c, "symmetrize z2 over affine", phiFlow("normal()", AFFINE + "\n    symmetrize z2", ""), RUN);
        add(c, "symmetrize z2 over spline", phiFlow("normal()",
                "spline(mask = checkerboard(parity = 0), net = cnn(hidden = [2]), bins = 4)\n    symmetrize z2", ""), RUN);
        // transforms
        add(c, "layer:gradient_flow", gradientFlow("su3", "rectangle()", "cg3"), RUN);
        add(c, "gradient_flow on U(1)", gradientFlow("u1", "rectangle(), rectangle(r = 2, t = 1)", "cg2"), RUN);
        add(c, "gradient_flow on SU(2)", gradientFlow("su2", "rectangle()", "euler"), RUN);
        add(c, "gradient_flow with a loop that passes a link twice", gradientFlow("su2", "rectangle(), path(steps = [1, 2, -1, -2, 1, 2, -1, -2])", "cg3"), RUN);
        add(c, "gradient_flow on SU(3) at Lüscher's next-to-leading order", gradientFlow("su3", "rectangle(), rectangle(r = 2, t = 1), "
                + "path(steps = [1, 2, -1, -2, 1, -2, -1, 2]), trace_product(first = rectangle(), second = rectangle()), "
                + "trace_product(first = rectangle(), second = rectangle(), conjugate = true), "
                + "trace_product(first = path(steps = [1, 2, -1, -2]), second = path(steps = [1, -2, -1, 2])), "
                + "trace_product(first = path(steps = [1, 2, -1, -2]), second = path(steps = [1, -2, -1, 2]), conjugate = true)", "cg3")
                .replace("perturbative = 1", "perturbative = 2"), RUN);
        add(c, "gradient_flow with a trace product of trace products", gradientFlow("su3",
                "rectangle(), trace_product(first = trace_product(first = rectangle(), second = rectangle()), second = rectangle())", "cg3"),
                new Refused(ErrorCode.E0606));
        add(c, "gradient_flow on U(1) at Lüscher's next-to-leading order", gradientFlow("u1",
                "rectangle(), path(steps = [1, 2, -1, -2, 1, 2, -1, -2]), path(steps = [1, 2, -1, -2, 1, -2, -1, 2]), rectangle(r = 2, t = 1)", "cg3")
                .replace("perturbative = 1", "perturbative = 2"), RUN);
        add(c, "gradient_flow on SU(2) at next-to-leading order without its terms", gradientFlow("su2", "rectangle()", "cg3")
                .replace("perturbative = 1", "perturbative = 2"), new Refused(ErrorCode.E0606));
        add(c, "gradient_flow on SU(2) at Lüscher's next-to-leading order", gradientFlow("su2", "rectangle(), trace_product(first = rectangle(), "
                + "second = rectangle()), rectangle(r = 2, t = 1), trace_product(first = path(steps = [1, 2, -1, -2]), second = path(steps = [1, -2, -1, 2]))",
                "cg3").replace("perturbative = 1", "perturbative = 2"), RUN);
        add(c, "loop:rectangle", gradientFlow("u1", "rectangle(), rectangle(r = 1, t = 2)", "cg3"), RUN);
        add(c, "loop:path", gradientFlow("u1", "rectangle(), path(steps = [1, 1, 2, -1, 2, -1, -2, -2])", "cg3"), RUN);
        add(c, "loop:trace_product", gradientFlow("su3", "rectangle(), trace_product(first = rectangle(), second = rectangle(), conjugate = true)", "cg3"), RUN);
        add(c, "trace_product on U(1)", gradientFlow("u1", "rectangle(), trace_product(first = path(steps = [1, 2, -1, -2]), second = path(steps = [1, -2, -1, 2]))", "cg3"), RUN);
        add(c, "integrator:euler", gradientFlow("u1", "rectangle()", "euler"), RUN);
        add(c, "integrator:cg2", gradientFlow("u1", "rectangle()", "cg2"), RUN);
        add(c, "integrator:cg3", gradientFlow("u1", "rectangle()", "cg3"), RUN);
        add(c, "transform:ncp_mixture", gaugeFlow("ncp_mixture(components = 3)", ""), RUN);
        add(c, "transform:circular_spline", gaugeFlow("circular_spline(bins = 4)", ""), RUN);
        add(c, "transform:circular_spline with a learned end slope", gaugeFlow("circular_spline(bins = 4, learn_end_derivative = true)", ""), RUN);
        // masks
        add(c, "mask:checkerboard", phiFlow("normal()", AFFINE, ""), RUN);
        add(c, "mask:stripes", phiFlow("normal()", "affine(mask = stripes(axis = 1, period = 2, offset = 1), net = cnn(hidden = [2]))", ""), RUN);
        add(c, "mask:link_mask", gaugeFlow("ncp_mixture(components = 2)", ""), RUN);
        // lattice functions, in a U(1) action and observables
        add(c, "function:plaquette", u1Hmc("[4, 4]", "plaquette_mean"), HMC);
        add(c, "function:re", gaugeObservable("re(plaquette(U, x, 0, 1))"), HMC);
        add(c, "function:im", gaugeObservable("im(plaquette(U, x, 0, 1))"), HMC);
        add(c, "function:arg", gaugeObservable("arg(plaquette(U, x, 0, 1))"), HMC);
        add(c, "function:conj", gaugeObservable("re(conj(plaquette(U, x, 0, 1)))"), HMC);
        add(c, "function:tr", gaugeObservable("re(tr(plaquette(U, x, 0, 1)))"), HMC);
        add(c, "function:wilson_loop", gaugeObservable("re(wilson_loop(U, x, 0, 1, 1, 2))"), HMC);
        add(c, "function:adj", gaugeObservable("re(adj(plaquette(U, x, 0, 1)))"), HMC);
        // ... and on SU(N) links, where loops are matrices and numbers come from traces
        add(c, "SU(2) tr, im", sunObservable("im(tr(plaquette(U, x, 0, 1)))"), HMC);
        add(c, "SU(2) adj of a trace", sunObservable("im(adj(tr(plaquette(U, x, 0, 1))))"), HMC);
        add(c, "SU(2) wilson_loop", sunObservable("re(tr(wilson_loop(U, x, 0, 1, 2, 1)))"), HMC);
        add(c, "SU(2) products of links, adj", sunObservable("sum mu < nu { re(tr(U[x, mu] * U[x + mu, nu] * adj(U[x + nu, mu]) * conj(U[x, nu]))) }"), HMC);
        add(c, "SU(2) re of an untraced loop", sunObservable("re(plaquette(U, x, 0, 1))"), new Refused(ErrorCode.E0500));
        add(c, "SU(2) arg of a trace", sunObservable("arg(tr(plaquette(U, x, 0, 1)))"), UNSUPPORTED);
        add(c, "SU(3) in 3D, hmc", "use std.theories.su3\ntheory G = su3(lattice = [4, 4, 4], beta = 5.0)\nhmc G { measure plaquette_mean }\n", HMC);
        add(c, "SU(2) flow of a prior alone", "use std.theories.su2\ntheory G = su2(lattice = [4, 4], beta = 2.0)\nflow g for G {\n    prior haar\n}\n",
                RUN);
        // field kinds and dimensions
        add(c, "field:REAL", PHI4 + "hmc T { measure phi2 }\n", HMC);
        add(c, "field:U1", u1Hmc("[4, 4]", "plaquette_mean"), HMC);
        add(c, "field:SUN", """
                theory S(lattice: shape, beta: real) {
                    field U: SU(2) on links
                    action -beta * sum x { sum mu < nu { re(tr(plaquette(U, x, mu, nu))) } }
                }
                theory G = S(lattice = [4, 4], beta = 1.0)
                hmc G { trajectories 2 }
                """, HMC);
        add(c, "real field in 3D, flow", PHI4.replace("[4, 4]", "[4, 4, 4]") + "flow f for T {\n    prior normal()\n    " + AFFINE + "\n}\n", RUN);
        add(c, "real field in 4D, hmc", PHI4.replace("[4, 4]", "[4, 4, 4, 4]") + "hmc T { measure magnetization }\n", HMC);
        add(c, "U(1) in 3D, hmc", u1Hmc("[4, 4, 4]", "plaquette_mean, topological_charge"), HMC);
        add(c, "U(1) in 4D, hmc", u1Hmc("[4, 4, 4, 4]", "plaquette_mean"), HMC);
        add(c, "U(1) in 3D, measure topological_susceptibility", u1Hmc("[4, 4, 4]", "topological_susceptibility"), UNSUPPORTED);
        for (String m : List.of("polyakov_loop", "wilson_loops")) {
            add(c, "U(1) in 3D, measure " + m, u1Hmc("[4, 4, 4]", m), HMC);
            add(c, "SU(2) in 4D, measure " + m, "use std.theories.su2\ntheory G = su2(lattice = [2, 2, 2, 4], beta = 2.0)\nhmc G { trajectories 2  measure "
                    + m + " }\n", HMC);
        }
        add(c, "flow of a prior alone", PHI4 + "flow f for T {\n    prior normal()\n}\n", RUN);
        add(c, "U(1) flow of a prior alone in 3D", """
                use std.theories.u1
                theory G = u1(lattice = [4, 4, 4], beta = 1.0)
                flow g for G {
                    prior haar
                }
                sample g { measure plaquette_mean, topological_charge, acceptance }
                """, RUN);
        add(c, "U(1) flow sampled with the 2D built-ins", gaugeFlow("ncp_mixture(components = 2)",
                "sample g { measure plaquette_mean, topological_susceptibility, polyakov_loop, wilson_loops, ess }\n"), RUN);
        add(c, "non-integer power in an action", actionWith("phi[x]^2.5"), UNSUPPORTED);
        // ... and what its help suggests instead
        add(c, "power as exp(y * log(x)) in an action", actionWith("exp(2.5 * log(phi[x]^2 + 1.0))"), HMC);
        // run-block settings: every choice, every other setting with a legal value
        Map<String, String> values = new java.util.HashMap<>(Map.of("batch", "4", "steps", "2", "seed", "3", "checkpoint_every", "1",
                "log_every", "1", "lr_decay", "0.5", "count", "16", "thermalize", "1", "trajectories", "2", "step_size", "0.05"));
        values.put("target_acceptance", "0.8");
        for (Item.RunKind kind : Item.RunKind.values()) {
            for (String setting : RunChecker.settingNames(kind)) {
                if (setting.equals("measure")) continue;
                List<String> choices = RunChecker.choiceNames(kind, setting);
                List<String> written = choices.isEmpty() ? List.of(values.getOrDefault(setting, "2")) : choices;
                for (String value : written) {
                    String key = kind.keyword() + "." + setting + (choices.isEmpty() ? "" : "=" + value);
                    Expect expect = choices.isEmpty() || RuntimeSupport.runsChoice(setting, value) ? (kind == Item.RunKind.HMC ? HMC : RUN) : UNSUPPORTED;
                    // flow-HMC's own settings are read only with `method flow_hmc` (without it they are E0701, below)
                    String method = kind == Item.RunKind.SAMPLE && FLOW_HMC_SETTINGS.contains(setting) ? "method flow_hmc  " : "";
                    // ... and target_acceptance tunes on thermalization trajectories only (none is E0701, below)
                    if (setting.equals("target_acceptance")) method += "thermalize 2  ";
                    add(c, key, runBlock(kind, method + setting + " " + value), expect);
                    // every argument of a choice the runtime implements: honoured, or refused at the argument
                    if (choices.isEmpty() || !RuntimeSupport.runsChoice(setting, value)) continue;
                    for (String parameter : RunChecker.choiceParameters(kind, setting, value)) {
                        add(c, key + "(" + parameter + ")", runBlock(kind, setting + " " + value + "(" + parameter + " = " + ARGUMENTS.get(parameter) + ")"),
                                RuntimeSupport.runsChoiceArgument(value, parameter) ? (kind == Item.RunKind.HMC ? HMC : RUN) : UNSUPPORTED);
                    }
                }
            }
        }
        add(c, "flow_hmc's step_size without method flow_hmc", runBlock(Item.RunKind.SAMPLE, "method independence_metropolis  step_size 0.05"),
                new Refused(ErrorCode.E0701));
        add(c, "flow_hmc with every setting", runBlock(Item.RunKind.SAMPLE,
                "method flow_hmc  thermalize 2  step_size 0.05  md_steps 3  integrator omelyan  target_acceptance 0.7  seed 4  "
                        + "measure magnetization, acceptance, ess"), RUN);
        add(c, "target_acceptance without method flow_hmc", runBlock(Item.RunKind.SAMPLE,
                "method independence_metropolis  thermalize 2  target_acceptance 0.8"), new Refused(ErrorCode.E0701));
        add(c, "target_acceptance with thermalize 0", runBlock(Item.RunKind.SAMPLE, "method flow_hmc  thermalize 0  target_acceptance 0.8"),
                new Refused(ErrorCode.E0701));
        add(c, "target_acceptance without thermalize", runBlock(Item.RunKind.SAMPLE, "method flow_hmc  target_acceptance 0.8"),
                new Refused(ErrorCode.E0701));
        for (String outside : List.of("0", "1", "1.5", "-0.2")) {
            add(c, "target_acceptance " + outside, runBlock(Item.RunKind.SAMPLE, "method flow_hmc  thermalize 2  target_acceptance " + outside),
                    new Refused(ErrorCode.E0701));
        }
        add(c, "flow_hmc on U(1) links", gaugeFlow("ncp_mixture(components = 2)", "sample g { method flow_hmc }\n"), UNSUPPORTED);
        // built-in measurements, each for the field kind it is defined on
        for (var m : RunChecker.builtinMeasures().entrySet()) {
            if (m.getValue().isEmpty()) add(c, "measure:" + m.getKey(), runBlock(Item.RunKind.SAMPLE, "measure magnetization, " + m.getKey()), RUN);
            for (FieldSpec.Kind kind : m.getValue()) {
                String key = "measure:" + m.getKey() + " on " + kind;
                switch (kind) {
                    case U1 -> add(c, key, u1Hmc("[4, 4]", m.getKey()), HMC);
                    case SUN -> {
                        add(c, key, sunHmc("su2", "[4, 4]", m.getKey()), HMC);
                        add(c, key + ", SU(3)", sunHmc("su3", "[4, 4]", m.getKey()), HMC);
                        add(c, key + " in 3D", sunHmc("su3", "[4, 4, 4]", m.getKey()), HMC);
                    }
                    default -> add(c, key, runBlock(Item.RunKind.SAMPLE, "measure magnetization, " + m.getKey()), RUN);
                }
            }
        }
        return c;
    }

    /** The `sample` settings that only `method flow_hmc` takes. */
    private static final List<String> FLOW_HMC_SETTINGS = List.of("step_size", "md_steps", "integrator", "target_acceptance");

    /** A legal value for each parameter of a run-setting choice. */
    private static final Map<String, String> ARGUMENTS = Map.of("lr", "0.01", "beta1", "0.8", "beta2", "0.99", "eps", "1e-6",
            "momentum", "0.5", "weight_decay", "0.1", "decay", "0.9", "every", "1", "factor", "0.5", "floor", "0.1");

    private static String runBlock(Item.RunKind kind, String setting) {
        return switch (kind) {
            case TRAIN -> phiFlow("normal()", AFFINE, "train f { " + setting + " }\n");
            case SAMPLE -> phiFlow("normal()", AFFINE, "sample f { " + setting + " }\n");
            case HMC -> PHI4 + "hmc T { " + setting + " }\n";
        };
    }

    private static void add(Map<String, Case> cases, String construct, String script, Expect expect) {
        if (cases.put(construct, new Case(construct, script, expect)) != null) throw new IllegalStateException("two cases for " + construct);
    }

    record Outcome(int exit, String out, String err) {
        String all() { return out + err; }
    }

    private static Outcome cli(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int exit = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Outcome(exit, out.toString(), err.toString());
    }

    private Outcome execute(Runs runs, Path script, String name) {
        return runs.command().equals("run")
                ? cli("run", script.toString(), "--color=never", "--no-progress", "--steps", "2", "--batch", "4", "--count", "16",
                        "--out", dir.resolve("out-" + name).toString())
                : cli("hmc", script.toString(), "--color=never", "--trajectories", "2", "--thermalize", "0", "--chains", "2",
                        "--md-steps", "2", "--out", dir.resolve("hmc-" + name).toString());
    }

    @TestFactory
    Stream<DynamicTest> everyConstructIsRefusedByCheckOrRuns() {
        return cases().values().stream().map(c -> DynamicTest.dynamicTest(c.construct(), () -> {
            String name = c.construct().replaceAll("[^A-Za-z0-9_]+", "_");
            Path script = dir.resolve(name + ".flow");
            Files.writeString(script, c.script());
            Outcome check = cli("check", "--color=never", script.toString());
            switch (c.expect()) {
                case Refused r -> {
                    assertEquals(1, check.exit(), () -> c.construct() + ": check should refuse it\n" + c.script() + check.all());
                    assertTrue(check.err().contains("error[" + r.code().id() + "]"),
                            () -> c.construct() + ": expected " + r.code().id() + "\n" + c.script() + check.all());
                    // Every command that would run it sees the same error, before running anything.
                    for (String command : List.of("train", "sample", "run", "hmc")) {
                        Outcome o = command.equals("hmc") ? execute(HMC, script, name)
                                : cli(command, script.toString(), "--color=never", "--out", dir.resolve(command + "-" + name).toString());
                        assertEquals(1, o.exit(), () -> c.construct() + ": `" + command + "` should refuse it\n" + o.all());
                        assertTrue(o.err().contains("error[" + r.code().id() + "]"), () -> c.construct() + ", " + command + ":\n" + o.all());
                    }
                }
                case Runs runs -> {
                    assertEquals(0, check.exit(), () -> c.construct() + ": check should accept it\n" + c.script() + check.all());
                    Outcome o = execute(runs, script, name);
                    assertEquals(0, o.exit(), () -> c.construct() + ": check accepted it, so `" + runs.command() + "` must run it\n"
                            + c.script() + o.all());
                    assertFalse(o.all().contains("Exception") || o.all().contains("internal error"), () -> c.construct() + ":\n" + o.all());
                }
            }
        }));
    }

    /** The law covers the whole language: a new primitive, field kind, setting or measurement needs a case. */
    @Test
    void everyPrimitiveFieldKindSettingAndMeasurementHasACase() {
        var keys = cases().keySet();
        List<String> missing = new ArrayList<>();
        for (var kind : Primitives.all().keySet()) {
            for (String name : Primitives.names(kind)) if (!keys.contains(kind + ":" + name)) missing.add(kind + ":" + name);
        }
        for (String a : Primitives.names("activation")) if (!keys.contains("action-activation:" + a)) missing.add("action-activation:" + a);
        for (FieldSpec.Kind k : FieldSpec.Kind.values()) if (!keys.contains("field:" + k)) missing.add("field:" + k);
        for (Item.RunKind kind : Item.RunKind.values()) {
            for (String setting : RunChecker.settingNames(kind)) {
                if (setting.equals("measure")) continue;
                List<String> choices = RunChecker.choiceNames(kind, setting);
                if (choices.isEmpty() && !keys.contains(kind.keyword() + "." + setting)) missing.add(kind.keyword() + "." + setting);
                for (String choice : choices) {
                    String key = kind.keyword() + "." + setting + "=" + choice;
                    if (!keys.contains(key)) missing.add(key);
                    if (!RuntimeSupport.runsChoice(setting, choice)) continue;
                    for (String p : RunChecker.choiceParameters(kind, setting, choice)) if (!keys.contains(key + "(" + p + ")")) missing.add(key + "(" + p + ")");
                }
            }
        }
        for (var m : RunChecker.builtinMeasures().entrySet()) {
            List<String> wanted = m.getValue().isEmpty() ? List.of("measure:" + m.getKey())
                    : m.getValue().stream().map(k -> "measure:" + m.getKey() + " on " + k).toList();
            for (String key : wanted) if (!keys.contains(key)) missing.add(key);
        }
        assertEquals(List.of(), missing, "constructs without a check ⇔ run case");
        assertEquals(new TreeSet<>(RuntimeSupport.FIELD_KINDS), new TreeSet<>(List.of(FieldSpec.Kind.REAL, FieldSpec.Kind.U1, FieldSpec.Kind.SUN)),
                "the field kinds the cases expect to run");
    }
}
