package org.equiflow.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.equiflow.testing.NotebookReference;

/**
 * The MIT tutorial's RealNVP flow for 2D phi^4 (arXiv:2101.08176), written directly with
 * tensor ops: affine couplings on checkerboard masks, each conditioned by a periodic CNN
 * {@code Conv(1->8) LeakyReLU Conv(8->8) LeakyReLU Conv(8->2) tanh}. Test scaffolding that pins
 * the tensor layer to the PyTorch reference until the compiler generates such models.
 */
final class Phi4RealNvp {

    static final double LEAKY_SLOPE = 0.01;

    record ConvLayer(Tensor weight, Tensor bias) {
    }

    /** One affine coupling: mask 1 on frozen sites (the conditioner's input), 0 on active ones. */
    record Coupling(Tensor frozenMask, Tensor activeMask, List<ConvLayer> conditioner) {
    }

    record FlowOutput(Tensor phi, Tensor logDet) {
    }

    final int extent;
    final List<Coupling> couplings;

    private Phi4RealNvp(int extent, List<Coupling> couplings) {
        this.extent = extent;
        this.couplings = couplings;
    }

    static JsonNode readReference(String name) throws IOException {
        return NotebookReference.read(name);
    }

    static Phi4RealNvp fromReference(JsonNode root, DType dtype) {
        int extent = root.get("L").asInt();
        List<Coupling> couplings = new ArrayList<>();
        for (JsonNode layer : root.get("layers")) {
            Tensor frozen = Tensor.zeros(new Shape(1, 1, extent, extent), dtype);
            flattenInto(layer.get("frozen_mask"), frozen, new int[] {0});
            Tensor active = Ops.addScalar(Ops.neg(frozen), 1.0);
            List<ConvLayer> convs = new ArrayList<>();
            for (JsonNode conv : layer.get("convs")) {
                JsonNode w = conv.get("weight");
                int out = w.size(), in = w.get(0).size(), kh = w.get(0).get(0).size(), kw = w.get(0).get(0).get(0).size();
                Tensor weight = Tensor.zeros(new Shape(out, in, kh, kw), dtype);
                flattenInto(w, weight, new int[] {0});
                Tensor bias = Tensor.zeros(Shape.perConfiguration(1, out), dtype);
                flattenInto(conv.get("bias"), bias, new int[] {0});
                convs.add(new ConvLayer(weight.requiresGrad(true), bias.requiresGrad(true)));
            }
            couplings.add(new Coupling(frozen, active, convs));
        }
        return new Phi4RealNvp(extent, couplings);
    }

    /** Row-major flattening of nested JSON arrays, matching both PyTorch's and our layout. */
    static void flattenInto(JsonNode node, Tensor target, int[] position) {
        for (double v : NotebookReference.values(node)) target.set(position[0]++, v);
    }

    List<Tensor> parameters() {
        List<Tensor> parameters = new ArrayList<>();
        for (Coupling c : couplings) {
            for (ConvLayer conv : c.conditioner) {
                parameters.add(conv.weight);
                parameters.add(conv.bias);
            }
        }
        return parameters;
    }

    /** z {@code [B, 1, L, L]} to phi and log|det dphi/dz| {@code [B, 1]}. */
    FlowOutput forward(Tensor z) {
        Tensor x = z;
        Tensor logDet = null;
        for (Coupling c : couplings) {
            Tensor xFrozen = Ops.mul(c.frozenMask, x);
            Tensor st = conditioner(c, xFrozen);
            Tensor s = Ops.sliceChannels(st, 0, 1);
            Tensor t = Ops.sliceChannels(st, 1, 2);
            x = Ops.add(xFrozen, Ops.mul(c.activeMask, Ops.add(Ops.mul(x, Ops.exp(s)), t)));
            Tensor layerLogDet = Ops.sumPerConfiguration(Ops.mul(c.activeMask, s));
            logDet = logDet == null ? layerLogDet : Ops.add(logDet, layerLogDet);
        }
        return new FlowOutput(x, logDet);
    }

    private static Tensor conditioner(Coupling c, Tensor input) {
        Tensor h = input;
        List<ConvLayer> convs = c.conditioner;
        for (int i = 0; i < convs.size(); i++) {
            h = Ops.conv(h, convs.get(i).weight, convs.get(i).bias);
            h = i < convs.size() - 1 ? Ops.leakyRelu(h, LEAKY_SLOPE) : Ops.tanh(h);
        }
        return h;
    }

    /** Normalized log density of independent N(0, 1) sites, {@code [B, 1]}. */
    static Tensor priorLogProb(Tensor z) {
        return Ops.sumPerConfiguration(Ops.addScalar(Ops.mulScalar(Ops.square(z), -0.5), -0.5 * Math.log(2 * Math.PI)));
    }

    /**
     * The tutorial's action {@code S = sum_x [sum_mu phi_x (2 phi_x - phi_{x+mu} - phi_{x-mu})
     * + m2 phi_x^2 + lam phi_x^4]} on a periodic lattice of any rank, {@code [B, 1]}.
     */
    static Tensor action(Tensor phi, double m2, double lambda) {
        Tensor phiSquared = Ops.square(phi);
        Tensor density = Ops.add(Ops.mulScalar(phiSquared, m2), Ops.mulScalar(Ops.square(phiSquared), lambda));
        for (int mu = 0; mu < phi.shape().latticeRank(); mu++) {
            Tensor forward = Ops.roll(phi, mu, -1);
            Tensor backward = Ops.roll(phi, mu, 1);
            Tensor laplacianTerm = Ops.sub(Ops.sub(Ops.mulScalar(phi, 2.0), forward), backward);
            density = Ops.add(density, Ops.mul(phi, laplacianTerm));
        }
        return Ops.sumPerConfiguration(density);
    }
}
