package io.minnow.engine.kernels.f32;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Family {@code f32-gemm}: C[m×n] = A[m×k] · B[k×n] (+ C when {@code accumulate}), all row-major with
 * leading dimensions in elements and offsets in elements into off-heap segments.
 *
 * <p>Constant weights take the packed path: {@link #packB} once (at model load, via {@code Op.prepare}),
 * then {@link #gemmPackedB} per run with the bias and activation fused into the store of C. The defaults
 * here keep a plain row-major copy and run {@link #gemm} then a scalar epilogue; fast kernels override
 * both with their own panel layout. A packed B is only valid for the kernel that packed it.
 */
public interface F32Gemm {
    /** Kernel id, e.g. {@code f32-gemm-scalar}, {@code f32-gemm-panama256}, {@code f32-gemm-avx512f}. */
    String id();

    void gemm(int m, int n, int k,
              MemorySegment a, long aOff, int lda,
              MemorySegment b, long bOff, int ldb,
              MemorySegment c, long cOff, int ldc,
              boolean accumulate);

    /**
     * Packs a constant B once. Source is B[k×n] (row stride ld) or, when {@code transposed}, Bᵀ stored as
     * [n×k] (row stride ld) — ONNX Gemm's transB=1 weight layout.
     */
    default Object packB(MemorySegment b, long off, int ld, int k, int n, boolean transposed) {
        MemorySegment copy = Arena.ofAuto().allocate(Math.max(1L, (long) k * n) * Float.BYTES, 64);
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                long src = transposed ? off + (long) j * ld + p : off + (long) p * ld + j;
                copy.setAtIndex(F32, (long) p * n + j, b.getAtIndex(F32, src));
            }
        }
        return new RowMajorB(copy, k, n);
    }

    /**
     * C = act(A·B + bias) with B from {@link #packB} (shape k×n given there); bias is per column (n floats
     * from biasOff) or null. Columns [j0, j1) only — the split for threads; any split gives the same bits.
     */
    default void gemmPackedB(int m, int j0, int j1, MemorySegment a, long aOff, int lda, Object packedB,
                             MemorySegment bias, long biasOff, F32Epilogue epi, MemorySegment c, long cOff, int ldc) {
        RowMajorB pb = (RowMajorB) packedB;
        gemm(m, j1 - j0, pb.k(), a, aOff, lda, pb.data(), j0, pb.n(), c, cOff + j0, ldc, false);
        for (int i = 0; i < m; i++) {
            for (int j = j0; j < j1; j++) {
                long at = cOff + (long) i * ldc + j;
                float v = c.getAtIndex(F32, at);
                if (bias != null) v += bias.getAtIndex(F32, biasOff + j);
                c.setAtIndex(F32, at, epi.apply(v));
            }
        }
    }

    /** The default packed form: B as a dense row-major k×n copy. */
    record RowMajorB(MemorySegment data, int k, int n) {}
}
