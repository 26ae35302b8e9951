package org.equiflow.physics;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.equiflow.compiler.model.TheoryInstance;

/**
 * Which theories have an exact answer: one row per standard theory, each naming the class that
 * solves it and decides, from the parameters, whether its solution applies. A new exact
 * solution is one more {@link ExactAnswer} class and one more row.
 */
public final class ExactAnswers {
    private ExactAnswers() {}

    /** Whether an exact answer applies, and if not, why. */
    public sealed interface Lookup permits Known, Unknown {}

    public record Known(ExactAnswer answer) implements Lookup {}

    public record Unknown(String reason) implements Lookup {}

    /** One solved theory: its qualified name ({@code std.theories.phi4}) and the solution for given parameters. */
    public record Row(String theory, String observables, Function<StandardTheory, Lookup> solve) {}

    private static final List<Row> ROWS = List.of(
            new Row("std.theories.phi4", "free field at λ = 0, m² > 0", FreeScalarExact::phi4),
            new Row("std.theories.phi4_standard", "free field at λ = 0, m² > 0", FreeScalarExact::phi4Standard),
            new Row("std.theories.u1", "2D torus, 0 < β ≤ 20", U1TorusExact::of),
            new Row("std.theories.su2", "2D torus, 0 < β ≤ 20", SuNTorusExactAnswer::su2),
            new Row("std.theories.su3", "2D torus, 0 < β ≤ 30", SuNTorusExactAnswer::su3));

    /** The solved theories, for documentation and tests. */
    public static List<Row> rows() { return ROWS; }

    public static Lookup of(StandardTheory theory) {
        Optional<Row> row = ROWS.stream().filter(r -> r.theory().equals(theory.qualifiedName())).findFirst();
        return row.isPresent() ? row.get().solve().apply(theory)
                : new Unknown(theory.qualifiedName() + " has no exact solution here");
    }

    public static Lookup of(TheoryInstance theory) {
        return StandardTheory.of(theory).map(ExactAnswers::of)
                .orElseGet(() -> new Unknown("`" + theory.definition().name().name() + "` is not a theory of " + StandardTheory.MODULE));
    }
}
