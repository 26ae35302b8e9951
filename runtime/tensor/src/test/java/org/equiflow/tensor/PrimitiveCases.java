package org.equiflow.tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The table of test cases for every primitive: at least one per class of the sealed
 * {@link Primitive} hierarchy, with inputs chosen away from kinks and singularities. Shared by
 * the gradient check and the backend-parity test, so a new primitive needs one new case here.
 */
public final class PrimitiveCases {

    public record Case(String label, Primitive primitive, List<Tensor> inputs) {
        @Override
        public String toString() {
            return label;
        }
    }

    public static final Shape FIELD_2D = new Shape(2, 2, 4, 4);
    public static final Shape FIELD_3D = new Shape(2, 2, 4, 4, 4);

    private final SplittableRandom random;

    /** The spline's two quantities on their own; their pair is drawn after every older case, so those keep their inputs. */
    private static final List<SplineGradient.Quantity> SINGLE_QUANTITIES = List.of(SplineGradient.Quantity.TRANSFORM, SplineGradient.Quantity.LOG_DERIVATIVE);

    /** Cases with float64 inputs drawn from {@code seed}; the same seed gives the same tensors. */
    public PrimitiveCases(long seed) {
        this.random = new SplittableRandom(seed);
    }

    private Tensor randn(Shape shape) {
        return Tensor.randn(shape, DType.F64, random);
    }

    /** Entries of magnitude at least 0.2, so kinks at zero are at least 20000 steps away. */
    private Tensor awayFromZero(Shape shape) {
        Tensor t = randn(shape);
        for (int i = 0; i < t.size(); i++) {
            double v = t.get(i);
            t.set(i, Math.copySign(0.2 + Math.abs(v), v));
        }
        return t;
    }

    /** Values a tanh produces, inside (−1, 1). */
    private Tensor tanhOutputs(Shape shape) {
        Tensor t = randn(shape);
        for (int i = 0; i < t.size(); i++) t.set(i, Math.tanh(t.get(i)));
        return t;
    }

    /**
     * SU(3) matrices V·diag(e^{iθₖ})·V† (V Haar-like unitary by Gram–Schmidt of a complex Gaussian)
     * whose alcove phases are pairwise at least 0.4 apart (also across the 2π wrap), packed.
     */
    private Tensor separatedSuThreeMatrices(Shape shape) {
        Tensor t = Tensor.zeros(shape, DType.F64);
        int sites = shape.sites();
        for (int b = 0; b < shape.batch(); b++) {
            for (int x = 0; x < sites; x++) {
                double first, second, third;
                do {
                    first = random.nextDouble(-Math.PI, Math.PI);
                    second = random.nextDouble(-Math.PI, Math.PI);
                    third = -first - second;
                } while (Math.min(Math.min(gap(first, second), gap(second, third)), gap(first, third)) < 0.4);
                double[] m = suThreeWithPhases(random, first, second, third);
                for (int c = 0; c < 18; c++) t.set((18 * b + c) * sites + x, m[c]);
            }
        }
        return t;
    }

    /** V·diag(e^{iθ₁}, e^{iθ₂}, e^{iθ₃})·V† for a random unitary V, packed as 2(3i + j) + part. */
    static double[] suThreeWithPhases(java.util.SplittableRandom random, double... theta) {
        double[][] vr = new double[3][3], vi = new double[3][3];
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < 3; i++) {
                vr[i][k] = random.nextGaussian();
                vi[i][k] = random.nextGaussian();
            }
            for (int j = 0; j < k; j++) {
                double dr = 0, di = 0; // ⟨v_j, v_k⟩
                for (int i = 0; i < 3; i++) {
                    dr += vr[i][j] * vr[i][k] + vi[i][j] * vi[i][k];
                    di += vr[i][j] * vi[i][k] - vi[i][j] * vr[i][k];
                }
                for (int i = 0; i < 3; i++) {
                    vr[i][k] -= dr * vr[i][j] - di * vi[i][j];
                    vi[i][k] -= dr * vi[i][j] + di * vr[i][j];
                }
            }
            double norm = 0;
            for (int i = 0; i < 3; i++) norm += vr[i][k] * vr[i][k] + vi[i][k] * vi[i][k];
            norm = Math.sqrt(norm);
            for (int i = 0; i < 3; i++) {
                vr[i][k] /= norm;
                vi[i][k] /= norm;
            }
        }
        double[] m = new double[18];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 3; k++) {
                    // V_ik e^{iθk} conj(V_jk)
                    double ar = vr[i][k] * Math.cos(theta[k]) - vi[i][k] * Math.sin(theta[k]);
                    double ai = vr[i][k] * Math.sin(theta[k]) + vi[i][k] * Math.cos(theta[k]);
                    m[2 * (3 * i + j)] += ar * vr[j][k] + ai * vi[j][k];
                    m[2 * (3 * i + j) + 1] += ai * vr[j][k] - ar * vi[j][k];
                }
            }
        }
        return m;
    }

    private static double gap(double a, double b) {
        double d = Math.abs(Math.IEEEremainder(a - b, 2 * Math.PI));
        return d;
    }

    private static Tensor scaled(Tensor t, double factor) {
        for (int i = 0; i < t.size(); i++) t.set(i, factor * t.get(i));
        return t;
    }

    /** Angles over several turns, at least 0.3 from the jumps of the principal value at odd multiples of π. */
    private Tensor anglesAwayFromTheJumps(Shape shape) {
        Tensor t = randn(shape);
        for (int i = 0; i < t.size(); i++) {
            double turns = Math.rint(2 * t.get(i));
            double inside = (Math.PI - 0.3) * Math.tanh(t.get(i) * 7.0);
            t.set(i, 2 * Math.PI * turns + inside);
        }
        return t;
    }

    /** Angles in (−π, π), at least 0.05 from ±π where a learned end slope meets the identity tails with a kink. */
    private Tensor insideTheCircle(Shape shape) {
        Tensor t = Tensor.zeros(shape, DType.F64);
        for (int i = 0; i < t.size(); i++) t.set(i, (Math.PI - 0.05) * (2 * random.nextDouble() - 1));
        return t;
    }

    private Tensor positive(Shape shape) {
        Tensor t = randn(shape);
        for (int i = 0; i < t.size(); i++) t.set(i, 0.3 + Math.abs(t.get(i)));
        return t;
    }

    private Tensor checkerboard(int parity, int... lattice) {
        Shape shape = new Shape(1, 1, lattice);
        Tensor mask = Tensor.zeros(shape, DType.F64);
        for (int site = 0; site < shape.sites(); site++) {
            int coordinateSum = 0;
            for (int a = lattice.length - 1, rest = site; a >= 0; a--) {
                coordinateSum += rest % lattice[a];
                rest /= lattice[a];
            }
            mask.set(site, (coordinateSum + parity) % 2);
        }
        return mask;
    }

    /** Every case, grouped by the primitive class it exercises; fresh tensors on every call. */
    public Map<Class<?>, List<Case>> all() {
        Map<Class<?>, List<Case>> cases = new LinkedHashMap<>();
        java.util.function.Consumer<Case> add = c -> cases.computeIfAbsent(c.primitive().getClass(), k -> new ArrayList<>()).add(c);

        add.accept(new Case("neg", new UnaryOp.Neg(), List.of(randn(FIELD_2D))));
        add.accept(new Case("exp", new UnaryOp.Exp(), List.of(randn(FIELD_2D))));
        add.accept(new Case("log", new UnaryOp.Log(), List.of(positive(FIELD_2D))));
        add.accept(new Case("tanh", new UnaryOp.Tanh(), List.of(randn(FIELD_2D))));
        add.accept(new Case("sigmoid", new UnaryOp.Sigmoid(), List.of(randn(FIELD_2D))));
        add.accept(new Case("abs", new UnaryOp.Abs(), List.of(awayFromZero(FIELD_2D))));
        add.accept(new Case("sign", new UnaryOp.Sign(), List.of(awayFromZero(FIELD_2D))));
        add.accept(new Case("sin", new UnaryOp.Sin(), List.of(randn(FIELD_2D))));
        add.accept(new Case("cos", new UnaryOp.Cos(), List.of(randn(FIELD_2D))));
        add.accept(new Case("tan", new UnaryOp.Tan(), List.of(scaled(tanhOutputs(FIELD_2D), 1.3))));
        add.accept(new Case("atan", new UnaryOp.Atan(), List.of(scaled(randn(FIELD_2D), 3.0))));
        add.accept(new Case("wrap angle", new UnaryOp.WrapAngle(), List.of(anglesAwayFromTheJumps(FIELD_2D))));
        add.accept(new Case("square", new UnaryOp.Square(), List.of(randn(FIELD_2D))));
        add.accept(new Case("pow 3", new UnaryOp.PowInt(3), List.of(randn(FIELD_2D))));
        add.accept(new Case("pow -2", new UnaryOp.PowInt(-2), List.of(awayFromZero(FIELD_2D))));
        add.accept(new Case("pow 0", new UnaryOp.PowInt(0), List.of(randn(FIELD_2D))));
        add.accept(new Case("leaky relu 0.01", new UnaryOp.LeakyRelu(0.01), List.of(awayFromZero(FIELD_2D))));
        add.accept(new Case("mul scalar", new UnaryOp.MulScalar(-1.7), List.of(randn(FIELD_2D))));
        add.accept(new Case("add scalar", new UnaryOp.AddScalar(0.3), List.of(randn(FIELD_2D))));

        Shape mask2d = new Shape(1, 1, 4, 4), bias = Shape.perConfiguration(1, 2), perConfig = Shape.perConfiguration(2, 1);
        for (Primitive p : List.<Primitive>of(new BinaryOp.Add(), new BinaryOp.Sub(), new BinaryOp.Mul(), new BinaryOp.Div())) {
            boolean div = p instanceof BinaryOp.Div;
            add.accept(new Case(p.name() + " same shape", p, List.of(randn(FIELD_2D), div ? awayFromZero(FIELD_2D) : randn(FIELD_2D))));
            add.accept(new Case(p.name() + " by lattice mask", p, List.of(randn(FIELD_2D), div ? awayFromZero(mask2d) : randn(mask2d))));
            add.accept(new Case(p.name() + " by channel bias", p, List.of(randn(FIELD_2D), div ? awayFromZero(bias) : randn(bias))));
            add.accept(new Case(p.name() + " per-configuration into field", p, List.of(randn(perConfig), div ? awayFromZero(FIELD_3D) : randn(FIELD_3D))));
        }

        add.accept(new Case("sum to [B,1]", new SumTo(perConfig), List.of(randn(FIELD_2D))));
        add.accept(new Case("sum to [1,C,L]", new SumTo(FIELD_2D.withBatch(1)), List.of(randn(FIELD_2D))));
        add.accept(new Case("sum to [1,1,L] 3D", new SumTo(new Shape(1, 1, 4, 4, 4)), List.of(randn(FIELD_3D))));
        add.accept(new Case("broadcast bias", new BroadcastTo(FIELD_2D), List.of(randn(bias))));
        add.accept(new Case("broadcast over channels", new BroadcastTo(FIELD_3D), List.of(randn(FIELD_3D.withChannels(1)))));

        add.accept(new Case("roll 2D axis 0 by 1", new Roll(0, 1), List.of(randn(FIELD_2D))));
        add.accept(new Case("roll 2D axis 1 by -1", new Roll(1, -1), List.of(randn(FIELD_2D))));
        add.accept(new Case("roll 3D axis 2 by 2", new Roll(2, 2), List.of(randn(FIELD_3D))));
        add.accept(new Case("roll 3D axis 0 by -5", new Roll(0, -5), List.of(randn(FIELD_3D))));

        add.accept(new Case("slice channels [1,3) of 4", new SliceChannels(1, 3), List.of(randn(FIELD_2D.withChannels(4)))));
        add.accept(new Case("slice channel 0 of 2", new SliceChannels(0, 1), List.of(randn(FIELD_2D))));
        add.accept(new Case("concat 2+1 channels", new ConcatChannels(), List.of(randn(FIELD_2D), randn(FIELD_2D.withChannels(1)))));
        add.accept(new Case("concat 3D 1+2+1", new ConcatChannels(),
                List.of(randn(FIELD_3D.withChannels(1)), randn(FIELD_3D), randn(FIELD_3D.withChannels(1)))));

        // Fused primitives: conv + bias + activation, the activation's backward step, the coupling update.
        for (Activation act : Activation.values()) {
            add.accept(new Case("conv+" + act + " 2D 2->3 k3 bias", new ConvAct(act, 0.01),
                    List.of(randn(FIELD_2D), randn(new Shape(3, 2, 3, 3)), randn(Shape.perConfiguration(1, 3)))));
            add.accept(new Case("conv+" + act + " 3D 2->2 k3 no bias", new ConvAct(act, 0.2),
                    List.of(randn(new Shape(1, 2, 2, 3, 8)), randn(new Shape(2, 2, 3, 3, 3)))));
            add.accept(new Case("activation grad " + act, new ActivationGrad(act, 0.01),
                    List.of(act == Activation.TANH ? tanhOutputs(FIELD_2D) : awayFromZero(FIELD_2D), randn(FIELD_2D))));
        }
        // A conditioner network: leaky ReLU then tanh, 2 -> 3 -> 2 channels, with and without its mask.
        var stages = List.of(new Conditioner.Stage(new ConvAct(Activation.LEAKY_RELU, 0.01), true),
                new Conditioner.Stage(new ConvAct(Activation.TANH, 0.0), false));
        for (boolean masked : new boolean[] {false, true}) {
            var operands = new java.util.ArrayList<>(List.of(randn(FIELD_2D), scaled(randn(new Shape(3, 2, 3, 3)), 0.5),
                    randn(Shape.perConfiguration(1, 3)), scaled(randn(new Shape(2, 3, 3, 3)), 0.5)));
            if (masked) operands.add(checkerboard(0, 4, 4));
            add.accept(new Case("conditioner 2D 2->3->2" + (masked ? " masked" : ""), new Conditioner(stages, masked), operands));
        }
        add.accept(new Case("affine coupling checkerboard", new AffineCoupling(),
                List.of(randn(FIELD_2D.withChannels(1)), randn(FIELD_2D.withChannels(1)), randn(FIELD_2D.withChannels(1)), checkerboard(1, 4, 4))));
        add.accept(new Case("affine coupling 3D", new AffineCoupling(),
                List.of(randn(FIELD_3D.withChannels(1)), randn(FIELD_3D.withChannels(1)), randn(FIELD_3D.withChannels(1)), checkerboard(0, 4, 4, 4))));

        // Splines: x spread over [−2B, 2B] so that some sites take the identity tails.
        for (int[] binsAndLattice : new int[][] {{1, 4, 4}, {4, 4, 4}, {8, 2, 3}}) {
            int bins = binsAndLattice[0];
            double bound = bins == 8 ? 3.0 : 1.5;
            Shape field = new Shape(2, 1, binsAndLattice[1], binsAndLattice[2]);
            Shape parameters = field.withChannels(3 * bins - 1);
            String suffix = " K=" + bins + " B=" + bound;
            add.accept(new Case("spline transform" + suffix, Spline.transform(bins, bound),
                    List.of(scaled(randn(field), bound), randn(parameters))));
            add.accept(new Case("spline log derivative" + suffix, Spline.logDerivative(bins, bound),
                    List.of(scaled(randn(field), bound), randn(parameters))));
            for (SplineGradient.Quantity quantity : SINGLE_QUANTITIES) {
                for (SplineGradient.Operand operand : SplineGradient.Operand.values()) {
                    add.accept(new Case("spline gradient " + quantity + " by " + operand + suffix,
                            new SplineGradient(bins, bound, quantity, operand),
                            List.of(scaled(randn(field), bound), randn(parameters), randn(field.withChannels(quantity.channels())))));
                }
            }
        }

        // Small complex matrices per site (SU(N) link blocks): every adjoint combination, N = 2 and 3.
        for (int n : new int[] {2, 3}) {
            Shape links = new Shape(2, 2 * 2 * n * n, 2, 3);
            for (boolean left : new boolean[] {false, true}) {
                for (boolean right : new boolean[] {false, true}) {
                    add.accept(new Case("complex matmul N=" + n + (left ? " A†" : " A") + (right ? " B†" : " B"),
                            new ComplexMatMul(n, left, right), List.of(randn(links), randn(links))));
                }
            }
            add.accept(new Case("complex trace N=" + n, new ComplexTrace(n), List.of(randn(links))));
        }

        // SU(3) classes by their traces, two eigenvalues at least 0.4 apart in phase (the VJP is singular where they meet).
        add.accept(new Case("su3 eigenphases", new SuThreeEigenphases(), List.of(separatedSuThreeMatrices(new Shape(2, 18, 2, 3)))));

        add.accept(new Case("where checkerboard", new Where(), List.of(checkerboard(0, 4, 4), randn(FIELD_2D), randn(FIELD_2D))));
        add.accept(new Case("where 3D checkerboard", new Where(), List.of(checkerboard(1, 4, 4, 4), randn(FIELD_3D), randn(FIELD_3D))));

        add.accept(new Case("conv 2D 2->3 k3 bias", new Conv(),
                List.of(randn(FIELD_2D), randn(new Shape(3, 2, 3, 3)), randn(Shape.perConfiguration(1, 3)))));
        add.accept(new Case("conv 2D 2->5 k3 on 5x5 (vector tails)", new Conv(),
                List.of(randn(new Shape(2, 2, 5, 5)), randn(new Shape(5, 2, 3, 3)), randn(Shape.perConfiguration(1, 5)))));
        add.accept(new Case("conv 2D 1->4 k3 on 3x12 (row longer than a vector)", new Conv(),
                List.of(randn(new Shape(2, 1, 3, 12)), randn(new Shape(4, 1, 3, 3)), randn(Shape.perConfiguration(1, 4)))));
        add.accept(new Case("conv 2D 3->5 k3 on 3x8 (odd row count, row-vector path)", new Conv(),
                List.of(randn(new Shape(2, 3, 3, 8)), randn(new Shape(5, 3, 3, 3)), randn(Shape.perConfiguration(1, 5)))));
        add.accept(new Case("conv 2D 1->4 k3 on 2x16 (two vectors per row)", new Conv(),
                List.of(randn(new Shape(1, 1, 2, 16)), randn(new Shape(4, 1, 3, 3)), randn(Shape.perConfiguration(1, 4)))));
        add.accept(new Case("conv 3D 2->4 k3 on 2x3x8", new Conv(),
                List.of(randn(new Shape(1, 2, 2, 3, 8)), randn(new Shape(4, 2, 3, 3, 3)))));
        add.accept(new Case("conv 2D 2->1 k1 no bias", new Conv(), List.of(randn(FIELD_2D), randn(new Shape(1, 2, 1, 1)))));
        add.accept(new Case("conv 3D 2->2 k3 bias", new Conv(),
                List.of(randn(FIELD_3D), randn(new Shape(2, 2, 3, 3, 3)), randn(Shape.perConfiguration(1, 2)))));
        add.accept(new Case("conv 4D 1->2 k3 no bias", new Conv(),
                List.of(randn(new Shape(1, 1, 3, 3, 3, 3)), randn(new Shape(2, 1, 3, 3, 3, 3)))));
        add.accept(new Case("conv weight gradient 2D", new ConvWeightGradient(3),
                List.of(randn(FIELD_2D), randn(FIELD_2D.withChannels(3)))));
        add.accept(new Case("conv weight gradient 3D", new ConvWeightGradient(3),
                List.of(randn(FIELD_3D), randn(FIELD_3D.withChannels(1)))));
        add.accept(new Case("conv weight gradient 2D 3->5 on 3x8 (row-vector path)", new ConvWeightGradient(3),
                List.of(randn(new Shape(3, 3, 3, 8)), randn(new Shape(3, 5, 3, 8)))));
        add.accept(new Case("conv weight gradient 3D 2->1 on 2x2x16", new ConvWeightGradient(3),
                List.of(randn(new Shape(1, 2, 2, 2, 16)), randn(new Shape(1, 1, 2, 2, 16)))));
        // The direct 3x3 kernels (2D, rows of whole 8-float vectors, even row count): channel
        // blocks of four, two and one; one, two and three vectors per row; more configurations
        // than one float32 flush of the weight gradient.
        add.accept(new Case("conv 2D 3->8 k3 on 8x8 (direct, blocks of four)", new Conv(),
                List.of(randn(new Shape(2, 3, 8, 8)), randn(new Shape(8, 3, 3, 3)), randn(Shape.perConfiguration(1, 8)))));
        add.accept(new Case("conv 2D 3->7 k3 on 4x24 (direct, blocks of four, two, one)", new Conv(),
                List.of(randn(new Shape(2, 3, 4, 24)), randn(new Shape(7, 3, 3, 3)), randn(Shape.perConfiguration(1, 7)))));
        add.accept(new Case("conv 2D 4->2 k3 on 2x16 (direct, pair)", new Conv(),
                List.of(randn(new Shape(1, 4, 2, 16)), randn(new Shape(2, 4, 3, 3)), randn(Shape.perConfiguration(1, 2)))));
        add.accept(new Case("conv 2D 2->9 k3 on 4x8 (two rows per 16-lane vector, then one channel left)", new Conv(),
                List.of(randn(new Shape(2, 2, 4, 8)), randn(new Shape(9, 2, 3, 3)), randn(Shape.perConfiguration(1, 9)))));
        add.accept(new Case("conv 2D 8->2 k3 on 8x8 (16-lane row pairs, two channels)", new Conv(),
                List.of(randn(new Shape(2, 8, 8, 8)), randn(new Shape(2, 8, 3, 3)), randn(Shape.perConfiguration(1, 2)))));
        add.accept(new Case("conv+tanh 2D 3->11 k3 on 8x8 (eight channels, then two, then one, in 16-lane row pairs)",
                new ConvAct(Activation.TANH, 0.0),
                List.of(randn(new Shape(2, 3, 8, 8)), randn(new Shape(11, 3, 3, 3)), randn(Shape.perConfiguration(1, 11)))));
        add.accept(new Case("conv 2D 1->8 k3 on 2x8 (both row pairs wrap)", new Conv(),
                List.of(randn(new Shape(3, 1, 2, 8)), randn(new Shape(8, 1, 3, 3)), randn(Shape.perConfiguration(1, 8)))));
        add.accept(new Case("conv weight gradient 2D 3->5 on 8x8 (direct, 11 configurations)", new ConvWeightGradient(3),
                List.of(randn(new Shape(11, 3, 8, 8)), randn(new Shape(11, 5, 8, 8)))));
        add.accept(new Case("conv weight gradient 2D 2->3 on 4x24 (direct)", new ConvWeightGradient(3),
                List.of(randn(new Shape(2, 2, 4, 24)), randn(new Shape(2, 3, 4, 24)))));
        add.accept(new Case("flip kernel 2D", new FlipKernel(), List.of(randn(new Shape(3, 2, 3, 3)))));
        add.accept(new Case("flip kernel 3D", new FlipKernel(), List.of(randn(new Shape(2, 1, 3, 3, 3)))));
        // Spline inverses, drawn last so that every case above keeps the inputs it had before them:
        // y spread over [−2B, 2B] so that some sites take the identity tails.
        for (int[] binsAndLattice : new int[][] {{1, 4, 4}, {4, 4, 4}, {8, 2, 3}}) {
            int bins = binsAndLattice[0];
            double bound = bins == 8 ? 3.0 : 1.5;
            Shape field = new Shape(2, 1, binsAndLattice[1], binsAndLattice[2]);
            add.accept(new Case("spline inverse K=" + bins + " B=" + bound, new SplineInverse(bins, bound),
                    List.of(scaled(randn(field), bound), randn(field.withChannels(3 * bins - 1)))));
        }
        // Circular splines with a learned end slope (3·bins raw channels), drawn after everything
        // above for the same reason; x and y inside [−π, π), where a circular coupling wraps them.
        for (int bins : new int[] {1, 4}) {
            Shape field = new Shape(2, 1, 4, 3);
            Shape parameters = field.withChannels(3 * bins);
            String suffix = " learned end slope K=" + bins;
            add.accept(new Case("spline transform" + suffix, Spline.circularTransform(bins, Math.PI),
                    List.of(insideTheCircle(field), randn(parameters))));
            add.accept(new Case("spline log derivative" + suffix, Spline.circularLogDerivative(bins, Math.PI),
                    List.of(insideTheCircle(field), randn(parameters))));
            for (SplineGradient.Quantity quantity : SINGLE_QUANTITIES) {
                for (SplineGradient.Operand operand : SplineGradient.Operand.values()) {
                    add.accept(new Case("spline gradient " + quantity + " by " + operand + suffix,
                            new SplineGradient(bins, Math.PI, quantity, operand, true),
                            List.of(insideTheCircle(field), randn(parameters), randn(field.withChannels(quantity.channels())))));
                }
            }
            add.accept(new Case("spline inverse" + suffix, new SplineInverse(bins, Math.PI, true),
                    List.of(insideTheCircle(field), randn(parameters))));
        }
        // A coupling's pair (y and log dy/dx as two channels) on every site, and masked splines (a coupling's
        // updated sites only, every quantity), pinned and learned end slopes, drawn last as well.
        for (boolean learnedEnds : new boolean[] {false, true}) {
            int bins = 4;
            Shape field = new Shape(2, 1, 3, 4);
            Shape parameters = field.withChannels(3 * bins - (learnedEnds ? 0 : 1));
            String suffix = (learnedEnds ? " learned end slope" : "") + " K=" + bins;
            SplineGradient.Quantity pair = SplineGradient.Quantity.TRANSFORM_AND_LOG_DERIVATIVE;
            add.accept(new Case("spline " + pair + suffix, new Spline(bins, Math.PI, pair, learnedEnds, false),
                    List.of(scaled(insideTheCircle(field), learnedEnds ? 1 : 1.3), randn(parameters))));
            for (SplineGradient.Operand operand : SplineGradient.Operand.values()) {
                add.accept(new Case("spline gradient " + pair + " by " + operand + suffix,
                        new SplineGradient(bins, Math.PI, pair, operand, learnedEnds, false),
                        List.of(scaled(insideTheCircle(field), learnedEnds ? 1 : 1.3), randn(parameters), randn(field.withChannels(2)))));
            }
        }
        // Masked splines (a coupling's updated sites only), pinned and learned end slopes, drawn last as well.
        for (boolean learnedEnds : new boolean[] {false, true}) {
            int bins = 4;
            Shape field = new Shape(2, 1, 4, 4);
            Shape parameters = field.withChannels(3 * bins - (learnedEnds ? 0 : 1));
            String suffix = (learnedEnds ? " learned end slope" : "") + " K=" + bins + " on a checkerboard";
            for (SplineGradient.Quantity quantity : SplineGradient.Quantity.values()) {
                add.accept(new Case("spline " + quantity + suffix, new Spline(bins, Math.PI, quantity, learnedEnds, true),
                        List.of(insideTheCircle(field), randn(parameters), checkerboard(1, 4, 4))));
                for (SplineGradient.Operand operand : SplineGradient.Operand.values()) {
                    add.accept(new Case("spline gradient " + quantity + " by " + operand + suffix,
                            new SplineGradient(bins, Math.PI, quantity, operand, learnedEnds, true),
                            List.of(insideTheCircle(field), randn(parameters), randn(field.withChannels(quantity.channels())), checkerboard(0, 4, 4))));
                }
            }
        }
        // A gradient flow's primitives on SU(N) blocks, drawn last as well: the su(N) projection and
        // the matrix exponential for N = 1 … 4, two matrices per site, the exponential of general
        // complex matrices (1-norms about 1–4, so it scales and squares) and of su(3) elements
        // large enough for several squarings (a long group step).
        for (int n : new int[] {1, 2, 3, 4}) {
            Shape links = new Shape(2, 2 * 2 * n * n, 2, 3);
            add.accept(new Case("algebra projection N=" + n, new AlgebraProjection(n), List.of(randn(links))));
            add.accept(new Case("matrix exponential N=" + n, new MatrixExponential(n), List.of(scaled(randn(links), 0.7))));
        }
        add.accept(new Case("matrix exponential of su(3)", new MatrixExponential(3),
                List.of(Ops.apply(new AlgebraProjection(3), scaled(randn(new Shape(2, 2 * 18, 2, 3)), 2)))));

        return cases;
    }

    /** The leaves of the sealed {@link Primitive} hierarchy: the closed primitive set. */
    public static Set<Class<?>> primitiveClasses() {
        Set<Class<?>> leaves = new LinkedHashSet<>();
        collectLeaves(Primitive.class, leaves);
        return leaves;
    }

    private static void collectLeaves(Class<?> type, Set<Class<?>> leaves) {
        if (type.isSealed()) {
            for (Class<?> sub : type.getPermittedSubclasses()) collectLeaves(sub, leaves);
        } else {
            leaves.add(type);
        }
    }
}
