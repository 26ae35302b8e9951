package org.equiflow.compiler.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void pathsThatAreNotSinglePassLoopsAreRefused() {
        assertNull(LoopShape.rectangle(3, 1).problem(L8));
        assertTrue(new LoopShape(List.of(1, 2, -1)).problem(L8).contains("does not close"));
        assertTrue(new LoopShape(List.of(1, -1, 2, -2)).problem(L8).contains("steps straight back"));
        assertTrue(new LoopShape(List.of(1, 3, -1, -3)).problem(L8).contains("not a direction"));
        // the double-wound plaquette, and a 1×3 loop that wraps around a lattice of size 2
        assertTrue(new LoopShape(List.of(1, 2, -1, -2, 1, 2, -1, -2)).problem(L8).contains("twice"));
        assertTrue(LoopShape.rectangle(1, 3).problem(new Lattice(List.of(2, 2))).contains("twice"));
    }
}
