package org.equiflow.compiler.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One term of a gradient flow's action, summed over every position and every image under the
 * lattice's rotations and reflections: Re tr W of a closed loop ({@link LoopShape}) or
 * Re(tr W₁ · tr W₂) of two loops at fixed relative position ({@link TraceProduct}), the products
 * of traces Lüscher's next-to-leading order needs on SU(N).
 */
public sealed interface FlowTerm permits LoopShape, TraceProduct {

    /** One traced loop of the term and the site its path starts from, relative to the term's origin. */
    record Factor(LoopShape loop, List<Integer> start) {
        public Factor { start = List.copyOf(start); }

        /** The factor's links in path order, at sites relative to the term's origin. */
        public List<LoopShape.Link> links() {
            int[] s = new int[start.size()];
            for (int a = 0; a < s.length; a++) s[a] = start.get(a);
            return loop.links(s);
        }
    }

    /** The traced loops whose product the term is (one for a loop, two for a trace product), on a lattice of {@code dimensions}. */
    List<Factor> factors(int dimensions);

    /** The same term with every factor run backwards: Re tr W† = Re tr W, so the same function. */
    FlowTerm reversed();

    /** The representative of the term up to position, starting points and joint orientation. */
    FlowTerm canonical();

    /** The distinct terms this one becomes under the hyperoctahedral group of the lattice, canonical, in a fixed order. */
    List<? extends FlowTerm> orbit(int dimensions);

    /** Why this term cannot be flowed on {@code lattice} (U(1) links where {@code abelian}), or null. */
    String problem(Lattice lattice, boolean abelian);

    /**
     * {@link #problem} of this term or of any of its images, which the flow action also sums: on
     * unequal sizes one image may wrap around the lattice where another does not.
     */
    default String problemOfAnyImage(Lattice lattice, boolean abelian) {
        String own = problem(lattice, abelian);
        if (own != null) return own;
        return orbit(lattice.dimensions()).stream().map(image -> image.problem(lattice, abelian)).filter(Objects::nonNull).findFirst().orElse(null);
    }

    /** Whether {@code other} is one of this term's images (up to position, start, direction, rotation and reflection). */
    default boolean sameShapeAs(FlowTerm other, int dimensions) { return orbit(dimensions).contains(other.canonical()); }

    /** Every link of every factor in path order, from the origin of a lattice of {@code dimensions}. */
    default List<LoopShape.Link> links(int dimensions) {
        var out = new ArrayList<LoopShape.Link>();
        for (Factor f : factors(dimensions)) out.addAll(f.links());
        return out;
    }

    /**
     * Σ_l n_l² over the links of the periodic lattice, n_l the net number of times the term's
     * loops run along link l: on U(1) the term is cos(Σ n_l θ_l), whose Laplacian is −(this)·cos(…).
     */
    default long laplacianWeight(Lattice lattice) {
        Map<List<Integer>, Integer> windings = new HashMap<>();
        for (LoopShape.Link l : links(lattice.dimensions())) windings.merge(LoopShape.periodicKey(l, lattice), l.sign(), Integer::sum);
        long sum = 0;
        for (int n : windings.values()) sum += (long) n * n;
        return sum;
    }

    /**
     * Whether the term is one loop that passes each link of the periodic lattice once: then
     * Δ Re tr W = −C_F |W| Re tr W, which the flow reads off its force; other terms get the
     * general Laplacian of products of traces.
     */
    default boolean passesEachLinkOnce(Lattice lattice) {
        if (factors(lattice.dimensions()).size() != 1) return false;
        var seen = new java.util.HashSet<List<Integer>>();
        for (LoopShape.Link l : links(lattice.dimensions())) if (!seen.add(LoopShape.periodicKey(l, lattice))) return false;
        return true;
    }

    /** The largest axis any step moves along, plus one: the term needs a lattice of at least this many dimensions. */
    int dimensionsNeeded();
}
