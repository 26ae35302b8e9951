package org.equiflow.compiler.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Loop shapes of gradient-flow actions: the images under the lattice's rotations and reflections
 * counted by hand (a shape's orbit is the hyperoctahedral group's orbit of its unoriented,
 * unanchored loop), and the paths `check` refuses.
 */
class LoopShapeTest {
    private static final Lattice L8 = new Lattice(List.of(8, 8));

    @Test
    void orbitsHaveTheSizesCountedByHand() {
        // 2D: one plaquette plane; 2×1 and 1×2; the L of three plaquettes in its 4 corners (reflections are rotations of it)
        assertEquals(1, LoopShape.rectangle(1, 1).orbit(2).size());
        assertEquals(2, LoopShape.rectangle(2, 1).orbit(2).size());
        assertEquals(1, LoopShape.rectangle(2, 2).orbit(2).size());
        assertEquals(4, new LoopShape(List.of(1, 1, 2, -1, 2, -1, -2, -2)).orbit(2).size());
        // 3D: 3 planes; 2×1 in 3 planes × 2 orientations; 4D: 6 planes
        assertEquals(3, LoopShape.rectangle(1, 1).orbit(3).size());
        assertEquals(6, LoopShape.rectangle(2, 1).orbit(3).size());
        assertEquals(6, LoopShape.rectangle(1, 1).orbit(4).size());
        // the 3D hexagon ("twisted" chair): the 8 sign choices pair up under reversal, times 1 for the axis order
        assertEquals(4, new LoopShape(List.of(1, 2, 3, -1, -2, -3)).orbit(3).size());
    }

    @Test
    void aLoopIsTheSameFromAnyStartAndInEitherDirection() {
        LoopShape p = LoopShape.rectangle(1, 1);
        assertEquals(p.canonical(), p.rotated(2).canonical());
        assertEquals(p.canonical(), p.reversed().canonical());
        assertEquals(p.canonical(), new LoopShape(List.of(-1, 2, 1, -2)).reversed().rotated(1).canonical().canonical());
        assertEquals(6, LoopShape.rectangle(2, 1).length());
    }

    @Test
    void pathsThatAreNotClosedLoopsAreRefused() {
        assertNull(LoopShape.rectangle(3, 1).problem(L8));
        assertTrue(new LoopShape(List.of(1, 2, -1)).problem(L8).contains("does not close"));
        assertTrue(new LoopShape(List.of(1, -1, 2, -2)).problem(L8).contains("steps straight back"));
        assertTrue(new LoopShape(List.of(1, 3, -1, -3)).problem(L8).contains("not a direction"));
        // loops that pass a link twice are flowed exactly (the general Laplacian): the double-wound
        // plaquette, and a 1×3 loop that wraps around a lattice of size 2
        assertNull(new LoopShape(List.of(1, 2, -1, -2, 1, 2, -1, -2)).problem(L8));
        assertNull(LoopShape.rectangle(1, 3).problem(new Lattice(List.of(2, 2))));
        assertFalse(new LoopShape(List.of(1, 2, -1, -2, 1, 2, -1, -2)).passesEachLinkOnce(L8));
        assertFalse(LoopShape.rectangle(1, 3).passesEachLinkOnce(new Lattice(List.of(2, 2))));
        assertTrue(LoopShape.rectangle(1, 3).passesEachLinkOnce(L8));
    }

    private static final LoopShape ABOVE = new LoopShape(List.of(1, 2, -1, -2)), BELOW = new LoopShape(List.of(1, -2, -1, 2));

    /** Products of traces: one per plaquette for Re(tr P)² and |tr P|², one per link (two orientations in 2D) for the neighbouring plaquettes. */
    @Test
    void traceProductsAreCountedOncePerPositionAndImage() {
        var square = TraceProduct.of(LoopShape.rectangle(1, 1), LoopShape.rectangle(1, 1), false, 2);
        var modulus = TraceProduct.of(LoopShape.rectangle(1, 1), LoopShape.rectangle(1, 1), true, 2);
        var neighbours = TraceProduct.of(ABOVE, BELOW, false, 2);
        var conjugated = TraceProduct.of(ABOVE, BELOW, true, 2);
        assertEquals(1, square.orbit(2).size());
        assertEquals(1, modulus.orbit(2).size());
        assertEquals(2, neighbours.orbit(2).size());
        assertEquals(2, conjugated.orbit(2).size());
        assertEquals(3, square.orbit(3).size());
        // in 3D a link has four plaquettes: the pairs across it in each of its two planes, for each of 3 axes
        assertEquals(6, neighbours.orbit(3).size());
        // four different terms
        assertEquals(4, java.util.stream.Stream.of(square, modulus, neighbours, conjugated).map(TraceProduct::canonical).distinct().count());
        // the same product written from the other factor, from other starting steps, or run backwards
        assertEquals(neighbours.canonical(), new TraceProduct(BELOW.rotated(2), ABOVE.rotated(1), List.of(0, 1)).canonical());
        assertEquals(neighbours.canonical(), neighbours.reversed().canonical());
        assertTrue(conjugated.sameShapeAs(TraceProduct.of(new LoopShape(List.of(2, -1, -2, 1)), new LoopShape(List.of(2, 1, -2, -1)), true, 2), 2));
        assertFalse(conjugated.sameShapeAs(neighbours, 2));
        // factors must be loops; on U(1) a product whose windings cancel is a constant
        assertTrue(TraceProduct.of(new LoopShape(List.of(1, 2)), ABOVE, false, 2).problem(L8, false).contains("not a loop"));
        assertTrue(modulus.problem(L8, true).contains("cancel"));
        assertNull(modulus.problem(L8, false));
    }
}
