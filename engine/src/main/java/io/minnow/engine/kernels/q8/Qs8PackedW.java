package io.minnow.engine.kernels.q8;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Int8 weights W [n×k] packed once (at model load) by one {@link Qs8Gemm} for its {@link Qs8Gemm#gemmPacked}.
 * Immutable and only ever read, so any number of threads may run GEMMs on it at once. {@code codes} is off-heap,
 * 64-byte aligned, in the layout of the kernel named by {@link #kernelId()} — no other kernel may read it.
 * {@code columnSums} holds the int32 sums of each column of W (for the activation zero-point correction
 * {@code acc = sum(a*w) - aZero*sum(w)}) where the kernel wants them, else it is null; for the native kernels
 * the sums are a slice of {@code codes}, as the C side reads them.
 */
public final class Qs8PackedW {
    private final String kernelId;
    private final int n, k;
    private final MemorySegment codes;
    private final MemorySegment columnSums;

    public Qs8PackedW(String kernelId, int n, int k, MemorySegment codes, MemorySegment columnSums) {
        this.kernelId = Objects.requireNonNull(kernelId, "kernelId");
        if (n < 0 || k < 0) throw new IllegalArgumentException("negative packed W shape n=" + n + " k=" + k);
        this.n = n;
        this.k = k;
        this.codes = Objects.requireNonNull(codes, "codes");
        this.columnSums = columnSums;
    }

    /** Id of the kernel that packed it (the only one that can read it). */
    public String kernelId() { return kernelId; }

    /** Output columns (rows of the original W). */
    public int n() { return n; }

    /** Reduction length. */
    public int k() { return k; }

    /** The packed codes (layout owned by the kernel). */
    public MemorySegment codes() { return codes; }

    /** Int32 column sums of W, or null when the kernel does not use them. */
    public MemorySegment columnSums() { return columnSums; }

    /** Throws IllegalArgumentException unless {@code kernel} packed this W. */
    public void requireKernel(String kernel) {
        if (!kernelId.equals(kernel)) {
            throw new IllegalArgumentException(kernel + " cannot read a W packed by " + kernelId);
        }
    }

    @Override
    public String toString() {
        return "Qs8PackedW[" + kernelId + ", n=" + n + ", k=" + k + ", " + codes.byteSize() + " bytes]";
    }
}
