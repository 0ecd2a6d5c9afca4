package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.Attrs;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.MinnowException;

import java.lang.foreign.MemorySegment;
import java.util.function.Function;

/**
 * ONNX Split along {@code axis}: part sizes from {@code split} (attribute before opset 13, input from
 * 13), else {@code num_outputs} (opset 18: parts of ceil(d/n), the last smaller), else equal parts, one
 * per output.
 */
final class Split implements Op {
    private static final int MAX_OUTPUTS = 1 << 12;

    @Override
    public void infer(InferContext ctx) {
        long[] in = ctx.inputShape(0);
        int axis = Shapes.axis(ctx, ctx.attrs().getInt("axis", 0), in.length, "axis");
        long[] split = null;
        if (ctx.opset() < 13) {
            split = ctx.attrs().getInts("split", null);
        } else if (ctx.hasInput(1)) {
            split = Shapes.intsInput(ctx, 1, "split");
            if (split == null) { // sizes known at run time only
                for (int i = 0; i < ctx.outputCount(); i++) ctx.setOutput(i, ctx.inputType(0), null);
                return;
            }
        }
        long[] sizes = sizes(ctx.opset(), ctx.attrs(), split, in[axis], ctx.outputCount(), ctx::error);
        for (int i = 0; i < sizes.length; i++) {
            long[] s = in.clone();
            s[axis] = sizes[i];
            ctx.setOutput(i, ctx.inputType(0), s);
        }
    }

    /** The size of each of the {@code n} parts of a dimension of size {@code dim}. */
    static long[] sizes(long opset, Attrs attrs, long[] split, long dim, int n, Function<String, MinnowException> error) {
        if (n < 1) throw error.apply("has no outputs");
        if (split != null) {
            if (split.length != n) {
                throw error.apply("split " + Shapes.str(split) + " has " + split.length + " sizes for " + n + " outputs");
            }
            long sum = 0;
            for (long s : split) {
                if (s < 0) throw error.apply("split " + Shapes.str(split) + " has a negative size");
                sum += s;
            }
            if (sum != dim) throw error.apply("split " + Shapes.str(split) + " sums to " + sum + ", not the dimension " + dim);
            return split;
        }
        long[] sizes = new long[n];
        long parts = n;
        if (attrs.has("num_outputs")) {
            parts = attrs.getInt("num_outputs", n);
            if (parts != n) throw error.apply("num_outputs=" + parts + " but the node has " + n + " outputs");
        }
        if (dim % parts != 0 && opset < 18) {
            throw error.apply("cannot split a dimension of " + dim + " into " + parts + " equal parts");
        }
        long chunk = (dim + parts - 1) / parts, left = dim;
        for (int i = 0; i < n; i++) {
            sizes[i] = Math.min(chunk, left);
            left -= sizes[i];
        }
        return sizes;
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0);
        long[] in = x.shape();
        int rank = in.length;
        long a = ctx.attrs().getInt("axis", 0);
        int axis = (int) (a < 0 ? a + rank : a);
        long[] split = ctx.opset() < 13 ? ctx.attrs().getInts("split", null)
                : ctx.input(1) != null ? ctx.input(1).toLongArray() : null;
        int n = outputCount(ctx, split);
        long[] sizes = sizes(ctx.opset(), ctx.attrs(), split, in[axis], n, ctx::error);
        int es = x.type().byteSize;
        long inner = Shapes.product(in, axis + 1, rank) * es;
        long outer = Shapes.product(in, 0, axis);
        long inRow = in[axis] * inner;
        long off = 0;
        MemorySegment src = x.data();
        for (int i = 0; i < n; i++) {
            long rowBytes = sizes[i] * inner, from = off;
            off += rowBytes;
            Tensor y = ctx.output(i);
            if (y == null || rowBytes == 0) continue;
            MemorySegment dst = y.data();
            Copy.forRows(ctx.parallel(), outer, rowBytes / Math.max(es, 1), (start, end) -> {
                for (long o = start; o < end; o++) MemorySegment.copy(src, o * inRow + from, dst, o * rowBytes, rowBytes);
            });
        }
    }

    /**
     * The node's output count: fixed by {@code split} or {@code num_outputs} when given; else the last
     * present output + 1 (Split's outputs are not optional, so none is omitted in a valid model).
     */
    private static int outputCount(ExecContext ctx, long[] split) {
        if (split != null) return split.length;
        if (ctx.attrs().has("num_outputs")) return Math.toIntExact(ctx.attrs().getInt("num_outputs", 1));
        int n = 0;
        for (int i = 0; i < MAX_OUTPUTS; i++) if (ctx.output(i) != null) n = i + 1;
        return n;
    }
}
