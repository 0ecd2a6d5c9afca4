package io.minnow.engine.kernels.q4;

import io.minnow.formats.MinnowException;
import io.minnow.formats.TensorData;
import io.minnow.formats.quant.Q4Codec;
import io.minnow.formats.quant.QuantCheck;
import io.minnow.formats.quant.QuantLayout;

import java.lang.foreign.MemorySegment;

/**
 * Family {@code q4-gemm}: {@code C[m x n] = clamp(A[m x k] * W^T + bias, lo, hi)} with A float32 (row stride lda)
 * and W a {@code q4} tensor [n x k] (N = dims[0] rows, K = the product of the other dims; see
 * {@link io.minnow.formats.quant}), packed once per kernel by {@link #pack}. m = 1 is the GEMV case that
 * batch-1 inference spends its time in: memory bound, so the packed layouts stream the weight linearly.
 *
 * <p>Semantics (what {@link Q4GemmReference} computes, in float32): for each output (i, j),
 * {@code acc = sum over groups g of scale[j][g] * (sum over p in g of a[i][p] * (code[j][p] - z[j][g]))}, where z
 * is the group's zero point (0 for signed codes), then {@code c = min(max(acc + bias[j], lo), hi)}. Fast variants
 * reassociate: they compute {@code scale * (sum a*u - z' * sum a)} on unsigned codes u (signed codes biased by 8,
 * z' = z + 8), with FMAs in another order. Their results agree with the reference within
 * {@code 1e-5 * sum_p |a[i][p]| * scale * (u + z')} (the magnitudes that reassociated form adds; for typical weights
 * a small multiple of {@code sum |a * w|}); the tests hold them to it.
 *
 * <p>Offsets and leading dimensions are in floats. Columns: {@code gemm(m, w, colBegin, colEnd, ...)} computes only
 * C's columns [colBegin, colEnd) (written at their own positions), with colBegin a multiple of
 * {@value #COLUMN_ALIGN}; disjoint ranges (of columns or of rows of A/C) may run concurrently.
 */
public interface Q4Gemm {
    /** Column ranges start at multiples of this (the fast kernels' panel height is 8; 16 is what the engine uses). */
    int COLUMN_ALIGN = 8;

    /** Kernel id, e.g. {@code q4-gemm-scalar}. */
    String id();

    /** Checks a q4 tensor (encoding, shape, scales, zero points, padding) and lays it out for this kernel. */
    Q4Packed pack(TensorData w);

    /** All columns. */
    default void gemm(int m, Q4Packed w, MemorySegment a, long aOff, int lda, float[] bias, float lo, float hi,
                      MemorySegment c, long cOff, int ldc) {
        gemm(m, w, 0, w.n(), a, aOff, lda, bias, lo, hi, c, cOff, ldc);
    }

    /** Columns [colBegin, colEnd) of C only. */
    void gemm(int m, Q4Packed w, int colBegin, int colEnd, MemorySegment a, long aOff, int lda, float[] bias,
              float lo, float hi, MemorySegment c, long cOff, int ldc);

    /** The layout of a q4 weight as this family reads it: rows and K that fit an int, content checked. */
    static QuantLayout checkWeight(TensorData w) {
        QuantLayout l = Q4Codec.layout(w); // MinnowException for another encoding
        if (l.rows() > Integer.MAX_VALUE || l.cols() > Integer.MAX_VALUE) {
            throw new MinnowException("q4 tensor '" + w.name() + "' is " + l.rows() + " x " + l.cols() + "; q4-gemm takes int sizes");
        }
        if (w.bytes().byteSize() != l.byteSize()) {
            throw new MinnowException("q4 tensor '" + w.name() + "' has " + w.bytes().byteSize() + " bytes; its layout needs " + l.byteSize());
        }
        QuantCheck.check(w, null, -1);
        return l;
    }

    /**
     * Every argument against every bound, with what and where on failure (IllegalArgumentException). Variants
     * call it first; a native variant must, before it touches memory.
     */
    static void check(String kernel, int m, Q4Packed w, int colBegin, int colEnd, MemorySegment a, long aOff, int lda,
                      float[] bias, float lo, float hi, MemorySegment c, long cOff, int ldc) {
        Q4Args.common(kernel, m, w, colBegin, colEnd, COLUMN_ALIGN, lda, ldc, bias, lo, hi);
        Q4Args.span("A", a, aOff, 0, m, w.k(), lda, Float.BYTES);
        Q4Args.span("C", c, cOff, colBegin, m, colEnd - colBegin, ldc, Float.BYTES);
    }
}
