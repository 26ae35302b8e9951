/**
 * Training machinery on top of the tensor layer: reverse-mode differentiation by a tape of
 * primitive applications ({@link org.equiflow.tensor.Tape}, the one mechanism) and the
 * {@link org.equiflow.optim.Adam} optimizer.
 */
package org.equiflow.optim;
