package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ONNX Transpose: output axis k is input axis {@code perm[k]} (default: reversed). After merging axes
 * that stay adjacent, the common cases (2-D transpose, NCHW↔NHWC) become a batch of matrix transposes,
 * done in cache-sized tiles; anything else is a strided copy.
 */
final class Transpose implements Op {
    private static final int TILE = 32;

    @Override
    public void infer(InferContext ctx) {
        long[] in = ctx.inputShape(0);
        int[] perm = perm(ctx, in.length);
        long[] out = new long[in.length];
        for (int k = 0; k < out.length; k++) out[k] = in[perm[k]];
        ctx.setOutput(0, ctx.inputType(0), out);
    }

    private static int[] perm(InferContext ctx, int rank) {
        long[] p = ctx.attrs().getInts("perm", null);
        int[] perm = new int[rank];
        if (p == null) {
            for (int k = 0; k < rank; k++) perm[k] = rank - 1 - k;
            return perm;
        }
        if (p.length != rank) throw ctx.error("perm " + Shapes.str(p) + " has " + p.length + " entries for rank " + rank);
        boolean[] seen = new boolean[rank];
        for (int k = 0; k < rank; k++) {
            if (p[k] < 0 || p[k] >= rank || seen[(int) p[k]]) {
                throw ctx.error("perm " + Shapes.str(p) + " is not a permutation of 0.." + (rank - 1));
            }
            seen[(int) p[k]] = true;
            perm[k] = (int) p[k];
        }
        return perm;
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0);
        int rank = x.rank();
        long[] p = ctx.attrs().getInts("perm", null);
        long[] inStrides = Shapes.strides(x.shape());
        long[] outShape = y.shape();
        long[] src = new long[rank];
        for (int k = 0; k < rank; k++) src[k] = inStrides[p == null ? rank - 1 - k : (int) p[k]];
        long[] dst = Shapes.strides(outShape);
        int es = x.type().byteSize;
        Copy.Merged m = Copy.merge(outShape, src, dst);
        if (m == null) return;
        int r = m.rank();
        if (r >= 2 && m.src()[r - 2] == 1 && m.dst()[r - 1] == 1 && m.src()[r - 1] != 1) {
            // out[.., i, j] = in[.., j, i]: a batch of matrix transposes
            long rows = m.shape()[r - 2], cols = m.shape()[r - 1];
            long srcRow = m.src()[r - 1], dstRow = m.dst()[r - 2];
            MemorySegment xs = x.data(), ys = y.data();
            Copy.forOuter(m, r - 2, 0, 0, rows * cols, ctx.parallel(),
                    (so, dO) -> tiled(xs, so, srcRow, ys, dO, dstRow, rows, cols, es));
        } else {
            Copy.strided(x.data(), 0, m.src(), y.data(), 0, m.dst(), m.shape(), es, ctx.parallel());
        }
    }

    /**
     * {@code dst[dO + i·dstRow + j] = src[so + i + j·srcRow]} for i &lt; rows, j &lt; cols (element
     * offsets), tile by tile so that both sides stay in cache.
     */
    static void tiled(MemorySegment src, long so, long srcRow, MemorySegment dst, long dO, long dstRow,
                      long rows, long cols, int es) {
        for (long i0 = 0; i0 < rows; i0 += TILE) {
            long i1 = Math.min(rows, i0 + TILE);
            for (long j0 = 0; j0 < cols; j0 += TILE) {
                long j1 = Math.min(cols, j0 + TILE);
                if (es == 4) {
                    for (long i = i0; i < i1; i++) {
                        long d = (dO + i * dstRow) * 4, s = (so + i) * 4;
                        for (long j = j0; j < j1; j++) {
                            dst.set(ValueLayout.JAVA_INT_UNALIGNED, d + j * 4,
                                    src.get(ValueLayout.JAVA_INT_UNALIGNED, s + j * srcRow * 4));
                        }
                    }
                } else {
                    for (long i = i0; i < i1; i++) {
                        long d = (dO + i * dstRow) * es, s = (so + i) * es;
                        for (long j = j0; j < j1; j++) Copy.element(src, s + j * srcRow * es, dst, d + j * es, es);
                    }
                }
            }
        }
    }
}
