package org.equiflow.io;

import java.util.List;

/**
 * This run's observables beside another source's: another run (HMC, another flow) or the exact
 * answer. The HTML report renders one table per comparison and nothing for an empty one.
 *
 * @param column  the other column's heading, short: "exact", "HMC"
 * @param against what the other column holds, in full, e.g. "the exact answer: 2D U(1) on the 4×4 torus …" or "HMC runs/h"
 * @param rows    one per common observable
 */
public record ComparisonTable(String column, String against, List<ComparisonTable.Row> rows) {
    public ComparisonTable {
        rows = List.copyOf(rows);
    }

    /**
     * One observable in both sources. {@code otherError} is 0 (or NaN) for an exact value; {@code pull} is
     * (value − otherValue) / √(error² + otherError²), NaN where undefined.
     */
    public record Row(String observable, double value, double error, double otherValue, double otherError, double pull) {}
}
