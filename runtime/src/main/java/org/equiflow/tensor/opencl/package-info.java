/**
 * The OpenCL backend: every primitive of the closed set as an Aparapi kernel, run on one
 * OpenCL device (a GPU when there is one, or PoCL on the CPU).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>What runs on the device.</b> The forward computation of every primitive,
 *       {@link org.equiflow.tensor.opencl.OpenClBackend#forward}; since VJPs are written with
 *       {@link org.equiflow.tensor.Ops}, backward passes run there too while the backend is
 *       {@linkplain org.equiflow.tensor.Backends#current() current}. Shape checks, allocation and
 *       the autodiff tape stay on the host. One kernel class per primitive family and precision
 *       ({@code *KernelF32}, {@code *KernelF64}); arrays travel to and from the device on every
 *       launch (Aparapi's automatic transfer), so this is a correctness-first backend.</li>
 *   <li><b>Float32</b> kernels agree with the CPU backend to a few float32 ulps; sums over
 *       lattices and batches are compensated, so they stay as accurate as the CPU backend's
 *       double accumulators.</li>
 *   <li><b>Float64.</b> Run on the device when it supports cl_khr_fp64 (probed once); otherwise
 *       float64 primitives run on the CPU backend, with one warning saying so.</li>
 *   <li><b>No silent fallback.</b> Aparapi runs a kernel it cannot translate, or any kernel when
 *       no OpenCL driver exists, on Java threads without an error. Every launch here checks
 *       {@code isRunningCL()}: under {@link org.equiflow.tensor.opencl.OpenClBackend.FallbackPolicy#FAIL}
 *       (tests) that is an exception, under {@code WARN} (the command line) a warning per
 *       kernel. Kernels therefore keep to what Aparapi translates: primitive arrays and fields,
 *       flat {@code if}s, loops, {@code Kernel} math; no lambdas, {@code switch}, {@code new},
 *       exceptions, scalar-field writes or calls on other objects.</li>
 * </ul>
 */
package org.equiflow.tensor.opencl;
