package org.equiflow.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
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

    /** Before MPI starts, the launcher's variables give the job's size and this process's rank. */
    @Test
    void theLaunchersVariablesGiveRanksAndRank() {
        assertEquals(4, Communicators.launchedRanks(Map.of("OMPI_COMM_WORLD_SIZE", "4", "OMPI_COMM_WORLD_RANK", "3")));
        assertEquals(3, Communicators.launchedRank(Map.of("OMPI_COMM_WORLD_SIZE", "4", "OMPI_COMM_WORLD_RANK", "3")));
        assertEquals(2, Communicators.launchedRanks(Map.of("PMI_SIZE", "2", "PMI_RANK", "1")));
        assertEquals(1, Communicators.launchedRank(Map.of("PMI_SIZE", "2", "PMI_RANK", "1")));
        assertEquals(8, Communicators.launchedRanks(Map.of("SLURM_PROCID", "5", "SLURM_NTASKS", "8")));
        assertEquals(5, Communicators.launchedRank(Map.of("SLURM_PROCID", "5", "SLURM_NTASKS", "8")));
        // One srun task, or no launcher: one process, rank 0, whatever else is set.
        assertEquals(1, Communicators.launchedRanks(Map.of("SLURM_PROCID", "0", "SLURM_NTASKS", "1")));
        assertEquals(1, Communicators.launchedRanks(Map.of()));
        assertEquals(0, Communicators.launchedRank(Map.of("OMPI_COMM_WORLD_RANK", "3")));
    }

    /** Ranks divide items into contiguous shares, in rank order, sizes differing by at most one. */
    @Test
    void sharesCoverTheItemsInRankOrder() {
        assertEquals(new Communicator.Share(0, 7), new InProcessCommunicator().share(7));
        for (int size = 1; size <= 5; size++) {
            for (int items = 0; items <= 9; items++) {
                int next = 0;
                for (int rank = 0; rank < size; rank++) {
                    Communicator.Share share = rankOf(rank, size).share(items);
                    assertEquals(next, share.first(), items + " items, rank " + rank + " of " + size);
                    assertTrue(share.count() == items / size || share.count() == items / size + 1, "share " + share);
                    next = share.end();
                }
                assertEquals(items, next);
            }
        }
    }

    /** A communicator that only knows its place in a job, for {@link Communicator#share}. */
    private static Communicator rankOf(int rank, int size) {
        return (Communicator) java.lang.reflect.Proxy.newProxyInstance(Communicator.class.getClassLoader(), new Class<?>[] {Communicator.class},
                (proxy, method, arguments) -> switch (method.getName()) {
                    case "rank" -> rank;
                    case "size" -> size;
                    case "share" -> java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, arguments);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
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
    void aJobLaunchedByMpiWithoutTheLibraryIsRefused(@TempDir Path directory) {
        DistributedException e = assertThrows(DistributedException.class, () -> Communicators.detect(Map.of(
                "OMPI_COMM_WORLD_SIZE", "2", MpiLibrary.LIBRARY_VARIABLE, directory.resolve("absent.so").toString())));
        assertEquals(DistributedException.Problem.LIBRARY_NOT_FOUND, e.problem());
        assertTrue(Communicators.detect(Map.of(MpiLibrary.LIBRARY_VARIABLE, "/nowhere")) instanceof InProcessCommunicator,
                "without a launcher the library is not even looked for");
    }

    @Test
    void aLibraryThatIsNotMpiIsRefusedBeforeAnythingIsCalled(@TempDir Path directory) throws Exception {
        Path text = Files.writeString(directory.resolve("libmpi.so.40"), "not a library");
        DistributedException notElf = assertThrows(DistributedException.class,
                () -> MpiCommunicator.open(Map.of(MpiLibrary.LIBRARY_VARIABLE, text.toString())));
        assertEquals(DistributedException.Problem.LIBRARY_UNUSABLE, notElf.problem());
        assertTrue(notElf.getMessage().contains("could not be loaded"), notElf.getMessage());
        Path libm = Stream.of("/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/lib64/libm.so.6",
                "/usr/lib64/libm.so.6", "/lib/aarch64-linux-gnu/libm.so.6").map(Path::of).filter(Files::isRegularFile).findFirst().orElse(null);
        Assumptions.assumeTrue(libm != null, "no libm.so.6 on the usual paths");
        DistributedException notMpi = assertThrows(DistributedException.class,
                () -> MpiCommunicator.open(Map.of(MpiLibrary.LIBRARY_VARIABLE, libm.toString())));
        assertEquals(DistributedException.Problem.LIBRARY_UNUSABLE, notMpi.problem());
        assertTrue(notMpi.getMessage().contains("MPI_Get_library_version"), notMpi.getMessage());
    }

    @Test
    void theLibraryIsFoundOnLdLibraryPathBeforeTheSystemDirectories(@TempDir Path directory) throws Exception {
        Path mpich = Files.createFile(directory.resolve("libmpich.so.12"));
        assertEquals(mpich, MpiLibrary.locate(Map.of("LD_LIBRARY_PATH", "/nonexistent:" + directory)));
        Path openMpi = Files.createFile(directory.resolve("libmpi.so.40"));
        assertEquals(openMpi, MpiLibrary.locate(Map.of("LD_LIBRARY_PATH", directory.toString(), "OMPI_COMM_WORLD_SIZE", "2")));
        assertEquals(mpich, MpiLibrary.locate(Map.of("LD_LIBRARY_PATH", directory.toString(), "PMI_SIZE", "2")),
                "under MPICH's launcher, MPICH's library where both are installed");
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
