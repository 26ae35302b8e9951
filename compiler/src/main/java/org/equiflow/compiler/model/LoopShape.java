package org.equiflow.compiler.model;

import java.util.ArrayList;
import java.util.HashSet;
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
 */
public record LoopShape(List<Integer> steps) {

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
    public int dimensionsNeeded() { return steps.stream().mapToInt(Math::abs).max().orElse(0); }

    /**
     * Why this path is not a loop the gradient flow takes on {@code lattice}, or null: it must be
     * non-empty, stay in the lattice's dimensions, close, never step straight back, and pass
     * each link at most once on the periodic lattice (the Laplacian identity
     * Δ Re tr W = −C_F |W| Re tr W the log-det rests on holds for such loops only).
     */
    public String problem(Lattice lattice) { return problem(lattice, false); }

    /**
     * As {@link #problem(Lattice)}; for U(1) ({@code abelian}) a loop may pass a link more than
     * once: its angle is Σ n_l θ_l and Δ cos(Σ n_l θ_l) = −(Σ n_l²) cos(Σ n_l θ_l) exactly
     * ({@link #laplacianWeight}), so only a loop whose windings all cancel is refused.
     */
    public String problem(Lattice lattice, boolean abelian) {
        if (steps.isEmpty()) return "the path has no steps";
        int d = lattice.dimensions();
        for (int s : steps) {
            if (s == 0 || Math.abs(s) > d) return "step " + s + " is not a direction of a " + d + "-dimensional lattice (±1 … ±" + d + ")";
        }
        int[] end = new int[d];
        for (int s : steps) end[Math.abs(s) - 1] += Integer.signum(s);
        for (int e : end) if (e != 0) return "the path does not close: it ends " + java.util.Arrays.toString(end) + " away from its start";
        for (int k = 0; k < steps.size(); k++) {
            if (steps.get(k) == -steps.get((k + 1) % steps.size())) return "the path steps straight back at step " + (k + 1) + " (a backtracking link cancels)";
        }
        if (abelian) return laplacianWeight(lattice) == 0 ? "its windings cancel on every link, so its angle is identically zero" : null;
        Set<List<Integer>> links = new HashSet<>();
        for (Link l : links(new int[d])) {
            var key = new ArrayList<Integer>();
            for (int a = 0; a < d; a++) key.add(Math.floorMod(l.site()[a], lattice.sizes().get(a)));
            key.add(l.axis());
            if (!links.add(key)) {
                return "the loop passes the link in direction " + l.axis() + " at " + key.subList(0, d) + " twice on the " + lattice
                        + " lattice (the flow's log-det needs every link of a loop passed once)";
            }
        }
        return null;
    }

    /**
     * Σ_l n_l² over the links of the periodic lattice, n_l the net number of times the loop runs
     * along link l: the U(1) Laplacian of cos(Σ n_l θ_l) is −(this)·cos(…). |W| for a loop that
     * passes each link once.
     */
    public long laplacianWeight(Lattice lattice) {
        java.util.Map<List<Integer>, Integer> windings = new java.util.HashMap<>();
        int d = lattice.dimensions();
        for (Link l : links(new int[d])) {
            var key = new ArrayList<Integer>();
            for (int a = 0; a < d; a++) key.add(Math.floorMod(l.site()[a], lattice.sizes().get(a)));
            key.add(l.axis());
            windings.merge(key, l.sign(), Integer::sum);
        }
        long sum = 0;
        for (int n : windings.values()) sum += (long) n * n;
        return sum;
    }

    /**
     * {@link #problem(Lattice, boolean)} of this loop or of any of its images under the lattice's
     * rotations and reflections, which the flow action also sums: on unequal sizes one image may
     * wrap around the lattice where another does not.
     */
    public String problemOfAnyImage(Lattice lattice, boolean abelian) {
        String own = problem(lattice, abelian);
        if (own != null) return own;
        return orbit(lattice.dimensions()).stream().map(image -> image.problem(lattice, abelian)).filter(java.util.Objects::nonNull)
                .findFirst().orElse(null);
    }

    /** Whether {@code other} is one of this shape's images (up to start, direction, rotation and reflection). */
    public boolean sameShapeAs(LoopShape other, int dimensions) { return orbit(dimensions).contains(other.canonical()); }

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
    public LoopShape reversed() {
        var s = new ArrayList<Integer>();
        for (int i = steps.size() - 1; i >= 0; i--) s.add(-steps.get(i));
        return new LoopShape(s);
    }

    /** The representative of the loop up to its starting point and orientation: the least step sequence among rotations and reversals. */
    public LoopShape canonical() {
        LoopShape best = null;
        for (LoopShape direction : List.of(this, reversed())) {
            for (int k = 0; k < steps.size(); k++) {
                LoopShape candidate = direction.rotated(k);
                if (best == null || compare(candidate.steps, best.steps) < 0) best = candidate;
            }
        }
        return best;
    }

    private static int compare(List<Integer> a, List<Integer> b) {
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
    public List<LoopShape> orbit(int dimensions) {
        Set<LoopShape> distinct = new LinkedHashSet<>();
        for (int[] permutation : permutations(dimensions)) {
            for (int signs = 0; signs < 1 << dimensions; signs++) {
                var s = new ArrayList<Integer>();
                for (int step : steps) {
                    int axis = Math.abs(step) - 1;
                    int image = permutation[axis];
                    int sign = Integer.signum(step) * (((signs >> axis) & 1) == 0 ? 1 : -1);
                    s.add(sign * (image + 1));
                }
                distinct.add(new LoopShape(s).canonical());
            }
        }
        return distinct.stream().sorted((a, b) -> compare(a.steps, b.steps)).toList();
    }

    private static List<int[]> permutations(int n) {
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
