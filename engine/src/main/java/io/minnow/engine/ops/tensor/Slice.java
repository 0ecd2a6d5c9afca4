package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;
import io.minnow.formats.MinnowException;

import java.util.function.Function;

/**
 * ONNX Slice: starts/ends/axes as attributes before opset 10; from 10 as inputs, with optional steps
 * (negative steps walk backwards). Out-of-range starts and ends (INT64_MAX/MIN included) are clamped as
 * the spec says (the same as ONNX Runtime; numpy differs in one corner, see {@link #window}).
 */
final class Slice implements Op {
    /** Per input axis: first index, step, and number of elements taken. */
    record Window(long[] start, long[] step, long[] count) {}

    @Override
    public void infer(InferContext ctx) {
        long[] in = ctx.inputShape(0);
        long[] starts, ends, axes, steps = null;
        if (ctx.opset() < 10) {
            starts = ctx.attrs().getInts("starts", null);
            ends = ctx.attrs().getInts("ends", null);
            axes = ctx.attrs().getInts("axes", null);
            if (starts == null || ends == null) throw ctx.error("missing required attributes 'starts' and 'ends'");
        } else {
            if (!ctx.hasInput(1) || !ctx.hasInput(2)) throw ctx.error("missing required inputs 'starts' and 'ends'");
            starts = Shapes.intsInput(ctx, 1, "starts");
            ends = Shapes.intsInput(ctx, 2, "ends");
            axes = ctx.hasInput(3) ? Shapes.intsInput(ctx, 3, "axes") : null;
            if (ctx.hasInput(4)) steps = Shapes.intsInput(ctx, 4, "steps");
            if (starts == null || ends == null || (ctx.hasInput(3) && axes == null) || (ctx.hasInput(4) && steps == null)) {
                ctx.setOutput(0, ctx.inputType(0), null);
                return;
            }
        }
        ctx.setOutput(0, ctx.inputType(0), window(in, starts, ends, axes, steps, ctx::error).count());
    }

    /** Resolves the slice parameters against a shape, per the spec's clamping rules. */
    static Window window(long[] shape, long[] starts, long[] ends, long[] axes, long[] steps,
                         Function<String, MinnowException> error) {
        int r = shape.length;
        if (ends.length != starts.length) {
            throw error.apply("starts " + Shapes.str(starts) + " and ends " + Shapes.str(ends) + " differ in length");
        }
        if (axes != null && axes.length != starts.length) {
            throw error.apply("axes " + Shapes.str(axes) + " and starts " + Shapes.str(starts) + " differ in length");
        }
        if (steps != null && steps.length != starts.length) {
            throw error.apply("steps " + Shapes.str(steps) + " and starts " + Shapes.str(starts) + " differ in length");
        }
        long[] start = new long[r], step = new long[r], count = shape.clone();
        java.util.Arrays.fill(step, 1);
        boolean[] seen = new boolean[r];
        for (int i = 0; i < starts.length; i++) {
            long a = axes == null ? i : axes[i];
            if (a < -r || a >= r) throw error.apply("axis " + a + " is out of range for rank " + r);
            int ax = (int) (a < 0 ? a + r : a);
            if (seen[ax]) throw error.apply("axes " + Shapes.str(axes) + " repeat an axis");
            seen[ax] = true;
            long d = shape[ax], st = steps == null ? 1 : steps[i];
            if (st == 0) throw error.apply("steps must not be 0");
            long s = starts[i], e = ends[i];
            if (s < 0) s += d;
            if (e < 0) e += d;
            long n;
            if (d == 0) {
                n = 0;
            } else if (st > 0) {
                s = Math.clamp(s, 0L, d);
                e = Math.clamp(e, 0L, d);
                n = e > s ? (e - s - 1) / st + 1 : 0;
            } else {
                // Per the spec text (and ONNX Runtime): [0, d-1]. numpy would clamp a start still negative
                // after adding d to -1 and select nothing; the spec picks element 0.
                s = Math.clamp(s, 0L, d - 1);
                e = Math.clamp(e, -1L, d - 1);
                n = s > e ? (s - e - 1) / -st + 1 : 0; // -Long.MIN_VALUE stays negative: quotient 0, n 1 (right)
            }
            start[ax] = n == 0 ? 0 : s;
            step[ax] = st;
            count[ax] = n;
        }
        return new Window(start, step, count);
    }

    @Override
    public void execute(ExecContext ctx) {
        Tensor x = ctx.input(0), y = ctx.output(0);
        long[] starts, ends, axes, steps;
        if (ctx.opset() < 10) {
            starts = ctx.attrs().getInts("starts", null);
            ends = ctx.attrs().getInts("ends", null);
            axes = ctx.attrs().getInts("axes", null);
            steps = null;
        } else {
            starts = ctx.input(1).toLongArray();
            ends = ctx.input(2).toLongArray();
            axes = ctx.input(3) == null ? null : ctx.input(3).toLongArray();
            steps = ctx.input(4) == null ? null : ctx.input(4).toLongArray();
        }
        long[] in = x.shape();
        Window w = window(in, starts, ends, axes, steps, ctx::error);
        long[] inStrides = Shapes.strides(in);
        long off = 0;
        long[] src = new long[in.length];
        for (int k = 0; k < in.length; k++) {
            off += w.start()[k] * inStrides[k];
            src[k] = w.step()[k] * inStrides[k];
        }
        Copy.strided(x.data(), off, src, y.data(), 0, Shapes.strides(w.count()), w.count(), x.type().byteSize, ctx.parallel());
    }
}
