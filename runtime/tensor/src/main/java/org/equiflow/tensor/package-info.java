/**
 * The tensor layer: dense lattice tensors and the closed set of primitive operations the
 * runtime executes and differentiates. Pure Java; no Truffle, no compiler.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Layout.</b> A {@link org.equiflow.tensor.Shape} is {@code [batch, channels, L0, ...,
 *       L(d-1)]}, row-major, with lattice rank d from 0 to 4. Fields use d = 2, 3, 4; rank 0
 *       holds per-configuration values ({@code [B, 1]}: log-det, action, log q), the loss
 *       ({@code [1, 1]}) and per-channel biases ({@code [1, C]}). Convolution weights use the
 *       same record as {@code [out, in, k, ..., k]}, PyTorch's layout.</li>
 *   <li><b>Precision.</b> {@link org.equiflow.tensor.DType#F32} for work,
 *       {@link org.equiflow.tensor.DType#F64} for gradient checks; operands of one op share a
 *       dtype. Sums over sites accumulate in double in both.</li>
 *   <li><b>Boundaries are periodic.</b> {@link org.equiflow.tensor.Roll} and
 *       {@link org.equiflow.tensor.Conv} wrap around the torus; there is no other padding.</li>
 *   <li><b>Broadcasting</b> stretches an operand axis of extent 1 (and an absent lattice) to the
 *       other operand's extent; nothing else is implicit.</li>
 *   <li><b>The primitive set is closed</b>: exactly the permitted subtypes of the sealed
 *       {@link org.equiflow.tensor.Primitive}. Each keeps its shape rule, forward and
 *       vector–Jacobian product together; VJPs are written with primitives, so any backend that
 *       runs the forward primitives runs backward passes too. Every primitive passes a float64
 *       finite-difference check of its VJP, and the test enumerates the sealed hierarchy.</li>
 *   <li><b>Values are not mutated by ops.</b> Only the optimizer writes into parameters.</li>
 * </ul>
 *
 * <p>{@link org.equiflow.tensor.Ops} is the functional API; while an
 * {@link org.equiflow.tensor.Tape} is open it records what it applies. Kernels live in
 * {@code org.equiflow.tensor.cpu} (the reference and default backend).
 */
package org.equiflow.tensor;
