package org.equiflow.cli;

import static org.equiflow.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.equiflow.testing.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `equiflow correlate`: the identity's reweighting of an HMC ensemble, and refusals as one `error:` line, never a stack trace. */
class CorrelateCommandTest {
    private static final String FREE = Repository.root().resolve("examples/free_field.flow").toString();

    @Test
    void reweightsAnHmcEnsembleToAnotherMassAndRefusesWhatItCannot(@TempDir Path runs) {
        String hmc = runs.resolve("hmc").toString();
        var sampled = run("hmc", FREE, "--set", "Free.lattice=[4,4]", "--trajectories", "100", "--thermalize", "20", "--chains", "2",
                "--no-progress", "--out", hmc);
        assertEquals(0, sampled.exit(), sampled.err());
        var correlated = run("correlate", FREE, "--set", "Free.lattice=[4,4]", "--ensemble", hmc, "--to-set", "Free.m2=1.4", "--steps", "0",
                "--out", runs.resolve("c").toString());
        assertEquals(0, correlated.exit(), correlated.err());
        assertTrue(correlated.out().contains("phi2") && correlated.out().contains("ESS of the weights"), correlated.out());
        assertTrue(Files.isRegularFile(runs.resolve("c/report/correlation.csv")));
        var trained = run("correlate", FREE, "--set", "Free.lattice=[4,4]", "--ensemble", hmc, "--to-set", "Free.m2=1.4", "--steps", "3",
                "--no-progress", "--out", runs.resolve("t").toString());
        assertEquals(0, trained.exit(), trained.err());
        assertTrue(trained.out().contains("training the map: 3 steps") && trained.out().contains("map trained 3 steps"), trained.out());

        var again = run("correlate", FREE, "--set", "Free.lattice=[4,4]", "--ensemble", hmc, "--to-set", "Free.m2=1.4", "--steps", "0",
                "--out", runs.resolve("c").toString());
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("\nerror: ") && again.err().contains("--force"), again.err());
        var missing = run("correlate", FREE, "--set", "Free.lattice=[4,4]", "--ensemble", runs.resolve("nowhere").toString(), "--to-set",
                "Free.m2=1.4", "--out", runs.resolve("d").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("\nerror: ") && missing.err().contains("is not a directory"), missing.err());
        var otherLattice = run("correlate", FREE, "--ensemble", hmc, "--to-set", "Free.m2=1.4", "--out", runs.resolve("e").toString());
        assertEquals(1, otherLattice.exit());
        assertTrue(otherLattice.err().contains("lattice") && !otherLattice.err().contains("\tat "), otherLattice.err());
        assertFalse(Files.exists(runs.resolve("e/ensemble.json")));
    }
}
