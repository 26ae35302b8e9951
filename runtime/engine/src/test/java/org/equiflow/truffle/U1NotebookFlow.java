package org.equiflow.truffle;

import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.nodes.Parameters;

/**
 * The notebook's gauge-equivariant U(1) flow (arXiv:2003.06413; the PyTorch reference
 * bench/ref-pytorch-u1/flow_u1.py), transcribed line by line into plain double arithmetic for
 * one configuration: angles in [0, 2π), remainder after every update, NCP mixtures of 2·atan(e^s
 * tan(x/2)) mod 2π, and the inverse by bisection as the reference does it. It reads the weights of
 * a compiled flow by name, so the compiled program and this transcription run the same model.
 * Test scaffolding, independent of the lowering it checks.
 */
final class U1NotebookFlow {
    static final double TWO_PI = 2 * Math.PI;
    private final int size, layers, components;
    private final Parameters parameters;
    private final int convs;

    U1NotebookFlow(int size, int layers, int components, int convs, Parameters parameters) {
        this.size = size;
        this.layers = layers;
        this.components = components;
        this.convs = convs;
        this.parameters = parameters;
    }

    record Result(double[] links, double logDet) {}

    static double remainder(double x) {
        double r = x % TWO_PI;
        return r < 0 ? r + TWO_PI : r;
    }

    int index(int mu, int x0, int x1) { return (mu * size + Math.floorMod(x0, size)) * size + Math.floorMod(x1, size); }

    double[] plaquettes(double[] links) {
        double[] p = new double[size * size];
        for (int x0 = 0; x0 < size; x0++) {
            for (int x1 = 0; x1 < size; x1++) {
                p[x0 * size + x1] = links[index(0, x0, x1)] + links[index(1, x0 + 1, x1)] - links[index(0, x0, x1 + 1)] - links[index(1, x0, x1)];
            }
        }
        return p;
    }

    /** The notebook's stripes: rows of the axis ν = 1 − μ; active at offset, frozen at offset + 1 and + 2. */
    boolean row(int mu, int x0, int x1, int... residues) {
        int c = (mu == 0 ? x1 : x0) % 4;
        for (int r : residues) if (c == r % 4) return true;
        return false;
    }

    /** The conditioner: circular convolutions with bias, LeakyReLU(0.01) between them. */
    double[][] net(int layer, double[][] input) {
        double[][] h = input;
        for (int j = 0; j < convs; j++) {
            Tensor w = parameters.get("layer" + layer + ".net.conv" + j + ".weight");
            Tensor b = parameters.get("layer" + layer + ".net.conv" + j + ".bias");
            int out = w.shape().batch(), in = w.shape().channels(), k = w.shape().latticeExtent(0), half = k / 2;
            double[][] next = new double[out][size * size];
            for (int o = 0; o < out; o++) {
                for (int x0 = 0; x0 < size; x0++) {
                    for (int x1 = 0; x1 < size; x1++) {
                        double sum = b.get(o);
                        for (int i = 0; i < in; i++) {
                            for (int a = 0; a < k; a++) {
                                for (int c = 0; c < k; c++) {
                                    int y0 = Math.floorMod(x0 + a - half, size), y1 = Math.floorMod(x1 + c - half, size);
                                    sum += w.get(((o * in + i) * k + a) * k + c) * h[i][y0 * size + y1];
                                }
                            }
                        }
                        next[o][x0 * size + x1] = j < convs - 1 && sum < 0 ? 0.01 * sum : sum;
                    }
                }
            }
            h = next;
        }
        return h;
    }

    static double ncp(double x, double s) { return remainder(2 * Math.atan(Math.exp(s) * Math.tan(x / 2))); }

    static double ncpLogDerivative(double x, double s) {
        double c = Math.cos(x / 2), n = Math.sin(x / 2);
        return -Math.log(Math.exp(-s) * c * c + Math.exp(s) * n * n);
    }

    double mixture(double x, double[][] st, int site) {
        double sum = 0;
        for (int k = 0; k < components; k++) sum += ncp(x, st[k][site]);
        return sum / components;
    }

    double mixtureLogDerivative(double x, double[][] st, int site) {
        double max = Double.NEGATIVE_INFINITY;
        double[] l = new double[components];
        for (int k = 0; k < components; k++) max = Math.max(max, l[k] = ncpLogDerivative(x, st[k][site]));
        double sum = 0;
        for (double v : l) sum += Math.exp(v - max);
        return max + Math.log(sum) - Math.log(components);
    }

    private double[][] conditioner(int layer, int mu, int offset, double[] plaq) {
        double[][] input = new double[2][size * size];
        for (int x0 = 0; x0 < size; x0++) {
            for (int x1 = 0; x1 < size; x1++) {
                int site = x0 * size + x1;
                double frozen = row(mu, x0, x1, offset + 1, offset + 2) ? plaq[site] : 0;
                input[0][site] = Math.cos(frozen);
                input[1][site] = Math.sin(frozen);
            }
        }
        return net(layer, input);
    }

    Result forward(double[] z) {
        double[] links = new double[z.length];
        for (int i = 0; i < z.length; i++) links[i] = remainder(z[i]);
        double logDet = 0;
        for (int layer = 0; layer < layers; layer++) {
            int mu = layer % 2, offset = (layer / 2) % 4;
            double[] plaq = plaquettes(links);
            double[][] st = conditioner(layer, mu, offset, plaq);
            double[] out = links.clone();
            for (int x0 = 0; x0 < size; x0++) {
                for (int x1 = 0; x1 < size; x1++) {
                    if (!row(mu, x0, x1, offset)) continue;
                    int site = x0 * size + x1;
                    double p = plaq[site];
                    logDet += mixtureLogDerivative(p, st, site);
                    double updated = remainder(mixture(p, st, site) + st[components][site]);
                    double delta = updated - p;
                    out[index(mu, x0, x1)] = remainder(links[index(mu, x0, x1)] + (mu == 0 ? delta : -delta));
                }
            }
            links = out;
        }
        return new Result(links, logDet);
    }

    /** The inverse, layer by layer from the last: frozen plaquettes are unchanged, so the net's output is known. */
    Result reverse(double[] x) {
        double[] links = new double[x.length];
        for (int i = 0; i < x.length; i++) links[i] = remainder(x[i]);
        double logDet = 0;
        for (int layer = layers - 1; layer >= 0; layer--) {
            int mu = layer % 2, offset = (layer / 2) % 4;
            double[] plaq = plaquettes(links);
            double[][] st = conditioner(layer, mu, offset, plaq);
            double[] out = links.clone();
            for (int x0 = 0; x0 < size; x0++) {
                for (int x1 = 0; x1 < size; x1++) {
                    if (!row(mu, x0, x1, offset)) continue;
                    int site = x0 * size + x1;
                    double y = remainder(plaq[site] - st[components][site]);
                    double lo = 0, hi = TWO_PI;
                    for (int it = 0; it < 64; it++) {
                        double mid = 0.5 * (lo + hi);
                        if (mixture(mid, st, site) < y) lo = mid;
                        else hi = mid;
                    }
                    double old = 0.5 * (lo + hi);
                    logDet -= mixtureLogDerivative(old, st, site);
                    double delta = old - plaq[site];
                    out[index(mu, x0, x1)] = remainder(links[index(mu, x0, x1)] + (mu == 0 ? delta : -delta));
                }
            }
            links = out;
        }
        return new Result(links, logDet);
    }
}
