package org.equiflow.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a job is recognised as MPI's, where the library is looked for, and the one-process job. */
class CommunicatorsTest {

    @Test
    void everyLauncherIsRecognisedAndAPlainProcessIsNot() {
        assertTrue(Communicators.launchedByMpi(Map.of("OMPI_COMM_WORLD_SIZE", "2")), "Open MPI's mpirun");
        assertTrue(Communicators.launchedByMpi(Map.of("PMI_SIZE", "4")), "MPICH's mpiexec, srun --mpi=pmi2");
        assertTrue(Communicators.launchedByMpi(Map.of("PMIX_RANK", "0")), "srun --mpi=pmix, Open MPI 5");
        assertTrue(Communicators.launchedByMpi(Map.of("SLURM_PROCID", "1", "SLURM_NTASKS", "8")), "srun, 8 tasks");
        assertFalse(Communicators.launchedByMpi(Map.of("SLURM_PROCID", "0", "SLURM_NTASKS", "1")), "one srun task is a plain process");
        assertFalse(Communicators.launchedByMpi(Map.of("SLURM_PROCID", "0")), "sbatch's own shell");
        assertFalse(Communicators.launchedByMpi(Map.of("PATH", "/usr/bin")));
    }

    @Test
    void aLibraryNamedButAbsentIsRefusedWithTheVariableNamed(@TempDir Path directory) {
        Path missing = directory.resolve("libmpi.so.40");
        DistributedException e = assertThrows(DistributedException.class,
                () -> MpiLibrary.locate(Map.of(MpiLibrary.LIBRARY_VARIABLE, missing.toString())));
        assertEquals(DistributedException.Problem.LIBRARY_NOT_FOUND, e.problem());
        assertTrue(e.getMessage().contains("EQUIFLOW_MPI_LIBRARY names " + missing), e.getMessage());
        assertTrue(e.getMessage().contains("help: "), e.getMessage());
    }

    @Test
    void theLibraryIsFoundOnLdLibraryPathBeforeTheSystemDirectories(@TempDir Path directory) throws Exception {
        Path mpich = Files.createFile(directory.resolve("libmpich.so.12"));
        assertEquals(mpich, MpiLibrary.locate(Map.of("LD_LIBRARY_PATH", "/nonexistent:" + directory)));
        Path named = Files.createFile(directory.resolve("custom-libmpi.so"));
        assertEquals(named, MpiLibrary.locate(Map.of(MpiLibrary.LIBRARY_VARIABLE, named.toString(),
                "LD_LIBRARY_PATH", directory.toString())), "the variable wins");
    }

    @Test
    void theOneProcessJobSumsBlocksLeftToRight() {
        try (Communicator world = new InProcessCommunicator()) {
            assertEquals(0, world.rank());
            assertEquals(1, world.size());
            assertEquals("1 process", world.description());
            assertArrayEquals(new double[] {1e16, 1.0}, world.allreduceSumOfBlocks(MpiProbe.BLOCKS, 2));
            assertArrayEquals(new double[] {0, 0}, world.allreduceSumOfBlocks(new double[0], 2));
            assertThrows(IllegalArgumentException.class, () -> world.allreduceSumOfBlocks(new double[3], 2));
            assertArrayEquals(new double[] {1, 2}, world.gather(new double[] {1, 2}, 0));
            assertThrows(IllegalArgumentException.class, () -> world.broadcast(new double[1], 1));
        }
    }
}
