package org.equiflow.distributed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the MPI C library is: the file EQUIFLOW_MPI_LIBRARY names, else the first of the usual sonames
 * (Open MPI's libmpi.so.40, MPICH's libmpi.so.12 and libmpich.so.12; MPICH's first under a PMI launcher
 * other than Open MPI's) in LD_LIBRARY_PATH's directories and then the system's. Sonames, not the unversioned libmpi.so, which only development packages install.
 */
final class MpiLibrary {

    /** The environment variable that names the library file, for installations off the usual paths. */
    static final String LIBRARY_VARIABLE = "EQUIFLOW_MPI_LIBRARY";

    static final List<String> SONAMES = List.of("libmpi.so.40", "libmpi.so.12", "libmpich.so.12");
    /** Under a PMI launcher that is not Open MPI's (MPICH's Hydra, srun --mpi=pmi2), MPICH's library first. */
    static final List<String> MPICH_FIRST = List.of("libmpi.so.12", "libmpich.so.12", "libmpi.so.40");

    static final List<String> SYSTEM_DIRECTORIES = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/local/lib",
            "/usr/lib/aarch64-linux-gnu", "/usr/lib");

    private MpiLibrary() { }

    /** The library file, or a {@link DistributedException} (LIBRARY_NOT_FOUND) that lists where it looked. */
    static Path locate(Map<String, String> environment) {
        String named = environment.get(LIBRARY_VARIABLE);
        if (named != null && !named.isBlank()) {
            Path path = Path.of(named);
            if (Files.isRegularFile(path)) return path;
            throw new DistributedException(DistributedException.Problem.LIBRARY_NOT_FOUND,
                    LIBRARY_VARIABLE + " names " + named + ", which is not a file\n"
                    + "help: point it at the MPI library the job was launched with (e.g. .../lib/libmpi.so.40), or unset it to search the usual paths");
        }
        List<Path> directories = searchDirectories(environment);
        // Where both are installed, the launcher says which: a process must load the MPI that started it.
        List<String> sonames = environment.containsKey("PMI_SIZE") && !environment.containsKey("OMPI_COMM_WORLD_SIZE")
                ? MPICH_FIRST : SONAMES;
        for (Path directory : directories) {
            for (String soname : sonames) {
                Path candidate = directory.resolve(soname);
                if (Files.isRegularFile(candidate)) return candidate;
            }
        }
        throw new DistributedException(DistributedException.Problem.LIBRARY_NOT_FOUND,
                "this job was launched by MPI, but no MPI library was found (looked for " + String.join(", ", SONAMES) + " in "
                + String.join(", ", directories.stream().map(Path::toString).toList()) + ")\n"
                + "help: install Open MPI (Debian: openmpi-bin) or MPICH, load its module, or set " + LIBRARY_VARIABLE
                + " to the library's file");
    }

    private static List<Path> searchDirectories(Map<String, String> environment) {
        List<Path> directories = new ArrayList<>();
        String ldPath = environment.get("LD_LIBRARY_PATH");
        if (ldPath != null) {
            for (String entry : ldPath.split(":")) {
                if (!entry.isBlank()) directories.add(Path.of(entry));
            }
        }
        for (String system : SYSTEM_DIRECTORIES) directories.add(Path.of(system));
        return directories;
    }
}
