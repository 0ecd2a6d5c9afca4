package io.minnow.engine.ops.tensor;

import io.minnow.engine.api.Tensor;
import io.minnow.engine.ops.ExecContext;
import io.minnow.engine.ops.InferContext;
import io.minnow.engine.ops.Op;

/**
 * ONNX Shape: the input's shape as a 1-D int64 tensor; opset 15 {@code start}/{@code end} pick a range
 * of dims (negative from the end, clamped). Known from the shape alone, so declared as a constant.
 */
final class ShapeOp implements Op {
    @Override
    public void infer(InferContext ctx) {
        long[] in = ctx.inputShape(0);
        int r = in.length;
        long start = ctx.attrs().getInt("start", 0), end = ctx.attrs().getInt("end", r);
        if (start < 0) start += r;
        if (end < 0) end += r;
        start = Math.clamp(start, 0L, r);
        end = Math.clamp(end, 0L, r);
        int n = (int) Math.max(0, end - start);
        long[] dims = new long[n];
        System.arraycopy(in, (int) start, dims, 0, n);
        ctx.setOutputConstant(0, Tensor.ofLongs(dims, n));
    }

    @Override
    public void execute(ExecContext ctx) {
        // Only reached when a planner runs it anyway: the value is the declared constant, recomputed here.
        Tensor x = ctx.input(0), y = ctx.output(0);
        long[] in = x.shape();
        int r = in.length;
        long start = ctx.attrs().getInt("start", 0);
        if (start < 0) start += r;
        start = Math.clamp(start, 0L, r);
        for (int i = 0; i < y.size(); i++) y.setLong(i, in[(int) start + i]);
    }
}
