package org.equiflow.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.equiflow.compiler.Compiler;
import org.equiflow.tensor.DType;
import org.equiflow.truffle.CompiledFlow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `thermalize N` drops the first N states of the independence-Metropolis chain and keeps `count` after them. */
class ThermalizationTest {
    @TempDir
    Path dir;

    private CompiledFlow flow() throws IOException {
        Path script = dir.resolve("t.flow");
        Files.writeString(script, """
                use std.theories.phi4
                use std.nets.cnn
                use std.masks.checkerboard
                theory T = phi4(lattice = [4, 4], m2 = -1.0, lambda = 1.0)
                flow f for T {
                    prior normal()
                    affine(mask = checkerboard(parity = 0), net = cnn(hidden = [2], out_act = tanh))
                }
                """);
        var checked = Compiler.check(script, "t.flow", Map.of());
        assertTrue(checked.ok());
        return new CompiledFlow(Compiler.lower(checked, "f", null).orElseThrow(), DType.F32, 3);
    }

    @Test
    void theThermalizedChainIsTheLongChainWithoutItsFirstStates() throws IOException {
        var flow = flow();
        int count = 100, thermalize = 37, batch = 16, sites = 16;
        var whole = IndependenceMetropolis.run(new Proposals(flow, 5), thermalize + count, 0, batch, 9, null);
        var kept = IndependenceMetropolis.run(new Proposals(flow, 5), count, thermalize, batch, 9, null);
        var unthermalized = IndependenceMetropolis.run(new Proposals(flow, 5), count, 0, batch, 9, null);

        assertEquals(count, kept.length());
        assertArrayEquals(Arrays.copyOfRange(whole.configs(), thermalize * sites, (thermalize + count) * sites), kept.configs());
        assertArrayEquals(Arrays.copyOfRange(whole.state(), thermalize, thermalize + count), kept.state());
        assertArrayEquals(Arrays.copyOfRange(whole.proposalLogWeights(), thermalize, thermalize + count), kept.proposalLogWeights());
        // Thermalization changes what is kept: the chain no longer starts on the first proposal.
        assertFalse(Arrays.equals(unthermalized.configs(), kept.configs()));
        assertEquals(0, unthermalized.state()[0]);
        assertTrue(kept.state()[0] >= 0 && kept.state()[0] <= thermalize);
    }

    @Test
    void theAcceptanceCountsTheProposalsOfTheKeptSteps() throws IOException {
        var flow = flow();
        var whole = IndependenceMetropolis.run(new Proposals(flow, 5), 300, 0, 64, 9, null);
        var kept = IndependenceMetropolis.run(new Proposals(flow, 5), 200, 100, 64, 9, null);
        // Acceptances among kept steps, from the state indices of the whole chain: a move is a change of state.
        int moves = 0;
        for (int i = 100; i < 300; i++) if (whole.state()[i] != whole.state()[i - 1]) moves++;
        assertEquals(moves / 200.0, kept.acceptance(), 1e-12);
        int movesOfWhole = 0;
        for (int i = 1; i < 300; i++) if (whole.state()[i] != whole.state()[i - 1]) movesOfWhole++;
        assertEquals(movesOfWhole / 299.0, whole.acceptance(), 1e-12);
    }
}
