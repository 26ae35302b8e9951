package org.equiflow.tensor.opencl;

import java.util.Map;
import java.util.TreeMap;

/**
 * Which ranges of the resident kernel's heap are free: first fit over free blocks kept sorted
 * by offset, merged with their neighbours when freed. Ranges are rounded up to
 * {@link #ALIGNMENT} elements so that every tensor starts on a 64-byte boundary.
 */
final class DeviceHeap {

    static final int ALIGNMENT = 16;

    /** Free blocks: offset to length. */
    private final TreeMap<Integer, Integer> free = new TreeMap<>();
    private int capacity;
    private long used;

    DeviceHeap(int capacity) {
        this.capacity = capacity;
        free.put(0, capacity);
    }

    int capacity() {
        return capacity;
    }

    /** Elements handed out and not yet freed (rounded lengths). */
    long used() {
        return used;
    }

    static int rounded(int length) {
        return Math.max(ALIGNMENT, (length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT);
    }

    /** The offset of a free range of {@code length} elements, now taken, or -1 when none is left. */
    int allocate(int length) {
        int n = rounded(length);
        for (Map.Entry<Integer, Integer> block : free.entrySet()) {
            if (block.getValue() >= n) {
                int at = block.getKey(), rest = block.getValue() - n;
                free.remove(at);
                if (rest > 0) free.put(at + n, rest);
                used += n;
                return at;
            }
        }
        return -1;
    }

    void free(int at, int length) {
        int n = rounded(length);
        used -= n;
        int start = at, size = n;
        Map.Entry<Integer, Integer> before = free.floorEntry(at);
        if (before != null && before.getKey() + before.getValue() == at) {
            start = before.getKey();
            size += before.getValue();
            free.remove(before.getKey());
        }
        Integer afterLength = free.remove(at + n);
        if (afterLength != null) size += afterLength;
        free.put(start, size);
    }

    /** Extends the heap to {@code newCapacity} elements; the new tail is free. */
    void grow(int newCapacity) {
        if (newCapacity <= capacity) throw new IllegalArgumentException("cannot shrink the heap");
        free(capacity, newCapacity - capacity);
        used += newCapacity - capacity;
        capacity = newCapacity;
    }
}
