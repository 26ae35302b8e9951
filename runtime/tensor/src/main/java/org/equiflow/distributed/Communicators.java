package org.equiflow.distributed;

import java.util.Map;

/** Chooses the job's communicator: MPI when an MPI launcher started this process, one process otherwise. */
public final class Communicators {

    private Communicators() { }

    /**
     * {@link MpiCommunicator} when this process was started by an MPI launcher (see {@link #launchedByMpi}),
     * else {@link InProcessCommunicator}. Call once, from the thread that will make every collective call.
     *
     * @throws DistributedException when launched by MPI but the library cannot be found, loaded or initialised
     */
    public static Communicator detect() {
        return detect(System.getenv());
    }

    /** {@link #detect()} in the given environment. */
    public static Communicator detect(Map<String, String> environment) {
        return launchedByMpi(environment) ? MpiCommunicator.open(environment) : new InProcessCommunicator();
    }

    /**
     * Whether the environment is one an MPI launcher gives its processes: Open MPI's mpirun
     * (OMPI_COMM_WORLD_SIZE), MPICH's Hydra and Slurm's PMI-2 (PMI_SIZE), PMIx launchers such as
     * {@code srun --mpi=pmix} and Open MPI 5 (PMIX_RANK), or srun starting several tasks (SLURM_PROCID
     * with SLURM_NTASKS above 1). One srun task is an ordinary allocation, not a job of ranks.
     */
    public static boolean launchedByMpi(Map<String, String> environment) {
        if (environment.containsKey("OMPI_COMM_WORLD_SIZE") || environment.containsKey("PMI_SIZE")
                || environment.containsKey("PMIX_RANK")) {
            return true;
        }
        if (environment.containsKey("SLURM_PROCID")) {
            try {
                return Integer.parseInt(environment.getOrDefault("SLURM_NTASKS", "1").trim()) > 1;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    /**
     * The number of ranks an MPI launcher says it started, from the environment alone (before MPI is
     * initialised): OMPI_COMM_WORLD_SIZE, PMI_SIZE or SLURM_NTASKS; 1 when no launcher started this
     * process or it does not say.
     */
    public static int launchedRanks(Map<String, String> environment) {
        if (!launchedByMpi(environment)) return 1;
        return integer(firstOf(environment, "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS"), 1);
    }

    /**
     * This process's rank as the launcher's environment gives it (OMPI_COMM_WORLD_RANK, PMI_RANK,
     * PMIX_RANK or SLURM_PROCID); 0 when no launcher started it or it does not say.
     */
    public static int launchedRank(Map<String, String> environment) {
        if (!launchedByMpi(environment)) return 0;
        return integer(firstOf(environment, "OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "SLURM_PROCID"), 0);
    }

    private static String firstOf(Map<String, String> environment, String... names) {
        for (String name : names) if (environment.containsKey(name)) return environment.get(name);
        return null;
    }

    private static int integer(String value, int otherwise) {
        try {
            return value == null ? otherwise : Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
