package io.minnow.engine.kernels.q4;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A q4 weight [n x k] laid out once for one {@link Q4Gemm} kernel ({@link #kernel}); only that kernel reads it.
 * Immutable and read-only after packing, so any number of threads may run gemm on it at once. The segment is
 * owned by an automatic arena: it lives as long as this object.
 *
 * @param kernel        id of the kernel that packed it (and the only one that may read it)
 * @param n             rows of W: output columns of C
 * @param k             codes per row: the reduction length
 * @param groupSize     G, codes per scale along k
 * @param hasZeroPoints whether codes are unsigned with a zero point per group (else signed -8..7)
 * @param data          the kernel's layout: {@link Q4Panels} for the fast kernels, the .mnw blob for the reference
 */
public record Q4Packed(String kernel, int n, int k, int groupSize, boolean hasZeroPoints, MemorySegment data) {
    public Q4Packed {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(data, "data");
        if (n < 0 || k < 0) throw new IllegalArgumentException("negative q4 shape n=" + n + " k=" + k);
        if (groupSize != 32 && groupSize != 64 && groupSize != 128) {
            throw new IllegalArgumentException("q4 group size " + groupSize + " is not 32, 64 or 128");
        }
    }

    /** Scale groups per row: ceil(k / G). */
    public int groups() {
        return (k + groupSize - 1) / groupSize;
    }
}
