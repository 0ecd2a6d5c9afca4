package io.minnow.engine.kernels.f32;

import java.lang.foreign.MemorySegment;

import static io.minnow.engine.api.Tensor.F32;

/** The oracle for family f32-gemm: a plain triple loop with a double accumulator. Never optimise it. */
public final class F32GemmReference implements F32Gemm {
    @Override
    public String id() {
        return "f32-gemm-scalar";
    }

    @Override
    public void gemm(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                     MemorySegment c, long cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = accumulate ? c.getAtIndex(F32, cOff + (long) i * ldc + j) : 0.0;
                for (int p = 0; p < k; p++) {
                    acc += (double) a.getAtIndex(F32, aOff + (long) i * lda + p) * b.getAtIndex(F32, bOff + (long) p * ldb + j);
                }
                c.setAtIndex(F32, cOff + (long) i * ldc + j, (float) acc);
            }
        }
    }
}
