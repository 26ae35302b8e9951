package org.equiflow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import org.equiflow.tensor.PrimitiveCases.Case;

/**
 * Every primitive's VJP against central finite differences in float64, and every primitive's
 * float32 forward against its float64 forward. The primitives are enumerated from the sealed
 * {@link Primitive} hierarchy, so a new primitive without a case here fails
 * {@link #everyPrimitiveHasACase()}.
 */
class PrimitiveGradientCheckTest {

    private static final double STEP = 1e-5;
    private static final double RELATIVE_TOLERANCE = 1e-6;

    private final PrimitiveCases table = new PrimitiveCases(20260122L);
    private final SplittableRandom random = new SplittableRandom(20260123L);

    private Tensor randn(Shape shape) {
        return Tensor.randn(shape, DType.F64, random);
    }

    private Map<Class<?>, List<Case>> cases() {
        return table.all();
    }

    private static Set<Class<?>> primitiveClasses() {
        return PrimitiveCases.primitiveClasses();
    }

    @Test
    void everyPrimitiveHasACase() {
        Set<Class<?>> primitives = primitiveClasses();
        assertTrue(primitives.size() >= 25, "expected the full primitive set, found " + primitives);
        Set<Class<?>> missing = new LinkedHashSet<>(primitives);
        missing.removeAll(cases().keySet());
        assertTrue(missing.isEmpty(), "primitives without a gradient-check case: " + missing);
    }

    @TestFactory
    Stream<DynamicTest> vjpMatchesCentralDifferences() {
        return cases().values().stream().flatMap(List::stream)
                .map(c -> DynamicTest.dynamicTest(c.label(), () -> checkVjp(c)));
    }

    @TestFactory
    Stream<DynamicTest> float32ForwardMatchesFloat64() {
        return cases().values().stream().flatMap(List::stream)
                .map(c -> DynamicTest.dynamicTest(c.label(), () -> checkSinglePrecision(c)));
    }

    /**
     * A primitive that declares {@link Primitive#overwritesOutput()} gets recycled, unzeroed
     * result buffers: its forward must assign every element, in both precisions. Checked by
     * computing into a buffer full of NaN.
     */
    @TestFactory
    Stream<DynamicTest> forwardAssignsEveryElementWhereItSaysSo() {
        return cases().values().stream().flatMap(List::stream).filter(c -> c.primitive().overwritesOutput())
                .map(c -> DynamicTest.dynamicTest(c.label(), () -> {
                    for (DType dtype : DType.values()) {
                        List<Tensor> inputs = c.inputs().stream().map(t -> t.to(dtype)).toList();
                        Tensor expected = Ops.apply(c.primitive(), inputs);
                        Tensor dirty = Tensor.full(expected.shape(), dtype, Double.NaN);
                        c.primitive().forward(inputs, dirty);
                        for (int i = 0; i < expected.size(); i++) {
                            assertEquals(expected.get(i), dirty.get(i), 0.0, c.label() + " " + dtype + " element " + i);
                        }
                    }
                }));
    }

    private void checkVjp(Case c) {
        Tensor output = Ops.apply(c.primitive(), c.inputs());
        Tensor cotangent = randn(output.shape());
        int checked = 0;
        for (int k = 0; k < c.inputs().size(); k++) {
            if (!c.primitive().differentiable(k)) continue;
            checked++;
            Tensor analytic = c.primitive().vjp(k, c.inputs(), output, cotangent);
            assertEquals(c.inputs().get(k).shape(), analytic.shape(), "shape of the VJP for operand " + k);
            assertEquals(DType.F64, analytic.dtype());
            Tensor x = c.inputs().get(k);
            for (int j = 0; j < x.size(); j++) {
                double original = x.get(j);
                x.set(j, original + STEP);
                double plus = dot(cotangent, Ops.apply(c.primitive(), c.inputs()));
                x.set(j, original - STEP);
                double minus = dot(cotangent, Ops.apply(c.primitive(), c.inputs()));
                x.set(j, original);
                double numeric = (plus - minus) / (2 * STEP);
                double error = Math.abs(analytic.get(j) - numeric);
                if (error > RELATIVE_TOLERANCE * Math.max(1.0, Math.abs(numeric))) {
                    fail(c.label() + ": operand " + k + " element " + j + ": VJP " + analytic.get(j)
                            + " vs finite difference " + numeric);
                }
            }
        }
        assertTrue(checked > 0, "no differentiable operand in " + c.label());
    }

    private static double dot(Tensor a, Tensor b) {
        double sum = 0.0;
        for (int i = 0; i < a.size(); i++) sum += a.get(i) * b.get(i);
        return sum;
    }

    private void checkSinglePrecision(Case c) {
        Tensor reference = Ops.apply(c.primitive(), c.inputs());
        List<Tensor> single = c.inputs().stream().map(t -> t.to(DType.F32)).toList();
        Tensor output = Ops.apply(c.primitive(), single);
        assertEquals(DType.F32, output.dtype());
        assertEquals(reference.shape(), output.shape());
        double scale = 0.0;
        for (int i = 0; i < reference.size(); i++) scale = Math.max(scale, Math.abs(reference.get(i)));
        for (int i = 0; i < reference.size(); i++) {
            // Inputs were rounded to float32 too, so compare at a few float32 ulps of the largest entry.
            assertEquals(reference.get(i), output.get(i), 1e-5 * Math.max(1.0, scale), c.label() + " element " + i);
        }
    }
}
