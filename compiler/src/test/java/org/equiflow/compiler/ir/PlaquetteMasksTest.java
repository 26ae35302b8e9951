package org.equiflow.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The structure a plaquette coupling needs from its masks, checked by brute force on every 2D lattice with even
 * sizes 4 … 16: the four links of each plaquette P(x) = θ₀(x) + θ₁(x+ê₀) − θ₀(x+ê₁) − θ₁(x) are listed explicitly
 * (not through the row argument of {@link PlaquetteMasks}), and for every direction μ and offset the updated links
 * and the active and frozen plaquettes are tested against the rules that make the layer a triangular bijection.
 */
class PlaquetteMasksTest {

    /** A link θ_mu at (x0, x1). */
    private record Link(int mu, int x0, int x1) {}

    @Test
    void everyEvenLatticeGetsIndependentActiveLinksAndFullCoverage() {
        for (int l0 = 4; l0 <= 16; l0 += 2) {
            for (int l1 = 4; l1 <= 16; l1 += 2) {
                for (int mu = 0; mu < 2; mu++) checkDirection(l0, l1, mu);
            }
        }
    }

    private static void checkDirection(int l0, int l1, int mu) {
        String where = l0 + "×" + l1 + ", mu = " + mu;
        int across = mu == 0 ? l1 : l0;
        Set<Link> everUpdated = new HashSet<>();
        for (int offset = 0; offset < 4; offset++) {
            boolean[] activeRows = PlaquetteMasks.activeRows(across, offset), frozenRows = PlaquetteMasks.frozenRows(across, offset);
            Set<Link> updated = new HashSet<>();
            List<List<Link>> active = new ArrayList<>(), frozen = new ArrayList<>();
            for (int x0 = 0; x0 < l0; x0++) {
                for (int x1 = 0; x1 < l1; x1++) {
                    int row = mu == 0 ? x1 : x0;
                    if (activeRows[row]) updated.add(new Link(mu, x0, x1));
                    List<Link> plaquette = List.of(new Link(0, x0, x1), new Link(1, (x0 + 1) % l0, x1),
                            new Link(0, x0, (x1 + 1) % l1), new Link(1, x0, x1));
                    if (activeRows[row]) active.add(plaquette);
                    if (frozenRows[row]) frozen.add(plaquette);
                    assertTrue(!(activeRows[row] && frozenRows[row]), where + ": row " + row + " both active and frozen");
                }
            }
            String at = where + ", offset " + offset;
            for (List<Link> p : active) {
                assertEquals(1, p.stream().filter(updated::contains).count(), at + ": an active plaquette holds exactly one updated link " + p);
            }
            for (List<Link> p : frozen) {
                assertEquals(0, p.stream().filter(updated::contains).count(), at + ": a frozen plaquette holds no updated link " + p);
            }
            for (Link u : updated) {
                assertEquals(1, active.stream().filter(p -> p.contains(u)).count(), at + ": link " + u + " is in exactly one active plaquette");
            }
            assertTrue(!frozen.isEmpty(), at + ": the conditioner reads some frozen plaquettes");
            everUpdated.addAll(updated);
        }
        assertEquals(l0 * l1, everUpdated.size(), where + ": the four offsets update every link of direction mu");
    }

    @Test
    void multiplesOfFourKeepThePeriodFourPatternOfTheNotebook() {
        for (int size = 4; size <= 16; size += 4) {
            for (int offset = 0; offset < 4; offset++) {
                boolean[] active = PlaquetteMasks.activeRows(size, offset), frozen = PlaquetteMasks.frozenRows(size, offset);
                for (int r = 0; r < size; r++) {
                    assertEquals(r % 4 == offset, active[r]);
                    assertEquals(r % 4 == (offset + 1) % 4 || r % 4 == (offset + 2) % 4, frozen[r]);
                }
            }
        }
    }
}
