package org.equiflow.compiler.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Re(tr W₁ · tr W₂): the product of the traces of two closed loops, the second starting
 * {@code offset} from the first. Re(tr W₁ · (tr W₂)*) is the product with W₂ reversed, so
 * {@code trace_product(first, second, conjugate = true)} is built that way. Lüscher's
 * next-to-leading order on SU(N) has such terms: Re(tr P)², |tr P|², and the two plaquettes on
 * either side of a link. On U(1) the product is just cos(φ₁ + φ₂).
 */
public record TraceProduct(LoopShape first, LoopShape second, List<Integer> offset) implements FlowTerm {

    public TraceProduct { offset = List.copyOf(offset); }

    /** The product of two loops that start at the same site, the second's trace conjugated where asked. */
    public static TraceProduct of(LoopShape first, LoopShape second, boolean conjugate, int dimensions) {
        return new TraceProduct(first, conjugate ? second.reversed() : second, java.util.Collections.nCopies(dimensions, 0));
    }

    @Override
    public List<Factor> factors(int dimensions) {
        var start = new ArrayList<Integer>(java.util.Collections.nCopies(dimensions, 0));
        for (int a = 0; a < Math.min(dimensions, offset.size()); a++) start.set(a, offset.get(a));
        return List.of(new Factor(first, java.util.Collections.nCopies(dimensions, 0)), new Factor(second, start));
    }

    @Override
    public int dimensionsNeeded() {
        int moved = 0;
        for (int a = 0; a < offset.size(); a++) if (offset.get(a) != 0) moved = a + 1;
        return Math.max(moved, Math.max(first.dimensionsNeeded(), second.dimensionsNeeded()));
    }

    @Override
    public TraceProduct reversed() { return new TraceProduct(first.reversed(), second.reversed(), offset); }

    /**
     * The least of the same product written from either factor, from any starting step of each,
     * in either joint orientation (Re(tr W₁† tr W₂†) = Re(tr W₁ tr W₂)), placed with the first
     * factor's start at the origin.
     */
    @Override
    public TraceProduct canonical() {
        TraceProduct best = null;
        for (TraceProduct oriented : List.of(this, reversed())) {
            for (boolean swap : new boolean[] {false, true}) {
                LoopShape a = swap ? oriented.second : oriented.first, b = swap ? oriented.first : oriented.second;
                int[] startB = new int[offset.size()];
                for (int i = 0; i < startB.length; i++) startB[i] = swap ? -offset.get(i) : offset.get(i);
                for (int ka = 0; ka < a.length(); ka++) {
                    int[] fromA = a.displacement(ka, startB.length);
                    for (int kb = 0; kb < b.length(); kb++) {
                        int[] fromB = b.displacement(kb, startB.length);
                        var relative = new ArrayList<Integer>();
                        for (int i = 0; i < startB.length; i++) relative.add(startB[i] + fromB[i] - fromA[i]);
                        var candidate = new TraceProduct(a.rotated(ka), b.rotated(kb), relative);
                        if (best == null || compare(candidate, best) < 0) best = candidate;
                    }
                }
            }
        }
        return best;
    }

    private static int compare(TraceProduct x, TraceProduct y) {
        int c = LoopShape.compareSteps(x.first.steps(), y.first.steps());
        if (c == 0) c = LoopShape.compareSteps(x.second.steps(), y.second.steps());
        if (c == 0) c = LoopShape.compareSteps(x.offset, y.offset);
        return c;
    }

    @Override
    public List<TraceProduct> orbit(int dimensions) {
        Set<TraceProduct> distinct = new LinkedHashSet<>();
        for (int[] permutation : LoopShape.permutations(dimensions)) {
            for (int signs = 0; signs < 1 << dimensions; signs++) {
                var moved = new ArrayList<Integer>(java.util.Collections.nCopies(dimensions, 0));
                for (int a = 0; a < Math.min(dimensions, offset.size()); a++) moved.set(permutation[a], (((signs >> a) & 1) == 0 ? 1 : -1) * offset.get(a));
                distinct.add(new TraceProduct(first.image(permutation, signs), second.image(permutation, signs), moved).canonical());
            }
        }
        return distinct.stream().sorted(TraceProduct::compare).toList();
    }

    @Override
    public String problem(Lattice lattice, boolean abelian) {
        if (offset.size() != lattice.dimensions()) return "its offset has " + offset.size() + " components on a " + lattice.dimensions() + "-dimensional lattice";
        for (LoopShape factor : List.of(first, second)) {
            String p = factor.pathProblem(lattice);
            if (p != null) return "its factor " + factor + " is not a loop: " + p;
        }
        if (abelian && laplacianWeight(lattice) == 0) return "on U(1) it is cos(φ₁ + φ₂), and the windings of its loops cancel on every link";
        return null;
    }

    @Override
    public String toString() {
        return "trace_product(" + first + ", " + second + (offset.stream().allMatch(o -> o == 0) ? "" : " from " + offset) + ")";
    }
}
