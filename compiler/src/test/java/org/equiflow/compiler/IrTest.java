package org.equiflow.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Stream;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.ir.CommonSubexpressions;
import org.equiflow.compiler.ir.ConditionerFusion;
import org.equiflow.compiler.ir.DeadCode;
import org.equiflow.compiler.ir.Fusion;
import org.equiflow.compiler.ir.FunctionBuilder;
import org.equiflow.compiler.ir.IrFunction;
import org.equiflow.compiler.ir.IrPasses;
import org.equiflow.compiler.ir.IrPrinter;
import org.equiflow.compiler.ir.IrProgram;
import org.equiflow.compiler.ir.IrType;
import org.equiflow.compiler.ir.Op;
import org.equiflow.compiler.ir.Verifier;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Lowering and the IR passes: the verifier holds after every pass, for every runnable flow. */
class IrTest {

    static List<Path> programs() throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(Golden.EXAMPLES)) { s.filter(p -> p.toString().endsWith(".flow")).sorted().forEach(all::add); }
        try (Stream<Path> s = Files.list(Golden.ROOT.resolve("valid"))) { s.filter(p -> p.toString().endsWith(".flow")).sorted().forEach(all::add); }
        return all;
    }

    @TestFactory
    Stream<DynamicTest> theVerifierHoldsAfterEveryPass() throws IOException {
        return programs().stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
            Compiler.Result result = Compiler.check(path, path.getFileName().toString());
            assertTrue(result.ok());
            for (var flow : result.program().orElseThrow().flows()) {
                for (String pass : IrPasses.names()) {
                    var ir = Compiler.lower(result, flow.name(), pass);
                    if (ir.isEmpty()) {
                        // Only "not in the runtime yet" may stop lowering of a checked program.
                        assertTrue(result.diagnostics().all().stream().allMatch(d -> !d.isError() || d.code() == ErrorCode.E0800),
                                () -> Golden.describe(result));
                        continue;
                    }
                    for (IrFunction f : ir.get().functions()) {
                        assertEquals(List.of(), Verifier.verify(f), flow.name() + "." + f.name() + " after " + pass);
                    }
                }
            }
        }));
    }

    private static IrProgram tutorial(String pass) {
        Path path = Golden.EXAMPLES.resolve("phi4_tutorial.flow");
        Compiler.Result result = Compiler.check(path, "phi4_tutorial.flow");
        return Compiler.lower(result, "realnvp", pass).orElseThrow();
    }

    @Test
    void theTutorialFlowHasTheReferenceParameterCount() {
        IrFunction flow = tutorial(null).function(IrProgram.FLOW).orElseThrow();
        long parameters = flow.params().stream().mapToLong(p -> p.type().dims().stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b)).sum();
        assertEquals(12_960, parameters, "the PyTorch reference has 810 parameters per layer, 16 layers");
        assertEquals(96, flow.params().size(), "a weight and a bias for each of 48 convolutions");
        assertEquals("layer15.net.conv2.weight", flow.params().get(94).name());
        assertEquals("layer15.net.conv2.bias", flow.params().get(95).name());
    }

    @Test
    void theGaugeFlowHasTheReferenceParameterCountAndChangesOneLinkDirectionPerLayer() {
        Path path = Golden.EXAMPLES.resolve("u1_gauge.flow");
        Compiler.Result result = Compiler.check(path, "u1_gauge.flow");
        IrFunction flow = Compiler.lower(result, "gauge_ncp", null).orElseThrow().function(IrProgram.FLOW).orElseThrow();
        long parameters = flow.params().stream().mapToLong(p -> p.type().dims().stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b)).sum();
        assertEquals(15_280, parameters, "the PyTorch reference: 955 parameters per layer (convs 2→8→8→3, k = 3, with bias), 16 layers");
        // Each layer rebuilds the link field from its updated direction and the other, untouched, slice.
        long rebuilt = flow.ops().stream().filter(o -> o instanceof Op.ConcatChannels c
                && c.parts().stream().filter(part -> flow.op(part) instanceof Op.SliceChannels).count() == 1).count();
        assertEquals(16, rebuilt);
        // The conditioner 2→8→8→3 is one op; its last conv has no activation, and the circle transform reads every site.
        List<Op.Conditioner> nets = flow.ops().stream().filter(o -> o instanceof Op.Conditioner).map(o -> (Op.Conditioner) o).toList();
        assertEquals(16, nets.size());
        for (Op.Conditioner net : nets) {
            assertEquals(List.of(Op.UnaryFn.LEAKY_RELU, Op.UnaryFn.LEAKY_RELU, Op.UnaryFn.IDENTITY),
                    net.stages().stream().map(Op.Conditioner.Stage::activation).toList());
            assertEquals(-1, net.activeSites());
        }
        assertTrue(flow.ops().stream().noneMatch(o -> o instanceof Op.Conv || o instanceof Op.ConvAct));
    }

    @Test
    void theActionRollsTheFieldOncePerDirectionAndSign() {
        IrFunction action = tutorial(null).function(IrProgram.ACTION).orElseThrow();
        long rolls = action.ops().stream().filter(o -> o instanceof Op.Roll).count();
        assertEquals(4, rolls, "φ(x+μ) and φ(x−μ) for μ = 0, 1");
        assertEquals(1, action.ops().stream().filter(o -> o instanceof Op.SumSites).count());
    }

    /**
     * SU(3) Wilson action on 4×4: one plaquette = three complex matrix products (U_μ(x)U_ν(x+μ),
     * U_ν(x)U_μ(x+ν), and the first times the second's adjoint) and one trace, for the one plane;
     * the IR verifies after optimisation and prints the adjoint flag.
     */
    @Test
    void theSuNActionIsThreeMatrixProductsAndOneTracePerPlane() throws IOException {
        Path script = Files.createTempFile("su3", ".flow");
        Files.writeString(script, "use std.theories.su3\ntheory G = su3(lattice = [4, 4], beta = 5.0)\n");
        Compiler.Result result = Compiler.check(script, "su3.flow");
        assertTrue(result.ok(), () -> Golden.describe(result));
        var theory = result.program().orElseThrow().theories().getFirst();
        IrFunction action = IrPasses.optimize(org.equiflow.compiler.ir.Lowering.lowerAction(theory, result.program().orElseThrow().names()));
        assertEquals(List.of(), Verifier.verify(action));
        assertEquals(3, action.ops().stream().filter(o -> o instanceof Op.ComplexMatMul).count());
        assertEquals(1, action.ops().stream().filter(o -> o instanceof Op.ComplexMatMul m && !m.adjointLeft() && m.adjointRight()).count());
        assertEquals(1, action.ops().stream().filter(o -> o instanceof Op.ComplexTrace t && t.n() == 3).count());
        String printed = org.equiflow.compiler.ir.IrPrinter.print(action);
        assertTrue(printed.contains("complex_matmul[3]") && printed.contains("†") && printed.contains("complex_trace[3]"), printed);
        Files.delete(script);
    }

    @Test
    void commonSubexpressionsMergeTheRepeatedMasksAndPassesAreIdempotent() {
        IrFunction lowered = tutorial("lower").function(IrProgram.FLOW).orElseThrow();
        IrFunction merged = CommonSubexpressions.run(lowered);
        long masksBefore = lowered.ops().stream().filter(o -> o instanceof Op.Mask).count();
        long masksAfter = merged.ops().stream().filter(o -> o instanceof Op.Mask).count();
        assertEquals(32, masksBefore);
        assertEquals(2, masksAfter, "a checkerboard and its complement");
        assertEquals(merged.ops().size(), CommonSubexpressions.run(merged).ops().size());
        IrFunction clean = DeadCode.run(merged);
        assertEquals(clean.ops().size(), DeadCode.run(clean).ops().size());
    }

    /**
     * A gradient flow's su(N) projection and matrix exponential, built directly (no layer lowers
     * them yet): they keep their operand's type, print, merge and renumber, and the verifier
     * rejects a matrix size whose packed blocks do not divide the channels, and unbatched operands.
     */
    @Test
    void theGradientFlowOpsKeepTheirOperandTypeAndTheVerifierChecksTheirMatrixSize() {
        FunctionBuilder b = new FunctionBuilder("flow_step");
        IrType links = IrType.field(2 * 18, List.of(4, 4));
        int u = b.input("u", links);
        b.matrixExponential(3, u); // dead: DeadCode drops it and renumbers everything after it
        int force = b.algebraProjection(3, u);
        int sameForce = b.algebraProjection(3, u);
        int step = b.matrixExponential(3, b.add(force, sameForce));
        b.output("moved", b.complexMatMul(3, step, u, false, false));
        b.output("u1_force", b.algebraProjection(1, u));
        IrFunction f = b.build();
        assertEquals(List.of(), Verifier.verify(f));
        assertEquals(links, f.op(force).type());
        assertEquals(links, f.op(step).type());
        String printed = IrPrinter.print(f);
        assertTrue(printed.contains("= algebra_projection[3] %0") && printed.contains("= matrix_exp[3] %" + (sameForce + 1))
                && printed.contains("= algebra_projection[1] %0"), printed);

        IrFunction merged = DeadCode.run(CommonSubexpressions.run(f));
        assertEquals(List.of(), Verifier.verify(merged));
        assertEquals(1, merged.ops().stream().filter(o -> o instanceof Op.AlgebraProjection p && p.n() == 3).count(), "the repeated projection merged");
        assertEquals(1, merged.ops().stream().filter(o -> o instanceof Op.AlgebraProjection p && p.n() == 1).count(), "another size is another op");
        assertEquals(1, merged.ops().stream().filter(o -> o instanceof Op.MatrixExponential).count(), "the unused exponential removed");

        // 36 channels are whole 3×3 (18) and 1×1 (2) blocks, not 2×2 (8) or 4×4 (32) ones.
        for (Op wrong : List.<Op>of(new Op.AlgebraProjection(1, 2, u, links), new Op.MatrixExponential(1, 2, u, links),
                new Op.AlgebraProjection(1, 4, u, links), new Op.MatrixExponential(1, 4, u, links),
                new Op.MatrixExponential(1, 0, u, links))) {
            IrFunction bad = new IrFunction("bad", List.of(new Op.Input(0, "u", links), wrong), java.util.Map.of("out", 1));
            assertEquals(List.of("bad %1: operands of " + wrong.getClass().getSimpleName() + " do not fit"), Verifier.verify(bad), wrong.toString());
        }
        IrType unbatched = links.withBatched(false);
        IrFunction fromParam = new IrFunction("param", List.of(new Op.Param(0, "z", unbatched, 0.1),
                new Op.MatrixExponential(1, 3, 0, unbatched)), java.util.Map.of("out", 1));
        assertEquals(1, Verifier.verify(fromParam).size(), "an unbatched operand");
    }

    @Test
    void eachCouplingNetBecomesOneConditionerComputedOnlyOnTheSitesItsCouplingUpdates() {
        IrFunction flow = tutorial(null).function(IrProgram.FLOW).orElseThrow();
        List<Op.Conditioner> conditioners = flow.ops().stream().filter(o -> o instanceof Op.Conditioner).map(o -> (Op.Conditioner) o).toList();
        assertEquals(16, conditioners.size(), "one per affine coupling");
        assertTrue(flow.ops().stream().noneMatch(o -> o instanceof Op.ConvAct), "every conv + activation is inside a conditioner");
        for (Op.Conditioner c : conditioners) {
            assertEquals(3, c.stages().size());
            assertEquals(List.of(Op.UnaryFn.LEAKY_RELU, Op.UnaryFn.LEAKY_RELU, Op.UnaryFn.TANH),
                    c.stages().stream().map(Op.Conditioner.Stage::activation).toList());
            // The coupling that reads the scale and shift updates the sites of this mask.
            Op.AffineCoupling coupling = flow.ops().stream().filter(o -> o instanceof Op.AffineCoupling a
                    && flow.op(a.s()) instanceof Op.SliceChannels s && s.operand() == c.id()).map(o -> (Op.AffineCoupling) o)
                    .findFirst().orElseThrow();
            assertEquals(coupling.active(), c.activeSites());
        }
    }

    @Test
    void aConditionerReadOffItsMaskKeepsEverySite() {
        IrFunction fused = Fusion.run(CommonSubexpressions.run(tutorial("lower").function(IrProgram.FLOW).orElseThrow()));
        // Make the first network's output an output of the function too: now every site is read.
        Op.ConvAct lastOfFirstNet = fused.ops().stream().filter(o -> o instanceof Op.ConvAct c && c.activation() == Op.UnaryFn.TANH)
                .map(o -> (Op.ConvAct) o).findFirst().orElseThrow();
        var outputs = new LinkedHashMap<>(fused.outputs());
        outputs.put("net", lastOfFirstNet.id());
        IrFunction withOutput = ConditionerFusion.run(new IrFunction(fused.name(), fused.ops(), outputs));
        Op first = withOutput.op(lastOfFirstNet.id());
        assertTrue(first instanceof Op.Conditioner c && c.activeSites() == -1, "got " + first);
        assertEquals(List.of(), Verifier.verify(DeadCode.run(withOutput)));
    }

    /**
     * A circular-spline plaquette coupling evaluates its spline and log-derivative in one op on the active plaquettes only, so
     * its conditioner — read as spline parameters and, through a sum, a difference and a wrapped
     * angle, as the rotation — is masked there too; the inverse's spline inverse reads every site,
     * so the inverse's conditioner is not.
     */
    @Test
    void aPlaquetteSplineAndItsConditionerRunOnTheActivePlaquettesOnly(@TempDir Path dir) throws IOException {
        IrProgram program = lowered(dir, "learned", Files.readString(Golden.ROOT.resolve("valid").resolve("gauge_spline_learned_ends.flow")));
        IrFunction flow = program.function(IrProgram.FLOW).orElseThrow();
        List<Op.Conditioner> conditioners = flow.ops().stream().filter(o -> o instanceof Op.Conditioner).map(o -> (Op.Conditioner) o).toList();
        assertEquals(4, conditioners.size());
        for (Op.Conditioner c : conditioners) {
            assertTrue(c.activeSites() >= 0 && flow.op(c.activeSites()) instanceof Op.Mask m && m.name().endsWith(".active"), "got " + c);
            List<Op> splines = flow.ops().stream().filter(o -> o instanceof Op.SplineWithLogDerivative
                    && flow.op(o.operands().get(1)) instanceof Op.SliceChannels slice && slice.operand() == c.id()).toList();
            assertEquals(1, splines.size(), "the transform and its log-derivative in one op read " + c);
            for (Op spline : splines) assertEquals(c.activeSites(), spline.operands().get(2), spline.toString());
        }
        IrFunction inverse = program.function(IrProgram.INVERSE).orElseThrow();
        assertTrue(inverse.ops().stream().anyMatch(o -> o instanceof Op.Conditioner), "the inverse has conditioners");
        assertTrue(inverse.ops().stream().noneMatch(o -> o instanceof Op.Conditioner c && c.activeSites() >= 0),
                "the spline inverse reads every site of its parameters");
        for (IrFunction f : program.functions()) assertEquals(List.of(), Verifier.verify(f), f.name());
    }

    private static IrProgram lowered(Path dir, String name, String source) throws IOException {
        Path file = dir.resolve(name + ".flow");
        Files.writeString(file, source);
        Compiler.Result result = Compiler.check(file, file.getFileName().toString());
        assertTrue(result.ok(), () -> Golden.describe(result));
        return Compiler.lower(result, "splines", null).orElseThrow();
    }

    private static long parameterCount(IrFunction f) {
        return f.params().stream().mapToLong(p -> p.type().dims().stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b)).sum();
    }

    /**
     * circular_spline(learn_end_derivative = true) is one more net output per plaquette and flags
     * every spline op of the flow and its inverse; `= false` lowers to exactly the default's IR,
     * which has no flagged op.
     */
    @Test
    void aLearnedEndSlopeIsOneMoreNetOutputAndFalseIsTheDefault(@TempDir Path dir) throws IOException {
        String learned = Files.readString(Golden.ROOT.resolve("valid").resolve("gauge_spline_learned_ends.flow"));
        assertTrue(learned.contains("circular_spline(bins = 4, learn_end_derivative = true)"));
        IrProgram withEnds = lowered(dir, "learned", learned);
        IrProgram pinned = lowered(dir, "pinned", learned.replace(", learn_end_derivative = true", ""));
        IrProgram explicitlyPinned = lowered(dir, "explicit", learned.replace("learn_end_derivative = true", "learn_end_derivative = false"));
        assertEquals(IrPrinter.print(pinned), IrPrinter.print(explicitlyPinned));

        // 4 layers, each a last conv 8→(3·4 + 1) instead of 8→3·4 with a 3×3 kernel and a bias: 4·(8·9 + 1) more.
        IrFunction flow = withEnds.function(IrProgram.FLOW).orElseThrow(), pinnedFlow = pinned.function(IrProgram.FLOW).orElseThrow();
        assertEquals(4 * (8 * 9 + 1), parameterCount(flow) - parameterCount(pinnedFlow));
        for (IrProgram program : List.of(withEnds, pinned)) {
            boolean expected = program == withEnds;
            long splines = 0;
            for (IrFunction f : program.functions()) {
                for (Op op : f.ops()) {
                    Boolean flagged = switch (op) {
                        case Op.SplineTransform t -> t.learnedEnds();
                        case Op.SplineLogDerivative t -> t.learnedEnds();
                        case Op.SplineWithLogDerivative t -> t.learnedEnds();
                        case Op.SplineInverse t -> t.learnedEnds();
                        default -> null;
                    };
                    if (flagged == null) continue;
                    splines++;
                    assertEquals(expected, flagged, f.name() + ": " + op);
                    int params = op.operands().get(1);
                    assertEquals(3 * 4 - (expected ? 0 : 1), f.op(params).type().channels(), f.name() + ": " + op);
                }
            }
            assertTrue(splines >= 8, "a transform and a log-derivative per layer at least, got " + splines);
        }
    }
}
