/**
 * Training machinery on top of the tensor layer: reverse-mode differentiation by a tape of
 * primitive applications ({@link org.equiflow.autodiff.Tape}, the one mechanism) and the
 * {@link org.equiflow.autodiff.Adam} optimizer.
 */
package org.equiflow.autodiff;
