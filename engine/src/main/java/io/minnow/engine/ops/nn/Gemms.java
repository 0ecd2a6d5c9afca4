package io.minnow.engine.ops.nn;

import io.minnow.engine.exec.Parallel;
import io.minnow.engine.kernels.f32.F32Epilogue;
import io.minnow.engine.kernels.f32.F32Gemm;
import io.minnow.engine.ops.ExecContext;

import java.lang.foreign.MemorySegment;

/**
 * One f32 product C = A·B spread over the intra-op pool: split along the larger of m (rows) and n (columns).
 * Every kernel computes each C element the same way however the product is cut, so results do not depend
 * on the thread count.
 */
final class Gemms {
    /** Below this many multiply-adds a product runs on the calling thread. */
    private static final long SERIAL_WORK = 1L << 16;
    private static final int ROW_GRAIN = 8;
    private static final int COL_UNIT = 32;

    private Gemms() {}

    static void gemm(ExecContext ctx, int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff,
                     int ldb, MemorySegment c, long cOff, int ldc) {
        F32Gemm g = ctx.kernels().f32Gemm();
        Parallel par = ctx.parallel();
        long work = (long) m * n * Math.max(k, 1);
        if (par.threads() <= 1 || work < SERIAL_WORK) {
            g.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, false);
        } else if (m >= n && m >= 2 * ROW_GRAIN) {
            par.forRange(m, ROW_GRAIN, (s, e) ->
                    g.gemm(e - s, n, k, a, aOff + (long) s * lda, lda, b, bOff, ldb, c, cOff + (long) s * ldc, ldc, false));
        } else if (n >= 2 * COL_UNIT) {
            int units = (n + COL_UNIT - 1) / COL_UNIT;
            par.forRange(units, 1, (s, e) -> {
                int j0 = s * COL_UNIT, j1 = Math.min(n, e * COL_UNIT);
                g.gemm(m, j1 - j0, k, a, aOff, lda, b, bOff + j0, ldb, c, cOff + j0, ldc, false);
            });
        } else {
            g.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, false);
        }
    }

    /** Columns per work unit of a packed product: a multiple of every kernel's panel width, so no panel is split. */
    private static final int PACKED_COL_UNIT = 64;

    /** A constant B packed once by {@code kernel} (Op.prepare), with the shape it was packed for. */
    record PackedB(F32Gemm kernel, Object packed, int k, int n) {
        /** Packs B[k×n] (row stride ld), or Bᵀ stored [n×k] when transposed, for the model's f32-gemm kernel. */
        static PackedB pack(F32Gemm kernel, MemorySegment b, int ld, int k, int n, boolean transposed) {
            return new PackedB(kernel, kernel.packB(b, 0, ld, k, n, transposed), k, n);
        }
    }

    /**
     * C = epi(A·B + bias) with B prepacked, split over the pool by rows (A the larger operand) or by whole
     * 64-column units (B the larger, or few rows). The
     * packed kernels compute each element the same way however the product is cut (each row and column
     * on its own), so results do not depend on the thread count.
     */
    static void gemmPacked(ExecContext ctx, int m, MemorySegment a, long aOff, int lda, PackedB pb,
                           MemorySegment bias, long biasOff, F32Epilogue epi, MemorySegment c, long cOff, int ldc) {
        F32Gemm g = pb.kernel();
        Parallel par = ctx.parallel();
        int n = pb.n();
        long work = (long) m * n * Math.max(pb.k(), 1);
        if (par.threads() <= 1 || work < SERIAL_WORK) {
            g.gemmPackedB(m, 0, n, a, aOff, lda, pb.packed(), bias, biasOff, epi, c, cOff, ldc);
        } else if (m >= 2 * ROW_GRAIN && (n <= m || n < 2 * PACKED_COL_UNIT)) {
            // rows, unless B is the larger operand: every row block streams all of B, so LeNet-300's 784 x 300 B
            // (940 KB, past L2) was read once per 8-row block, 8 times a run; a column split reads it once
            par.forRange(m, ROW_GRAIN, (s, e) -> g.gemmPackedB(e - s, 0, n, a, aOff + (long) s * lda, lda, pb.packed(),
                    bias, biasOff, epi, c, cOff + (long) s * ldc, ldc));
        } else {
            int units = (n + PACKED_COL_UNIT - 1) / PACKED_COL_UNIT;
            par.forRange(units, 1, (s, e) -> g.gemmPackedB(m, s * PACKED_COL_UNIT, Math.min(n, e * PACKED_COL_UNIT),
                    a, aOff, lda, pb.packed(), bias, biasOff, epi, c, cOff, ldc));
        }
    }
}
