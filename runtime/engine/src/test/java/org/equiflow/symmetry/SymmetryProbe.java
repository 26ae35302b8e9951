package org.equiflow.symmetry;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.compiler.symmetry.FlowSymmetry;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.CompiledFlow;

/**
 * A flow compiled from source in float64 together with the checker's analysis of it, and the
 * group actions the property tests apply: the sign flip and periodic lattice shifts. A defect is
 * the largest violation of f(g·z) = g·f(z) or of log-det(g·z) = log-det(z) over a batch.
 */
public final class SymmetryProbe {
    /** Equivariance holds to rounding: odd/even maps and rolls are exact up to a few ulps. */
    static final double EXACT = 1e-9;
    /** A counterexample: generic parameters break a broken symmetry by far more than rounding. */
    static final double BROKEN = 1e-6;

    final FlowModel model;
    final CompiledFlow flow;
    final FlowSymmetry.Analysis analysis;

    private SymmetryProbe(FlowModel model, CompiledFlow flow) {
        this.model = model;
        this.flow = flow;
        this.analysis = FlowSymmetry.analyse(model);
    }

    static SymmetryProbe compile(Path dir, String name, String source, long seed) {
        try {
            Path file = dir.resolve(name + ".flow");
            Files.writeString(file, source);
            Compiler.Result checked = Compiler.check(file, name + ".flow", Map.of());
            assertTrue(checked.ok(), () -> source + "\n" + checked.diagnostics().all());
            FlowModel model = checked.program().orElseThrow().flows().get(0);
            var ir = Compiler.lower(checked, model.name(), null);
            assertTrue(ir.isPresent(), () -> source + "\n" + checked.diagnostics().all());
            return new SymmetryProbe(model, new CompiledFlow(ir.get(), DType.F64, seed));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Tensor randomField(int batch, SplittableRandom random) {
        Tensor z = Tensor.zeros(flow.fieldShape(batch), DType.F64);
        for (int i = 0; i < z.size(); i++) z.set(i, 1.3 * random.nextGaussian());
        return z;
    }

    /** max over the batch of |f(−z) + f(z)| and |ld(−z) − ld(z)|. */
    double signFlipDefect(Tensor z) {
        var plus = flow.forward(z);
        var minus = flow.forward(negate(z));
        double d = 0;
        for (int i = 0; i < z.size(); i++) d = Math.max(d, Math.abs(minus.x().get(i) + plus.x().get(i)));
        return Math.max(d, maxDifference(plus.logDet(), minus.logDet()));
    }

    /** max over the batch of |f(T_a z) − T_a f(z)| and |ld(T_a z) − ld(z)|. */
    double shiftDefect(Tensor z, int[] shift) {
        var plain = flow.forward(z);
        var shifted = flow.forward(roll(z, shift));
        Tensor expected = roll(plain.x(), shift);
        double d = maxDifference(shifted.x(), expected);
        return Math.max(d, maxDifference(plain.logDet(), shifted.logDet()));
    }

    public static double maxDifference(Tensor a, Tensor b) {
        if (a.size() != b.size()) throw new AssertionError("compared tensors differ in size: " + a.size() + " and " + b.size());
        double d = 0;
        for (int i = 0; i < a.size(); i++) d = Math.max(d, Math.abs(a.get(i) - b.get(i)));
        return d;
    }

    public static Tensor negate(Tensor z) {
        Tensor out = z.copy();
        for (int i = 0; i < out.size(); i++) out.set(i, -z.get(i));
        return out;
    }

    /** (T_a z)(x) = z(x − a): the configuration moved by a, periodically, in every batch entry and channel. */
    public static Tensor roll(Tensor z, int[] shift) {
        Shape s = z.shape();
        int[] sizes = s.lattice();
        int sites = s.sites();
        Tensor out = Tensor.zeros(s, DType.F64);
        int[] x = new int[sizes.length];
        for (int bc = 0; bc < s.batch() * s.channels(); bc++) {
            for (int site = 0; site < sites; site++) {
                int rest = site;
                for (int d = sizes.length - 1; d >= 0; d--) {
                    x[d] = rest % sizes[d];
                    rest /= sizes[d];
                }
                int target = 0;
                for (int d = 0; d < sizes.length; d++) target = target * sizes[d] + Math.floorMod(x[d] + shift[d], sizes[d]);
                out.set(bc * sites + target, z.get(bc * sites + site));
            }
        }
        return out;
    }

    /** Every shift of the lattice, a ∈ Z_L0 × Z_L1 × …. */
    public static java.util.List<int[]> allShifts(int[] sizes) {
        var out = new java.util.ArrayList<int[]>();
        int total = 1;
        for (int s : sizes) total *= s;
        for (int k = 0; k < total; k++) {
            int[] a = new int[sizes.length];
            int rest = k;
            for (int d = sizes.length - 1; d >= 0; d--) {
                a[d] = rest % sizes[d];
                rest /= sizes[d];
            }
            out.add(a);
        }
        return out;
    }
}
