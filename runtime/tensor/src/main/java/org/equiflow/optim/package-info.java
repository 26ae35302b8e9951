/**
 * Optimizers on top of the tensor layer: {@link org.equiflow.optim.Adam} and its
 * {@link org.equiflow.optim.LearningRateSchedule}. The gradients they apply come from the
 * reverse-mode tape, {@link org.equiflow.tensor.Tape}, which lives with the primitives it records.
 */
package org.equiflow.optim;
