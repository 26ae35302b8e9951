package org.equiflow.compiler.check;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.equiflow.compiler.model.FieldKind;
import org.equiflow.compiler.model.FieldKinds;
import org.equiflow.compiler.model.ElementwiseFunction;
import org.equiflow.compiler.model.FieldSpec;

/**
 * What the runtime executes today: the one table that the checker (refusing the rest with E0800
 * at its source position), lowering (its help texts) and the docs test
 * ({@code docs/language.md}, "What runs today") all read. {@link Primitives} is what the
 * language defines; this is the part of it that runs, plus the field kinds and run settings.
 *
 * The lowering in {@code org.equiflow.compiler.ir.Lowering} is what actually decides whether a
 * construct runs; a law test walks every entry of {@link Primitives} and every setting choice
 * and asserts that a script using it is either refused by {@code check} or runs, so this table
 * and the lowering cannot drift apart silently.
 */
public final class RuntimeSupport {
    private RuntimeSupport() {}

    /** Activations the runtime computes (with gradients) as conditioner-net stages and elementwise in actions. */
    public static final List<String> ACTIVATIONS = ElementwiseFunction.runningNames();

    /** Net stages the runtime computes: periodic convolutions (and the activations above). */
    public static final List<String> NETS = List.of("conv");

    public static final List<String> PRIORS = List.of("normal", "free_field", "haar");

    public static final List<String> LAYERS = List.of("affine", "spline", "plaquette_coupling", "spectral_coupling", "gradient_flow");

    /** Layers the runtime can invert, which `symmetrize z2` needs for log q_f(−x). */
    public static final List<String> INVERTIBLE_LAYERS = List.of("affine", "spline", "plaquette_coupling with circular_spline", "spectral_coupling");

    public static final List<String> TRANSFORMS = List.of("ncp_mixture", "circular_spline");

    /** Loop shapes of gradient-flow potentials, and the integrators on the group that flow them. */
    public static final List<String> LOOPS = List.of("rectangle", "path", "trace_product");

    public static final List<String> INTEGRATORS = List.of("euler", "cg2", "cg3");

    public static final List<String> MASKS = List.of("checkerboard", "stripes", "link_mask");

    /** Lattice functions of actions and observables, on U(1) and SU(N) links. */
    public static final List<String> FUNCTIONS = List.of("re", "im", "arg", "conj", "adj", "tr", "plaquette", "wilson_loop");

    /** Field kinds the runtime integrates, trains and measures: those {@link FieldKinds} lists. */
    public static final Set<FieldSpec.Kind> FIELD_KINDS = FieldKinds.all().stream().map(FieldKind::kind)
            .collect(Collectors.toUnmodifiableSet());

    /**
     * Run-block choices the runtime implements, by setting. A choice the language accepts but
     * the runtime does not is refused with E0800 at the value; {@link #CHOICE_ALTERNATIVE}
     * says what to write instead.
     */
    public static final Map<String, List<String>> CHOICES = choices();

    /** The losses that evaluate log q of configurations they did not draw, through the inverse flow. */
    public static final List<String> LOSSES_THROUGH_THE_INVERSE = List.of("path_gradient", "reinforce");

    /** What to write instead of a choice the runtime does not implement, by setting. */
    public static final Map<String, String> CHOICE_ALTERNATIVE = Map.of(
            "optimizer", "use `optimizer adam(lr = 1e-3)` or `optimizer adamw(lr = 1e-3, weight_decay = 0.01)`");

    /**
     * Arguments of implemented choices that the runtime reads, by choice; an argument the
     * language accepts but the runtime would silently replace by its default is refused with
     * E0800 at the argument. A choice not listed here takes no arguments.
     */
    public static final Map<String, List<String>> CHOICE_ARGUMENTS = Map.of(
            "adam", List.of("lr", "beta1", "beta2", "eps"),
            "adamw", List.of("lr", "beta1", "beta2", "eps", "weight_decay"),
            "exponential", List.of("decay"),
            "step", List.of("every", "factor"),
            "cosine", List.of("floor"));

    private static Map<String, List<String>> choices() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("loss", List.of("reverse_kl", "path_gradient", "reinforce"));
        m.put("optimizer", List.of("adam", "adamw"));
        m.put("lr_schedule", List.of("constant", "exponential", "step", "cosine"));
        m.put("method", List.of("independence_metropolis", "reweighting", "flow_hmc"));
        m.put("integrator", List.of("leapfrog", "omelyan"));
        m.put("precision", List.of("f32", "f64"));
        return m;
    }

    /** Primitives by the kind their {@code extern} declaration names, as {@link Primitives#all()} lists them. */
    public static List<String> primitives(String kind) {
        return switch (kind) {
            case "activation" -> ACTIVATIONS;
            case "net" -> NETS;
            case "prior" -> PRIORS;
            case "layer" -> LAYERS;
            case "transform" -> TRANSFORMS;
            case "loop" -> LOOPS;
            case "integrator" -> INTEGRATORS;
            case "mask" -> MASKS;
            case "function" -> FUNCTIONS;
            default -> List.of();
        };
    }

    public static boolean runs(String kind, String name) { return primitives(kind).contains(name); }

    public static boolean runsChoice(String setting, String choice) {
        List<String> implemented = CHOICES.get(setting);
        return implemented == null || implemented.contains(choice);
    }

    public static boolean runsChoiceArgument(String choice, String argument) {
        return CHOICE_ARGUMENTS.getOrDefault(choice, List.of()).contains(argument);
    }

    /** A list for help texts: {@code identity, leaky_relu, …}. */
    public static String list(List<String> names) { return String.join(", ", names); }
}
