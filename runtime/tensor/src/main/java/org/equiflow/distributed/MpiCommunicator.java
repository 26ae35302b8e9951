package org.equiflow.distributed;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The ranks of an MPI job, through the MPI C library called directly with the Foreign Function & Memory
 * API: no JNI, no jar, any MPI the job was launched with (Open MPI's Java bindings are not shipped by
 * Debian, are removed in Open MPI 6, and MPICH never had any). The JVM needs
 * {@code --enable-native-access=ALL-UNNAMED} (bin/equiflow passes it).
 *
 * <p>The C handles (communicator, datatypes, operations) are of two kinds, told apart by the loaded
 * library: Open MPI's are the addresses of predefined objects the library exports ({@code
 * ompi_mpi_comm_world}, {@code ompi_mpi_double}, …); the MPICH family's (MPICH, Intel MPI, Cray MPICH,
 * MVAPICH) are int constants fixed in its mpi.h. Only MPI_COMM_WORLD is used.
 *
 * <p>MPI is initialised once per process, as {@code MPI_THREAD_FUNNELED}: every call comes from the
 * thread that opened it. The library's default error handler (errors are fatal) stays: a failed
 * collective ends the job rather than returning.
 */
public final class MpiCommunicator implements Communicator {

    /** How the library spells its handles. */
    enum Family { OPEN_MPI, MPICH }

    /** MPI_THREAD_FUNNELED: 1 in both families' mpi.h, as the standard orders the levels. */
    private static final int THREAD_FUNNELED = 1;
    /** MPICH's MPI_MAX_LIBRARY_VERSION_STRING (Open MPI's is 256): room for either. */
    private static final int VERSION_BYTES = 8192;
    /** dlopen flags (glibc): resolve now, and export the symbols to the plug-ins Open MPI loads itself. */
    private static final int RTLD_NOW = 0x2;
    private static final int RTLD_GLOBAL = 0x100;

    private static boolean initialised;

    private final Thread owner;
    private final Family family;
    private final int rank;
    private final int size;
    private final String description;
    private boolean closed;
    /** Owns the allreduce buffers, freed by {@link #close()}; confined, like every MPI call, to the owner thread. */
    private final Arena buffers = Arena.ofConfined();
    private MemorySegment sendBuffer = MemorySegment.NULL;
    private MemorySegment receiveBuffer = MemorySegment.NULL;

    // Downcalls with the handles bound, so each has one Java type whichever the family.
    private final MethodHandle allreduceDoubleSum;  // (send, recv, count) -> int
    private final MethodHandle allreduceFloatSum;   // (send, recv, count) -> int
    private final MethodHandle allreduceDoubleMax;  // (send, recv, count) -> int
    private final MethodHandle broadcastDoubles;    // (buffer, count, root) -> int
    private final MethodHandle broadcastInts;       // (buffer, count, root) -> int
    private final MethodHandle broadcastBytes;      // (buffer, count, root) -> int
    private final MethodHandle gatherInts;          // (send, sendCount, recv, recvCount, root) -> int
    private final MethodHandle gathervDoubles;      // (send, sendCount, recv, recvCounts, displacements, root) -> int
    private final MethodHandle allgatherInts;       // (send, sendCount, recv, recvCount) -> int
    private final MethodHandle allgathervDoubles;   // (send, sendCount, recv, recvCounts, displacements) -> int
    private final MethodHandle barrierWorld;        // () -> int
    private final MethodHandle abortWorld;          // (code) -> int
    private final MethodHandle finalizeMpi;         // () -> int

    private MpiCommunicator(SymbolLookup library, Family family, String version) {
        this.owner = Thread.currentThread();
        this.family = family;
        MemoryLayout handle = family == Family.OPEN_MPI ? ADDRESS : JAVA_INT;
        Object world = handle(library, "ompi_mpi_comm_world", 0x44000000);
        Object mpiDouble = handle(library, "ompi_mpi_double", 0x4c00080b);
        Object mpiFloat = handle(library, "ompi_mpi_float", 0x4c00040a);
        Object mpiInt = handle(library, "ompi_mpi_int", 0x4c000405);
        Object mpiByte = handle(library, "ompi_mpi_byte", 0x4c00010d);
        Object sum = handle(library, "ompi_mpi_op_sum", 0x58000003);
        Object max = handle(library, "ompi_mpi_op_max", 0x58000001);

        MethodHandle init = downcall(library, "MPI_Init_thread", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
        MethodHandle commRank = downcall(library, "MPI_Comm_rank", JAVA_INT, handle, ADDRESS);
        MethodHandle commSize = downcall(library, "MPI_Comm_size", JAVA_INT, handle, ADDRESS);
        MethodHandle allreduce = downcall(library, "MPI_Allreduce", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, handle, handle, handle);
        MethodHandle bcast = downcall(library, "MPI_Bcast", JAVA_INT, ADDRESS, JAVA_INT, handle, JAVA_INT, handle);
        MethodHandle gather = downcall(library, "MPI_Gather", JAVA_INT,
                ADDRESS, JAVA_INT, handle, ADDRESS, JAVA_INT, handle, JAVA_INT, handle);
        MethodHandle gatherv = downcall(library, "MPI_Gatherv", JAVA_INT,
                ADDRESS, JAVA_INT, handle, ADDRESS, ADDRESS, ADDRESS, handle, JAVA_INT, handle);
        MethodHandle allgather = downcall(library, "MPI_Allgather", JAVA_INT,
                ADDRESS, JAVA_INT, handle, ADDRESS, JAVA_INT, handle, handle);
        MethodHandle allgatherv = downcall(library, "MPI_Allgatherv", JAVA_INT,
                ADDRESS, JAVA_INT, handle, ADDRESS, ADDRESS, ADDRESS, handle, handle);
        MethodHandle barrier = downcall(library, "MPI_Barrier", JAVA_INT, handle);
        MethodHandle abort = downcall(library, "MPI_Abort", JAVA_INT, handle, JAVA_INT);
        this.finalizeMpi = downcall(library, "MPI_Finalize", JAVA_INT);

        this.allreduceDoubleSum = MethodHandles.insertArguments(allreduce, 3, mpiDouble, sum, world);
        this.allreduceFloatSum = MethodHandles.insertArguments(allreduce, 3, mpiFloat, sum, world);
        this.allreduceDoubleMax = MethodHandles.insertArguments(allreduce, 3, mpiDouble, max, world);
        this.broadcastDoubles = MethodHandles.insertArguments(MethodHandles.insertArguments(bcast, 4, world), 2, mpiDouble);
        this.broadcastInts = MethodHandles.insertArguments(MethodHandles.insertArguments(bcast, 4, world), 2, mpiInt);
        this.broadcastBytes = MethodHandles.insertArguments(MethodHandles.insertArguments(bcast, 4, world), 2, mpiByte);
        this.gatherInts = MethodHandles.insertArguments(MethodHandles.insertArguments(
                MethodHandles.insertArguments(gather, 7, world), 5, mpiInt), 2, mpiInt);
        this.gathervDoubles = MethodHandles.insertArguments(MethodHandles.insertArguments(
                MethodHandles.insertArguments(gatherv, 8, world), 6, mpiDouble), 2, mpiDouble);
        this.allgatherInts = MethodHandles.insertArguments(MethodHandles.insertArguments(allgather, 5, mpiInt, world), 2, mpiInt);
        this.allgathervDoubles = MethodHandles.insertArguments(
                MethodHandles.insertArguments(allgatherv, 6, mpiDouble, world), 2, mpiDouble);
        this.barrierWorld = MethodHandles.insertArguments(barrier, 0, world);
        this.abortWorld = MethodHandles.insertArguments(abort, 0, world);

        try (Arena call = Arena.ofConfined()) {
            MemorySegment provided = call.allocate(JAVA_INT);
            // argc and argv may be NULL since MPI-2: the launcher passes what MPI needs in the environment.
            int code = (int) init.invokeExact(MemorySegment.NULL, MemorySegment.NULL, THREAD_FUNNELED, provided);
            if (code != 0) {
                throw new DistributedException(DistributedException.Problem.INIT_FAILED,
                        "MPI_Init_thread failed (error code " + code + ") in " + version);
            }
            if (provided.get(JAVA_INT, 0) < THREAD_FUNNELED) {
                throw new DistributedException(DistributedException.Problem.INIT_FAILED,
                        version + " gives only single-threaded MPI (MPI_THREAD_SINGLE), and the JVM always runs several threads\n"
                        + "help: use an MPI built with thread support (Open MPI and MPICH are, by default)");
            }
            MemorySegment value = call.allocate(JAVA_INT);
            check("MPI_Comm_rank", (int) commRank.invoke(world, value));
            this.rank = value.get(JAVA_INT, 0);
            check("MPI_Comm_size", (int) commSize.invoke(world, value));
            this.size = value.get(JAVA_INT, 0);
        } catch (DistributedException e) {
            throw e;
        } catch (Throwable e) {
            throw new DistributedException(DistributedException.Problem.INIT_FAILED, "MPI could not be initialised: " + e, e);
        }
        this.description = size + (size == 1 ? " MPI rank" : " MPI ranks") + " (" + version + ")";
    }

    /**
     * Loads the MPI library (see {@link MpiLibrary}), recognises its family and initialises MPI; once per
     * process, from the thread that will make every call.
     */
    public static synchronized MpiCommunicator open(Map<String, String> environment) {
        if (initialised) throw new IllegalStateException("MPI is initialised once per process; this one already was");
        keepUcxOffTheJvm();
        Path path = MpiLibrary.locate(environment);
        SymbolLookup library = load(path);
        Family family;
        String version;
        if (library.find("ompi_mpi_comm_world").isPresent()) {
            family = Family.OPEN_MPI;
            version = libraryVersion(library, path);
        } else {
            version = libraryVersion(library, path);
            String lower = version.toLowerCase(Locale.ROOT);
            if (lower.contains("mpich") || lower.contains("intel(r) mpi") || lower.contains("mvapich")) {
                family = Family.MPICH;
            } else {
                throw new DistributedException(DistributedException.Problem.LIBRARY_UNUSABLE,
                        path + " is neither Open MPI nor of the MPICH family (its version: " + version + "), whose handles this runtime knows\n"
                        + "help: set " + MpiLibrary.LIBRARY_VARIABLE + " to an Open MPI or MPICH library");
            }
        }
        MpiCommunicator communicator = new MpiCommunicator(library, family, version);
        initialised = true;
        return communicator;
    }

    Family family() {
        return family;
    }

    /**
     * UCX (the transport of MPICH 4 and of Open MPI on InfiniBand) is kept off two things the JVM
     * owns, by variables set to these values in this process before the library loads, each unless
     * the user set it:
     * <ul>
     * <li>{@code UCX_ERROR_SIGNALS=""}: UCX installs handlers for SIGSEGV and SIGBUS otherwise, and
     * the JVM raises SIGSEGV on purpose (safepoint polls, implicit null checks); UCX's handler then
     * kills the process ("Caught signal 11"; seen with Debian's MPICH 4.0.2 at the first training
     * step).</li>
     * <li>{@code UCX_MEM_EVENTS=no}: UCX's memory hooks otherwise rewrite the machine code of libc's
     * mmap, munmap, madvise, brk … ("bistro" hooks) and put their own malloc in the libraries'
     * relocation tables, while the JVM's collector and compiler threads are calling them. A rank of
     * the MPICH sampling job died now and then by SIGSEGV with no JVM crash report, which means the
     * fault came where the JVM could no longer handle it. Without the events UCX keeps no
     * registration cache, which costs memory registration on InfiniBand only; shared memory and TCP
     * do not register.</li>
     * </ul>
     */
    private static void keepUcxOffTheJvm() {
        setUnlessSet("UCX_ERROR_SIGNALS", "");
        setUnlessSet("UCX_MEM_EVENTS", "no");
    }

    /** libc's setenv without overwriting: the library reads its configuration through getenv. */
    private static void setUnlessSet(String variable, String value) {
        try (Arena arena = Arena.ofConfined()) {
            Linker linker = Linker.nativeLinker();
            MethodHandle setenv = linker.downcallHandle(linker.defaultLookup().find("setenv").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
            int ignored = (int) setenv.invokeExact(arena.allocateFrom(variable), arena.allocateFrom(value), 0);
        } catch (Throwable e) {
            // Without libc's setenv the user's environment decides, as docs/distributed.md says.
        }
    }

    @Override public int rank() { return rank; }

    @Override public int size() { return size; }

    @Override public String description() { return description; }

    @Override
    public double[] allreduceSum(double[] values) {
        return allreduceDoubles(allreduceDoubleSum, "MPI_Allreduce", values);
    }

    @Override
    public double[] allreduceMax(double[] values) {
        return allreduceDoubles(allreduceDoubleMax, "MPI_Allreduce", values);
    }

    @Override
    public float[] allreduceSum(float[] values) {
        checkOwner();
        try {
            long bytes = (long) values.length * Float.BYTES;
            MemorySegment send = sendBuffer(bytes);
            MemorySegment receive = receiveBuffer(bytes);
            MemorySegment.copy(values, 0, send, JAVA_FLOAT, 0, values.length);
            check("MPI_Allreduce", (int) allreduceFloatSum.invokeExact(send, receive, values.length));
            float[] result = new float[values.length];
            MemorySegment.copy(receive, JAVA_FLOAT, 0, result, 0, values.length);
            return result;
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private double[] allreduceDoubles(MethodHandle operation, String name, double[] values) {
        checkOwner();
        try {
            long bytes = (long) values.length * Double.BYTES;
            MemorySegment send = sendBuffer(bytes);
            MemorySegment receive = receiveBuffer(bytes);
            MemorySegment.copy(values, 0, send, JAVA_DOUBLE, 0, values.length);
            check(name, (int) operation.invokeExact(send, receive, values.length));
            double[] result = new double[values.length];
            MemorySegment.copy(receive, JAVA_DOUBLE, 0, result, 0, values.length);
            return result;
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /*
     * The allreduces' native buffers, kept and grown to the largest call: a gradient is reduced every
     * step, and fresh native memory costs a page fault per 4 KiB (about 10 ms for 10⁶ doubles here).
     */
    private MemorySegment sendBuffer(long bytes) {
        if (sendBuffer.byteSize() < bytes) sendBuffer = buffers.allocate(Math.max(bytes, 2 * sendBuffer.byteSize()), Double.BYTES);
        return sendBuffer;
    }

    private MemorySegment receiveBuffer(long bytes) {
        if (receiveBuffer.byteSize() < bytes) receiveBuffer = buffers.allocate(Math.max(bytes, 2 * receiveBuffer.byteSize()), Double.BYTES);
        return receiveBuffer;
    }

    @Override
    public double[] allreduceSumOfBlocks(double[] blocks, int blockLength) {
        checkOwner();
        if (blockLength < 1 || blocks.length % blockLength != 0) {
            // Let the ordinary check word the message; every rank's arguments are its own, so it fails locally.
            InProcessCommunicator.sumBlocksInOrder(blocks, blockLength);
        }
        try (Arena call = Arena.ofConfined()) {
            // Each rank's (length, block length): the lengths place the blocks, the block lengths must agree.
            MemorySegment mine = call.allocateFrom(JAVA_INT, blocks.length, blockLength);
            MemorySegment all = call.allocate(JAVA_INT, 2L * size);
            check("MPI_Allgather", (int) allgatherInts.invokeExact(mine, 2, all, 2));
            int[] lengthsAndBlocks = all.toArray(JAVA_INT);
            int[] counts = new int[size];
            int[] displacements = new int[size];
            long total = 0;
            for (int r = 0; r < size; r++) {
                if (lengthsAndBlocks[2 * r + 1] != blockLength) {
                    throw new IllegalArgumentException("rank " + r + " sums blocks of " + lengthsAndBlocks[2 * r + 1]
                            + " values, rank " + rank + " of " + blockLength);
                }
                counts[r] = lengthsAndBlocks[2 * r];
                displacements[r] = (int) total;
                total += counts[r];
            }
            if (total > Integer.MAX_VALUE) throw new IllegalArgumentException(total + " values exceed MPI's int count");
            MemorySegment send = call.allocateFrom(JAVA_DOUBLE, blocks);
            MemorySegment receive = call.allocate(JAVA_DOUBLE, Math.max(total, 1));
            check("MPI_Allgatherv", (int) allgathervDoubles.invokeExact(send, blocks.length, receive,
                    call.allocateFrom(JAVA_INT, counts), call.allocateFrom(JAVA_INT, displacements)));
            double[] sequence = total == 0 ? new double[0] : receive.asSlice(0, total * Double.BYTES).toArray(JAVA_DOUBLE);
            return InProcessCommunicator.sumBlocksInOrder(sequence, blockLength);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public void broadcast(double[] values, int root) {
        checkOwner();
        InProcessCommunicator.checkRoot(root, size);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment buffer = call.allocateFrom(JAVA_DOUBLE, values);
            check("MPI_Bcast", (int) broadcastDoubles.invokeExact(buffer, values.length, root));
            MemorySegment.copy(buffer, JAVA_DOUBLE, 0, values, 0, values.length);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public byte[] broadcast(byte[] valuesAtRoot, int root) {
        checkOwner();
        InProcessCommunicator.checkRoot(root, size);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment length = call.allocateFrom(JAVA_INT, rank == root ? valuesAtRoot.length : 0);
            check("MPI_Bcast", (int) broadcastInts.invokeExact(length, 1, root));
            int n = length.get(JAVA_INT, 0);
            MemorySegment buffer = rank == root ? call.allocateFrom(JAVA_BYTE, valuesAtRoot) : call.allocate(JAVA_BYTE, Math.max(n, 1));
            check("MPI_Bcast", (int) broadcastBytes.invokeExact(buffer, n, root));
            return n == 0 ? new byte[0] : buffer.asSlice(0, n).toArray(JAVA_BYTE);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public double[] gather(double[] values, int root) {
        checkOwner();
        InProcessCommunicator.checkRoot(root, size);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment count = call.allocateFrom(JAVA_INT, values.length);
            MemorySegment counts = call.allocate(JAVA_INT, size);
            check("MPI_Gather", (int) gatherInts.invokeExact(count, 1, counts, 1, root));
            MemorySegment send = call.allocateFrom(JAVA_DOUBLE, values);
            if (rank != root) {
                // The receive arguments are significant only at the root.
                check("MPI_Gatherv", (int) gathervDoubles.invokeExact(send, values.length, MemorySegment.NULL,
                        MemorySegment.NULL, MemorySegment.NULL, root));
                return new double[0];
            }
            int[] lengths = counts.toArray(JAVA_INT);
            int[] displacements = new int[size];
            long total = 0;
            for (int r = 0; r < size; r++) {
                displacements[r] = (int) total;
                total += lengths[r];
            }
            if (total > Integer.MAX_VALUE) throw new IllegalArgumentException(total + " values exceed MPI's int count");
            MemorySegment receive = call.allocate(JAVA_DOUBLE, Math.max(total, 1));
            check("MPI_Gatherv", (int) gathervDoubles.invokeExact(send, values.length, receive,
                    call.allocateFrom(JAVA_INT, lengths), call.allocateFrom(JAVA_INT, displacements), root));
            return total == 0 ? new double[0] : receive.asSlice(0, total * Double.BYTES).toArray(JAVA_DOUBLE);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public void barrier() {
        checkOwner();
        try {
            check("MPI_Barrier", (int) barrierWorld.invokeExact());
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public void abort(int exitCode) {
        try {
            int ignored = (int) abortWorld.invokeExact(exitCode);
        } catch (Throwable e) {
            // Ending the process below is all that is left to do.
        }
        // MPI_Abort does not return; should a library return anyway, this rank at least ends.
        Runtime.getRuntime().halt(exitCode);
    }

    @Override
    public void close() {
        checkOwner();
        if (closed) return;
        closed = true;
        buffers.close();
        try {
            check("MPI_Finalize", (int) finalizeMpi.invokeExact());
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("MPI is called from " + Thread.currentThread().getName()
                    + ", but was initialised (MPI_THREAD_FUNNELED) by " + owner.getName());
        }
        if (closed) throw new IllegalStateException("MPI was finalized; no collective may follow");
    }

    private static void check(String function, int code) {
        if (code != 0) throw new IllegalStateException(function + " failed with MPI error code " + code);
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException runtime) return runtime;
        if (e instanceof Error error) throw error;
        return new IllegalStateException(e);
    }

    /** Open MPI's handle is its predefined object's address; the MPICH family's, the int of its mpi.h. */
    private Object handle(SymbolLookup library, String openMpiSymbol, int mpichConstant) {
        if (family == Family.MPICH) return mpichConstant;
        return library.find(openMpiSymbol).orElseThrow(() -> new DistributedException(DistributedException.Problem.LIBRARY_UNUSABLE,
                "the Open MPI library lacks " + openMpiSymbol));
    }

    private static MethodHandle downcall(SymbolLookup library, String function, MemoryLayout result, MemoryLayout... arguments) {
        MemorySegment address = library.find(function).orElseThrow(() -> new DistributedException(
                DistributedException.Problem.LIBRARY_UNUSABLE, "the MPI library lacks " + function));
        return Linker.nativeLinker().downcallHandle(address, FunctionDescriptor.of(result, arguments));
    }

    /**
     * dlopen with RTLD_GLOBAL before the lookup: Open MPI loads its components (transports, launchers)
     * as plug-ins, and a build whose plug-ins do not link the libraries whose symbols they use finds them
     * only among the global symbols, which a library opened RTLD_LOCAL, as the JDK opens them, does not
     * join. (Debian's Open MPI 4.1.4 runs either way: its plug-ins link what they use.)
     */
    private static SymbolLookup load(Path path) {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle dlopen = linker.downcallHandle(linker.defaultLookup().find("dlopen").orElseThrow(),
                    FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
            try (Arena call = Arena.ofConfined()) {
                MemorySegment handle = (MemorySegment) dlopen.invokeExact(call.allocateFrom(path.toString()), RTLD_NOW | RTLD_GLOBAL);
                if (handle.equals(MemorySegment.NULL)) {
                    throw new DistributedException(DistributedException.Problem.LIBRARY_UNUSABLE,
                            path + " could not be loaded (dlopen failed: a missing dependency, or not a library of this machine)");
                }
            }
            return SymbolLookup.libraryLookup(path, Arena.global());
        } catch (DistributedException e) {
            throw e;
        } catch (IllegalCallerException e) {
            throw new DistributedException(DistributedException.Problem.LIBRARY_UNUSABLE,
                    "the JVM forbids native calls here\nhelp: run java with --enable-native-access=ALL-UNNAMED (bin/equiflow does)", e);
        } catch (Throwable e) {
            throw new DistributedException(DistributedException.Problem.LIBRARY_UNUSABLE, path + " could not be loaded: " + e, e);
        }
    }

    /** MPI_Get_library_version, which MPI allows before MPI_Init, shortened to its first phrase. */
    private static String libraryVersion(SymbolLookup library, Path path) {
        try (Arena call = Arena.ofConfined()) {
            MethodHandle getVersion = downcall(library, "MPI_Get_library_version", JAVA_INT, ADDRESS, ADDRESS);
            MemorySegment text = call.allocate(VERSION_BYTES);
            MemorySegment length = call.allocate(JAVA_INT);
            int code = (int) getVersion.invokeExact(text, length);
            if (code != 0) return path.getFileName().toString();
            String full = text.getString(0);
            String firstLine = full.lines().findFirst().orElse("").trim();
            int comma = firstLine.indexOf(',');
            String phrase = (comma > 0 ? firstLine.substring(0, comma) : firstLine).replaceAll("\\s+", " ").trim();
            return phrase.isEmpty() ? path.getFileName().toString() : phrase;
        } catch (DistributedException e) {
            throw e;
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }
}
