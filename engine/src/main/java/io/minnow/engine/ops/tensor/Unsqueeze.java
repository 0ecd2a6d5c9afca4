package io.minnow.engine.ops.tensor;

import io.minnow.engine.ops.InferContext;

/**
 * ONNX Unsqueeze (a view): inserts size-1 axes at the listed output positions ({@code axes} attribute
 * before opset 13, input 1 from 13); negative axes count from the end of the output.
 */
final class Unsqueeze extends ViewOp {
    @Override
    public void infer(InferContext ctx) {
        long[] in = ctx.inputShape(0);
        long[] axes;
        if (ctx.opset() < 13) {
            axes = ctx.attrs().getInts("axes", null);
            if (axes == null) throw ctx.error("missing required attribute 'axes'");
        } else {
            if (!ctx.hasInput(1)) throw ctx.error("missing required input 'axes'");
            axes = Shapes.intsInput(ctx, 1, "axes");
            if (axes == null) {
                ctx.setOutput(0, ctx.inputType(0), null);
                return;
            }
        }
        int rank = in.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (int a : Shapes.axes(ctx, axes, rank, "axes")) inserted[a] = true;
        long[] out = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) out[i] = inserted[i] ? 1 : in[j++];
        ctx.setOutput(0, ctx.inputType(0), out);
    }
}
