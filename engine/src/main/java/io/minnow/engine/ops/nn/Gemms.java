package io.minnow.engine.ops.nn;

import io.minnow.engine.exec.Parallel;
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
}
