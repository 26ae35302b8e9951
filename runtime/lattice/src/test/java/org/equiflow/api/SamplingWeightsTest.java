package org.equiflow.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A sample whose proposals carry a log weight that is not a number cannot be reweighted: the
 * sampling run stops with a user error that counts them and says what to change (an f32 flow:
 * float64), instead of an internal error from the statistics further down.
 */
class SamplingWeightsTest {

    @Test
    void nonFiniteLogWeightsStopTheRunWithAnErrorThatNamesTheRemedy() {
        double[] weights = {-1.0, Double.NaN, -2.0, Double.NEGATIVE_INFINITY};
        RunFailure f32 = assertThrows(RunFailure.class, () -> Sampling.requireFiniteLogWeights(weights, Precision.F32));
        assertTrue(f32.getMessage().contains("2 of 4 proposals") && f32.getMessage().contains("proposal 1"), f32.getMessage());
        assertTrue(f32.getMessage().contains("help: train and sample in float64"), f32.getMessage());
        RunFailure f64 = assertThrows(RunFailure.class, () -> Sampling.requireFiniteLogWeights(weights, Precision.F64));
        assertTrue(f64.getMessage().contains("help: train further"), f64.getMessage());
        assertDoesNotThrow(() -> Sampling.requireFiniteLogWeights(new double[] {-1e300, 0, 5}, Precision.F32));
    }
}
