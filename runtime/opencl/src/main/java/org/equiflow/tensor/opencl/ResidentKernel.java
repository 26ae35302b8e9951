package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/**
 * The host side of a resident kernel ({@link ResidentKernelF32}, {@link ResidentKernelF64}):
 * what the backend needs to launch it and to move values between tensors' host arrays and its
 * heap, whatever its element type. Called between launches only, never from a kernel.
 */
interface ResidentKernel {

    /** The kernel itself, to execute. */
    Kernel kernel();

    /** Bytes per heap element. */
    int elementBytes();

    /** Sets the registers of the next launch. */
    void load(LaunchRegisters registers);

    int heapLength();

    /**
     * Replaces the heap by one of {@code capacity} elements holding the old values; with
     * {@code readBack} the old values first come from the device (whose buffer the new array
     * replaces at the next launch).
     */
    void resizeHeap(int capacity, boolean readBack);

    /** Elements of a staging tier's array. */
    int stageLength(int tier);

    /** Copies {@code count} values of a host array from {@code from} into a staging array and marks it for the device. */
    void fillStage(int tier, Object values, int from, int count);

    /** Brings a staging array from the device and copies its first {@code count} values into a host array at {@code from}. */
    void drainStage(int tier, Object values, int from, int count);

    /** Copies a whole host array ({@code count} values) into a staging array at {@code stageAt}, without marking it. */
    void packStage(int tier, Object values, int stageAt, int count);

    /** Marks a staging array for the device. */
    void putStage(int tier);

    /** Brings a staging array from the device. */
    void getStage(int tier);

    /** Copies {@code count} values of a staging array from {@code stageAt} into a whole host array. */
    void unpackStage(int tier, int stageAt, Object values, int count);

    /** Sets the first {@code count} (staging start, heap offset) pairs of the gathered copies' table and marks it for the device. */
    void putSegments(int[] pieces, int count);

    int[] tables();

    /** Replaces the neighbour tables and marks them for the device. */
    void putTables(int[] tables);
}
