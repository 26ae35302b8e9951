package org.equiflow.physics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.check.CheckedProgram;
import org.equiflow.compiler.check.RuntimeSupport;
import org.equiflow.compiler.model.BuiltinMeasurement;
import org.equiflow.compiler.model.FieldKind;
import org.equiflow.compiler.model.FieldKinds;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.prior.PriorSampler;
import org.equiflow.compiler.model.PriorSpec;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The law of every implemented field kind: its compiler descriptor ({@link FieldKinds}) and its
 * runtime behaviour ({@link FieldBehaviours}) are registered under the same name, its HMC moves
 * are reversible and its stored values are the kind's representatives, and every built-in
 * measurement {@code check} accepts for it is measured. One row per kind in {@link #ROWS}, a
 * 2D theory of that kind and a prior that draws configurations of it; a kind registered without a
 * row fails {@link #everyFieldKindHasARow}.
 */
class FieldKindLawTest {
    private record Row(String script, PriorSpec prior) {}

    private static final Map<String, Row> ROWS = new LinkedHashMap<>();

    static {
        ROWS.put("real_scalar", new Row("use std.theories.phi4\ntheory T = phi4(lattice = [4, 6], m2 = -4.0, lambda = 8.0)\n",
                new PriorSpec("normal", Map.of("sigma", 1.0))));
        ROWS.put("u1_link", new Row("use std.theories.u1\ntheory T = u1(lattice = [4, 6], beta = 2.0)\n",
                new PriorSpec("haar", Map.of())));
        ROWS.put("sun_link", new Row("use std.theories.su3\ntheory T = su3(lattice = [4, 6], beta = 5.0)\n",
                new PriorSpec("haar", Map.of())));
    }

    @TempDir
    Path dir;

    @Test
    void everyFieldKindHasARow() {
        assertEquals(FieldKinds.all().stream().map(FieldKind::name).toList(), List.copyOf(ROWS.keySet()), "one row per field kind");
    }

    /** The compiler's descriptors, the runtime's behaviours and check's table of what runs list the same kinds. */
    @Test
    void descriptorsBehavioursAndRuntimeSupportAgree() {
        assertEquals(FieldKinds.all().stream().map(FieldKind::name).toList(), FieldBehaviours.all().stream().map(FieldBehaviour::name).toList());
        assertEquals(new TreeSet<>(RuntimeSupport.FIELD_KINDS), new TreeSet<>(FieldKinds.all().stream().map(FieldKind::kind).toList()));
        // A name may be shared by kinds (polyakov_loop of U(1) and SU(N)), but within one kind, with the sampler's, it is unique.
        for (FieldKind k : FieldKinds.all()) {
            List<String> measurements = new ArrayList<>(BuiltinMeasurement.SAMPLER.stream().map(BuiltinMeasurement::name).toList());
            k.measurements().forEach(m -> measurements.add(m.name()));
            assertEquals(measurements.size(), new TreeSet<>(measurements).size(), k.name() + " names a built-in measurement twice: " + measurements);
        }
    }

    @TestFactory
    List<DynamicTest> everyFieldKindObeysItsLaw() {
        return FieldKinds.all().stream().filter(k -> ROWS.containsKey(k.name()))
                .map(k -> DynamicTest.dynamicTest(k.name(), () -> law(k, ROWS.get(k.name())))).toList();
    }

    private void law(FieldKind kind, Row row) throws IOException {
        Path script = dir.resolve(kind.name() + ".flow");
        Files.writeString(script, row.script());
        var checked = Compiler.check(script, script.getFileName().toString(), Map.of());
        assertTrue(checked.ok(), checked.toString());
        CheckedProgram program = checked.program().orElseThrow();
        TheoryInstance theory = program.theories().get(0);
        assertEquals(kind, FieldKinds.of(theory.field()), "the row's theory has a field of this kind");
        FieldBehaviour behaviour = FieldBehaviours.of(theory.field());
        int[] lattice = theory.lattice().sizes().stream().mapToInt(Integer::intValue).toArray();
        Shape shape = new Shape(3, kind.components(theory.field(), lattice.length), lattice);
        assertEquals(theory.valuesPerConfiguration(), shape.size() / shape.batch());
        var random = new SplittableRandom(11);

        Tensor x = new PriorSampler(row.prior(), theory.lattice(), theory.field()).sample(shape, DType.F64, random);
        Tensor momentum = behaviour.momentum(shape, random);
        assertEquals(shape, momentum.shape());
        double sum = 0, squares = 0;
        for (int i = 0; i < momentum.size(); i++) {
            sum += momentum.get(i);
            squares += momentum.get(i) * momentum.get(i);
        }
        int n = momentum.size();
        long degrees = behaviour.momentumDegrees(shape) * shape.batch();
        assertEquals(0, sum / n, 5 / Math.sqrt(n), "momenta have mean 0");
        assertEquals(1, squares / degrees, 5 * Math.sqrt(2.0 / degrees),
                "Σπ² is a sum of squares of the kind's independent standard normals: H = ½π² + S");

        // Reversibility, which keeps HMC's Metropolis test exact: moving along p and then along −p returns.
        Tensor moved = x.copy();
        behaviour.drift(moved, momentum, 0.3);
        assertTrue(distance(moved, x) > 0.01, "a drift moves the field");
        Tensor back = moved.copy(), reversed = momentum.copy();
        for (int i = 0; i < reversed.size(); i++) reversed.set(i, -reversed.get(i));
        behaviour.drift(back, reversed, 0.3);
        assertEquals(0, distance(back, x), 1e-12, "drift along −p undoes drift along p");

        // Accepted values are stored as the kind's representatives, and represent the proposal.
        Tensor proposal = x.copy();
        for (int i = 0; i < proposal.size(); i++) proposal.set(i, proposal.get(i) + 7 * momentum.get(i));
        Tensor chain = behaviour.coldStart(shape);
        int perChain = shape.size() / shape.batch();
        behaviour.accept(proposal, chain, perChain, perChain);
        for (int i = 0; i < shape.size(); i++) {
            double stored = chain.get(i), proposed = proposal.get(i);
            boolean accepted = i >= perChain && i < 2 * perChain;
            if (!accepted) assertEquals(behaviour.coldStart(shape).get(i), stored, 0, "only the accepted chain changes");
            else if (kind.compact()) {
                assertTrue(stored >= -Math.PI && stored < Math.PI, "principal value, got " + stored);
                assertEquals(0, Math.IEEEremainder(stored - proposed, 2 * Math.PI), 1e-12, "the same angle");
            } else assertEquals(proposed, stored, 0, "a non-compact field is stored as it is");
        }

        // Every built-in measurement check accepts for the kind is measured; none is measured unasked.
        int count = 64;
        Tensor ensemble = new PriorSampler(row.prior(), theory.lattice(), theory.field()).sample(new Shape(count, shape.channels(), lattice), DType.F64, random);
        float[] configs = new float[ensemble.size()];
        for (int i = 0; i < configs.length; i++) configs[i] = (float) ensemble.get(i);
        Measurements.Report none = Measurements.measure(theory, program.names(), configs, count, List.of());
        assertTrue(none.results().isEmpty() && none.profiles().isEmpty() && none.notes().isEmpty(), "nothing requested, nothing measured");
        assertNull(none.correlator());
        for (BuiltinMeasurement m : kind.measurements()) {
            assertTrue(m.runsIn(lattice.length), m.name() + " runs on the row's 2D lattice");
            Measurements.Report report = Measurements.measure(theory, program.names(), configs, count, List.of(m.name()));
            boolean measured = report.results().stream().anyMatch(r -> r.name().startsWith(stem(m.name())))
                    || report.profiles().stream().anyMatch(p -> p.key().startsWith(m.name()))
                    || report.correlator() != null || report.notes().stream().anyMatch(note -> !note.isEmpty());
            assertTrue(measured, "`measure " + m.name() + "` is accepted by check for " + kind.name() + " but measures nothing");
            for (var r : report.results()) assertFalse(Double.isNaN(r.value()), m.name() + ": " + r);
        }
    }

    /** {@code wilson_loops} reports {@code wilson_loop_1x1}, …: the name without a plural s. */
    private static String stem(String name) { return name.endsWith("s") ? name.substring(0, name.length() - 1) : name; }

    private static double distance(Tensor a, Tensor b) {
        double max = 0;
        for (int i = 0; i < a.size(); i++) max = Math.max(max, Math.abs(a.get(i) - b.get(i)));
        return max;
    }
}
