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
 *       the autodiff tape stay on the host.</li>
 *   <li><b>Tensors stay on the device.</b> Aparapi keeps one device buffer per kernel
 *       object and array field and, in its automatic mode, copies every bound array to the
 *       device and every written one back on each launch; buffers are not shared between kernel
 *       objects, and Aparapi 3.0.2 compiles only the first entry point a kernel object is run with
 *       and reuses it for every later name, so entry points cannot split one kernel. So all
 *       families of a precision are one kernel, {@link org.equiflow.tensor.opencl.ResidentKernelF32}
 *       (and {@link org.equiflow.tensor.opencl.ResidentKernelF64}, generated from its source with
 *       doubles, since an Aparapi kernel has one array element type), in explicit mode over one
 *       heap array that never changes between launches and so never travels: a tensor is a
 *       range of it ({@link org.equiflow.tensor.opencl.DeviceHeap}), a
 *       launch names the family, the operands' offsets and the integer parameters. A result's
 *       range becomes the tensor's {@linkplain org.equiflow.tensor.Tensor#parkOnDevice device
 *       copy}: the tensor's host accessors (f32/f64/get/set, and everything built on them) first
 *       copy the values to the host and drop the device range, since the host may then write.
 *       An operand without a device copy is uploaded once and stays resident until host code
 *       touches it (parameters after each Adam update) or it is collected (a weak reference
 *       returns its range); fresh {@link org.equiflow.tensor.Tensor#zeros zeros} and
 *       {@link org.equiflow.tensor.Tensor#full constants} are filled on the device for the one
 *       launch that reads them. Results made in a {@link org.equiflow.tensor.BufferArena} round
 *       (a training step, a sampling batch) are {@linkplain org.equiflow.tensor.Tensor#discard
 *       discarded} when it closes, which returns their ranges at once rather than whenever the
 *       collector runs, and makes touching one afterwards an error. Copies go
 *       through staging arrays of 4^3 to 4^10 elements ({@code put}/{@code get} of the smallest
 *       that fits, then a staging launch between it and the heap), counted by
 *       {@link org.equiflow.tensor.opencl.OpenClBackend#transfers}. Where host code is about to
 *       read many tensors or has just written many, it says so
 *       ({@link org.equiflow.tensor.Backend#syncToHost}: the tape before copying the leaves'
 *       gradients; {@link org.equiflow.tensor.Backend#sendToDevice}: Adam after updating the
 *       parameters), and they cross in one gathered copy per precision: a staging array packs
 *       them, with a table of where each starts on the heap (at most
 *       {@code ResidentKernelF32.MAX_SEGMENTS} per copy; one larger than the largest staging
 *       array goes alone). Synced tensors stay parked with both copies current, so their next
 *       host access drops the device range without copying; sent ones are parked as an uploaded
 *       operand would be. Both are optimisations only: a tensor left out still syncs or uploads
 *       on its own at first use. A training step thus copies the parameters to the device and
 *       their gradients, the loss and the per-configuration action and log q back, four copies
 *       each way; activations never cross. The heap starts at 16 MiB, above half a G1
 *       region, because Aparapi re-creates a buffer from the host array when the array has moved
 *       in memory, and G1 (like ZGC) does not move such humongous arrays (on a GPU the backend
 *       warns under a collector that compacts them); it doubles, through one copy to the host,
 *       when live tensors outgrow it. On a CPU device (PoCL) buffers share memory with
 *       the host arrays, so there residency changes bookkeeping, not speed.</li>
 *   <li><b>Float32</b> kernels agree with the CPU backend to a few float32 ulps; sums over
 *       lattices and batches are compensated, so they stay as accurate as the CPU backend's
 *       double accumulators.</li>
 *   <li><b>Float64 support.</b> Float64 runs on the device when it supports cl_khr_fp64 (probed
 *       once); otherwise float64 primitives run on the CPU backend, with one warning saying so.</li>
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
