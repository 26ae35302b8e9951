package org.equiflow.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What the CLI tests that train and sample share: the tiny φ⁴ script (theory T on 4×4, flow f of
 * affine couplings with small cnn nets, written to {@code tiny.flow}) and the command lines they
 * build around it.
 */
final class TinyRuns {
    private static final String HEAD = """
            use std.theories.phi4
            use std.nets.cnn
            use std.masks.checkerboard
            theory T = phi4(lattice = [4, 4], m2 = -1.0, lambda = 1.0)
            flow f for T {
                prior normal()
            """;

    private TinyRuns() {}

    /** One affine coupling whose net has 2 hidden channels, and no run blocks. */
    static Path oneCoupling(Path dir) throws IOException {
        return write(dir, "    affine(mask = checkerboard(), net = cnn(hidden = [2], out_act = tanh))\n", "");
    }

    /**
     * Two affine couplings of alternating parity whose nets have {@code hidden} hidden channels,
     * followed by {@code blocks} (the script's run blocks, each line ending in a newline).
     */
    static Path twoCouplings(Path dir, int hidden, String blocks) throws IOException {
        return write(dir, """
                    repeat i in 0..2 {
                        affine(mask = checkerboard(parity = i % 2), net = cnn(hidden = [HIDDEN], out_act = tanh))
                    }
                """.replace("HIDDEN", Integer.toString(hidden)), blocks);
    }

    private static Path write(Path dir, String layers, String blocks) throws IOException {
        return Files.writeString(dir.resolve("tiny.flow"), HEAD + layers + "}\n" + blocks);
    }

    /** {@code train SCRIPT --no-progress --color=never --out OUT}, then {@code extra}. */
    static String[] train(Path script, Path out, String... extra) {
        return concat(new String[] {"train", script.toString(), "--no-progress", "--color=never", "--out", out.toString()}, extra);
    }

    static String[] concat(String[] first, String... more) {
        String[] all = Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
