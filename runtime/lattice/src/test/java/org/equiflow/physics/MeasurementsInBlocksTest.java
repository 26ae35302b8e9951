package org.equiflow.physics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The measurements spread over threads (configurations in blocks, independent series in parallel) give the bits of
 * the plain loops: the same values and errors, whatever the number of threads.
 */
class MeasurementsInBlocksTest {

    private static final List<Integer> LATTICE = List.of(4, 6);

    /** A correlated chain of configurations with repeats, as a Metropolis chain has. */
    private static float[] chain(int count, int volume) {
        var random = new SplittableRandom(11);
        float[] configs = new float[count * volume];
        for (int c = 0; c < count; c++) {
            boolean repeat = c > 0 && random.nextDouble() < 0.7;
            for (int i = 0; i < volume; i++) {
                configs[c * volume + i] = repeat ? configs[(c - 1) * volume + i] : (float) random.nextGaussian(0.3, 1);
            }
        }
        return configs;
    }

    private static Measurements.Estimator estimator(boolean weighted, int count) {
        if (!weighted) return new Measurements.ChainEstimator();
        var random = new SplittableRandom(5);
        double[] logWeights = new double[count];
        for (int i = 0; i < count; i++) logWeights[i] = random.nextGaussian(0, 0.5);
        return new Measurements.WeightedEstimator(logWeights);
    }

    private static void assertSameBits(double expected, double actual, String what) {
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual), what + ": " + expected + " vs " + actual);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theTwoPointProfileHasTheBitsOfOneLoop(boolean weighted) {
        int count = 2 * Measurements.BLOCK + 123;
        var observables = new ScalarObservables(LATTICE);
        int volume = observables.volume();
        float[] configs = chain(count, volume);
        var estimator = estimator(weighted, count);
        var profile = Measurements.profile("two_point", "G(x)", estimator, configs, volume, count, volume, () -> {
            var own = new ScalarObservables(LATTICE);
            return c -> own.twoPoint(configs, c);
        }, observables::displacement);
        double[][] series = new double[volume][count];
        for (int c = 0; c < count; c++) {
            double[] g = observables.twoPoint(configs, c);
            for (int x = 0; x < volume; x++) series[x][c] = g[x];
        }
        for (int x = 0; x < volume; x++) {
            var expected = estimator.primary("G(x)", series[x]);
            assertSameBits(expected.value(), profile.value()[x], "G at " + x);
            assertSameBits(expected.error(), profile.error()[x], "error of G at " + x);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theCorrelatorHasTheBitsOfOneLoop(boolean weighted) {
        int count = 3 * Measurements.BLOCK - 7;
        var observables = new ScalarObservables(LATTICE);
        float[] configs = chain(count, observables.volume());
        var estimator = estimator(weighted, count);
        var correlator = Measurements.correlator(observables, estimator, configs, count);
        int lt = observables.timeExtent();
        double[][] g = new double[lt][count];
        for (int c = 0; c < count; c++) {
            double[] gc = observables.zeroMomentumCorrelator(configs, c);
            for (int t = 0; t < lt; t++) g[t][c] = gc[t];
        }
        for (int t = 0; t < lt; t++) {
            var expected = estimator.primary("G(t)", g[t]);
            assertSameBits(expected.value(), correlator.value()[t], "G(" + t + ")");
            assertSameBits(expected.error(), correlator.error()[t], "error of G(" + t + ")");
            assertSameBits(expected.tauInt(), correlator.tauInt()[t], "τ_int of G(" + t + ")");
        }
    }

    /** What a per-configuration measurement sees: the sum and the last value of each configuration. */
    private static double[] sumAndLast(float[] configs, int volume, int c) {
        double sum = 0;
        for (int i = 0; i < volume; i++) sum += configs[c * volume + i];
        return new double[] {sum, configs[c * volume + volume - 1]};
    }

    @Test
    void aRepeatedConfigurationIsMeasuredOnceAndKeepsItsValues() {
        int volume = 24, count = 2 * Measurements.BLOCK + 99;
        float[] configs = chain(count, volume);
        int expectedMeasurements = 0;
        for (int c = 0; c < count; c++) {
            boolean sameAsBefore = c % Measurements.BLOCK != 0
                    && java.util.Arrays.equals(configs, c * volume, (c + 1) * volume, configs, (c - 1) * volume, c * volume);
            if (!sameAsBefore) expectedMeasurements++;
        }
        var measured = new AtomicInteger();
        double[][] series = new double[2][count];
        Measurements.eachConfiguration(configs, volume, count, series, () -> c -> {
            measured.incrementAndGet();
            return sumAndLast(configs, volume, c);
        });
        // the chain repeats about 70 % of its states: only the others are measured
        assertEquals(expectedMeasurements, measured.get());
        org.junit.jupiter.api.Assertions.assertTrue(expectedMeasurements < count / 2, expectedMeasurements + " of " + count);
        for (int c = 0; c < count; c++) {
            double[] expected = sumAndLast(configs, volume, c);
            assertSameBits(expected[0], series[0][c], "sum of configuration " + c);
            assertSameBits(expected[1], series[1][c], "last value of configuration " + c);
        }
    }

    @Test
    void aConfigurationThatDiffersOnlyInItsLastValueIsMeasuredAgain() {
        int volume = 16, count = 5;
        float[] configs = new float[count * volume];
        for (int c = 0; c < count; c++) configs[c * volume + volume - 1] = c % 2 == 0 ? 0.0f : -0.0f;
        configs[4 * volume + volume - 1] = 1;
        var measured = new AtomicInteger();
        double[][] series = new double[2][count];
        Measurements.eachConfiguration(configs, volume, count, series, () -> c -> {
            measured.incrementAndGet();
            return sumAndLast(configs, volume, c);
        });
        assertEquals(count, measured.get(), "+0 and −0 are different bits, and 1 differs from both");
        assertSameBits(-0.0, series[1][3], "the last value of configuration 3");
        assertSameBits(1.0, series[1][4], "the last value of configuration 4");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aSeriesEqualToAnEarlierOneSharesItsEstimateAndADifferentOneDoesNot(boolean weighted) {
        int count = 3000;
        var random = new SplittableRandom(9);
        double[] a = new double[count], b = new double[count];
        for (int c = 0; c < count; c++) {
            a[c] = random.nextGaussian();
            b[c] = random.nextGaussian();
        }
        double[] almostA = a.clone();
        almostA[count - 1] = Math.nextUp(almostA[count - 1]);
        double[][] series = {a, b, a.clone(), almostA, b.clone()};
        assertEquals(List.of(0, 1, 0, 3, 1), java.util.Arrays.stream(Measurements.firstEqual(series)).boxed().toList());
        var estimator = estimator(weighted, count);
        Measurements.Result[] results = Measurements.primaries(estimator, "x", series);
        for (int i = 0; i < series.length; i++) {
            var alone = estimator.primary("x", series[i]);
            assertSameBits(alone.value(), results[i].value(), "value of series " + i);
            assertSameBits(alone.error(), results[i].error(), "error of series " + i);
        }
        org.junit.jupiter.api.Assertions.assertSame(results[0], results[2], "an equal series reuses the estimate");
    }
}
