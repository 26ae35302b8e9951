package org.equiflow.physics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.equiflow.compiler.model.TheoryInstance;

/**
 * A theory instance recognised as one of the standard library's theories (std/theories.flow),
 * with its numeric parameters: what an exact answer needs to know about a run. A user theory
 * that merely shares a standard theory's name is not recognised, since its action may differ.
 *
 * @param name       the standard theory's name, e.g. {@code phi4} or {@code u1}
 * @param parameters its numeric arguments (m2, lambda, beta, …) with the {@code --set} values applied
 * @param lattice    the lattice extents
 */
public record StandardTheory(String name, Map<String, Double> parameters, List<Integer> lattice) {
    /** The module whose theories are recognised, as a script names it in {@code use}. */
    public static final String MODULE = "std.theories";
    private static final String SOURCE = "std/theories.flow";

    public StandardTheory {
        parameters = Map.copyOf(parameters);
        lattice = List.copyOf(lattice);
    }

    /** The theory of {@code instance} when it is a standard one, defined by the standard library's own text. */
    public static Optional<StandardTheory> of(TheoryInstance instance) {
        var source = instance.definition().span().file();
        if (!source.displayName().equals(SOURCE) || !source.text().equals(standardText())) return Optional.empty();
        return Optional.of(new StandardTheory(instance.definition().name().name(), numeric(instance.parameters()),
                instance.lattice().sizes()));
    }

    /**
     * The standard theory recorded in a run directory as {@link #qualifiedName()} with the parameters as
     * written there; empty when the name is not one of {@link #MODULE}'s.
     */
    public static Optional<StandardTheory> recorded(String qualifiedName, Map<String, ?> parameters, List<Integer> lattice) {
        if (qualifiedName == null || !qualifiedName.startsWith(MODULE + ".")) return Optional.empty();
        return Optional.of(new StandardTheory(qualifiedName.substring(MODULE.length() + 1), numeric(parameters), lattice));
    }

    /** {@code std.theories.phi4}: the name a script imports, and what a run directory records. */
    public String qualifiedName() { return MODULE + "." + name; }

    /** A numeric parameter; NaN when the theory has none of that name. */
    public double parameter(String parameter) { return parameters.getOrDefault(parameter, Double.NaN); }

    /** The number of sites. */
    public int volume() {
        int volume = 1;
        for (int extent : lattice) volume *= extent;
        return volume;
    }

    private static Map<String, Double> numeric(Map<String, ?> parameters) {
        Map<String, Double> numbers = new LinkedHashMap<>();
        parameters.forEach((key, value) -> { if (value instanceof Number n) numbers.put(key, n.doubleValue()); });
        return numbers;
    }

    private static String standardText() {
        try (InputStream in = StandardTheory.class.getClassLoader().getResourceAsStream(SOURCE)) {
            if (in == null) throw new IllegalStateException(SOURCE + " is not on the classpath: the standard library is missing");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the standard library's " + SOURCE, e);
        }
    }
}
