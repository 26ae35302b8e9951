package org.equiflow.physics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The SU(N) character expansion of {@link SuNTorusExact} against values computed elsewhere: the golden plaquettes
 * and free energies of issue 16 (10 digits), the SU(2) closed form c_n = 2Iₙ(β)/β with Bessel functions from an
 * independent quadrature ({@link U1Exact#scaledBesselI}), Weyl's dimensions, and the gluing identities a small
 * loop and a huge torus must satisfy.
 */
class SuNTorusExactTest {

    @ParameterizedTest(name = "SU({0}) β = {1} on {2}×{2}: ⟨(1/N) Re tr P⟩ = {3}")
    @CsvSource({
        "2, 2.2,  4, 0.4644805497",
        "2, 2.2,  8, 0.4644790253",
        "2, 2.2,  2, 0.4793137532",
        "3, 5.0,  4, 0.3539544614",
        "3, 5.0, 16, 0.3539544367",
        "3, 4.0, 16, 0.2796191494",
        "3, 6.0, 16, 0.4225317396",
    })
    void plaquetteMatchesTheGoldenValues(int n, double beta, int l, double expected) {
        assertEquals(expected, new SuNTorusExact(n, beta).plaquette(l * l), 1e-10);
    }

    @ParameterizedTest(name = "SU(3) 16×16 β = {0}: −ln Z = {1}")
    @CsvSource({"4, -135.659", "5, -216.847", "6, -316.388"})
    void freeEnergyMatchesTheGoldenValues(double beta, double minusLogZ) {
        assertEquals(minusLogZ, -new SuNTorusExact(3, beta).logPartitionFunction(256), 5e-4);
    }

    @Test
    void su2WeightsAreRatiosOfBesselFunctions() {
        // c_n = 2Iₙ(β)/β for the irrep of dimension n, so c_n/c₁ = Iₙ(β)/I₁(β)
        double beta = 2.2;
        var exact = new SuNTorusExact(2, beta);
        for (int dim = 2; dim <= 6; dim++) {
            double expected = U1Exact.scaledBesselI(dim, beta) / U1Exact.scaledBesselI(1, beta);
            assertEquals(expected, exact.relativeWeight(dim - 1, 0), 1e-12 * Math.max(1, expected), "dimension " + dim);
        }
        assertEquals(U1Exact.scaledBesselI(2, beta) / U1Exact.scaledBesselI(1, beta), exact.plaquetteInfiniteVolume(), 1e-12);
    }

    @Test
    void weylDimensionsOfSu3() {
        assertEquals(1, SuNTorusExact.dimension(new int[] {0, 0, 0}));
        assertEquals(3, SuNTorusExact.dimension(new int[] {1, 0, 0}));
        assertEquals(3, SuNTorusExact.dimension(new int[] {1, 1, 0}));
        assertEquals(6, SuNTorusExact.dimension(new int[] {2, 0, 0}));
        assertEquals(8, SuNTorusExact.dimension(new int[] {2, 1, 0}));
        assertEquals(10, SuNTorusExact.dimension(new int[] {3, 0, 0}));
        assertEquals(27, SuNTorusExact.dimension(new int[] {4, 2, 0}));
    }

    @ParameterizedTest(name = "SU({0}) β = {1}")
    @CsvSource({"2, 2.2", "3, 5.0", "3, 1.0", "4, 8.0"})
    void wilsonLoopsGlueConsistently(int n, double beta) {
        var exact = new SuNTorusExact(n, beta);
        // A 1×1 loop is one plaquette: the disc-and-holed-torus gluing must reproduce ∂_β ln Z / V.
        for (int volume : new int[] {4, 9, 16}) {
            assertEquals(exact.plaquette(volume), exact.wilsonLoop(1, volume), 1e-12, "V = " + volume);
        }
        // On a huge torus plaquettes decouple and an area-A loop is the product of A plaquettes.
        double p = exact.plaquetteInfiniteVolume();
        for (int area : new int[] {1, 2, 4, 6}) {
            assertEquals(Math.pow(p, area), exact.wilsonLoop(area, 100_000), 1e-12, "area " + area);
        }
    }

    @Test
    void refusesWhatItCannotComputeExactly() {
        assertThrows(IllegalArgumentException.class, () -> new SuNTorusExact(5, 2));
        assertThrows(IllegalArgumentException.class, () -> new SuNTorusExact(3, 0));
        assertThrows(IllegalArgumentException.class, () -> new SuNTorusExact(2, 25));
        assertThrows(IllegalArgumentException.class, () -> new SuNTorusExact(2, 2).wilsonLoop(16, 16));
    }
}
