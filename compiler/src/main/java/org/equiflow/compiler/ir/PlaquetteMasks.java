package org.equiflow.compiler.ir;

/**
 * Which rows of a 2D lattice a plaquette coupling updates, reads and leaves alone, for
 * {@code link_mask(mu, offset)}. Rows run across the updated direction: the row of a link θ_μ(x)
 * or plaquette P(x) is x_ν with ν = 1 − μ. The link θ_μ at row r lies in the plaquettes of rows
 * r and r − 1 (for μ = 1 with the roles of the two directions exchanged, the same holds), so:
 *
 * <ul>
 *   <li>active rows (updated links, transformed plaquettes) are rows r ≡ offset (mod 4), less any
 *       whose row r − 1 is also active — then plaquette r − 1 would hold two updated links;</li>
 *   <li>frozen rows (the conditioner's input) are rows ≡ offset + 1, offset + 2 (mod 4), less any
 *       whose plaquette holds an updated link, i.e. whose row r or r + 1 is active;</li>
 *   <li>every other row is passive.</li>
 * </ul>
 *
 * Where 4 divides the size this is the period-4 pattern of arXiv:2003.06413; on other sizes the
 * pattern breaks once at the wrap-around (e.g. size 6, offset 0: active rows 0 and 4, frozen 1
 * and 2, and row 5 demoted to passive because its plaquette holds the link of row 0). Each
 * active plaquette then holds exactly one updated link and no frozen plaquette holds one, so the
 * Jacobian is triangular with the log-det a sum over active plaquettes; every row is active for
 * some offset, so four offsets per direction update every link. {@code PlaquetteMasksTest}
 * checks this by brute force for every even size 4 … 16.
 */
public final class PlaquetteMasks {
    private PlaquetteMasks() {}

    /** The period of the pattern where it tiles. */
    public static final int PERIOD = 4;

    /** Active rows: their links are updated and their plaquettes transformed. */
    public static boolean[] activeRows(int size, int offset) {
        boolean[] active = new boolean[size];
        for (int r = 0; r < size; r++) active[r] = r % PERIOD == offset;
        // Only the wrap-around can put two candidates side by side (row size − 1 precedes row 0), and only on odd sizes.
        for (int r = 0; r < size; r++) {
            if (active[r] && active[Math.floorMod(r - 1, size)]) active[r] = false;
        }
        return active;
    }

    /** Frozen rows: the plaquettes the conditioner reads; none holds an updated link. */
    public static boolean[] frozenRows(int size, int offset) {
        boolean[] active = activeRows(size, offset), frozen = new boolean[size];
        for (int r = 0; r < size; r++) {
            int c = r % PERIOD;
            boolean candidate = c == (offset + 1) % PERIOD || c == (offset + 2) % PERIOD;
            frozen[r] = candidate && !active[r] && !active[(r + 1) % size];
        }
        return frozen;
    }

    /** Whether the pattern repeats with {@link #PERIOD} across the rows, so shifts by 4 rows preserve it. */
    public static boolean tiles(int size) { return size % PERIOD == 0; }
}
