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

    /** Packs W [n x k] for {@link #gemmPacked} (stub: a plain copy). */
    default Qs8PackedW pack(int n, int k, MemorySegment w, long wOff, int ldw) {
        MemorySegment d = java.lang.foreign.Arena.ofAuto().allocate(Math.max(1L, (long) n * k), 64);
        for (int j = 0; j < n; j++) MemorySegment.copy(w, wOff + (long) j * ldw, d, (long) j * k, k);
        return new Qs8PackedW(id(), n, k, d);
    }

    /** {@link #gemm} on weights packed by {@link #pack}. */
    default void gemmPacked(int m, Qs8PackedW w, MemorySegment a, long aOff, int lda, boolean aUnsigned, int aZero,
                            Qs8Epilogue epi, MemorySegment c, long cOff, int ldc) {
        gemm(m, w.n(), w.k(), a, aOff, lda, aUnsigned, aZero, w.data(), 0, Math.max(1, w.k()), epi, c, cOff, ldc);
    }

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
