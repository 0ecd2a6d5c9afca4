package io.minnow.engine.ops.math;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.DataType;

import java.lang.foreign.MemorySegment;

import static io.minnow.engine.api.Tensor.F32;

/**
 * Softmax and LogSoftmax, numerically stable (the maximum is subtracted before exp; sums in double).
 *
 * <p>Before opset 13 the input is coerced to 2-D at {@code axis} (default 1): [prod(dims[:axis]),
 * prod(dims[axis:])], normalising each row over all trailing dimensions. From opset 13 it normalises
 * along the single dimension {@code axis} (default −1). Either way the work is a view [outer, n, inner]:
 * n values to normalise, {@code inner} apart. inner = 1 walks contiguous rows (split across threads);
 * inner &gt; 1 keeps a running max and sum per column in scratch so every pass is contiguous.
 */
final class Softmax implements Op {
    private final boolean log;

    Softmax(boolean log) {
        this.log = log;
    }

    /** [outer, n, inner] for an input shape, or throws on a bad axis. */
    private static long[] view(long[] shape, long opset, long axisAttr, InferContext ctx) {
        int r = shape.length;
        long outer = 1, n = 1, inner = 1;
        if (opset < 13) {
            long a = axisAttr < 0 ? axisAttr + r : axisAttr;
            if (a < 0 || a > r) throw ctxError(ctx, "axis " + axisAttr + " is out of range for rank " + r);
            for (int d = 0; d < r; d++) {
                if (d < a) outer *= shape[d];
                else n *= shape[d];
            }
        } else {
            long a = axisAttr < 0 ? axisAttr + r : axisAttr;
            if (a < 0 || a >= r) throw ctxError(ctx, "axis " + axisAttr + " is out of range for rank " + r);
            for (int d = 0; d < r; d++) {
                if (d < a) outer *= shape[d];
                else if (d == a) n = shape[d];
                else inner *= shape[d];
            }
        }
        return new long[]{outer, n, inner};
    }

    private static RuntimeException ctxError(InferContext ctx, String what) {
        return ctx == null ? new IllegalArgumentException(what) : ctx.error(what);
    }

    private static long axisAttr(long opset, io.minnow.engine.ops.Attrs attrs) {
        return attrs.getInt("axis", opset < 13 ? 1 : -1);
    }

    @Override
    public void infer(InferContext ctx) {
        DataType t = ctx.inputType(0);
        if (!t.isFloat()) throw ctx.error((log ? "LogSoftmax" : "Softmax") + " does not support " + t);
        long axis = MathTypes.intAttr(ctx, "axis", ctx.opset() < 13 ? 1 : -1);
        long[] shape = ctx.inputShape(0);
        if (shape != null) {
            long[] v = view(shape, ctx.opset(), axis, ctx);
            if (t == DataType.FLOAT && v[2] > 1) ctx.requestScratch(12 * v[2]);
        }
        ctx.setOutput(0, t, shape);
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0);
        long[] v = view(x.shape(), ctx.opset(), axisAttr(ctx.opset(), ctx.attrs()), null);
        long outer = v[0], n = v[1], inner = v[2];
        if (x.size() == 0) return;
        if (x.type() != DataType.FLOAT) {
            generic(x, y, outer, n, inner);
        } else if (inner == 1) {
            MemorySegment in = x.data(), out = y.data();
            boolean simd = Simd.enabled(ctx.kernels());
            long grainRows = Math.max(1, 16384 / Math.max(n, 1));
            long chunks = (outer + grainRows - 1) / grainRows;
            Broadcast.LongRange body = (r0, r1) -> {
                if (simd) VectorMath.softmaxRows(in, out, r0, r1, n, log);
                else rows(in, out, r0, r1, n, log);
            };
            if (chunks <= 1 || ctx.parallel().threads() <= 1 || chunks > Integer.MAX_VALUE) {
                body.run(0, outer);
            } else {
                ctx.parallel().forRange((int) chunks, 1, (cs, ce) -> body.run(cs * grainRows, Math.min(ce * grainRows, outer)));
            }
        } else {
            columns(x.data(), y.data(), ctx.scratch(), outer, n, inner, log);
        }
    }

    /** Contiguous rows [r0, r1) of length n. */
    static void rows(MemorySegment in, MemorySegment out, long r0, long r1, long n, boolean log) {
        for (long r = r0; r < r1; r++) {
            long base = r * n;
            float max = Float.NEGATIVE_INFINITY;
            for (long j = 0; j < n; j++) max = Math.max(max, in.getAtIndex(F32, base + j));
            double sum = 0;
            if (log) {
                for (long j = 0; j < n; j++) sum += Math.exp(in.getAtIndex(F32, base + j) - max);
                double lse = Math.log(sum);
                for (long j = 0; j < n; j++) out.setAtIndex(F32, base + j, (float) ((in.getAtIndex(F32, base + j) - max) - lse));
            } else {
                for (long j = 0; j < n; j++) {
                    float e = (float) Math.exp(in.getAtIndex(F32, base + j) - max);
                    out.setAtIndex(F32, base + j, e);
                    sum += e;
                }
                double inv = 1.0 / sum;
                for (long j = 0; j < n; j++) out.setAtIndex(F32, base + j, (float) (out.getAtIndex(F32, base + j) * inv));
            }
        }
    }

    /** Normalising along a strided axis: per outer block, running max/sum per column in scratch. */
    static void columns(MemorySegment in, MemorySegment out, MemorySegment scratch, long outer, long n, long inner,
                        boolean log) {
        MemorySegment max = scratch.asSlice(0, 4 * inner), sum = scratch.asSlice(4 * inner, 8 * inner);
        for (long o = 0; o < outer; o++) {
            long base = o * n * inner;
            for (long i = 0; i < inner; i++) {
                max.setAtIndex(F32, i, Float.NEGATIVE_INFINITY);
                sum.setAtIndex(Tensor.F64, i, 0.0);
            }
            for (long j = 0; j < n; j++) {
                long row = base + j * inner;
                for (long i = 0; i < inner; i++) max.setAtIndex(F32, i, Math.max(max.getAtIndex(F32, i), in.getAtIndex(F32, row + i)));
            }
            for (long j = 0; j < n; j++) {
                long row = base + j * inner;
                for (long i = 0; i < inner; i++) {
                    double e = Math.exp(in.getAtIndex(F32, row + i) - max.getAtIndex(F32, i));
                    if (!log) {
                        float ef = (float) e;
                        out.setAtIndex(F32, row + i, ef);
                        e = ef;
                    }
                    sum.setAtIndex(Tensor.F64, i, sum.getAtIndex(Tensor.F64, i) + e);
                }
            }
            for (long i = 0; i < inner; i++) {
                double s = sum.getAtIndex(Tensor.F64, i);
                sum.setAtIndex(Tensor.F64, i, log ? Math.log(s) : 1.0 / s);
            }
            for (long j = 0; j < n; j++) {
                long row = base + j * inner;
                for (long i = 0; i < inner; i++) {
                    double k = sum.getAtIndex(Tensor.F64, i);
                    float r = log ? (float) ((in.getAtIndex(F32, row + i) - max.getAtIndex(F32, i)) - k)
                            : (float) (out.getAtIndex(F32, row + i) * k);
                    out.setAtIndex(F32, row + i, r);
                }
            }
        }
    }

    /** Double, float16, bfloat16: computed in double, strided, no scratch. */
    private void generic(Tensor x, Tensor y, long outer, long n, long inner) {
        for (long o = 0; o < outer; o++) {
            for (long i = 0; i < inner; i++) {
                long base = o * n * inner + i;
                double max = Double.NEGATIVE_INFINITY;
                for (long j = 0; j < n; j++) max = Math.max(max, x.getDouble(base + j * inner));
                double sum = 0;
                for (long j = 0; j < n; j++) sum += Math.exp(x.getDouble(base + j * inner) - max);
                double k = log ? Math.log(sum) : 1.0 / sum;
                for (long j = 0; j < n; j++) {
                    double d = x.getDouble(base + j * inner) - max;
                    y.setDouble(base + j * inner, log ? d - k : Math.exp(d) * k);
                }
            }
        }
    }
}
