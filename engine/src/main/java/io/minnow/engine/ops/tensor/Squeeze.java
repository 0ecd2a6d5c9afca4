package io.minnow.engine.ops.tensor;

import io.minnow.engine.ops.InferContext;

import java.util.Arrays;

/**
 * ONNX Squeeze (a view): removes the listed size-1 axes ({@code axes} attribute before opset 13, input 1
 * from 13), or every size-1 axis when none are listed.
 */
final class Squeeze extends ViewOp {
    @Override
    public void infer(InferContext ctx) {
        long[] in = ctx.inputShape(0);
        long[] axes;
        if (ctx.opset() < 13) {
            axes = ctx.attrs().getInts("axes", null);
        } else if (ctx.hasInput(1)) {
            axes = Shapes.intsInput(ctx, 1, "axes");
            if (axes == null) {
                ctx.setOutput(0, ctx.inputType(0), null);
                return;
            }
        } else {
            axes = null;
        }
        boolean[] drop = new boolean[in.length];
        if (axes == null) {
            for (int i = 0; i < in.length; i++) drop[i] = in[i] == 1;
        } else {
            for (int a : Shapes.axes(ctx, axes, in.length, "axes")) {
                if (in[a] != 1) {
                    throw ctx.error("cannot squeeze axis " + a + " of shape " + Shapes.str(in) + ": its size is not 1");
                }
                drop[a] = true;
            }
        }
        long[] out = new long[in.length];
        int r = 0;
        for (int i = 0; i < in.length; i++) if (!drop[i]) out[r++] = in[i];
        ctx.setOutput(0, ctx.inputType(0), Arrays.copyOf(out, r));
    }
}
