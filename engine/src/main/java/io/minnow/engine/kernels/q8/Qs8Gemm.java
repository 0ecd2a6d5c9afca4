package io.minnow.engine.kernels.q8;

import java.lang.foreign.MemorySegment;

/**
 * Family {@code qs8-gemm}: {@code acc[i][j] = sum_p (A[i][p] - aZero) * W[j][p]} in int32, then an
 * {@link Qs8Epilogue} (raw int32, requantize to int8/uint8, or dequantize to float32).
 *
 * <p>A is [m×k] activations, uint8 or int8 ({@code aUnsigned}) with a per-tensor zero point; W is [n×k] int8
 * weights, row j = output channel j, symmetric (zero point 0) — the {@code q8} encoding's code layout and ONNX
 * Gemm's transB=1 layout. Offsets and leading dimensions are in elements (bytes for A and W; C's element size
 * is the epilogue's). Overflow: {@code |(a - aZero) * w| <= 255 * 128 = 32640}, so the int32 accumulator is
 * exact for k <= 65793 (2^31 / 32640); beyond, accumulators wrap like int32 arithmetic in every variant.
 */
public interface Qs8Gemm {
    /** Kernel id, e.g. {@code qs8-gemm-scalar}. */
    String id();

    void gemm(int m, int n, int k,
              MemorySegment a, long aOff, int lda, boolean aUnsigned, int aZero,
              MemorySegment w, long wOff, int ldw,
              Qs8Epilogue epi, MemorySegment c, long cOff, int ldc);

    /**
     * W [n×k] (int8, row stride ldw, at element wOff) packed once into this kernel's layout. The result is
     * immutable and can be shared by every thread that calls {@link #gemmPacked} on it.
     */
    Qs8PackedW pack(int n, int k, MemorySegment w, long wOff, int ldw);

    /**
     * {@link #gemm} on a W from this kernel's {@link #pack} (n and k are the packed W's). Thread-safe: threads may
     * run disjoint row ranges of A and C at once on one packed W. Throws IllegalArgumentException if another
     * kernel packed {@code w}.
     */
    void gemmPacked(int m, Qs8PackedW w, MemorySegment a, long aOff, int lda, boolean aUnsigned, int aZero,
                    Qs8Epilogue epi, MemorySegment c, long cOff, int ldc);

    /**
     * Every argument against every segment bound, with what and where on failure (IllegalArgumentException).
     * Variants call it first; a native variant must before it touches memory.
     */
    static void check(int m, int n, int k, MemorySegment a, long aOff, int lda, boolean aUnsigned, int aZero,
                      MemorySegment w, long wOff, int ldw, Qs8Epilogue epi, MemorySegment c, long cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("negative size m=" + m + " n=" + n + " k=" + k);
        if (lda < k || ldw < k || ldc < n) {
            throw new IllegalArgumentException("leading dimension too small: lda=" + lda + " ldw=" + ldw + " (k=" + k + "), ldc=" + ldc + " (n=" + n + ")");
        }
        int lo = aUnsigned ? 0 : -128, hi = aUnsigned ? 255 : 127;
        if (aZero < lo || aZero > hi) throw new IllegalArgumentException("activation zero point " + aZero + " is outside [" + lo + ", " + hi + "]");
        epi.check(n);
        span("A", a, aOff, m, k, lda, 1);
        span("W", w, wOff, n, k, ldw, 1);
        span("C", c, cOff, m, n, ldc, epi.outBytes());
    }

    /** The arguments of {@link #pack}, against W's segment (IllegalArgumentException). */
    static void checkPack(int n, int k, MemorySegment w, long wOff, int ldw) {
        if (n < 0 || k < 0) throw new IllegalArgumentException("negative size n=" + n + " k=" + k);
        if (ldw < k) throw new IllegalArgumentException("leading dimension too small: ldw=" + ldw + " (k=" + k + ")");
        span("W", w, wOff, n, k, ldw, 1);
    }

    /**
     * The arguments of {@link #gemmPacked}: {@code w} packed by kernel {@code id}, then everything {@link #check}
     * tests except W's segment (which the packed W replaces).
     */
    static void checkPacked(String id, int m, Qs8PackedW w, MemorySegment a, long aOff, int lda, boolean aUnsigned,
                            int aZero, Qs8Epilogue epi, MemorySegment c, long cOff, int ldc) {
        java.util.Objects.requireNonNull(w, "packed W");
        w.requireKernel(id);
        int n = w.n(), k = w.k();
        if (m < 0) throw new IllegalArgumentException("negative size m=" + m);
        if (lda < k || ldc < n) {
            throw new IllegalArgumentException("leading dimension too small: lda=" + lda + " (k=" + k + "), ldc=" + ldc + " (n=" + n + ")");
        }
        int lo = aUnsigned ? 0 : -128, hi = aUnsigned ? 255 : 127;
        if (aZero < lo || aZero > hi) throw new IllegalArgumentException("activation zero point " + aZero + " is outside [" + lo + ", " + hi + "]");
        epi.check(n);
        span("A", a, aOff, m, k, lda, 1);
        span("C", c, cOff, m, n, ldc, epi.outBytes());
    }

    private static void span(String what, MemorySegment s, long off, long rows, long cols, long ld, int elem) {
        if (off < 0) throw new IllegalArgumentException(what + " offset " + off + " is negative");
        if (rows == 0 || cols == 0) return;
        long last = Math.addExact(off, Math.addExact(Math.multiplyExact(rows - 1, ld), cols)); // one past the last element
        if (Math.multiplyExact(last, (long) elem) > s.byteSize()) {
            throw new IllegalArgumentException(what + " [" + rows + "x" + cols + ", ld " + ld + "] at element " + off + " needs "
                    + last * elem + " bytes; the segment has " + s.byteSize());
        }
    }
}
