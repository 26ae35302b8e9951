package org.equiflow.truffle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.equiflow.symmetry.SymmetryProbe.allShifts;
import static org.equiflow.symmetry.SymmetryProbe.maxDifference;
import static org.equiflow.symmetry.SymmetryProbe.negate;
import static org.equiflow.symmetry.SymmetryProbe.roll;

import com.oracle.truffle.api.CallTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.check.RuntimeSupport;
import org.equiflow.compiler.ir.IrPasses;
import org.equiflow.compiler.ir.IrProgram;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.ir.LoweringException;
import org.equiflow.compiler.layers.CouplingLayers;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.compiler.model.LayerSpec;
import org.equiflow.compiler.symmetry.FlowSymmetry;
import org.equiflow.compiler.symmetry.Judgement;
import org.equiflow.compiler.symmetry.Status;
import org.equiflow.prior.Priors;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The laws of every registered coupling layer and every prior, one table row each, checked
 * through the whole pipeline (check, lower, passes, Truffle, kernels) in float64 on a 4×4
 * lattice with random parameters scaled away from the identity:
 *
 * <ul>
 *   <li>the log-det is log|det| of the numerical Jacobian (central differences; for SU(2) links
 *       in the local coordinates U → exp(Σ εₐ iσₐ/2)U, {@link SuTwoLinks}; for SU(3) links
 *       U → exp(Σ εₐ iλₐ/2)U with the 8 Gell-Mann matrices, {@link SuThreeLinks});</li>
 *   <li>a layer with an inverse ({@code noInverse} null in {@link CouplingLayers}): the lowered
 *       inverse undoes the forward map and its log-det is minus the forward one; a layer
 *       without one: lowering its inverse is refused, as {@code check} refuses it;</li>
 *   <li>every symmetry the checker ({@link FlowSymmetry}) does not call broken for the layer
 *       holds numerically: Z2 (f(−z) = −f(z)), every lattice shift its verdict allows, and
 *       random gauge transformations (f(g·θ) = g·f(θ); SU(N): U_μ(x) → Ω(x)U_μ(x)Ω(x+μ)†), each
 *       with an invariant log-det;</li>
 *   <li>a prior's log-density is normalised (Gaussians: log r(0) = −n/2·log 2π + ½·log det K,
 *       with K read off the log-density by second differences; Haar: log r = −n·log 2π) and
 *       its exact samples match it (E zᵀKz = n; Haar angles uniform on [−π, π)).</li>
 * </ul>
 *
 * The table must name every layer of {@link CouplingLayers#ALL} and every prior of
 * {@link Priors}: a new layer or prior fails {@link #everyRegisteredLayerHasARow} until it has a
 * row here. ({@code prior.PriorLawTest} holds each prior's sampler to its distribution in more
 * detail; the rows here tie the sampler to the density the flow's {@code log_prior} computes.)
 */
class CouplingLayerLawTest {

    /** Equivariance and inversion hold to rounding (a few ulps of order-one numbers through a few layers). */
    private static final double EXACT = 1e-9;
    /** Central differences of step 1e-6 in float64 (as {@link Determinants#numericalLogDet}). */
    private static final double JACOBIAN = 1e-5;
    /**
     * A gradient flow's log-det is ∫ div Z dt by the integrator's weights: the discrete map's to
     * O(ε^order), a few 1e-3 for these rows (GradientFlowLawTest holds the error to its order).
     */
    private static final double INTEGRATED = 1e-2;

    private static final String PHI4 = """
            use std.theories.phi4
            use std.nets.{cnn, conv}
            use std.masks.{checkerboard, stripes}

            theory T = phi4(lattice = [4, 4], m2 = -4.0, lambda = 8.0)
            """;

    private static final String U1 = """
            use std.theories.u1
            use std.nets.cnn
            use std.gauge.{plaquette_coupling, link_mask, ncp_mixture, circular_spline, gradient_flow, rectangle, path, trace_product, cg2, cg3}

            theory T = u1(lattice = [4, 4], beta = 1.0)
            """;

    private static final String SU2 = """
            use std.theories.su2
            use std.nets.cnn
            use std.gauge.{spectral_coupling, link_mask, gradient_flow, rectangle, path, cg2, cg3}

            theory T = su2(lattice = [4, 4], beta = 2.0)
            """;

    private static final String SU3 = """
            use std.theories.su3
            use std.nets.cnn
            use std.gauge.{spectral_coupling, link_mask, gradient_flow, rectangle, path, trace_product, cg2, cg3}

            theory T = su3(lattice = [4, 4], beta = 5.0)
            """;

    /** A size 4 does not divide, where the plaquette masks are repaired at the wrap-around. */
    private static final String U1_SIX = U1.replace("lattice = [4, 4]", "lattice = [6, 6]");

    /**
     * One coupling layer under test: the registered layer's name, the theory script and the
     * layer's source, whether it has an inverse, and the symmetries the checker must find it to
     * respect (tested numerically; the rest it must find broken).
     */
    record LayerRow(String layer, String label, String theory, String prior, String source, boolean invertible, Set<String> respects) {
        @Override
        public String toString() { return label; }
    }

    static final List<LayerRow> LAYERS = List.of(
            new LayerRow("affine", "affine, even scale and odd shift, checkerboard", PHI4, "normal()",
                    "affine(mask = checkerboard(parity = 0), scale = conv(channels = 4, bias = false) >> tanh >> abs >> conv() >> tanh,"
                            + " shift = cnn(hidden = [4], act = tanh, bias = false))",
                    true, Set.of("z2", "translation")),
            new LayerRow("affine", "affine, one net, stripes", PHI4, "normal()",
                    "affine(mask = stripes(axis = 1, period = 2, offset = 1), net = cnn(hidden = [4]))",
                    true, Set.of("translation")),
            new LayerRow("spline", "spline, checkerboard", PHI4, "normal()",
                    "spline(mask = checkerboard(parity = 1), net = cnn(hidden = [4]), bins = 4, bound = 2.0)",
                    true, Set.of("translation")),
            new LayerRow("plaquette_coupling", "plaquette coupling, NCP mixture", U1, "haar",
                    "plaquette_coupling(links = link_mask(mu = 0, offset = 1), transform = ncp_mixture(components = 2),"
                            + " net = cnn(hidden = [4], act = leaky_relu))",
                    false, Set.of("gauge", "translation")),
            new LayerRow("plaquette_coupling", "plaquette coupling, circular spline", U1, "haar",
                    "plaquette_coupling(links = link_mask(mu = 1, offset = 2), transform = circular_spline(bins = 4),"
                            + " net = cnn(hidden = [4], act = leaky_relu))",
                    true, Set.of("gauge", "translation")),
            // Rezende et al.'s 3K + 1 parameters: the slope shared by the end knots ±π is learned, not 1.
            new LayerRow("plaquette_coupling", "plaquette coupling, circular spline with a learned end slope", U1, "haar",
                    "plaquette_coupling(links = link_mask(mu = 1, offset = 1), transform = circular_spline(bins = 4, learn_end_derivative = true),"
                            + " net = cnn(hidden = [4], act = leaky_relu))",
                    true, Set.of("gauge", "translation")),
            new LayerRow("plaquette_coupling", "plaquette coupling, circular spline, 6×6 (mask repaired at the wrap-around)", U1_SIX, "haar",
                    "plaquette_coupling(links = link_mask(mu = 0, offset = 0), transform = circular_spline(bins = 4),"
                            + " net = cnn(hidden = [4], act = leaky_relu))",
                    true, Set.of("gauge", "translation")),
            // SU(2) rows: latents are Haar links, the Jacobian is taken in local group coordinates, gauge is Ω(x)UΩ(x+μ)†.
            new LayerRow("spectral_coupling", "spectral coupling, SU(2), mu = 0", SU2, "haar",
                    "spectral_coupling(links = link_mask(mu = 0, offset = 1), bins = 4, net = cnn(hidden = [4], act = leaky_relu))",
                    true, Set.of("gauge", "translation")),
            new LayerRow("spectral_coupling", "spectral coupling, SU(2), mu = 1", SU2, "haar",
                    "spectral_coupling(links = link_mask(mu = 1, offset = 2), bins = 4, net = cnn(hidden = [4], act = leaky_relu))",
                    true, Set.of("gauge", "translation")),
            // SU(3) rows: two splines on the Weyl alcove of the plaquette's eigenphases; 8 local coordinates per link.
            new LayerRow("spectral_coupling", "spectral coupling, SU(3), mu = 0", SU3, "haar",
                    "spectral_coupling(links = link_mask(mu = 0, offset = 1), bins = 4, net = cnn(hidden = [4], act = leaky_relu))",
                    true, Set.of("gauge", "translation")),
            new LayerRow("spectral_coupling", "spectral coupling, SU(3), mu = 1", SU3, "haar",
                    "spectral_coupling(links = link_mask(mu = 1, offset = 2), bins = 4, net = cnn(hidden = [4], act = leaky_relu))",
                    true, Set.of("gauge", "translation")),
            // Gradient flows: no mask, every link moves; the log-det is integrated with the flow (cg3, 6 steps: within
            // the Jacobian tolerance), so it matches the numerical Jacobian to the integrator's accuracy. Started
            // from Lüscher's leading order (the knots are zero at first, and stay so when scaled).
            new LayerRow("gradient_flow", "gradient flow, U(1), plaquette and 2×1 loops", U1, "haar",
                    "gradient_flow(loops = [rectangle(), path(steps = [1, 1, 2, -1, -1, -2])], knots = 3, steps = 6, integrator = cg3, perturbative = 1)",
                    false, Set.of("gauge", "translation")),
            new LayerRow("gradient_flow", "gradient flow, SU(2), plaquette", SU2, "haar",
                    "gradient_flow(loops = [rectangle()], steps = 6, perturbative = 1)",
                    false, Set.of("gauge", "translation")),
            new LayerRow("gradient_flow", "gradient flow, SU(3), plaquette and 2×1 loops, cg2", SU3, "haar",
                    "gradient_flow(loops = [rectangle(), rectangle(r = 2, t = 1)], steps = 12, integrator = cg2, perturbative = 1)",
                    false, Set.of("gauge", "translation")),
            // Lüscher's next-to-leading order: loops that pass a link twice and products of traces, with the general Laplacian
            new LayerRow("gradient_flow", "gradient flow, SU(3), next-to-leading order (trace products, twice-passed links)", SU3, "haar",
                    "gradient_flow(loops = [rectangle(), rectangle(r = 2, t = 1), path(steps = [1, 2, -1, -2, 1, 2, -1, -2]), "
                            + "path(steps = [1, 2, -1, -2, 1, -2, -1, 2]), trace_product(first = rectangle(), second = rectangle()), "
                            + "trace_product(first = rectangle(), second = rectangle(), conjugate = true), "
                            + "trace_product(first = path(steps = [1, 2, -1, -2]), second = path(steps = [1, -2, -1, 2])), "
                            + "trace_product(first = path(steps = [1, 2, -1, -2]), second = path(steps = [1, -2, -1, 2]), conjugate = true)], "
                            + "steps = 8, perturbative = 2)",
                    false, Set.of("gauge", "translation")),
            new LayerRow("gradient_flow", "gradient flow, U(1), a product of traces", U1, "haar",
                    "gradient_flow(loops = [rectangle(), trace_product(first = path(steps = [1, 2, -1, -2]), second = path(steps = [1, -2, -1, 2]))], "
                            + "steps = 6, perturbative = 1)",
                    false, Set.of("gauge", "translation")));

    /** One prior under test: its name in {@link RuntimeSupport#PRIORS}, the theory script and the prior's source. */
    record PriorRow(String prior, String theory, String source) {
        @Override
        public String toString() { return prior; }
    }

    static final List<PriorRow> PRIORS = List.of(
            new PriorRow("normal", PHI4, "normal(sigma = 0.7)"),
            new PriorRow("free_field", PHI4, "free_field(m2 = 1.5)"),
            new PriorRow("haar", U1, "haar"));

    @TempDir
    static Path dir;

    // ---- the table is complete --------------------------------------------------------------------

    @Test
    void everyRegisteredLayerHasARow() {
        Set<String> registered = new TreeSet<>();
        CouplingLayers.ALL.forEach(layer -> registered.add(layer.name()));
        Set<String> rows = new TreeSet<>();
        LAYERS.forEach(row -> rows.add(row.layer()));
        assertEquals(registered, rows, "CouplingLayers.ALL and the law table's layer rows must name the same layers");
        assertEquals(new TreeSet<>(RuntimeSupport.LAYERS), registered, "RuntimeSupport.LAYERS and CouplingLayers.ALL");
        Set<String> priors = new TreeSet<>();
        PRIORS.forEach(row -> priors.add(row.prior()));
        assertEquals(new TreeSet<>(Priors.names()), priors, "the registered priors (Priors) and the law table's prior rows");
    }

    // ---- coupling layers ----------------------------------------------------------------------------

    /** A one-layer flow of a row, compiled, with its parameters scaled away from the identity. */
    private record Compiled(FlowModel model, LayerSpec layer, CompiledFlow flow) {}

    private static Compiled compile(String theory, String prior, String layer, String name, long seed) {
        String source = theory + "\nflow f for T {\n    prior " + prior + "\n    " + layer + "\n}\n";
        try {
            Path file = dir.resolve(name.replaceAll("[^A-Za-z0-9]+", "_") + ".flow");
            Files.writeString(file, source);
            Compiler.Result checked = Compiler.check(file, file.getFileName().toString(), Map.of());
            assertTrue(checked.ok(), () -> source + "\n" + checked.diagnostics().all());
            FlowModel model = checked.program().orElseThrow().flows().get(0);
            IrProgram program = Compiler.lower(checked, model.name(), null).orElseThrow();
            CompiledFlow flow = new CompiledFlow(program, DType.F64, seed);
            for (Tensor p : flow.parameters().all()) for (int i = 0; i < p.size(); i++) p.set(i, 1.5 * p.get(i));
            return new Compiled(model, model.layers().get(0), flow);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Tensor latent(LayerRow row, CompiledFlow flow, int batch, long seed) {
        // SU(N) links: exact Haar samples (Gaussian numbers are not group elements).
        if (row.theory() == SU2 || row.theory() == SU3) return flow.samplePrior(batch, new SplittableRandom(seed));
        SplittableRandom random = new SplittableRandom(seed);
        Tensor z = Tensor.zeros(flow.fieldShape(batch), DType.F64);
        // Wide enough that some spline inputs fall in the identity tails; link angles anywhere on the circle.
        for (int i = 0; i < z.size(); i++) z.set(i, 1.3 * random.nextGaussian());
        return z;
    }

    @TestFactory
    Stream<DynamicTest> logDetIsTheLogOfTheNumericalJacobian() {
        return LAYERS.stream().map(row -> DynamicTest.dynamicTest(row.label(), () -> {
            CompiledFlow flow = compile(row.theory(), row.prior(), row.source(), row.label(), 3).flow();
            for (long sample = 0; sample < 2; sample++) {
                Tensor z = latent(row, flow, 1, 100 + sample);
                double logDet = flow.forward(z).logDet().get(0);
                assertTrue(Math.abs(logDet) > 1e-2, row + ": the layer should be far from volume-preserving, log-det " + logDet);
                double numerical = row.theory() == SU2 ? SuTwoLinks.localLogDet(flow, z)
                        : row.theory() == SU3 ? SuThreeLinks.localLogDet(flow, z) : Determinants.numericalLogDet(flow, z);
                assertEquals(numerical, logDet, row.layer().equals("gradient_flow") ? INTEGRATED : JACOBIAN, row + ", sample " + sample);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> theInverseUndoesTheForwardMap() {
        return LAYERS.stream().map(row -> DynamicTest.dynamicTest(row.label(), () -> {
            Compiled c = compile(row.theory(), row.prior(), row.source(), row.label(), 4);
            String why = CouplingLayers.of(c.layer()).noInverse(c.layer());
            assertEquals(row.invertible(), why == null, row + ": the registry says " + (why == null ? "it has an inverse" : why));
            if (!row.invertible()) {
                // What `symmetrize z2` would need is refused at lowering, as `check` refuses it (E0800).
                assertThrows(LoweringException.class, () -> Lowering.inverse(c.model()));
                return;
            }
            CallTarget inverse = IrTranslator.translate(IrPasses.optimize(Lowering.inverse(c.model())), c.flow().parameters(), DType.F64);
            Tensor z = latent(row, c.flow(), 3, 200);
            CompiledFlow.Forward forward = c.flow().forward(z);
            Tensor[] back = (Tensor[]) inverse.call(forward.x());
            assertTrue(maxDifference(back[0], z) < EXACT, row + ": f⁻¹(f(z)) − z = " + maxDifference(back[0], z));
            Tensor minusLogDet = forward.logDet().copy();
            for (int i = 0; i < minusLogDet.size(); i++) minusLogDet.set(i, -minusLogDet.get(i));
            assertTrue(Math.abs(forward.logDet().get(0)) > 1e-2, row + ": the layer should not preserve volume");
            assertTrue(maxDifference(back[1], minusLogDet) < EXACT, row + ": log|det ∂f⁻¹/∂x| + log|det ∂f/∂z|");
        }));
    }

    @TestFactory
    Stream<DynamicTest> theSymmetriesTheCheckerFindsHold() {
        return LAYERS.stream().map(row -> DynamicTest.dynamicTest(row.label(), () -> {
            Compiled c = compile(row.theory(), row.prior(), row.source(), row.label(), 5);
            Map<String, Judgement> verdicts = FlowSymmetry.analyse(c.model()).layers().get(0).judgements();
            Set<String> respected = new LinkedHashSet<>();
            verdicts.forEach((symmetry, j) -> { if (j.status() != Status.BROKEN) respected.add(symmetry); });
            assertEquals(row.respects(), respected, row + ": the symmetries the checker finds the layer to respect");
            CompiledFlow flow = c.flow();
            Tensor z = latent(row, flow, 3, 300);
            CompiledFlow.Forward plain = flow.forward(z);
            List<String> checked = new ArrayList<>();
            for (String symmetry : respected) {
                Judgement j = verdicts.get(symmetry);
                switch (symmetry) {
                    case "z2" -> {
                        CompiledFlow.Forward flipped = flow.forward(negate(z));
                        assertTrue(maxDifference(flipped.x(), negate(plain.x())) < EXACT, row + ": f(−z) = −f(z)");
                        assertTrue(maxDifference(flipped.logDet(), plain.logDet()) < EXACT, row + ": log-det even");
                        checked.add(symmetry);
                    }
                    case "translation" -> {
                        int allowed = 0;
                        for (int[] shift : allShifts(z.shape().lattice())) {
                            if (!j.allowsShift(shift)) continue;
                            allowed++;
                            CompiledFlow.Forward shifted = flow.forward(roll(z, shift));
                            String at = row + ": shift " + java.util.Arrays.toString(shift);
                            assertTrue(maxDifference(shifted.x(), roll(plain.x(), shift)) < EXACT, at + ": f(T z) = T f(z)");
                            assertTrue(maxDifference(shifted.logDet(), plain.logDet()) < EXACT, at + ": log-det invariant");
                        }
                        assertTrue(allowed > 1, row + ": the verdict allows the identity shift only");
                        checked.add(symmetry);
                    }
                    case "gauge" -> {
                        SplittableRandom random = new SplittableRandom(301);
                        for (int trial = 0; trial < 3 && row.theory() == SU2; trial++) {
                            double[][][] omega = SuTwoLinks.randomGauge(z.shape(), random);
                            CompiledFlow.Forward transformed = flow.forward(SuTwoLinks.gaugeTransform(z, omega));
                            assertTrue(maxDifference(transformed.x(), SuTwoLinks.gaugeTransform(plain.x(), omega)) < EXACT,
                                    row + ": f(ΩUΩ†) = Ωf(U)Ω†");
                            assertTrue(maxDifference(transformed.logDet(), plain.logDet()) < EXACT, row + ": log-det gauge invariant");
                        }
                        for (int trial = 0; trial < 3 && row.theory() == SU3; trial++) {
                            double[][][] omega = SuThreeLinks.randomGauge(z.shape(), random);
                            CompiledFlow.Forward transformed = flow.forward(SuThreeLinks.gaugeTransform(z, omega));
                            assertTrue(maxDifference(transformed.x(), SuThreeLinks.gaugeTransform(plain.x(), omega)) < EXACT,
                                    row + ": f(ΩUΩ†) = Ωf(U)Ω†");
                            assertTrue(maxDifference(transformed.logDet(), plain.logDet()) < EXACT, row + ": log-det gauge invariant");
                        }
                        for (int trial = 0; trial < 3 && row.theory() != SU2 && row.theory() != SU3; trial++) {
                            double[][][] alpha = randomGauge(z.shape(), random);
                            CompiledFlow.Forward transformed = flow.forward(gaugeTransform(z, alpha));
                            assertTrue(maxDifference(transformed.x(), gaugeTransform(plain.x(), alpha)) < EXACT, row + ": f(g·θ) = g·f(θ)");
                            assertTrue(maxDifference(transformed.logDet(), plain.logDet()) < EXACT, row + ": log-det gauge invariant");
                        }
                        checked.add(symmetry);
                    }
                    default -> throw new AssertionError(row + ": no numerical law for the symmetry " + symmetry + "; add one here");
                }
            }
            assertEquals(List.copyOf(respected), checked);
        }));
    }

    // ---- priors -------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> priorsAreNormalisedAndTheirSamplesFollowThem() {
        return PRIORS.stream().map(row -> DynamicTest.dynamicTest(row.prior(), () -> {
            String layer = row.theory() == U1
                    ? "plaquette_coupling(links = link_mask(mu = 0, offset = 0), transform = ncp_mixture(components = 2), net = cnn(hidden = [2]))"
                    : "affine(mask = checkerboard(parity = 0), net = cnn(hidden = [2]))";
            CompiledFlow flow = compile(row.theory(), row.source(), layer, "prior " + row.prior(), 6).flow();
            Tensor samples = flow.samplePrior(4096, new SplittableRandom(7));
            int n = samples.size() / samples.shape().batch();
            if (row.prior().equals("haar")) haarLaws(flow, samples, n);
            else gaussianLaws(flow, samples, n);
        }));
    }

    /** Haar: log r = −n·log 2π everywhere; the samples' angles are uniform on [−π, π) (mean cos, sin 0; mean θ² = π²/3). */
    private static void haarLaws(CompiledFlow flow, Tensor samples, int n) {
        Tensor logPrior = flow.logPrior(samples);
        for (int b = 0; b < logPrior.size(); b++) assertEquals(-n * Math.log(2 * Math.PI), logPrior.get(b), 1e-9, "log r of sample " + b);
        double cos = 0, sin = 0, square = 0;
        for (int i = 0; i < samples.size(); i++) {
            double theta = samples.get(i);
            assertTrue(theta >= -Math.PI && theta < Math.PI, "angle " + theta + " outside [−π, π)");
            cos += Math.cos(theta);
            sin += Math.sin(theta);
            square += theta * theta;
        }
        int m = samples.size();
        // Five standard errors: Var cos = Var sin = 1/2, Var θ² = π⁴(1/5 − 1/9).
        assertEquals(0, cos / m, 5 * Math.sqrt(0.5 / m), "mean cos θ");
        assertEquals(0, sin / m, 5 * Math.sqrt(0.5 / m), "mean sin θ");
        assertEquals(Math.PI * Math.PI / 3, square / m, 5 * Math.sqrt(Math.pow(Math.PI, 4) * (1.0 / 5 - 1.0 / 9) / m), "mean θ²");
    }

    /**
     * A Gaussian prior r(z) = exp(−½ zᵀKz)/Z: K from second differences of log r (exact for a
     * quadratic up to rounding), then log r(0) = −log Z = −n/2·log 2π + ½·log det K, and the
     * exact samples have E zᵀKz = n (variance 2n).
     */
    private static void gaussianLaws(CompiledFlow flow, Tensor samples, int n) {
        Tensor zero = Tensor.zeros(flow.fieldShape(1), DType.F64);
        double atZero = flow.logPrior(zero).get(0);
        double[][] k = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = a; b < n; b++) {
                Tensor both = zero.copy(), first = zero.copy(), second = zero.copy();
                both.set(a, 1);
                both.set(b, both.get(b) + 1);
                first.set(a, 1);
                second.set(b, 1);
                double value = -(flow.logPrior(both).get(0) - flow.logPrior(first).get(0) - flow.logPrior(second).get(0) + atZero);
                k[a][b] = value;
                k[b][a] = value;
            }
        }
        assertEquals(-0.5 * n * Math.log(2 * Math.PI) + 0.5 * Determinants.logAbsDeterminant(k), atZero, 1e-8, "log r(0) = −log Z");
        // The quadratic form of every sample, read off the log-density: zᵀKz = 2·(log r(0) − log r(z)).
        Tensor logPrior = flow.logPrior(samples);
        double sum = 0;
        for (int b = 0; b < logPrior.size(); b++) sum += 2 * (atZero - logPrior.get(b));
        int m = logPrior.size();
        assertEquals(n, sum / m, 5 * Math.sqrt(2.0 * n / m), "mean zᵀKz over " + m + " exact samples");
    }

    // ---- group actions ------------------------------------------------------------------------------

    /** α(x) uniform on (−π, π) at every site of every configuration of a [B, 2, L0, L1] link field. */
    static double[][][] randomGauge(Shape s, SplittableRandom random) {
        double[][][] alpha = new double[s.batch()][s.latticeExtent(0)][s.latticeExtent(1)];
        for (double[][] configuration : alpha) for (double[] row : configuration) for (int k = 0; k < row.length; k++) row[k] = (2 * random.nextDouble() - 1) * Math.PI;
        return alpha;
    }

    /** θ_μ(x) + α(x) − α(x + μ). */
    static Tensor gaugeTransform(Tensor theta, double[][][] alpha) {
        Shape s = theta.shape();
        int l0 = s.latticeExtent(0), l1 = s.latticeExtent(1);
        Tensor out = theta.copy();
        for (int b = 0; b < s.batch(); b++) {
            for (int mu = 0; mu < 2; mu++) {
                for (int x0 = 0; x0 < l0; x0++) for (int x1 = 0; x1 < l1; x1++) {
                    int y0 = (x0 + (mu == 0 ? 1 : 0)) % l0, y1 = (x1 + (mu == 1 ? 1 : 0)) % l1;
                    int index = ((b * 2 + mu) * l0 + x0) * l1 + x1;
                    out.set(index, theta.get(index) + alpha[b][x0][x1] - alpha[b][y0][y1]);
                }
            }
        }
        return out;
    }
}
