package org.equiflow.compiler.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A closed Wilson loop's shape: the unit steps of its path, +(a+1) along axis a and −(a+1)
 * against it (so +1 = +ê₀, −2 = −ê₁). A gradient-flow potential sums Re tr W over every position
 * and every image of the shape under the lattice's rotations and reflections ({@link #orbit}),
 * each distinct loop once: the plaquette's orbit in 2D is the one plaquette of the (0, 1) plane,
 * the 1×2 rectangle's the two rectangles 2×1 and 1×2. Two paths are the same loop when one is a
 * cyclic rotation of the other or of its reversal (Re tr W† = Re tr W, and the sum over positions
 * absorbs the starting site), which is what {@link #canonical} divides out.
 *
 * <p>A loop may pass a link more than once (the plaquette wound twice, the figure-eight through a
 * link): the flow's Laplacian treats such loops exactly, on U(1) through the windings and on SU(N)
 * through the split loops of every pair of passes.
 */
public record LoopShape(List<Integer> steps) implements FlowTerm {

    public LoopShape { steps = List.copyOf(steps); }

    /** The r×t rectangle in the (0, 1) plane: r steps along ê₀, t along ê₁, back along both. */
    public static LoopShape rectangle(int r, int t) {
        var s = new ArrayList<Integer>();
        for (int i = 0; i < r; i++) s.add(1);
        for (int i = 0; i < t; i++) s.add(2);
        for (int i = 0; i < r; i++) s.add(-1);
        for (int i = 0; i < t; i++) s.add(-2);
        return new LoopShape(s);
    }

    /** |W|: the number of links the loop passes. */
    public int length() { return steps.size(); }

    /** The largest axis a step moves along, plus one: the loop needs a lattice of at least this many dimensions. */
    @Override
    public int dimensionsNeeded() { return steps.stream().mapToInt(Math::abs).max().orElse(0); }

    /** The loop itself, from the origin: one factor. */
    @Override
    public List<Factor> factors(int dimensions) { return List.of(new Factor(this, java.util.Collections.nCopies(dimensions, 0))); }

    /** Why this path is not a loop the gradient flow takes on {@code lattice}, or null (SU(N) links). */
    public String problem(Lattice lattice) { return problem(lattice, false); }

    /**
     * Why this path is not a loop the gradient flow takes on {@code lattice}, or null: it must be a
     * closed path ({@link #pathProblem}); on U(1) ({@code abelian}) its angle is Σ n_l θ_l, so a loop
     * whose windings all cancel is refused (its term is a constant).
     */
    @Override
    public String problem(Lattice lattice, boolean abelian) {
        String path = pathProblem(lattice);
        if (path != null) return path;
        if (abelian) return laplacianWeight(lattice) == 0 ? "its windings cancel on every link, so its angle is identically zero" : null;
        return null;
    }

    /** Why this is not a closed, non-backtracking path of unit steps in the lattice's dimensions, or null. */
    public String pathProblem(Lattice lattice) {
        if (steps.isEmpty()) return "the path has no steps";
        int d = lattice.dimensions();
        for (int s : steps) {
            if (s == 0 || Math.abs(s) > d) return "step " + s + " is not a direction of a " + d + "-dimensional lattice (±1 … ±" + d + ")";
        }
        int[] end = displacement(steps.size(), d);
        for (int e : end) if (e != 0) return "the path does not close: it ends " + java.util.Arrays.toString(end) + " away from its start";
        for (int k = 0; k < steps.size(); k++) {
            if (steps.get(k) == -steps.get((k + 1) % steps.size())) return "the path steps straight back at step " + (k + 1) + " (a backtracking link cancels)";
        }
        return null;
    }

    /** A link's place on the periodic lattice: its base site modulo the sizes, then its axis. */
    public static List<Integer> periodicKey(Link l, Lattice lattice) {
        var key = new ArrayList<Integer>();
        for (int a = 0; a < lattice.dimensions(); a++) key.add(Math.floorMod(l.site()[a], lattice.sizes().get(a)));
        key.add(l.axis());
        return key;
    }

    /** Where the path stands after its first {@code k} steps, in {@code dimensions} dimensions. */
    public int[] displacement(int k, int dimensions) {
        int[] at = new int[dimensions];
        for (int i = 0; i < k; i++) at[Math.abs(steps.get(i)) - 1] += Integer.signum(steps.get(i));
        return at;
    }

    /** One link of a loop: its base site, its axis, and +1 where the path runs along it, −1 against. */
    public record Link(int[] site, int axis, int sign) {}

    /** The loop's links in path order, starting from {@code start}: a step −ê_a runs against the link based one site back. */
    public List<Link> links(int[] start) {
        int[] at = start.clone();
        var out = new ArrayList<Link>();
        for (int s : steps) {
            int axis = Math.abs(s) - 1;
            if (s > 0) {
                out.add(new Link(at.clone(), axis, 1));
                at[axis]++;
            } else {
                at[axis]--;
                out.add(new Link(at.clone(), axis, -1));
            }
        }
        return out;
    }

    /** The same loop read from step {@code k} on. */
    public LoopShape rotated(int k) {
        var s = new ArrayList<Integer>();
        for (int i = 0; i < steps.size(); i++) s.add(steps.get((k + i) % steps.size()));
        return new LoopShape(s);
    }

    /** The loop run backwards (W → W†). */
    @Override
    public LoopShape reversed() {
        var s = new ArrayList<Integer>();
        for (int i = steps.size() - 1; i >= 0; i--) s.add(-steps.get(i));
        return new LoopShape(s);
    }

    /** The representative of the loop up to its starting point and orientation: the least step sequence among rotations and reversals. */
    @Override
    public LoopShape canonical() {
        LoopShape best = null;
        for (LoopShape direction : List.of(this, reversed())) {
            for (int k = 0; k < steps.size(); k++) {
                LoopShape candidate = direction.rotated(k);
                if (best == null || compareSteps(candidate.steps, best.steps) < 0) best = candidate;
            }
        }
        return best;
    }

    /** Shorter first, then lexicographic: a total order on step (and offset) lists. */
    static int compareSteps(List<Integer> a, List<Integer> b) {
        if (a.size() != b.size()) return Integer.compare(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            int c = Integer.compare(a.get(i), b.get(i));
            if (c != 0) return c;
        }
        return 0;
    }

    /**
     * The distinct loops this shape becomes under the hyperoctahedral group of a
     * {@code dimensions}-dimensional lattice (permutations of the axes and reflections of each),
     * canonical and in a fixed order.
     */
    @Override
    public List<LoopShape> orbit(int dimensions) {
        Set<LoopShape> distinct = new LinkedHashSet<>();
        for (int[] permutation : permutations(dimensions)) {
            for (int signs = 0; signs < 1 << dimensions; signs++) distinct.add(image(permutation, signs).canonical());
        }
        return distinct.stream().sorted((a, b) -> compareSteps(a.steps, b.steps)).toList();
    }

    /** The path moved by a lattice symmetry: axis a becomes axis permutation[a], reflected where bit a of {@code signs} is set. */
    LoopShape image(int[] permutation, int signs) {
        var s = new ArrayList<Integer>();
        for (int step : steps) {
            int axis = Math.abs(step) - 1;
            int sign = Integer.signum(step) * (((signs >> axis) & 1) == 0 ? 1 : -1);
            s.add(sign * (permutation[axis] + 1));
        }
        return new LoopShape(s);
    }

    static List<int[]> permutations(int n) {
        var out = new ArrayList<int[]>();
        permute(new int[n], new boolean[n], 0, out);
        return out;
    }

    private static void permute(int[] current, boolean[] used, int position, List<int[]> out) {
        if (position == current.length) {
            out.add(current.clone());
            return;
        }
        for (int a = 0; a < current.length; a++) {
            if (used[a]) continue;
            used[a] = true;
            current[position] = a;
            permute(current, used, position + 1, out);
            used[a] = false;
        }
    }

    @Override
    public String toString() { return "path(" + steps + ")"; }
}
