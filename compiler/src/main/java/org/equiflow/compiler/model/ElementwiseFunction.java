package org.equiflow.compiler.model;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleUnaryOperator;

/**
 * The elementwise functions of the language, one row each: the one table that the checker
 * (which names exist, which run), the Z2 checker (parity) and lowering (compile-time values)
 * read. The standard prelude declares each row with {@code extern activation}, and a test holds
 * the declaration to the row; the IR op that computes a row is {@code Op.UnaryFn}'s, which names
 * the row, and its runtime primitive is mapped once, in the engine.
 *
 * Rows that run come first, in the order help texts list them.
 */
public enum ElementwiseFunction {
    //          name          parity        runs   value of a number at compile time    parameter
    IDENTITY("identity", Parity.ODD, true, null),
    LEAKY_RELU("leaky_relu", Parity.NONE, true, null, new Parameter("slope", 0.01)),
    /** ReLU is leaky ReLU with slope 0, and lowers to it. */
    RELU("relu", Parity.NONE, true, null),
    TANH("tanh", Parity.ODD, true, Math::tanh),
    SIGMOID("sigmoid", Parity.NONE, true, null),
    ABS("abs", Parity.EVEN, true, Math::abs),
    EXP("exp", Parity.NONE, true, Math::exp),
    LOG("log", Parity.NONE, true, Math::log),
    SIN("sin", Parity.ODD, true, Math::sin),
    COS("cos", Parity.EVEN, true, Math::cos),
    SQUARE("square", Parity.EVEN, true, v -> v * v),
    SINH("sinh", Parity.ODD, false, null),
    COSH("cosh", Parity.EVEN, false, null),
    SQRT("sqrt", Parity.NONE, false, Math::sqrt),
    SOFTPLUS("softplus", Parity.NONE, false, null);

    private final String languageName;
    private final Parity parity;
    private final boolean runs;
    private final DoubleUnaryOperator atCompileTime;
    private final Parameter parameter;

    /** A real parameter with its default, e.g. leaky_relu's {@code slope = 0.01}. */
    public record Parameter(String name, double byDefault) {}

    ElementwiseFunction(String languageName, Parity parity, boolean runs, DoubleUnaryOperator atCompileTime) {
        this(languageName, parity, runs, atCompileTime, null);
    }

    ElementwiseFunction(String languageName, Parity parity, boolean runs, DoubleUnaryOperator atCompileTime, Parameter parameter) {
        this.languageName = languageName;
        this.parity = parity;
        this.runs = runs;
        this.atCompileTime = atCompileTime;
        this.parameter = parameter;
    }

    /** The name a script calls it by, and its prelude declaration declares. */
    public String languageName() { return languageName; }

    /** f(−x) against f(x): what the Z2 checker composes nets and actions with. */
    public Parity parity() { return parity; }

    /** Whether the runtime computes it (with its gradient); `check` refuses the others with E0800. */
    public boolean runs() { return runs; }

    /** Its one real parameter besides the operand, if it has one. */
    public Optional<Parameter> parameter() { return Optional.ofNullable(parameter); }

    /** The parameter's value among a call's named arguments, or its default. */
    public double parameterValue(Map<String, Object> arguments) {
        return ((Number) arguments.getOrDefault(parameter.name(), parameter.byDefault())).doubleValue();
    }

    /** Its value at a number, where lowering folds a call on a constant; empty where it does not. */
    public Optional<DoubleUnaryOperator> atCompileTime() { return Optional.ofNullable(atCompileTime); }

    public static Optional<ElementwiseFunction> named(String languageName) {
        return Arrays.stream(values()).filter(f -> f.languageName.equals(languageName)).findFirst();
    }

    /** Every name, in table order. */
    public static List<String> languageNames() {
        return Arrays.stream(values()).map(ElementwiseFunction::languageName).toList();
    }

    /** The names of the rows that run, in table order. */
    public static List<String> runningNames() {
        return Arrays.stream(values()).filter(ElementwiseFunction::runs).map(ElementwiseFunction::languageName).toList();
    }
}
