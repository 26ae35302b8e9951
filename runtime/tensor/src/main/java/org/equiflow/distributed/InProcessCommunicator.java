package org.equiflow.distributed;

/**
 * The job of one process: rank 0 of 1. The collectives are copies; the block sum adds the blocks in the
 * same order {@link MpiCommunicator} does, so a job's numbers do not change with the number of ranks.
 */
public final class InProcessCommunicator implements Communicator {

    @Override public int rank() { return 0; }

    @Override public int size() { return 1; }

    @Override public String description() { return "1 process"; }

    @Override public double[] allreduceSum(double[] values) { return values.clone(); }

    @Override public float[] allreduceSum(float[] values) { return values.clone(); }

    @Override public double[] allreduceMax(double[] values) { return values.clone(); }

    @Override
    public double[] allreduceSumOfBlocks(double[] blocks, int blockLength) {
        return sumBlocksInOrder(blocks, blockLength);
    }

    @Override
    public void broadcast(double[] values, int root) {
        checkRoot(root, 1);
    }

    @Override
    public byte[] broadcast(byte[] valuesAtRoot, int root) {
        checkRoot(root, 1);
        return valuesAtRoot.clone();
    }

    @Override
    public double[] gather(double[] values, int root) {
        checkRoot(root, 1);
        return values.clone();
    }

    @Override public void barrier() { }

    @Override
    public void abort(int exitCode) {
        System.exit(exitCode);
    }

    @Override public void close() { }

    /** ((b0 + b1) + b2) + … : the one order both communicators add blocks in, and one process adds its own blocks in. */
    public static double[] sumBlocksInOrder(double[] blocks, int blockLength) {
        if (blockLength < 1) throw new IllegalArgumentException("block length " + blockLength + " is not positive");
        if (blocks.length % blockLength != 0) {
            throw new IllegalArgumentException(blocks.length + " values are not a whole number of blocks of " + blockLength);
        }
        double[] sum = new double[blockLength];
        if (blocks.length == 0) return sum;
        System.arraycopy(blocks, 0, sum, 0, blockLength);
        for (int start = blockLength; start < blocks.length; start += blockLength) {
            for (int i = 0; i < blockLength; i++) sum[i] += blocks[start + i];
        }
        return sum;
    }

    static void checkRoot(int root, int size) {
        if (root < 0 || root >= size) throw new IllegalArgumentException("root " + root + " is not a rank of a job of " + size);
    }

}
