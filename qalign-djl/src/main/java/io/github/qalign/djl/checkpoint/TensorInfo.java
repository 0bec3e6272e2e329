package io.github.qalign.djl.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a safetensors header.
 *
 * @param name  tensor name
 * @param dtype safetensors dtype string ({@code F32}, {@code F16}, {@code BF16}, ...)
 * @param shape dimensions (empty for a scalar)
 * @param begin byte offset of the data, relative to the start of the data section
 * @param end   exclusive end offset, relative to the start of the data section
 */
public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {

    /**
     * Validates and defensively copies the shape.
     *
     * @throws NullPointerException if name, dtype or shape is null
     */
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    /** The dimensions (a copy). */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Number of elements (product of the shape; 1 for a scalar).
     *
     * @return the element count
     * @throws ArithmeticException on overflow
     */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * Byte length of the data ({@code end - begin}).
     *
     * @return the byte length
     */
    public long byteLength() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype.equals(t.dtype)
                && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return "TensorInfo[" + name + ", " + dtype + ", " + Arrays.toString(shape) + ", " + begin + ".." + end + "]";
    }
}
