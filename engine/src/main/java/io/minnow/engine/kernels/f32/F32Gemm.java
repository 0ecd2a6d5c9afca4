package io.minnow.engine.kernels.f32;

import java.lang.foreign.MemorySegment;

/**
 * Family {@code f32-gemm}: C[m×n] = A[m×k] · B[k×n] (+ C when {@code accumulate}), all row-major with
 * leading dimensions in elements and offsets in elements into off-heap segments.
 */
public interface F32Gemm {
    /** Kernel id, e.g. {@code f32-gemm-scalar}, {@code f32-gemm-panama256}, {@code f32-gemm-avx512f}. */
    String id();

    void gemm(int m, int n, int k,
              MemorySegment a, long aOff, int lda,
              MemorySegment b, long bOff, int ldb,
              MemorySegment c, long cOff, int ldc,
              boolean accumulate);
}
