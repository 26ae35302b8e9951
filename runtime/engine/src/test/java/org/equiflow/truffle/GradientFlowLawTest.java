package org.equiflow.truffle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.equiflow.symmetry.SymmetryProbe.maxDifference;

import com.oracle.truffle.api.CallTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.ir.FunctionBuilder;
import org.equiflow.compiler.ir.IrFunction;
import org.equiflow.compiler.ir.IrPasses;
import org.equiflow.compiler.ir.IrProgram;
import org.equiflow.compiler.ir.LayerLowering;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.layers.GradientFlowLayer;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.compiler.model.FlowTerm;
import org.equiflow.compiler.model.LayerSpec;
import org.equiflow.compiler.model.LoopShape;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The laws of `gradient_flow` (issue 20) beyond the coupling-layer table's rows, through the whole
 * pipeline in float64 on 4×4 lattices (the log-det against the numerical Jacobian, gauge and
 * translation equivariance are rows of {@link CouplingLayerLawTest}):
 *
 * <ul>
 *   <li>the Laplacian identity Δ Re tr W = −C_F |W| Re tr W for loops that pass each link once,
 *       against second differences along every generator of every link (written here from the
 *       definitions, independently of the layer), for the plaquette and the 2×1 loops of SU(3)
 *       and U(1); and the layer's divergence (one Euler step of unit length: log-det = div Z)
 *       equal to it;</li>
 *   <li>for the Wilson action and the leading-order map Z = −∂S_W/(4C_F): div Z = S_W exactly;</li>
 *   <li>backward integration undoes the forward map to the integrator's accuracy, the error
 *       falling as ε³ for cg3 (ε²for cg2);</li>
 *   <li>the gradient of a reverse-KL loss with respect to the knot parameters agrees with
 *       central differences (reverse mode through every step and stage), and recomputing each
 *       step from its checkpoint gives the gradients of keeping every intermediate, from a
 *       tape that holds a few entries per step instead of every primitive.</li>
 * </ul>
 */
class GradientFlowLawTest {

    /** The loops of a 2×1-rectangle action: both orientations of the rectangle in the (0, 1) plane. */
    private static String theories(String group) {
        String field = group.equals("u1") ? "U(1)" : "SU(3)";
        String re = group.equals("u1") ? "re(%s)" : "re(tr(%s))";
        return """
                use std.theories.%s
                use std.gauge.{gradient_flow, rectangle, path, trace_product, euler, cg2, cg3}

                theory rectangles(lattice: shape) {
                    field U: %s on links
                    action sum x { %s + %s }
                    symmetry gauge
                    symmetry translation
                }
                """.formatted(group, field, re.formatted("wilson_loop(U, x, 0, 1, 2, 1)"), re.formatted("wilson_loop(U, x, 1, 0, 2, 1)"));
    }

    @TempDir
    static Path dir;

    /** The script checked (it must pass), its first flow's model and the flow compiled in float64. */
    private record Checked(FlowModel model, CompiledFlow flow) {}

    private static Checked check(String source, String name) throws IOException {
        Path file = dir.resolve(name + ".flow");
        Files.writeString(file, source);
        Compiler.Result checked = Compiler.check(file, file.getFileName().toString(), Map.of());
        assertTrue(checked.ok(), () -> source + "\n" + checked.diagnostics().all());
        FlowModel model = checked.program().orElseThrow().flows().get(0);
        return new Checked(model, new CompiledFlow(Compiler.lower(checked, model.name(), null).orElseThrow(), DType.F64, 1));
    }

    private static CompiledFlow compile(String source, String name) throws IOException { return check(source, name).flow(); }

    /** Haar links: SU(3) from the prior sampler, U(1) angles uniform. */
    private static Tensor haar(CompiledFlow flow, int batch, long seed) { return flow.samplePrior(batch, new SplittableRandom(seed)); }

    /** Σ over links and generators of second differences of the action: its Laplacian at one configuration. */
    private static double numericalLaplacian(CompiledFlow flow, Tensor u, boolean abelian) {
        Shape s = u.shape();
        int sites = s.sites(), generators = abelian ? 1 : 8, coordinates = 2 * sites * generators;
        double h = 1e-3;
        Tensor perturbed = Tensor.zeros(s.withBatch(2 * coordinates), u.dtype());
        int block = s.channels();
        for (int k = 0; k < coordinates; k++) {
            int mu = k / (generators * sites), site = (k / generators) % sites, generator = k % generators;
            for (int sign = 0; sign < 2; sign++) {
                int b = 2 * k + sign;
                for (int c = 0; c < block; c++) for (int x = 0; x < sites; x++) perturbed.set(s.index(b, c, x), u.get(s.index(0, c, x)));
                if (abelian) {
                    perturbed.set(s.index(b, mu, site), u.get(s.index(0, mu, site)) + (sign == 0 ? h : -h));
                } else {
                    double[] rotated = SuThreeLinks.multiply(SuThreeLinks.rotation(generator, sign == 0 ? h : -h), false, SuThreeLinks.link(u, 0, mu, site), false);
                    SuThreeLinks.setLink(perturbed, b, mu, site, rotated);
                }
            }
        }
        double centre = flow.action(u).get(0);
        Tensor actions = flow.action(perturbed);
        double sum = 0;
        for (int k = 0; k < coordinates; k++) sum += (actions.get(2 * k) - 2 * centre + actions.get(2 * k + 1)) / (h * h);
        return sum;
    }

    private static void setKnots(CompiledFlow flow, double value) {
        for (String name : flow.parameterNames()) {
            Tensor p = flow.parameters().get(name);
            for (int i = 0; i < p.size(); i++) p.set(i, value);
        }
    }

    @Test
    void loopsThatPassEachLinkOnceHaveLaplacianMinusCasimirTimesLengthTimesTheLoop() throws IOException {
        for (String group : new String[] {"su3", "u1"}) {
            boolean abelian = group.equals("u1");
            double casimir = abelian ? 1.0 : 4.0 / 3;
            String[][] cases = {
                    {"theory T = %s(lattice = [4, 4], beta = 1.0)".formatted(group), "rectangle()", "4"},
                    {"theory T = rectangles(lattice = [4, 4])", "rectangle(r = 2, t = 1)", "6"}};
            for (String[] c : cases) {
                // S̃ = c·Σ Re tr W with c = 0.3 at both knots: one Euler step of length 1 has log-det div Z = −ΔS̃
                String source = theories(group) + c[0] + "\nflow f for T {\n    prior haar\n    gradient_flow(loops = [" + c[1]
                        + "], steps = 1, integrator = euler)\n}\n";
                CompiledFlow flow = compile(source, group + "_laplacian_" + c[2]);
                setKnots(flow, 0.3);
                for (long seed = 1, tested = 0; tested < 2; seed++) {
                    Tensor u = haar(flow, 1, seed);
                    double action = flow.action(u).get(0);
                    if (Math.abs(action) < 0.1) continue;  // a configuration whose loops nearly cancel tests little
                    tested++;
                    // the Wilson theory's action is −β/N·Σ Re tr P (β = 1), the rectangles' Σ Re tr W
                    double potential = c[2].equals("4") ? -action * (abelian ? 1 : 3) : action;
                    double laplacian = numericalLaplacian(flow, u, abelian) * (c[2].equals("4") ? -(abelian ? 1 : 3) : 1);
                    int length = Integer.parseInt(c[2]);
                    String label = group + " " + c[1] + " seed " + seed;
                    assertTrue(Math.abs(potential) > 0.1, label + ": a configuration with a sizeable loop sum, " + potential);
                    assertEquals(-casimir * length * potential, laplacian, 1e-4 * Math.abs(laplacian) + 1e-5, label + ": ΔS̃ = −C_F|W|S̃");
                    assertEquals(-0.3 * laplacian, flow.forward(u).logDet().get(0), 1e-4 * Math.abs(laplacian) + 1e-6, label + ": div Z = −ΔS̃");
                }
            }
        }
    }

    /** Σ_x Σ_images cos φ_W(x) of one U(1) configuration [1, 2, L, L], written from the loop's links (the orbit from LoopShape). */
    private static double loopSum(Tensor theta, LoopShape shape, int size) {
        double sum = 0;
        for (LoopShape loop : shape.orbit(2)) {
            for (int x0 = 0; x0 < size; x0++) for (int x1 = 0; x1 < size; x1++) {
                double phi = 0;
                for (LoopShape.Link l : loop.links(new int[] {x0, x1})) {
                    int y0 = Math.floorMod(l.site()[0], size), y1 = Math.floorMod(l.site()[1], size);
                    phi += l.sign() * theta.get((l.axis() * size + y0) * size + y1);
                }
                sum += Math.cos(phi);
            }
        }
        return sum;
    }

    private interface AngleFunction { double at(Tensor theta); }

    /** f at θ with angle i moved by +h and by −h (θ restored). */
    private static double[] plusMinus(AngleFunction f, Tensor theta, int i, double h) {
        double original = theta.get(i);
        theta.set(i, original + h);
        double plus = f.at(theta);
        theta.set(i, original - h);
        double minus = f.at(theta);
        theta.set(i, original);
        return new double[] {plus, minus};
    }

    /** Σ_l ∂²f/∂θ_l² by second differences. */
    private static double laplacian(AngleFunction f, Tensor theta) {
        double h = 1e-3, centre = f.at(theta), sum = 0;
        for (int i = 0; i < theta.size(); i++) {
            double[] at = plusMinus(f, theta, i, h);
            sum += (at[0] - 2 * centre + at[1]) / (h * h);
        }
        return sum;
    }

    private static final LoopShape TWICE_WOUND = new LoopShape(java.util.List.of(1, 2, -1, -2, 1, 2, -1, -2));
    private static final LoopShape FIGURE_EIGHT = new LoopShape(java.util.List.of(1, 2, -1, -2, 1, -2, -1, 2));

    /**
     * U(1) loops may wind a link more than once: Δ cos(Σ n_l θ_l) = −(Σ n_l²) cos(…) (the plaquette
     * wound twice: 16, the figure-eight through a link: 10), against second differences of the loop
     * sum written here, and the layer's divergence (one Euler step of length 1) equals −ΔS̃.
     */
    @Test
    void uOneLoopsThatWindALinkTwiceHaveTheirExactLaplacian() throws IOException {
        int size = 4;
        for (var c : java.util.List.of(java.util.Map.entry("path(steps = [1, 2, -1, -2, 1, 2, -1, -2])", TWICE_WOUND),
                java.util.Map.entry("path(steps = [1, 2, -1, -2, 1, -2, -1, 2])", FIGURE_EIGHT))) {
            String source = theories("u1") + "theory T = u1(lattice = [4, 4], beta = 1.0)\nflow f for T {\n    prior haar\n    gradient_flow(loops = ["
                    + c.getKey() + "], steps = 1, integrator = euler)\n}\n";
            CompiledFlow flow = compile(source, "u1_wound_" + c.getValue().length() + "_" + c.getValue().steps().get(5));
            setKnots(flow, 0.3);
            long weight = c.getValue().laplacianWeight(new org.equiflow.compiler.model.Lattice(java.util.List.of(size, size)));
            for (long seed = 1; seed <= 2; seed++) {
                Tensor u = haar(flow, 1, seed);
                double sum = loopSum(u, c.getValue(), size), numerical = laplacian(t -> loopSum(t, c.getValue(), size), u);
                assertEquals(-weight * sum, numerical, 1e-4 * Math.abs(numerical) + 1e-4, c.getKey() + ": ΔS̃ = −Σn²·S̃");
                assertEquals(-0.3 * numerical, flow.forward(u).logDet().get(0), 1e-4 * Math.abs(numerical) + 1e-4, c.getKey() + ": div Z = −ΔS̃");
            }
        }
    }

    /**
     * The U(1) next-to-leading order the language's `perturbative = 2` uses solves the trivializing
     * equation at order t: ΔS̃₁ − ∂S·∂S̃₀ is the same number for every configuration (d⟨S⟩/dt at
     * t = 0), with S = −β Σ cos P, S̃₀ = S/4 and S̃₁ = β²[Σ cos 2P/32 + Σ_l (cos(P₁ − P₂)/40 − cos(P₁ + P₂)/24)];
     * both sides by finite differences, independently of the layer.
     */
    @Test
    void theUOneNextToLeadingOrderSolvesTheTrivializingEquation() throws IOException {
        int size = 4;
        double beta = 1.3;
        AngleFunction action = t -> -beta * loopSum(t, LoopShape.rectangle(1, 1), size);
        AngleFunction first = t -> beta * beta * (loopSum(t, TWICE_WOUND, size) / 32 + loopSum(t, FIGURE_EIGHT, size) / 40
                - loopSum(t, LoopShape.rectangle(2, 1), size) / 24);
        CompiledFlow flow = compile(theories("u1") + "theory T = u1(lattice = [4, 4], beta = 1.0)\nflow f for T {\n    prior haar\n"
                + "    gradient_flow(loops = [rectangle()])\n}\n", "u1_nlo_identity");
        double[] residual = new double[3];
        for (int k = 0; k < 3; k++) {
            Tensor u = haar(flow, 1, 40 + k);
            double h = 1e-5, product = 0;
            for (int i = 0; i < u.size(); i++) {
                double[] at = plusMinus(action, u, i, h);
                double derivative = (at[0] - at[1]) / (2 * h);
                product += derivative * derivative / 4;  // ∂S·∂S̃₀ with S̃₀ = S/4
            }
            residual[k] = laplacian(first, u) - product;
        }
        assertEquals(residual[0], residual[1], 1e-3, "ΔS̃₁ − ∂S·∂S̃₀ is a constant");
        assertEquals(residual[0], residual[2], 1e-3, "ΔS̃₁ − ∂S·∂S̃₀ is a constant");
    }

    @Test
    void theLeadingOrderMapHasTheWilsonActionAsItsDivergence() throws IOException {
        for (String group : new String[] {"su3", "u1"}) {
            String source = onFourByFour(group, 2.5, "gradient_flow(loops = [rectangle()], steps = 1, integrator = euler, perturbative = 1)");
            CompiledFlow flow = compile(source, group + "_leading_order");
            Tensor u = haar(flow, 4, 11);
            Tensor action = flow.action(u), logDet = flow.forward(u).logDet();
            for (int b = 0; b < 4; b++) assertEquals(action.get(b), logDet.get(b), 1e-10 * Math.abs(action.get(b)), group + ": div Z = S_W, configuration " + b);
        }
    }

    /**
     * One flow at {@code steps} steps: max |f⁻¹(f(U)) − U| with f⁻¹ the backward integration of the
     * same layer, |log det f + log det f⁻¹| at f(U), and |log det f − numerical log|det J||.
     */
    private record Errors(double roundTrip, double logDetsCancel, double jacobian) {}

    private static Errors errors(String group, String integrator, int steps) throws IOException { return errors(group, integrator, steps, 4); }

    private static Errors errors(String group, String integrator, int steps, int size) throws IOException {
        String source = theories(group) + "theory T = " + group + "(lattice = [" + size + ", " + size + "], beta = " + (group.equals("u1") ? 1.0 : 2.0) + ")\n"
                + "flow f for T {\n    prior haar\n    gradient_flow(loops = [" + (size == 2 ? "rectangle()" : "rectangle(), rectangle(r = 2, t = 1)") + "], knots = 4, steps = " + steps
                + ", integrator = " + integrator + ", perturbative = 1)\n}\n";
        String name = group + "_" + integrator + "_" + steps + "_L" + size;
        Checked checked = check(source, name);
        FlowModel model = checked.model();
        CompiledFlow flow = checked.flow();
        // time-dependent coefficients (a cubic spline through 4 random values per loop) on top of the leading order
        SplittableRandom random = new SplittableRandom(5);
        for (String p : flow.parameterNames()) flow.parameters().get(p).set(0, 0.05 * random.nextGaussian());
        var b = new FunctionBuilder("backward");
        int x = b.input("x", Lowering.fieldType(model.theory()));
        LayerLowering.Lowered back = GradientFlowLayer.backward(b, x, (LayerSpec.GradientFlow) model.layers().get(0), model.theory().lattice(), 0);
        b.output("z", back.field());
        b.output("logdet", back.logdet());
        IrFunction function = IrPasses.optimize(b.build());
        CallTarget backward = IrTranslator.translate(function, flow.parameters(), DType.F64);
        Tensor u = haar(flow, 1, 21);
        CompiledFlow.Forward forward = flow.forward(u);
        Tensor[] undone = (Tensor[]) backward.call(forward.x());
        assertTrue(Math.abs(forward.logDet().get(0)) > 1e-2, name + ": the flow should not preserve volume, log-det " + forward.logDet().get(0));
        double numerical = group.equals("su3") ? SuThreeLinks.localLogDet(flow, u) : Determinants.numericalLogDet(flow, u);
        var e = new Errors(maxDifference(undone[0], u), Math.abs(forward.logDet().get(0) + undone[1].get(0)), Math.abs(forward.logDet().get(0) - numerical));
        System.out.printf("%s: |f⁻¹(f(U)) − U| %.2e, |log det f + log det f⁻¹| %.2e, |log det f − numerical| %.2e%n", name, e.roundTrip(), e.logDetsCancel(), e.jacobian());
        return e;
    }

    @Test
    void backwardIntegrationAndTheLogDetConvergeAtTheIntegratorsOrder() throws IOException {
        for (String group : new String[] {"su3", "u1"}) {
            Errors coarse = errors(group, "cg3", 4), fine = errors(group, "cg3", 8);
            assertTrue(coarse.roundTrip() < 0.05 && coarse.logDetsCancel() < 0.5 && coarse.jacobian() < 0.5, group + ": cg3 at 4 steps " + coarse);
            // third order: halving ε divides each error by 8 (5 allows for the asymptotic regime not being reached)
            assertTrue(coarse.roundTrip() / fine.roundTrip() > 5, group + ": cg3 round trip, ε → ε/2: " + coarse + " → " + fine);
            assertTrue(coarse.logDetsCancel() / fine.logDetsCancel() > 5, group + ": cg3 log-dets, ε → ε/2: " + coarse + " → " + fine);
            assertTrue(coarse.jacobian() / fine.jacobian() > 5, group + ": cg3 Jacobian, ε → ε/2: " + coarse + " → " + fine);
            Errors midpoint = errors(group, "cg2", 4), midpointFine = errors(group, "cg2", 8);
            // second order: by 4
            assertTrue(midpoint.jacobian() / midpointFine.jacobian() > 3, group + ": cg2 Jacobian, ε → ε/2: " + midpoint + " → " + midpointFine);
            assertTrue(midpoint.roundTrip() / midpointFine.roundTrip() > 3, group + ": cg2 round trip, ε → ε/2: " + midpoint + " → " + midpointFine);
        }
    }

    /** The L = 2 (plaquettes only: a 2×1 loop would pass a link twice there, which check refuses): the same laws, the same order. */
    @Test
    void onTheTwoByTwoLatticeTheLogDetConvergesToTheNumericalJacobian() throws IOException {
        for (String group : new String[] {"su3", "u1"}) {
            Errors coarse = errors(group, "cg3", 4, 2), fine = errors(group, "cg3", 8, 2);
            assertTrue(fine.jacobian() < 1e-2 && fine.roundTrip() < 1e-2, group + ", L = 2, cg3 at 8 steps: " + fine);
            assertTrue(coarse.jacobian() / fine.jacobian() > 5, group + ", L = 2: cg3 Jacobian, ε → ε/2: " + coarse + " → " + fine);
        }
    }

    private static Tensor loss(CompiledFlow flow, Tensor z) {
        CompiledFlow.Forward out = flow.forward(z);
        return Ops.meanOverBatch(Ops.add(Ops.sub(flow.logPrior(z), out.logDet()), flow.action(out.x())));
    }

    @Test
    void theKnotGradientsAgreeWithFiniteDifferences() throws IOException {
        for (String group : new String[] {"su3", "u1"}) {
            String source = onFourByFour(group, 3.0, "gradient_flow(loops = [rectangle(), rectangle(r = 2, t = 1)], knots = 3, steps = 3, integrator = cg3)");
            CompiledFlow flow = compile(source, group + "_gradient");
            SplittableRandom random = new SplittableRandom(9);
            for (String p : flow.parameterNames()) flow.parameters().get(p).set(0, 0.3 * random.nextGaussian());
            Tensor z = haar(flow, 2, 31);
            try (Tape tape = Tape.open()) {
                tape.backward(loss(flow, z));
            }
            double step = 1e-4, largest = 0;
            for (String name : flow.parameterNames()) {
                Tensor p = flow.parameters().get(name);
                double analytic = p.grad().get(0), original = p.get(0);
                double[] at = new double[4];
                int k = 0;
                for (int multiple : new int[] {-2, -1, 1, 2}) {
                    p.set(0, original + multiple * step);
                    at[k++] = loss(flow, z).get(0);
                }
                p.set(0, original);
                double numeric = (at[0] - 8 * at[1] + 8 * at[2] - at[3]) / (12 * step);
                largest = Math.max(largest, Math.abs(analytic));
                assertEquals(numeric, analytic, 1e-6 + 1e-6 * Math.abs(numeric), group + ": ∂loss/∂" + name);
            }
            assertEquals(6, flow.parameterNames().size(), group + ": one parameter per loop shape and knot");
            assertTrue(largest > 1e-3, group + ": the loss depends on the knots, largest gradient " + largest);
        }
    }

    /** The function with its checkpoints kept as plain values: nothing recomputed, every intermediate on the tape. */
    private static IrFunction unrolled(IrFunction f) {
        var ops = f.ops().stream().map(op -> op instanceof org.equiflow.compiler.ir.Op.Checkpoint c
                ? new org.equiflow.compiler.ir.Op.Checkpoint(c.id(), c.operand(), false, c.type()) : op).toList();
        return new IrFunction(f.name(), ops, f.outputs());
    }

    private static Tensor[] forward(CompiledFlow flow, Tensor z) {
        CompiledFlow.Forward out = flow.forward(z);
        return new Tensor[] {out.x(), out.logDet()};
    }

    @Test
    void checkpointedStepsGiveTheGradientsOfKeepingEveryIntermediateFromAShorterTape() throws IOException {
        for (String group : new String[] {"su3", "u1"}) {
            String source = onFourByFour(group, 3.0, "gradient_flow(loops = [rectangle(), rectangle(r = 2, t = 1)], knots = 3, steps = 4, integrator = cg3)");
            CompiledFlow flow = compile(source, group + "_checkpoints");
            IrFunction function = flow.program().function(IrProgram.FLOW).orElseThrow();
            long segments = function.ops().stream().filter(op -> op instanceof org.equiflow.compiler.ir.Op.Checkpoint c && c.opensSegment()).count();
            assertEquals(4, segments, group + ": one recomputed segment per step");
            CallTarget everyIntermediate = IrTranslator.translate(unrolled(function), flow.parameters(), DType.F64);
            SplittableRandom random = new SplittableRandom(5);
            for (String p : flow.parameterNames()) flow.parameters().get(p).set(0, 0.3 * random.nextGaussian());
            Tensor z = haar(flow, 2, 17);
            int[] tapeSizes = new int[2];
            double[][] gradients = new double[2][];
            for (int run = 0; run < 2; run++) {
                for (String p : flow.parameterNames()) flow.parameters().get(p).zeroGrad();
                try (Tape tape = Tape.open()) {
                    Tensor[] out = run == 0 ? forward(flow, z) : (Tensor[]) everyIntermediate.call(z);
                    Tensor loss = Ops.meanOverBatch(Ops.add(Ops.sub(flow.logPrior(z), out[1]), flow.action(out[0])));
                    tapeSizes[run] = tape.size();
                    tape.backward(loss);
                }
                gradients[run] = flow.parameterNames().stream().mapToDouble(p -> flow.parameters().get(p).grad().get(0)).toArray();
            }
            for (int k = 0; k < gradients[0].length; k++) {
                assertEquals(gradients[1][k], gradients[0][k], 1e-12 * Math.max(1, Math.abs(gradients[1][k])), group + ": parameter " + k);
            }
            assertTrue(Math.abs(gradients[0][0]) > 1e-3, group + ": a gradient to compare");
            // per step, the recomputed segment is one entry where unrolled reverse mode keeps every primitive of every stage
            assertTrue(tapeSizes[0] * 10 < tapeSizes[1], group + ": tape entries " + tapeSizes[0] + " checkpointed, " + tapeSizes[1] + " unrolled");
            System.out.println(group + ": tape entries " + tapeSizes[0] + " checkpointed, " + tapeSizes[1] + " unrolled");
        }
    }

    @Test
    void whatReverseModeHoldsGrowsWithTheStepsOnlyByTheCheckpoints() throws IOException {
        long[] held = new long[2];
        int[] steps = {10, 20};
        int channels = 2 * 18;
        for (int k = 0; k < 2; k++) {
            String source = onFourByFour("su3", 3.0, "gradient_flow(loops = [rectangle(), rectangle(r = 2, t = 1)], knots = 2, steps = " + steps[k]
                    + ", integrator = cg3)");
            FlowModel model = check(source, "memory_" + steps[k]).model();
            held[k] = new GradientFlowLayer().tapedValuesPerSite((LayerSpec.GradientFlow) model.layers().get(0), model.theory().lattice(), channels);
        }
        // ten more steps: ten more checkpoints of the links (2 directions × 18 channels), the widest step the same
        assertEquals(10L * channels, held[1] - held[0], "values per site held for 10 and 20 steps: " + held[0] + ", " + held[1]);
        assertTrue(held[0] > 20L * channels, "one step's intermediates are held too: " + held[0]);
    }

    // ---- SU(N): loops that pass a link twice, products of traces, Lüscher's next-to-leading order ----

    /** What the tests below need of SU(N) links ([B, 2·2N², L, L], packed as the runtime's matrices), from {@link SuThreeLinks} and {@link SuTwoLinks}. */
    private record LinkGroup(int n, int generators, double[] identity, Multiply multiply, Rotation rotation,
                             java.util.function.Function<SplittableRandom, double[]> random) {
        interface Multiply { double[] of(double[] a, boolean adjointA, double[] b, boolean adjointB); }

        /** exp(angle·Tᵃ), Tᵃ = iλₐ/2 (SU(3)) or iσₐ/2 (SU(2)): tr TᵃTᵇ = −½δᵃᵇ. */
        interface Rotation { double[] of(int generator, double angle); }

        static final LinkGroup SU3 = new LinkGroup(3, 8, SuThreeLinks.identity(), SuThreeLinks::multiply, SuThreeLinks::rotation, SuThreeLinks::randomElement);
        static final LinkGroup SU2 = new LinkGroup(2, 3, SuTwoLinks.quaternion(1, 0, 0, 0), SuTwoLinks::multiply,
                (a, angle) -> SuTwoLinks.quaternion(Math.cos(angle / 2), a == 0 ? Math.sin(angle / 2) : 0, a == 1 ? Math.sin(angle / 2) : 0,
                        a == 2 ? Math.sin(angle / 2) : 0), SuTwoLinks::randomElement);

        int matrix() { return 2 * n * n; }

        double[] link(Tensor t, int b, int mu, int site) {
            double[] m = new double[matrix()];
            for (int c = 0; c < m.length; c++) m[c] = t.get(t.shape().index(b, mu * matrix() + c, site));
            return m;
        }

        void setLink(Tensor t, int b, int mu, int site, double[] m) {
            for (int c = 0; c < m.length; c++) t.set(t.shape().index(b, mu * matrix() + c, site), m[c]);
        }

        /** (Re tr, Im tr). */
        double[] trace(double[] m) {
            double re = 0, im = 0;
            for (int i = 0; i < n; i++) {
                re += m[2 * (n * i + i)];
                im += m[2 * (n * i + i) + 1];
            }
            return new double[] {re, im};
        }
    }

    /** Σ over the term's images and positions of Re Π_f tr W_f of configuration {@code b}, each W_f multiplied out from the links here. */
    private static double termSum(LinkGroup g, Tensor u, int b, FlowTerm term, int size) {
        double sum = 0;
        for (FlowTerm image : term.orbit(2)) {
            for (int x0 = 0; x0 < size; x0++) for (int x1 = 0; x1 < size; x1++) {
                double re = 1, im = 0;
                for (FlowTerm.Factor factor : image.factors(2)) {
                    double[] product = g.identity();
                    for (LoopShape.Link l : factor.links()) {
                        int y0 = Math.floorMod(x0 + l.site()[0], size), y1 = Math.floorMod(x1 + l.site()[1], size);
                        product = g.multiply().of(product, false, g.link(u, b, l.axis(), y0 * size + y1), l.sign() < 0);
                    }
                    double[] tr = g.trace(product);
                    double r = re * tr[0] - im * tr[1];
                    im = re * tr[1] + im * tr[0];
                    re = r;
                }
                sum += re;
            }
        }
        return sum;
    }

    private interface LinkFunction { double at(Tensor u); }

    /** f at U with link (μ, x) rotated by exp(±h·Tᵃ), coordinate k = (μ·sites + x)·generators + a; U restored. */
    private static double[] plusMinus(LinkGroup g, LinkFunction f, Tensor u, int k, double h, int size) {
        int sites = size * size, mu = k / (g.generators() * sites), site = (k / g.generators()) % sites, generator = k % g.generators();
        double[] original = g.link(u, 0, mu, site), out = new double[2];
        for (int sign = 0; sign < 2; sign++) {
            g.setLink(u, 0, mu, site, g.multiply().of(g.rotation().of(generator, sign == 0 ? h : -h), false, original, false));
            out[sign] = f.at(u);
        }
        g.setLink(u, 0, mu, site, original);
        return out;
    }

    /** Σ over links and generators of second differences: the group Laplacian of f at configuration 0. */
    private static double laplacian(LinkGroup g, LinkFunction f, Tensor u, int size) {
        double h = 1e-3, centre = f.at(u), sum = 0;
        for (int k = 0; k < 2 * size * size * g.generators(); k++) {
            double[] at = plusMinus(g, f, u, k, h, size);
            sum += (at[0] - 2 * centre + at[1]) / (h * h);
        }
        return sum;
    }

    private static final String ABOVE = "path(steps = [1, 2, -1, -2])", BELOW = "path(steps = [1, -2, -1, 2])";

    /** The terms of Lüscher's SU(N) next-to-leading order that are not single-pass loops, as the language writes them. */
    private static final String[] GENERAL_TERMS = {
            "path(steps = [1, 2, -1, -2, 1, 2, -1, -2])",
            "path(steps = [1, 2, -1, -2, 1, -2, -1, 2])",
            "trace_product(first = rectangle(), second = rectangle())",
            "trace_product(first = rectangle(), second = rectangle(), conjugate = true)",
            "trace_product(first = " + ABOVE + ", second = " + BELOW + ")",
            "trace_product(first = " + ABOVE + ", second = " + BELOW + ", conjugate = true)"};

    /**
     * On SU(3) the layer's divergence of a term that passes a link twice (the plaquette wound twice,
     * the figure-eight) or multiplies two traces (Re(tr P)², |tr P|², the two plaquettes on either
     * side of a link, with and without conjugation) is −ΔS̃, against second differences of the term
     * evaluated here from its links along all 8 generators of every link; and so is a 1×3 loop that
     * wraps around a 2×2 lattice, passing two links twice.
     */
    @Test
    void suThreeTermsThatPassALinkTwiceOrMultiplyTracesHaveTheirExactLaplacian() throws IOException {
        var cases = new java.util.ArrayList<java.util.Map.Entry<String, Integer>>();
        for (String term : GENERAL_TERMS) cases.add(java.util.Map.entry(term, 4));
        // on a lattice of size 2 the 1×3 loop wraps around and passes links twice
        cases.add(java.util.Map.entry("rectangle(r = 1, t = 3)", 2));
        for (int c = 0; c < cases.size(); c++) {
            String written = cases.get(c).getKey();
            int size = cases.get(c).getValue();
            String source = theories("su3") + "theory T = su3(lattice = [" + size + ", " + size + "], beta = 1.0)\nflow f for T {\n    prior haar\n"
                    + "    gradient_flow(loops = [" + written + "], steps = 1, integrator = euler)\n}\n";
            Checked checked = check(source, "su3_general_term_" + c);
            FlowTerm term = ((LayerSpec.GradientFlow) checked.model().layers().get(0)).loops().get(0);
            CompiledFlow flow = checked.flow();
            setKnots(flow, 0.3);
            Tensor u = haar(flow, 1, 60 + c);
            double sum = termSum(LinkGroup.SU3, u, 0, term, size), numerical = laplacian(LinkGroup.SU3, v -> termSum(LinkGroup.SU3, v, 0, term, size), u, size);
            assertTrue(Math.abs(numerical) > 1, written + ": a configuration with a sizeable Laplacian, " + numerical + " (term " + sum + ")");
            assertEquals(-0.3 * numerical, flow.forward(u).logDet().get(0), 1e-4 * Math.abs(numerical) + 1e-4, written + " on " + size + "×" + size + ": div Z = −ΔS̃");
        }
    }

    /** The next-to-leading-order flow for su3 on 4×4: all eight terms, as the help of check lists them. */
    private static String nextToLeadingOrder(double beta, int steps) {
        return nextToLeadingOrder("su3", "rectangle(), rectangle(r = 2, t = 1), " + String.join(", ", GENERAL_TERMS), beta, steps);
    }

    private static String nextToLeadingOrder(String theory, String loops, double beta, int steps) {
        return onFourByFour(theory, beta, "gradient_flow(loops = [" + loops + "], steps = " + steps + ", perturbative = 2)");
    }

    /** A script: the theory {@code group} on a 4×4 torus at {@code beta}, and the flow f of Haar links through the one {@code layer}. */
    private static String onFourByFour(String group, double beta, String layer) {
        return theories(group) + "theory T = " + group + "(lattice = [4, 4], beta = " + beta + ")\nflow f for T {\n    prior haar\n    " + layer + "\n}\n";
    }

    /** ΔS̃₁ − ∂S·∂S̃₀ at three configurations, S̃ₖ = Σᵢ cᵢₖ·(term i) with the coefficients of t^k check gave, scaled where asked. */
    private static double[] trivializingResidual(LinkGroup g, LayerSpec.GradientFlow spec, double beta, int scaled, double factor) {
        int size = 4;
        LinkFunction action = v -> -beta / g.n() * termSum(g, v, 0, LoopShape.rectangle(1, 1), size);
        LinkFunction zeroth = v -> {
            double sum = 0;
            for (int i = 0; i < spec.loops().size(); i++) sum += spec.perturbative().get(i)[0] * termSum(g, v, 0, spec.loops().get(i), size);
            return sum;
        };
        LinkFunction first = v -> {
            double sum = 0;
            for (int i = 0; i < spec.loops().size(); i++) {
                double[] c = spec.perturbative().get(i);
                if (c.length > 1) sum += (i == scaled ? factor : 1) * c[1] * termSum(g, v, 0, spec.loops().get(i), size);
            }
            return sum;
        };
        double[] residual = new double[3];
        for (int k = 0; k < 3; k++) {
            Tensor u = Tensor.zeros(new Shape(1, 2 * g.matrix(), size, size), DType.F64);
            var random = new SplittableRandom(70 + k);
            for (int mu = 0; mu < 2; mu++) for (int x = 0; x < size * size; x++) g.setLink(u, 0, mu, x, g.random().apply(random));
            double h = 1e-5, product = 0;
            for (int i = 0; i < 2 * size * size * g.generators(); i++) {
                double[] s = plusMinus(g, action, u, i, h, size), s0 = plusMinus(g, zeroth, u, i, h, size);
                product += (s[0] - s[1]) / (2 * h) * (s0[0] - s0[1]) / (2 * h);
            }
            residual[k] = laplacian(g, first, u, size) - product;
        }
        return residual;
    }

    /** The residuals are one constant, and moving any one coefficient of S̃₁ by 5 % breaks that by far: the test can tell. */
    private static void assertSolvesTheTrivializingEquation(LinkGroup g, LayerSpec.GradientFlow spec, double beta) {
        double[] residual = trivializingResidual(g, spec, beta, -1, 1);
        double tolerance = 1e-5;
        System.out.printf("SU(%d) NLO: ΔS̃₁ − ∂S·∂S̃₀ = %s%n", g.n(), java.util.Arrays.toString(residual));
        assertEquals(residual[0], residual[1], tolerance, "SU(" + g.n() + "): ΔS̃₁ − ∂S·∂S̃₀ is a constant");
        assertEquals(residual[0], residual[2], tolerance, "SU(" + g.n() + "): ΔS̃₁ − ∂S·∂S̃₀ is a constant");
        for (int term = 0; term < spec.loops().size(); term++) {
            double[] c = spec.perturbative().get(term);
            if (c.length < 2 || c[1] == 0) continue;  // not a term of S̃₁ (the SU(2) plaquette; on SU(3), the plaquette wound twice)
            double[] off = trivializingResidual(g, spec, beta, term, 1.05);
            double spread = Math.max(Math.abs(off[0] - off[1]), Math.abs(off[0] - off[2]));
            assertTrue(spread > 100 * tolerance, spec.loops().get(term) + " 5 % off: the residuals " + java.util.Arrays.toString(off) + " should differ");
        }
    }

    /**
     * The SU(3) next-to-leading order that `perturbative = 2` writes solves the trivializing equation
     * at order t: ΔS̃₁ − ∂S·∂S̃₀ is the same number for every configuration, with the coefficients
     * check produced and every term evaluated here from its links, independently of the layer. The
     * same test with one coefficient 5 % off fails, by far: it has the power to tell. (On SU(3)
     * check folds the plaquette wound twice into Re(tr P)² and the plaquette by Cayley–Hamilton, so
     * that loop, though listed, starts at zero: the identity holds as functions of the links.)
     */
    @Test
    void theSuThreeNextToLeadingOrderSolvesTheTrivializingEquation() throws IOException {
        double beta = 1.3;
        var spec = (LayerSpec.GradientFlow) check(nextToLeadingOrder(beta, 2), "su3_nlo_identity").model().layers().get(0);
        assertSolvesTheTrivializingEquation(LinkGroup.SU3, spec, beta);
    }

    /**
     * The same for SU(2), whose next-to-leading order has four terms (traces are real and
     * Cayley–Hamilton ties the SU(N) terms together): the plaquette, (tr P)², the 2×1 loop and
     * the product of the traces of the plaquettes on either side of a link.
     */
    @Test
    void theSuTwoNextToLeadingOrderSolvesTheTrivializingEquation() throws IOException {
        double beta = 1.7;
        String loops = "rectangle(), trace_product(first = rectangle(), second = rectangle()), rectangle(r = 2, t = 1), "
                + "trace_product(first = " + ABOVE + ", second = " + BELOW + ")";
        var spec = (LayerSpec.GradientFlow) check(nextToLeadingOrder("su2", loops, beta, 2), "su2_nlo_identity").model().layers().get(0);
        assertSolvesTheTrivializingEquation(LinkGroup.SU2, spec, beta);
    }
}
