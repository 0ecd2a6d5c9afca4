package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;
import io.minnow.formats.MinnowException;

import java.lang.foreign.MemorySegment;
import java.util.function.Function;

/**
 * ONNX Gather: picks slices of {@code data} along {@code axis} by {@code indices} (int32/int64, any
 * rank, negative counts from the end). Output shape: data[:axis] + indices + data[axis+1:]. Every index
 * is checked before anything is read.
 */
final class Gather implements Op {
    @Override
    public void infer(InferContext ctx) {
        long[] data = ctx.inputShape(0), idx = ctx.inputShape(1);
        int r = data.length;
        if (r == 0) throw ctx.error("data must have rank >= 1");
        int axis = Shapes.axis(ctx, ctx.attrs().getInt("axis", 0), r, "axis");
        if (!Shapes.isIndexType(ctx.inputType(1))) throw ctx.error("indices must be int32 or int64, got " + ctx.inputType(1));
        Tensor known = ctx.constant(1);
        if (known != null) checkIndices(known, data[axis], ctx::error);
        long[] out = new long[r - 1 + idx.length];
        System.arraycopy(data, 0, out, 0, axis);
        System.arraycopy(idx, 0, out, axis, idx.length);
        System.arraycopy(data, axis + 1, out, axis + idx.length, r - axis - 1);
        ctx.setOutput(0, ctx.inputType(0), out);
    }

    /** Throws when an index is outside [-dim, dim); reads nothing else. */
    static void checkIndices(Tensor t, long dim, Function<String, MinnowException> error) {
        long n = t.size();
        for (long i = 0; i < n; i++) {
            long v = index(t, i);
            if (v < -dim || v >= dim) {
                throw error.apply("index " + v + " (at position " + i + " of indices) is out of range [" + -dim + ", "
                        + (dim - 1) + "] for an axis of size " + dim);
            }
        }
    }

    private static long index(Tensor t, long i) {
        return t.type() == DataType.INT64 ? t.data().getAtIndex(Tensor.I64, i) : t.data().getAtIndex(Tensor.I32, i);
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0);
        long[] data = x.shape();
        int r = data.length;
        long a = ctx.attrs().getInt("axis", 0);
        int axis = (int) (a < 0 ? a + r : a);
        Tensor indices = ctx.input(1);
        long dim = data[axis];
        checkIndices(indices, dim, ctx::error);
        int es = x.type().byteSize;
        long outer = Shapes.product(data, 0, axis);
        long inner = Shapes.product(data, axis + 1, r) * es; // bytes per picked slice
        long count = indices.size();
        long srcRow = dim * inner, dstRow = count * inner;
        if (inner == 0 || count == 0) return;
        MemorySegment src = x.data(), dst = y.data();
        Copy.forRows(ctx.parallel(), outer, dstRow / es, (start, end) -> {
            for (long o = start; o < end; o++) {
                long so = o * srcRow, dO = o * dstRow;
                for (long j = 0; j < count; j++) {
                    long v = index(indices, j);
                    if (v < 0) v += dim;
                    if (inner == es) Copy.element(src, so + v * es, dst, dO + j * es, es);
                    else MemorySegment.copy(src, so + v * inner, dst, dO + j * inner, inner);
                }
            }
        });
    }
}
