package org.equiflow.tensor;

import java.util.Arrays;
import org.equiflow.tensor.Backends;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.equiflow.tensor.cpu.CpuParallel;
import org.equiflow.tensor.cpu.LaneConvNet;
import org.equiflow.tensor.cpu.LaneConvNetGradient;

/**
 * A batch cut into blocks of whole configurations, each run through the whole flow on one
 * thread ({@link CpuParallel#forEachBlock}). A flow, its log-density and the action treat
 * configurations independently, so a block computes exactly its slice of what the whole batch
 * would; and a block small enough keeps every activation of a coupling stack in its core's L2
 * cache, where a whole batch of 1024 at L = 16 streams megabytes per kernel through memory.
 *
 * <p>The cut depends only on the batch and the size of a configuration, never on the thread
 * count, so a run computes the same numbers on any machine and with any number of threads.
 */
public record BatchBlocks(int batch, int count) {

    /**
     * Field values (configurations × channels × sites) per block: 32 configurations at L = 8,
     * 8 at L = 16, 2 at L = 32. A training step's tape for such a block holds about 1.5 MiB of
     * activations, under a core's 2 MiB of L2. Override with {@code -Dequiflow.cpu.blockValues=N}.
     */
    public static final int TARGET_VALUES = Integer.getInteger("equiflow.cpu.blockValues", 2048);

    public BatchBlocks {
        if (batch < 1 || count < 1 || count > batch) throw new IllegalArgumentException("batch " + batch + " in " + count + " blocks");
    }

    /** {@link #of(Shape, int)} with {@link #TARGET_VALUES}. */
    public static BatchBlocks of(Shape field) {
        return of(field, TARGET_VALUES);
    }

    /**
     * The blocks for a batch of fields of this shape: on the CPU backend, about
     * {@code targetValues} field values per block (at least one configuration), the batch cut
     * into blocks whose sizes differ by at most one; on any other backend one block, since a
     * device wants the whole batch in each kernel.
     */
    public static BatchBlocks of(Shape field, int targetValues) {
        int batch = field.batch();
        if (!Backends.current().computesOnHostThreads()) return new BatchBlocks(batch, 1);
        long perConfiguration = Math.max(1, field.size() / batch);
        long size = Math.max(1, targetValues / perConfiguration);
        return new BatchBlocks(batch, (int) ((batch + size - 1) / size));
    }

    /**
     * Configurations per block at least, for training and sampling: the conditioner kernels
     * ({@link LaneConvNet}, {@link LaneConvNetGradient}) compute up to sixteen configurations per
     * vector, and a block of 8 (L = 16) or 2 (L = 32) would leave most lanes empty.
     */
    public static final int LANE_GROUP_CONFIGURATIONS = 16;

    /** The blocks of a training or sampling batch: {@link #of(Shape)}, but never fewer than {@link #LANE_GROUP_CONFIGURATIONS} per block. */
    public static BatchBlocks forLaneGroups(Shape field) {
        long perConfiguration = Math.max(1, field.size() / field.batch());
        return of(field, (int) Math.max(TARGET_VALUES, LANE_GROUP_CONFIGURATIONS * perConfiguration));
    }

    /** First configuration of a block. */
    public int from(int block) {
        return (int) ((long) batch * block / count);
    }

    /** One past the last configuration of a block. */
    public int to(int block) {
        return from(block + 1);
    }

    /** Block {@code block} of a batched tensor: the tensor itself when it is the only block, else a copy of its configurations. */
    public Tensor slice(Tensor batched, int block) {
        return count == 1 ? batched : configurations(batched, from(block), to(block));
    }

    /** A copy of configurations [from, to) of a batched tensor, not attached to any tape. */
    public static Tensor configurations(Tensor batched, int from, int to) {
        Shape shape = batched.shape();
        int per = batched.size() / shape.batch();
        Shape sliced = shape.withBatch(to - from);
        return switch (batched.dtype()) {
            case F32 -> Tensor.wrap(sliced, Arrays.copyOfRange(batched.f32(), from * per, to * per));
            case F64 -> Tensor.wrap(sliced, Arrays.copyOfRange(batched.f64(), from * per, to * per));
        };
    }
}
