/**
 * The CPU backend: reference kernels for every primitive ({@link org.equiflow.tensor.CpuKernels})
 * and the hot convolution ({@link org.equiflow.tensor.cpu.ConvKernels}), vectorized with
 * {@code jdk.incubator.vector} and split over the batch on one small pool
 * ({@link org.equiflow.tensor.cpu.CpuParallel}).
 */
package org.equiflow.tensor.cpu;
