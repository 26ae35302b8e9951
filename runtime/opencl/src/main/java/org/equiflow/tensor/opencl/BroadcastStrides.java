package org.equiflow.tensor.opencl;

import org.equiflow.tensor.Shape;

/**
 * How a kernel reads a broadcasting operand: the element for output configuration b, channel
 * c, site s is at {@code b * batch + c * channel + s * site}. A stride is 0 along an axis the
 * operand stretches over (extent 1, or no lattice), which is {@link Shape#broadcastsTo}.
 */
record BroadcastStrides(int batch, int channel, int site) {

    static BroadcastStrides of(Shape operand, Shape output) {
        return new BroadcastStrides(
                operand.batch() == 1 ? 0 : operand.channels() * operand.sites(),
                operand.channels() == 1 ? 0 : operand.sites(),
                operand.sites() == output.sites() ? 1 : 0);
    }
}
