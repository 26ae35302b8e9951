package org.equiflow.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LatticeFourierTest {

    /**
     * The transform as first written: every line found by testing each site's coordinate, every phase j·k mod n by a
     * division, and the sine's sign applied per term. The transform must keep its bits (the two-point function and
     * the free-field prior are computed with it), so this is compared bit for bit, not to a tolerance.
     */
    private static void transformByDivision(int[] sizes, double[] re, double[] im, boolean inverse) {
        int volume = re.length, longest = 0;
        for (int s : sizes) longest = Math.max(longest, s);
        double[] lineRe = new double[longest], lineIm = new double[longest], outRe = new double[longest], outIm = new double[longest];
        double sign = inverse ? 1 : -1;
        for (int axis = 0; axis < sizes.length; axis++) {
            int n = sizes[axis];
            double[] c = new double[n], s = new double[n];
            for (int k = 0; k < n; k++) {
                c[k] = Math.cos(2 * Math.PI * k / n);
                s[k] = Math.sin(2 * Math.PI * k / n);
            }
            int stride = 1;
            for (int a = sizes.length - 1; a > axis; a--) stride *= sizes[a];
            double norm = 1 / Math.sqrt(n);
            for (int start = 0; start < volume; start++) {
                if ((start / stride) % n != 0) continue;
                for (int j = 0; j < n; j++) {
                    lineRe[j] = re[start + j * stride];
                    lineIm[j] = im[start + j * stride];
                }
                for (int k = 0; k < n; k++) {
                    double sr = 0, si = 0;
                    for (int j = 0; j < n; j++) {
                        int phase = (int) ((long) j * k % n);
                        double cp = c[phase], sp = sign * s[phase];
                        sr += lineRe[j] * cp - lineIm[j] * sp;
                        si += lineRe[j] * sp + lineIm[j] * cp;
                    }
                    outRe[k] = sr * norm;
                    outIm[k] = si * norm;
                }
                for (int k = 0; k < n; k++) {
                    re[start + k * stride] = outRe[k];
                    im[start + k * stride] = outIm[k];
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"8,8", "6,10", "5", "3,4,7", "2,3,2,5", "16,1,9"})
    void theTransformKeepsTheBitsOfThePhaseByDivision(String lattice) {
        int[] sizes = java.util.Arrays.stream(lattice.split(",")).mapToInt(Integer::parseInt).toArray();
        var fourier = new LatticeFourier(java.util.Arrays.stream(sizes).boxed().toList());
        var random = new SplittableRandom(lattice.hashCode());
        for (boolean inverse : List.of(false, true)) {
            for (int trial = 0; trial < 5; trial++) {
                int volume = fourier.volume();
                double[] re = new double[volume], im = new double[volume];
                for (int i = 0; i < volume; i++) {
                    re[i] = random.nextDouble(-2, 2);
                    // a real input (the two-point function's first transform) as well as complex ones
                    im[i] = trial == 0 ? 0 : random.nextDouble(-2, 2);
                }
                double[] expectedRe = re.clone(), expectedIm = im.clone();
                transformByDivision(sizes, expectedRe, expectedIm, inverse);
                fourier.transform(re, im, inverse);
                for (int i = 0; i < volume; i++) {
                    assertEquals(Double.doubleToRawLongBits(expectedRe[i]), Double.doubleToRawLongBits(re[i]), "re at " + i);
                    assertEquals(Double.doubleToRawLongBits(expectedIm[i]), Double.doubleToRawLongBits(im[i]), "im at " + i);
                }
            }
        }
    }
}
