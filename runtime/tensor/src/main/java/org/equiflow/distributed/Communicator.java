package org.equiflow.distributed;

/**
 * The processes of one job and the collective operations between them: what data-parallel training and
 * sampling need to agree on gradients, seeds and results. {@link InProcessCommunicator} is the job of one
 * process (the default, what runs without any set-up); {@link MpiCommunicator} is the job an MPI launcher
 * (mpirun, mpiexec, srun) started. {@link Communicators#detect()} picks between them.
 *
 * <p>Every operation is collective: every rank calls it, in the same order, with consistent arguments
 * (the same root, the same lengths where the method says so), or the job hangs or aborts. Calls come from
 * the one thread that opened the communicator (MPI is initialised as {@code MPI_THREAD_FUNNELED});
 * another thread gets an {@link IllegalStateException}.
 *
 * <p><b>Order of additions.</b> Floating-point addition is not associative, so a sum's last bits depend on
 * the order its terms are added in. {@link #allreduceSum(double[])} is MPI_Allreduce with MPI_SUM: the
 * MPI standard fixes neither that order nor that every rank gets the same bits; it only advises
 * implementors to give the same result for the same arguments in the same order, and libraries choose
 * their algorithm by rank count and message size. It is the fast sum. {@link #allreduceSumOfBlocks}
 * fixes the order itself: the job's contributions form one sequence of blocks, held by the ranks in rank
 * order, and every rank adds the whole sequence left to right after gathering it, so the bits are the
 * same on every rank and for any number of ranks and any split of the blocks between them, equal to what
 * one process adding the same blocks gets. It moves every block to every rank, so it costs the number of
 * blocks times what an allreduce moves.
 */
public interface Communicator extends AutoCloseable {

    /** This process's index in the job, from 0 to {@code size() - 1}. */
    int rank();

    /** The number of processes in the job. */
    int size();

    /** Items [first, end) of a sequence: this rank's share of it. */
    record Share(int first, int end) {
        public int count() { return end - first; }
    }

    /**
     * This rank's contiguous share of {@code items} things the ranks divide in rank order (blocks of
     * a batch, chains): [⌊items·r/n⌋, ⌊items·(r+1)/n⌋), shares that differ by at most one and are
     * empty on the ranks beyond {@code items}.
     */
    default Share share(int items) {
        return new Share((int) ((long) items * rank() / size()), (int) ((long) items * (rank() + 1) / size()));
    }

    /** How the job is distributed, for the one line a run prints: "1 process", "2 MPI ranks (Open MPI v4.1.4)". */
    String description();

    /**
     * The element-wise sum of every rank's {@code values} (all of one length), returned on every rank.
     * The order of the additions is the library's (see the class comment).
     */
    double[] allreduceSum(double[] values);

    /** As {@link #allreduceSum(double[])}, in single precision (MPI_FLOAT). */
    float[] allreduceSum(float[] values);

    /** The element-wise maximum of every rank's {@code values} (all of one length), on every rank; exact, so order-free. */
    double[] allreduceMax(double[] values);

    /**
     * The element-wise sum, in a fixed order, of a sequence of blocks of {@code blockLength} values: this
     * rank's {@code blocks} (a whole number of blocks, end to end, possibly none) are the blocks after those
     * of the ranks below it. Every rank gets the sum {@code ((b0 + b1) + b2) + …} over the whole sequence,
     * the same bits for any number of ranks and any split of the blocks among them.
     */
    double[] allreduceSumOfBlocks(double[] blocks, int blockLength);

    /** Overwrites {@code values} on every rank with the root's; every rank passes an array of the same length. */
    void broadcast(double[] values, int root);

    /** The root's bytes, on every rank; the other ranks' argument is ignored and may be null. */
    byte[] broadcast(byte[] valuesAtRoot, int root);

    /**
     * Every rank's {@code values} (lengths may differ between ranks) concatenated in rank order, on the
     * root; an empty array on the other ranks.
     */
    double[] gather(double[] values, int root);

    /** Returns once every rank has called it. */
    void barrier();

    /**
     * Ends the whole job now, every rank, with {@code exitCode} as the launcher's exit status where the
     * launcher passes it on; for a failure one rank cannot recover from, so that the others do not wait
     * for it forever. Never returns.
     */
    void abort(int exitCode);

    /** Leaves the job (MPI_Finalize); every rank calls it once, after its last collective operation. */
    @Override
    void close();
}
