package io.minnow.engine.kernels.q4;

import io.minnow.formats.TensorData;

import java.lang.foreign.MemorySegment;

/**
 * Family {@code q4-gemv}: {@code C[m x n] = clamp(aScale[i] * (A[m x k] * W^T) + bias, lo, hi)} with A int8 codes
 * (symmetric: the value of code q of row i is {@code aScale[i] * q}; no activation zero point) and W a {@code q4}
 * tensor [n x k] (the .mnw q4 encoding: groups of G = 32, 64 or 128 along K, signed codes or unsigned codes with a
 * zero point per group), packed once per kernel by {@link #pack}. Built for batch-1 inference (m = 1), where the
 * weight stream is the cost: 4-bit codes meet 8-bit activations in integer multiply-adds, the nibbles unpacked in
 * registers. Any m works; the native kernels reuse a 4-row panel of W from cache for every row of A.
 *
 * <p>Semantics (what {@link Q4GemvReference} computes): with u the code as an unsigned nibble (the stored code with
 * zero points, z' the zero point; else the signed code + 8, z' = 8), per output (i, j) and group g the exact int32
 * {@code d_g = sum over p in g of (u[j][p] - z'[j][g]) * a[i][p]}, then in float32, group after group,
 * {@code acc += scale[j][g] * d_g}, and {@code c = min(max(aScale[i] * acc + bias[j], lo), hi)}.
 *
 * <p>Tolerance. Every variant's integer group dots are exact; the fast ones reassociate the float part: they
 * accumulate {@code scale * sum u*a} in vector lanes, subtract {@code (scale * z') * sum a} separately and sum the
 * lanes at the end. Each float operation rounds by at most 2^-24 relative to the magnitudes it adds, and the largest
 * of those is {@code M = aScale * sum_p |a[i][p]| * scale[j][g(p)] * (u[j][p] + z'[j][g(p)])} (plus |bias|); with a
 * few hundred roundings in a chain, the results agree with the reference within {@code 1e-5 * M} — the bound the
 * tests hold every variant to.
 *
 * <p>Offsets: A's in bytes (int8 elements), aScale's and C's in floats; leading dimensions in elements. Columns:
 * {@code gemv(m, w, colBegin, colEnd, ...)} computes only C's columns [colBegin, colEnd), colBegin a multiple of
 * {@value #COLUMN_ALIGN}; disjoint ranges (of columns or of rows) may run concurrently.
 */
public interface Q4Gemv {
    /** Column ranges start at multiples of this (the packed panel height). */
    int COLUMN_ALIGN = Q4GemvBlocks.NR;

    /** Kernel id, e.g. {@code q4-gemv-scalar}. */
    String id();

    /** Checks a q4 tensor (encoding, shape, scales, zero points, padding) and lays it out for this kernel. */
    Q4Packed pack(TensorData w);

    /** All columns. */
    default void gemv(int m, Q4Packed w, MemorySegment a, long aOff, int lda, MemorySegment aScale, long sOff,
                      float[] bias, float lo, float hi, MemorySegment c, long cOff, int ldc) {
        gemv(m, w, 0, w.n(), a, aOff, lda, aScale, sOff, bias, lo, hi, c, cOff, ldc);
    }

    /** Columns [colBegin, colEnd) of C only; row i of A has scale {@code aScale[sOff + i]}. */
    void gemv(int m, Q4Packed w, int colBegin, int colEnd, MemorySegment a, long aOff, int lda, MemorySegment aScale,
              long sOff, float[] bias, float lo, float hi, MemorySegment c, long cOff, int ldc);

    /**
     * Every argument against every bound, with what and where on failure (IllegalArgumentException). Variants call
     * it first; a native variant must, before it touches memory.
     */
    static void check(String kernel, int m, Q4Packed w, int colBegin, int colEnd, MemorySegment a, long aOff, int lda,
                      MemorySegment aScale, long sOff, float[] bias, float lo, float hi, MemorySegment c, long cOff, int ldc) {
        Q4Args.common(kernel, m, w, colBegin, colEnd, COLUMN_ALIGN, lda, ldc, bias, lo, hi);
        Q4Args.span("A", a, aOff, 0, m, w.k(), lda, 1);
        Q4Args.span("activation scales", aScale, sOff, 0, 1, m, m, Float.BYTES);
        Q4Args.span("C", c, cOff, colBegin, m, colEnd - colBegin, ldc, Float.BYTES);
    }
}
