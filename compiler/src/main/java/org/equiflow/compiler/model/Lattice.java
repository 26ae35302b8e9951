package org.equiflow.compiler.model;

import java.util.List;

/** A periodic hypercubic lattice: sizes L0 … L(d−1), 2 ≤ d ≤ 4. */
public record Lattice(List<Integer> sizes) {
    public Lattice { sizes = List.copyOf(sizes); }

    public int dimensions() { return sizes.size(); }

    public long volume() {
        long v = 1;
        for (int s : sizes) v *= s;
        return v;
    }

    @Override
    public String toString() { return String.join("×", sizes.stream().map(String::valueOf).toList()); }
}
